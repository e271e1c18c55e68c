"""E-licences and cases: the licence an approved case yields (制证), and the applicant's valid
licences attached as materials (免证办).

Issuance: an item whose ``outcome_licence_type`` names an active licence type yields one licence
per case, made from the case's data (form fields mapped to the type's fields by name; the holder
is the case's enterprise for a type held by enterprises, its applicant otherwise) and signed by
the licences app. ``case_licence_issue`` is idempotent and refuses a case not approved.

免证办: a material whose ``licence_type`` names an active licence type is attached from the
holder's valid licence (never an expired, revoked or superseded one), with the holder's consent
recorded as an authorisation for the case's department and the read logged. A material naming
a licence type the platform does not issue (an ID card from the national library) keeps the
applicant's declaration, as before.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.catalog import selectors as catalog_selectors
from tongban.core.errors import DomainError, PermissionDenied, ValidationFailed
from tongban.core.permissions import Perm, has_perm
from tongban.licences import selectors as licence_selectors
from tongban.licences import wallet
from tongban.licences.models import HolderKind, Licence, LicenceType
from tongban.licences.services import licence_issue
from tongban.licences.services.sharing import material_consent, material_consent_withdraw

from .. import access
from ..errors import CaseErrorCode
from ..models import Case, CaseMaterial, MaterialStatus
from ..states import CaseAction as A
from ..states import CaseStatus as S
from ..states import TransitionRefused
from .common import locked, transition
from .elements import with_elements

logger = logging.getLogger("tongban.cases")
NOT_ISSUED_AT_APPROVAL = "licence of case %s not issued at approval: %s"

STATE_LABELS = {
    "valid": _("有效"),
    "expired": _("已过期"),
    "revoked": _("已注销"),
    "superseded": _("已换发"),
    "unknown": _("库中未找到"),
}


# ---------------------------------------------------------------- issuance (制证)


def outcome_type(case: Case) -> LicenceType | None:
    """The active licence type an approval of the case's item yields (None: no licence)."""
    return wallet.active_licence_type(case.item_version.outcome_licence_type or "")


def licence_data(case: Case, licence_type: LicenceType) -> dict[str, Any]:
    """The type's fields filled from the case: the form's answers by field name, then the
    situation answers."""
    sources = [case.form_data or {}, case.answers or {}]
    data: dict[str, Any] = {}
    for spec in licence_type.fields or []:
        name = spec.get("name")
        for source in sources:
            value = source.get(name)
            if value not in (None, ""):
                data[name] = value
                break
    return data


def _holder(case: Case, licence_type: LicenceType) -> dict[str, Any]:
    if licence_type.holder_kind == HolderKind.ENTERPRISE:
        if case.enterprise_id is None:
            raise DomainError(
                CaseErrorCode.LICENCE_REFUSED,
                _("“%(t)s”的持证主体是法人，但该办件不是以企业名义申请的。"),
                t=licence_type.name,
            )
        return {"enterprise": case.enterprise}
    return {"person": case.applicant}


def case_licence_issue(*, actor, case: Case) -> Licence | None:
    """The licence the approved case yields, issued once (a second call returns it).

    None when the item yields no licence the platform issues (or one held by an enterprise
    and the case was not filed for one). Refuses a case not approved
    (nothing written). ``actor`` None is the system (秒批); a person must hold
    ``LICENCE_ISSUE`` in the case's department."""
    licence_type = outcome_type(case)
    if licence_type is None or not _holder_of_material(case, licence_type):
        # No licence the platform can issue: the item yields none, or a licence held by an
        # enterprise for a case not filed for one (设立登记: the enterprise does not exist yet
        # on the platform; its licence comes from the registration system, by import).
        return None
    with transaction.atomic():
        current = locked(case.pk, like=case)
        existing = wallet.licence_of_case(current.case_no)
        if existing is not None:
            return existing
        if current.status != S.APPROVED:
            raise TransitionRefused(
                CaseErrorCode.LICENCE_REFUSED,
                _("办件尚未准予许可（当前状态为“%(s)s”），不能制发证照。"),
                s=S(current.status).label,
            )
        if actor is not None and not (
            has_perm(actor, Perm.LICENCE_ISSUE) and access.in_department(actor, current)
        ):
            raise PermissionDenied(_("制证须由实施部门有制证权限的工作人员办理。"))
        return licence_issue(
            licence_type=licence_type,
            data=licence_data(current, licence_type),
            case_no=current.case_no,
            actor=actor,
            actor_label="" if actor is not None else "system",
            **_holder(current, licence_type),
        )


