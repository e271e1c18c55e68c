"""Factories for the licences app (l1 and l2 both use them).

``LicenceTypeFactory`` makes a type whose issuing department has a credit code; ``signing_key``
gives that department an SM2 key (through ``key_create``); ``issue`` issues a licence through
``licence_issue`` with valid face data for the type.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    PersonFactory,
    make_credit_code,
)
from tongban.licences.models import HolderKind, KeyStatus, LicenceType, SigningKey, ValidityKind
from tongban.licences.services import key_create, licence_issue

PERSON_FIELDS = [
    {
        "name": "category",
        "label": "优待类别",
        "type": "choice",
        "required": True,
        "choices": ["60-79周岁", "80周岁以上"],
    },
    {"name": "address", "label": "住址", "type": "text", "required": False, "personal": True},
    {"name": "birth_date", "label": "出生日期", "type": "date", "required": True, "personal": True},
]
ENTERPRISE_FIELDS = [
    {"name": "address", "label": "经营场所", "type": "text", "required": True},
    {"name": "scope", "label": "经营项目", "type": "text", "required": True},
    {"name": "staff", "label": "从业人数", "type": "number", "required": False},
    {"name": "approved_on", "label": "许可日期", "type": "date", "required": False},
]


class IssuerFactory(DepartmentFactory):
    credit_code = factory.Sequence(lambda n: make_credit_code(500 + n, kind="11"))


class LicenceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LicenceType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TESTZ{n}")
    name = factory.Sequence(lambda n: f"测试证照{n}")
    department = factory.SubFactory(IssuerFactory)
    holder_kind = HolderKind.PERSON
    fields = factory.LazyAttribute(
        lambda o: PERSON_FIELDS if o.holder_kind == HolderKind.PERSON else ENTERPRISE_FIELDS
    )
    validity_kind = ValidityKind.YEARS
    validity_years = 5
    has_photo = False
    layout = factory.LazyFunction(dict)
    reminder_days = 30


def signing_key(department, seal=None) -> SigningKey:
    """The department's active key, created if it has none."""
    key = SigningKey.objects.filter(
        department=department, seal=seal, status=KeyStatus.ACTIVE
    ).first()
    return key or key_create(department=department, seal=seal)


def sample_data(licence_type: LicenceType) -> dict[str, Any]:
    values = {
        "choice": lambda spec: spec["choices"][0],
        "date": lambda spec: "1950-03-01",
        "number": lambda spec: 12,
        "text": lambda spec: f"{spec['label']}示例",
    }
    return {
        spec["name"]: values[spec.get("type", "text")](spec) for spec in licence_type.fields or []
    }


def issue(licence_type: LicenceType | None = None, *, holder=None, **kwargs):
    """A licence issued through the service (a key for the issuer made when missing)."""
    licence_type = licence_type or LicenceTypeFactory()
    signing_key(licence_type.department)
    if holder is None:
        holder = (
            PersonFactory()
            if licence_type.holder_kind == HolderKind.PERSON
            else EnterpriseFactory()
        )
    who = "person" if licence_type.holder_kind == HolderKind.PERSON else "enterprise"
    kwargs.setdefault("data", sample_data(licence_type))
    kwargs.setdefault("issued_on", dt.date(2026, 3, 2))
    return licence_issue(licence_type=licence_type, **{who: holder}, **kwargs)
