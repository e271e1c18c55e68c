"""The evaluation context of a rule set: who the subject is, which fields a rule may read
(``declared_fields``) and their values for the built-in roots.

Roots: ``form.*`` (the application's form data), ``answers.*`` (situation answers, option codes),
``applicant.*`` (the person or enterprise record), ``today`` (the business date) and one root per
active connector (``population.hukou_city``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tongban.core.identifiers import birth_date_from_id, gender_from_id
from tongban.core.models import Enterprise, Person

from .functions import age_on

# Applicant fields; a person's and an enterprise's differ, so a field the subject lacks is
# missing at run time (the rule is failed-needs-review, never passed).
PERSON_FIELDS: dict[str, str] = {
    "applicant.kind": "string",
    "applicant.name": "string",
    "applicant.id_no": "string",
    "applicant.birth_date": "date",
    "applicant.age": "int",
    "applicant.gender": "string",
    "applicant.region_code": "string",
}
ENTERPRISE_FIELDS: dict[str, str] = {
    "applicant.kind": "string",
    "applicant.name": "string",
    "applicant.id_no": "string",
    "applicant.credit_code": "string",
    "applicant.region_code": "string",
    "applicant.legal_representative_id_no": "string",
    "applicant.registered_capital": "double",
    "applicant.established_on": "date",
}
APPLICANT_FIELDS = {**PERSON_FIELDS, **ENTERPRISE_FIELDS}

# Form field types (cases' application form) → rule types.
FORM_TYPES = {"integer": "int", "decimal": "double", "date": "date"}
FIELD_TYPES = ("string", "int", "double", "bool", "date", "list", "map", "dyn")
CODE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Subject:
    """Whom a rule set is evaluated for: a person (ID number) or an enterprise (credit code)."""

    kind: str  # "person" | "enterprise"
    id_no: str
    person: Person | None = None
    enterprise: Enterprise | None = None

    @classmethod
    def of_person(cls, person: Person) -> Subject:
        return cls(kind="person", id_no=person.id_number, person=person)

    @classmethod
    def of_enterprise(cls, enterprise: Enterprise) -> Subject:
        return cls(kind="enterprise", id_no=enterprise.credit_code, enterprise=enterprise)

    @property
    def key(self) -> str:
        return self.id_no


def applicant_values(subject: Subject, today: dt.date) -> dict[str, Any]:
    """The subject's record as ``applicant.*`` values (dates as ISO strings)."""
    values: dict[str, Any] = {"applicant.kind": subject.kind, "applicant.id_no": subject.id_no}
    if subject.person is not None:
        p = subject.person
        values["applicant.name"] = p.name
        values["applicant.birth_date"] = p.birth_date.isoformat()
        values["applicant.age"] = age_on(p.birth_date, today)
        values["applicant.gender"] = p.gender
        region = p.household_region
        if region is not None:
            values["applicant.region_code"] = region.code
    elif subject.kind == "person" and len(subject.id_no) == 18:
        # Known only from connected data (a reference table row): the ID number says when the
        # person was born.
        try:
            born = birth_date_from_id(subject.id_no)
            values["applicant.birth_date"] = born.isoformat()
            values["applicant.age"] = age_on(born, today)
            values["applicant.gender"] = gender_from_id(subject.id_no)
        except (ValueError, TypeError):
            pass
    elif subject.enterprise is not None:
        e = subject.enterprise
        values["applicant.name"] = e.name
        values["applicant.credit_code"] = e.credit_code
        if e.region_id:
            values["applicant.region_code"] = e.region.code
        if e.legal_representative_id:
            values["applicant.legal_representative_id_no"] = e.legal_representative.id_number
    return values


def coerce(value: Any, kind: str) -> Any:
    """A value as the rule type ``kind`` wants it; raises ValueError for one that does not fit
    (a connector's malformed data, a form value of the wrong shape)."""
    if value is None:
        raise ValueError("null")
    if kind == "dyn":
        return value
    if kind == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return str(value)
    elif kind == "int":
        if isinstance(value, bool):
            raise ValueError("bool for int")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
            return int(value)
        if isinstance(value, float | Decimal) and value == int(value):
            return int(value)
    elif kind == "double":
        if isinstance(value, bool):
            raise ValueError("bool for double")
        if isinstance(value, int | float | Decimal):
            return float(value)
        if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
            return float(value)
    elif kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
    elif kind == "date":
        if isinstance(value, dt.datetime):
            raise ValueError("datetime for date")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            return dt.date.fromisoformat(value.strip()).isoformat()
    elif kind == "list" and isinstance(value, list | tuple):
        return list(value)
    elif kind == "map" and isinstance(value, dict):
        return value
    raise ValueError(f"{type(value).__name__} for {kind}")


def form_field_types(version) -> dict[str, str]:
    """``form.*`` declarations of an item version (its ``form_fields``)."""
    out: dict[str, str] = {}
    for raw in (getattr(version, "form_fields", None) or []) if version is not None else []:
        if not isinstance(raw, dict):
            continue
        code = str(raw.get("code") or raw.get("name") or "").strip()
        if CODE_RE.match(code):
            out[f"form.{code}"] = FORM_TYPES.get(str(raw.get("type") or "text"), "string")
    if version is not None and not out:
        out = {"form.phone": "string", "form.address": "string"}
    return out