def licence_after_approval(*, actor, case: Case) -> Licence | None:
    """Issue the licence right after an approval; a refusal (bad data, no signing key) leaves
    the approval standing and is logged: the ISSUE step (制证) tries again and shows why."""
    try:
        return case_licence_issue(actor=actor, case=case)
    except DomainError as exc:
        logger.warning(NOT_ISSUED_AT_APPROVAL, case.case_no, exc.code)
        case.licence_error = exc.message
        return None


def issue_payload(*, actor, case: Case) -> dict[str, str]:
    """What the ISSUE step records for a case of a licence item: the licence (issued now if the
    approval did not)."""
    licence = case_licence_issue(actor=actor, case=case)
    if licence is None:
        return {}
    return {
        "result": licence.licence_type.name,
        "licence": licence.identifier,
        "licence_no": licence.number,
    }


# ---------------------------------------------------------------- 免证办


def _holder_of_material(case: Case, licence_type: LicenceType) -> dict[str, Any]:
    if licence_type.holder_kind == HolderKind.ENTERPRISE:
        return {"enterprise": case.enterprise} if case.enterprise_id else {}
    return {"person": case.applicant}


def platform_type(material) -> LicenceType | None:
    """The active licence type a material names, when the platform issues it."""
    return wallet.active_licence_type(material.licence_type or "")


def valid_licence_for(case: Case, licence_type: LicenceType) -> Licence | None:
    holder = _holder_of_material(case, licence_type)
    if not holder:
        return None
    return licence_selectors.valid_licence_of(type_code=licence_type.code, **holder)


def holder_licences(needs, *, person=None, enterprise=None) -> dict[int, Licence]:
    """For the counter, before the case exists: by material seq, the valid licence the
    applicant (or the enterprise) holds for each material a platform licence type replaces."""
    types = wallet.active_licence_types(n.material.licence_type for n in needs)
    out: dict[int, Licence] = {}
    for need in needs:
        licence_type = types.get(need.material.licence_type or "")
        if licence_type is None:
            continue
        holder = (
            {"enterprise": enterprise}
            if licence_type.holder_kind == HolderKind.ENTERPRISE
            else {"person": person}
        )
        if None in holder.values():
            continue
        licence = licence_selectors.valid_licence_of(type_code=licence_type.code, **holder)
        if licence is not None:
            out[need.material.seq] = licence
    return out


def _purpose(case: Case, material) -> str:
    return str(
        _("办理“%(item)s”（%(case)s）：作为申请材料“%(m)s”（免证办）")
        % {"item": case.item_version.name, "case": case.case_no, "m": material.name}
    )


def licence_material_row(*, actor, case: Case, material, licence: Licence) -> CaseMaterial:
    """The CaseMaterial of an attached licence; saved by ``licence_material_insert``."""
    return CaseMaterial(
        case=case,
        material=material,
        status=MaterialStatus.LICENCE,
        licence_identifier=licence.identifier,
        note=str(_("从电子证照库调取：%(n)s") % {"n": licence.number})[:256],
        added_by=actor if getattr(actor, "pk", None) else None,
    )


