"""The applicant's edits of a draft: the application form's answers and removing a material."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import CoreErrorCode, ValidationFailed
from tongban.core.models import User

from .. import access, application_form
from ..errors import CaseErrorCode
from ..models import Case, CaseMaterial
from ..states import CaseAction as A
from . import licensing
from .common import transition


def clean_form(version, values: dict[str, Any]) -> dict[str, str]:
    """Answers of the application form checked by each field's type: the normalised values, an
    empty one as ``""``. Refuses a field the form does not have, or a value of the wrong kind."""
    fields = {f.code: f for f in application_form.fields_of(version)}
    cleaned: dict[str, str] = {}
    for code, value in values.items():
        field = fields.get(code)
        if field is None:
            raise ValidationFailed(
                CoreErrorCode.INVALID_INPUT,
                _("申请表没有“%(code)s”这一项。") % {"code": str(code)[:40]},
                field=str(code)[:40],
            )
        cleaned[code] = application_form.clean_value(field, value)
    return cleaned


def case_form_save(
    *, actor: User, case: Case, values: dict[str, Any], expected_version: int | None = None
) -> Case:
    """Save answers of the application form (some or all fields): each checked by its type.

    Known identity fields (name, ID number, enterprise) are never stored here: the case links
    the person and enterprise they come from. The event names the fields, not their values.
    """
    access.require_applicant_side(actor, case)
    cleaned = clean_form(case.item_version, values)

    def apply(c: Case) -> None:
        data = dict(c.form_data or {})
        for code, value in cleaned.items():
            if value:
                data[code] = value
            else:
                data.pop(code, None)
        c.form_data = data

    return transition(
        case=case,
        actor=actor,
        action=A.FORM_SAVED,
        expected_version=expected_version,
        apply=apply,
        payload={"fields": sorted(cleaned)},
    )


def case_material_remove(*, actor: User, case: Case, material_id: int) -> Case:
    """Take a material (an upload, or a choice of e-licence, 容缺 or 告知承诺) off a draft."""
    access.require_applicant_side(actor, case)
    row = CaseMaterial.objects.filter(case=case, pk=material_id).select_related("material").first()
    if row is None:
        raise ValidationFailed(
            CaseErrorCode.UPLOAD_REFUSED, _("材料：没有找到这份材料。"), field="material"
        )
    stored = row.file.name if row.file else ""

    def delete(c: Case) -> None:
        licensing.licence_material_removed(actor=actor, case=c, row=row)
        row.delete()
        if stored:
            storage = row.file.storage
            transaction.on_commit(lambda: storage.delete(stored))

    return transition(
        case=case,
        actor=actor,
        action=A.MATERIAL_REMOVED,
        payload={"seq": row.material.seq, "status": row.status, "sha256": row.sha256},
        then=delete,
    )
