"""Items and their versions: save a draft from a spec, publish, revise, retire."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed
from tongban.core.models import Department
from tongban.core.permissions import Perm, require_perm

from .. import search
from ..errors import CatalogErrorCode
from ..models import (
    Faq,
    Fee,
    LegalBasis,
    LifeEvent,
    Material,
    ServiceItem,
    ServiceItemVersion,
    SituationOption,
    SituationQuestion,
    SpecialProcedure,
    Theme,
)
from ..models.codes import VersionStatus
from ..quality import check_codes, check_version
from ..spec import (
    ELEMENT_FIELDS,
    MATERIAL_FIELDS,
    SpecError,
    spec_from_version,
    validate_item_spec,
    with_defaults,
)
from . import hooks


class SpecInvalid(ValidationFailed):
    """An item spec with problems; ``errors`` lists every one with its field path."""

    def __init__(self, errors: list[SpecError]):
        self.errors = errors
        super().__init__(
            CatalogErrorCode.INVALID_ELEMENT,
            "%(first)s",
            field=errors[0].path,
            first=str(errors[0]),
        )


def implementation_code_for(department: Department, exercise_level: str, basic_code: str) -> str:
    return f"{department.credit_code}{exercise_level}{basic_code}"


def _check_actor(actor) -> None:
    if actor is not None:
        require_perm(actor, Perm.CONFIG_MANAGE)


def _write_children(version: ServiceItemVersion, spec: dict[str, Any]) -> None:
    for i, lb in enumerate(spec["legal_bases"]):
        LegalBasis.objects.create(
            version=version,
            order=i,
            **{
                k: lb.get(k, "")
                for k in ("law_name", "document_number", "clause_number", "clause_text")
            },
        )
    for sp in spec["special_procedures"]:
        SpecialProcedure.objects.create(
            version=version,
            kind=sp["kind"],
            limit_days=sp["limit_days"],
            limit_unit=sp.get("limit_unit", "workday"),
            note=sp.get("note", ""),
            responsible=sp.get("responsible", ""),
        )
    for fee in spec["fees"]:
        Fee.objects.create(
            version=version,
            name=fee["name"],
            standard=fee.get("standard", ""),
            basis=fee.get("basis", ""),
            reducible=fee.get("reducible", False),
            reduction_basis=fee.get("reduction_basis", ""),
        )
    for i, faq in enumerate(spec["faqs"]):
        Faq.objects.create(version=version, order=i, question=faq["question"], answer=faq["answer"])
    materials = {
        m["seq"]: Material.objects.create(version=version, **{k: m[k] for k in MATERIAL_FIELDS})
        for m in spec["materials"]
    }
    options: dict[str, SituationOption] = {}
    for i, q in enumerate(spec["questions"]):
        question = SituationQuestion.objects.create(
            version=version,
            code=q["code"],
            text=q["text"],
            help_text=q.get("help_text", ""),
            order=i,
            shown_if=options.get(q.get("shown_if") or ""),
        )
        for j, o in enumerate(q["options"]):
            option = SituationOption.objects.create(
                question=question,
                code=o["code"],
                label=o["label"],
                order=j,
                adds_condition=o.get("adds_condition", ""),
            )
            option.adds_materials.set([materials[s] for s in o.get("adds", [])])
            option.removes_materials.set([materials[s] for s in o.get("removes", [])])
            options[f"{q['code']}.{o['code']}"] = option
    version.themes.set(Theme.objects.filter(code__in=spec["themes"]))
    version.life_events.set(LifeEvent.objects.filter(code__in=spec["life_events"]))


def version_check_quality(version: ServiceItemVersion) -> list[dict[str, str]]:
    problems = [p.as_dict() for p in check_version(version)]
    ServiceItemVersion.objects.filter(pk=version.pk).update(quality_problems=problems)
    version.quality_problems = problems
    return problems


def item_save_spec(
    *, actor=None, spec: dict[str, Any], publish: bool = False
) -> ServiceItemVersion:
    """Create the item (or a new draft of it) from a spec; replace an existing draft's elements.

    The item is found by its implementation code (computed from the department's credit code,
    the exercise level and the basic code). A published version is never edited: a new draft
    version is created instead.
    """
    _check_actor(actor)
    spec = with_defaults(spec)
    errors = validate_item_spec(spec)
    department = Department.objects.filter(code=spec.get("department", "")).first()
    if department is None:
        errors.insert(
            0,
            SpecError(
                "department", str(_("实施主体“%(d)s”不存在。") % {"d": spec.get("department", "")})
            ),
        )
    elif not errors:
        code = implementation_code_for(department, spec["exercise_level"], spec["basic_code"])
        if spec.get("implementation_code") and spec["implementation_code"] != code:
            errors.append(
                SpecError(
                    "implementation_code",
                    str(
                        _("实施编码应为 %(c)s（实施主体统一社会信用代码 + 行使层级 + 基本编码）。")
                        % {"c": code}
                    ),
                )
            )
        errors += [
            SpecError(p.field, p.message)
            for p in check_codes(code, spec["basic_code"], spec["exercise_level"])
            if p.severity == "error"
        ]
    if errors:
        raise SpecInvalid(errors)
    with transaction.atomic():
        item, _created = ServiceItem.objects.select_for_update().get_or_create(
            implementation_code=code,
            defaults={
                "basic_code": spec["basic_code"],
                "exercise_level": spec["exercise_level"],
                "department": department,
                "handling_suffix": spec.get("handling_suffix", "00"),
                "local_basic_code": spec.get("local_basic_code", ""),
                "local_implementation_code": spec.get("local_implementation_code", ""),
            },
        )
        identity = {
            k: spec[k]
            for k in ("handling_suffix", "local_basic_code", "local_implementation_code")
            if k in spec and getattr(item, k) != spec[k]
        }
        if identity:  # identity fields are not versioned: the spec's values replace them
            for k, v in identity.items():
                setattr(item, k, v)
            item.save(update_fields=list(identity))
        draft = item.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            draft.delete()  # a draft is scratch space: its elements are replaced whole
        last = item.versions.order_by("-version").values_list("version", flat=True).first()
        version = ServiceItemVersion.objects.create(
            item=item,
            version=(last or 0) + 1,
            created_by=actor if actor else None,
            **{k: spec[k] for k in ELEMENT_FIELDS},
        )
        _write_children(version, spec)
        version_check_quality(version)
        if publish:
            version = item_publish(actor=actor, version=version)
    return version


def item_publish(*, actor=None, version: ServiceItemVersion) -> ServiceItemVersion:
    """Publish a draft; the previously published version is retired in the same transaction."""
    _check_actor(actor)
    with transaction.atomic():
        version = ServiceItemVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.DRAFT:
            raise ValidationFailed(
                CatalogErrorCode.NOT_PUBLISHABLE,
                _("只有草稿可以发布，该版本状态为“%(s)s”。"),
                s=version.get_status_display(),
            )
        problems = version_check_quality(version)
        blocking = [p for p in problems if p["severity"] == "error"]
        if blocking:
            raise ValidationFailed(
                CatalogErrorCode.NOT_PUBLISHABLE,
                _("存在必须修正的问题：%(p)s"),
                field=blocking[0]["field"],
                p=blocking[0]["message"],
            )
        now = timezone.now()
        version.item.versions.filter(status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.RETIRED, retired_at=now
        )
        version.status = VersionStatus.PUBLISHED
        version.published_at = now
        version.save(update_fields=["status", "published_at"])
        transaction.on_commit(search.invalidate)
        hooks.publication_changed([version.item.implementation_code])
    return version


def item_revise(*, actor=None, item: ServiceItem) -> ServiceItemVersion:
    """A new draft copied from the published version, to edit without touching it."""
    _check_actor(actor)
    published = item.versions.filter(status=VersionStatus.PUBLISHED).first()
    if published is None:
        raise ValidationFailed(CatalogErrorCode.NOT_EDITABLE, _("该事项没有已发布的版本。"))
    with transaction.atomic():
        draft = item_save_spec(actor=actor, spec=spec_from_version(published))
        # Uploaded blank forms and samples are not part of the spec: carry them over by seq.
        files = {m.seq: m for m in published.materials.all() if m.blank_form or m.sample}
        for material in draft.materials.filter(seq__in=list(files)):
            material.blank_form = files[material.seq].blank_form
            material.sample = files[material.seq].sample
            material.save(update_fields=["blank_form", "sample"])
    return draft


def item_retire(*, actor=None, item: ServiceItem) -> None:
    _check_actor(actor)
    with transaction.atomic():
        item.versions.filter(status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.RETIRED, retired_at=timezone.now()
        )
        transaction.on_commit(search.invalidate)
        hooks.publication_changed([item.implementation_code])