def licence_material_insert(*, actor, case: Case, row: CaseMaterial, licence: Licence) -> None:
    """Inside the case's transition: the row, the holder's consent and the logged read."""
    row.case = case
    row.save(force_insert=True)
    material_consent(
        licence=licence,
        department=case.department,
        case_no=case.case_no,
        purpose=_purpose(case, row.material),
        actor=actor,
    )


def licence_for_material(*, case: Case, material) -> Licence | None:
    """For ``case_material_add`` with status LICENCE: the licence to attach, or None when the
    material names a type the platform does not issue (the applicant's declaration stands).
    Refuses when the platform issues the type and the holder has no valid licence of it."""
    licence_type = platform_type(material)
    if licence_type is None:
        return None
    licence = valid_licence_for(case, licence_type)
    if licence is None:
        raise ValidationFailed(
            CaseErrorCode.UPLOAD_REFUSED,
            _("电子证照库中没有您有效的“%(t)s”（已过期、已注销的证照不能使用），请上传“%(m)s”。"),
            field="status",
            t=licence_type.name,
            m=material.name,
        )
    return licence


def case_licences_attach(*, actor, case: Case) -> list[CaseMaterial]:
    """免证办: attach the holder's valid licences to every needed material that one replaces and
    that the case does not hold yet (a draft only). Each attachment is one MATERIAL_ADDED
    event with the holder's consent and the logged read."""
    if case.status != S.DRAFT:
        return []
    version = with_elements(case.item_version)
    needs = catalog_selectors.materials_for(version, case.answers).materials
    types = wallet.active_licence_types(n.material.licence_type for n in needs)
    if not types:
        return []
    have = set(case.materials.values_list("material_id", flat=True))
    attached: list[CaseMaterial] = []
    for need in needs:
        material = need.material
        licence_type = types.get(material.licence_type or "")
        if licence_type is None or material.pk in have:
            continue
        licence = valid_licence_for(case, licence_type)
        if licence is None:
            continue
        row = licence_material_row(actor=actor, case=case, material=material, licence=licence)
        case = transition(
            case=case,
            actor=actor,
            action=A.MATERIAL_ADDED,
            payload={
                "seq": material.seq,
                "status": MaterialStatus.LICENCE,
                "sha256": "",
                "licence": licence.identifier,
                "automatic": True,
            },
            then=lambda c, row=row, licence=licence: licence_material_insert(
                actor=actor, case=c, row=row, licence=licence
            ),
        )
        attached.append(row)
    return attached


def licence_material_removed(*, actor, case: Case, row: CaseMaterial) -> None:
    """A licence taken off a draft: the department's authorisation for it ends."""
    if row.licence_identifier:
        material_consent_withdraw(
            licence_identifier=row.licence_identifier, case_no=case.case_no, actor=actor
        )


def attached_licences(rows) -> dict[int, tuple[Licence | None, str]]:
    """For each material row attached from the library: the licence and its state today."""
    found = wallet.licences_by_identifier(r.licence_identifier for r in rows)
    out: dict[int, tuple[Licence | None, str]] = {}
    for r in rows:
        if not r.licence_identifier:
            continue
        licence = found.get(r.licence_identifier)
        out[r.pk] = (licence, licence_selectors.licence_state(licence) if licence else "unknown")
    return out


def invalid_attached(case: Case, present: dict[int, str] | None = None) -> list[str]:
    """Names of the materials whose attached licence is no longer valid (submission refuses).

    ``present``: the case's materials as {material id: licence identifier} when the caller
    has read them; no query then unless a licence is attached."""
    if present is None:
        present = dict(case.materials.order_by().values_list("material_id", "licence_identifier"))
    attached = {m: i for m, i in present.items() if i}
    if not attached:
        return []
    found = wallet.licences_by_identifier(attached.values())
    names = {m.pk: m.name for m in with_elements(case.item_version).materials.all()}
    lapsed = []
    for material_id, identifier in attached.items():
        licence = found.get(identifier)
        if licence is None or licence_selectors.licence_state(licence) != "valid":
            lapsed.append(names.get(material_id, identifier))
    return lapsed
