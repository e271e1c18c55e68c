"""Fixtures for the rules tests: an item with form fields and situation answers, rule-writing
staff, and registries restored after each test (providers are per process)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, make_id_number, make_staff
from tongban.catalog.services import item_save_spec
from tongban.core.permissions import Role
from tongban.rules import providers
from tongban.rules.models import Connector, ConnectorKind, ReferenceRow, ReferenceTable

FORM_FIELDS = [
    {"code": "area", "label": "面积", "type": "decimal"},
    {"code": "rooms", "label": "间数", "type": "integer"},
    {"code": "start", "label": "起租日期", "type": "date"},
    {"code": "address", "label": "地址", "type": "text"},
]


@pytest.fixture(autouse=True)
def _providers():
    state = providers.snapshot()
    providers.restore(([], {}, []))
    yield
    providers.restore(state)


@pytest.fixture
def mzj(db):
    return department("mzj", 7)


@pytest.fixture
def item(mzj):
    return item_save_spec(spec=spec("mzj", form_fields=FORM_FIELDS), publish=True)


@pytest.fixture
def code(item):
    return item.item.implementation_code


@pytest.fixture
def rules_admin(db):
    return make_staff(Role.ADMINISTRATOR, username="rules_admin")


def person(seq: int, birth: dt.date, **kw):
    return PersonFactory(id_number=make_id_number(seq, birth=birth), birth_date=birth, **kw)


def table_connector(rows: dict[str, dict], *, code: str = "population", fields=None) -> Connector:
    table = ReferenceTable.objects.create(
        name="人口信息", key_column="id_no", columns=["id_no", "hukou_city"], row_count=len(rows)
    )
    ReferenceRow.objects.bulk_create(
        [ReferenceRow(table=table, key=k, data=v) for k, v in rows.items()]
    )
    return Connector.objects.create(
        code=code,
        name="人口基础信息",
        kind=ConnectorKind.TABLE,
        fields=fields
        or [
            {"name": "hukou_city", "type": "string", "label": "户籍城市"},
            {"name": "subsidy", "type": "bool", "label": "已领补贴"},
            {"name": "income", "type": "double", "label": "月收入"},
        ],
        config={"table": table.pk},
    )


def http_connector(url: str, *, code: str = "tax", timeout: float = 0.5, **config) -> Connector:
    return Connector.objects.create(
        code=code,
        name="税务信息",
        kind=ConnectorKind.HTTP,
        fields=[{"name": "paid", "type": "bool"}, {"name": "amount", "type": "double"}],
        config={"url": url, "timeout": timeout, **config},
    )
