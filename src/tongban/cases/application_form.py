"""The application form (申请表) of an item: its fields from the item version's ``form_fields``,
what the platform already knows (never asked again), and the check of each typed value.

``form_fields`` is a JSON list of ``{"code" (or "name"), "label", "type", "required"}`` with
types ``text``, ``textarea``, ``phone``, ``id_number``, ``credit_code``, ``date``, ``integer``,
``decimal`` and ``choice`` (with ``options``). An item without fields asks for the applicant's
contact phone and address.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import CoreErrorCode, ValidationFailed
from tongban.core.identifiers import validate_credit_code, validate_id_number, validate_phone
from tongban.core.masking import mask_id_number

MAX_TEXT = 200
MAX_TEXTAREA = 2000
TYPES = {
    "text",
    "textarea",
    "phone",
    "id_number",
    "credit_code",
    "date",
    "integer",
    "decimal",
    "choice",
}


@dataclass(frozen=True)
class FormField:
    code: str
    label: Any  # a lazy translation for the default fields
    type: str = "text"
    required: bool = True
    help_text: str = ""
    options: tuple[tuple[str, str], ...] = ()


DEFAULT_FIELDS = (
    FormField("phone", _("联系电话"), "phone", True),
    FormField("address", _("联系地址"), "text", True),
)

# Fields whose value the platform holds from the applicant's real-name record: shown, never asked.
PERSON_KNOWN = {"applicant_name", "id_number"}
ENTERPRISE_KNOWN = {"entity_name", "credit_code", "legal_representative"}


def fields_of(version) -> list[FormField]:
    """The item's form fields, in order; malformed entries are skipped, never fatal."""
    return fields_of_spec(version.form_fields)


def fields_of_spec(form_fields) -> list[FormField]:
    """Form fields from a ``form_fields`` list (an item version's or a bundle's)."""
    out: list[FormField] = []
    seen: set[str] = set()
    for raw in form_fields or []:
        if not isinstance(raw, dict):
            continue
        code = str(raw.get("code") or raw.get("name") or "").strip()
        if not code or code in seen or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", code):
            continue
        kind = str(raw.get("type") or "text")
        options = tuple(
            (str(o.get("code", o.get("value", ""))), str(o.get("label", "")))
            if isinstance(o, dict)
            else (str(o), str(o))
            for o in raw.get("options") or []
        )
        if kind not in TYPES or (kind == "choice" and not options):
            kind = "text"
        seen.add(code)
        out.append(
            FormField(
                code=code,
                label=str(raw.get("label") or code),
                type=kind,
                required=bool(raw.get("required", True)),
                help_text=str(raw.get("help_text") or ""),
                options=options if kind == "choice" else (),
            )
        )
    return out or list(DEFAULT_FIELDS)


SENSITIVE_TYPES = ("id_number", "phone")


def personal_data_codes(form_fields) -> set[str]:
    """Codes of the fields whose values are personal data (encrypted at rest, masked for staff):
    types ``id_number`` and ``phone``, and the default form's ``phone``."""
    codes = {f.code for f in fields_of_spec(form_fields) if f.type in SENSITIVE_TYPES}
    return codes | {"phone", "id_number"}


def known_values(fields: list[FormField], *, person, enterprise=None) -> dict[str, str]:
    """Values of the fields the platform already has, as shown to the applicant (masked)."""
    known: dict[str, str] = {}
    for f in fields:
        if f.code == "applicant_name" and person is not None:
            known[f.code] = person.name
        elif f.code == "id_number" and person is not None:
            known[f.code] = mask_id_number(person.id_number)
        elif f.code in ENTERPRISE_KNOWN and enterprise is not None:
            if f.code == "entity_name":
                known[f.code] = enterprise.name
            elif f.code == "credit_code":
                known[f.code] = enterprise.credit_code
            elif enterprise.legal_representative_id:
                known[f.code] = enterprise.legal_representative.name
    return known


def asked_fields(fields: list[FormField], *, person, enterprise=None) -> list[FormField]:
    known = known_values(fields, person=person, enterprise=enterprise)
    return [f for f in fields if f.code not in known]


def prefill(fields: list[FormField], *, person, enterprise=None) -> dict[str, str]:
    """Starting values for a new draft: the contact details the platform holds (editable)."""
    values: dict[str, str] = {}
    for f in asked_fields(fields, person=person, enterprise=enterprise):
        if f.code == "phone":
            value = (enterprise.phone if enterprise is not None else "") or person.phone
        elif f.code in ("address", "contact_address"):
            value = (enterprise.address if enterprise is not None else "") or person.address
        elif f.code == "contact_name":
            value = person.name
        else:
            continue
        if value:
            values[f.code] = value
    return values


def _refuse(f: FormField, problem) -> ValidationFailed:
    return ValidationFailed(
        CoreErrorCode.INVALID_INPUT,
        _("%(label)s：%(problem)s"),
        field=f.code,
        label=f.label,
        problem=problem,
    )


def clean_value(f: FormField, value: Any) -> str:
    """The normalised value (a string, as stored), or ``ValidationFailed`` naming the problem.

    An empty value is returned as ``""``; whether it is missing is for ``missing_fields``.
    """
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    if not text:
        return ""
    try:
        if f.type == "phone":
            return validate_phone(text, field=f.code)
        if f.type == "id_number":
            return validate_id_number(text, field=f.code)
        if f.type == "credit_code":
            return validate_credit_code(text, field=f.code)
    except ValidationFailed as exc:
        raise _refuse(f, exc.params.get("problem", exc.message)) from None
    if f.type == "date":
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise _refuse(f, _("请按 年-月-日 填写，如 2026-09-30。")) from None
        if not dt.date(1900, 1, 1) <= day <= dt.date(2100, 12, 31):
            raise _refuse(f, _("日期不在合理范围内。"))
        return day.isoformat()
    if f.type == "integer":
        if not re.fullmatch(r"\d{1,9}", text):
            raise _refuse(f, _("请填写整数，如 12。"))
        return str(int(text))
    if f.type == "decimal":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _refuse(f, _("请填写数字，如 100 或 12.5。")) from None
        if not number.is_finite() or number < 0 or number >= Decimal(10) ** 12:
            raise _refuse(f, _("请填写数字，如 100 或 12.5。"))
        return format(number.normalize(), "f")
    if f.type == "choice":
        if text not in dict(f.options):
            raise _refuse(f, _("请选择列出的选项之一。"))
        return text
    limit = MAX_TEXTAREA if f.type == "textarea" else MAX_TEXT
    if len(text) > limit:
        raise _refuse(f, _("不能超过 %(n)d 个字。") % {"n": limit})
    return text


def missing_fields(fields: list[FormField], values: dict[str, Any], known: dict[str, str]):
    """The required fields that have neither a value nor a known one."""
    return [f for f in fields if f.required and f.code not in known and not values.get(f.code)]


def shown_value(f: FormField, value: str) -> str:
    if f.type == "choice":
        return dict(f.options).get(value, value)
    if f.type == "id_number" and value:
        return mask_id_number(value)
    return value
