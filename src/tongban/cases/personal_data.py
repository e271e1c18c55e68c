"""The personal data of a case that staff may reveal in full (「查看完整信息」, logged).

Kind ``case`` (ref: the case number): the applicant's ID number and phone, and every value of
the application form's fields of type ``id_number`` or ``phone`` (as ``form:<code>``).
Registered with core from ``CasesConfig.ready``; the case pages show all of them masked.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.masking import mask_id_number, mask_name, mask_phone
from tongban.core.personal_data import Subject, register_subject

from . import access, application_form, selectors

KIND = "case"
SENSITIVE_TYPES = application_form.SENSITIVE_TYPES
FORM_LABEL = _("申请表")


def shown_form_data(case, viewer) -> dict:
    """The application form as a page or API shows it: the applicant (or their agent) sees
    their own values; staff see ID numbers and phones masked (the reveal flow shows them)."""
    data = dict(case.form_data or {})
    if access.is_applicant_side(viewer, case):
        return data
    kinds = {f.code: f.type for f in application_form.fields_of(case.item_version)}
    for code, value in data.items():
        kind = kinds.get(code)
        if kind in SENSITIVE_TYPES and isinstance(value, str):
            data[code] = mask_id_number(value) if kind == "id_number" else mask_phone(value)
    return data


def _case_subject(user, ref: str) -> Subject:
    case = selectors.get_case_for_user(user=user, case_no=ref)
    person = case.applicant
    values = {"id_number": person.id_number, "phone": person.phone}
    labels: dict[str, str] = {}
    kinds: dict[str, str] = {}
    data = case.form_data or {}
    for spec in application_form.fields_of(case.item_version):
        value = data.get(spec.code)
        if spec.type in SENSITIVE_TYPES and value:
            name = f"form:{spec.code}"
            values[name] = str(value)
            labels[name] = f"{FORM_LABEL}：{spec.label}"
            kinds[name] = spec.type
    return Subject(
        kind=KIND,
        ref=case.case_no,
        label=f"{case.case_no} {mask_name(person.name)}（{mask_id_number(person.id_number)}）",
        values=values,
        person=person,
        labels=labels,
        kinds=kinds,
    )


def register() -> None:
    register_subject(KIND, _case_subject, label=_("办件"))
