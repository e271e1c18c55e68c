"""Ratings test data: two departments with a published item each, concluded cases written
straight into the table, a closed ticket, and one persona per role."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client

from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.cases.models import Case
from tongban.catalog.services import item_save_spec
from tongban.core.permissions import Role
from tongban.hotline.models import Ticket

SH = dt.timezone(dt.timedelta(hours=8))
_numbers = itertools.count(1)


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=SH)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def mzj(db):
    return department("mzj", 7)


@pytest.fixture
def scjg(db):
    return department("scjg", 8)


@pytest.fixture
def item(mzj):
    return item_save_spec(spec=spec("mzj"), publish=True)


@pytest.fixture
def applicant(db):
    return _applicant("zhang", "张晓明")


@pytest.fixture
def other_applicant(db):
    return _applicant("li", "李春梅")


def _applicant(username: str, name: str):
    user = UserFactory(username=username)
    PersonFactory(
        name=name, user=user, phone="13912345678" if username == "zhang" else "13700000000"
    )
    return user


@pytest.fixture
def make_case(applicant):
    def make(version, *, status="approved", channel="web", decided="2026-11-02", person=None):
        return Case.objects.create(
            case_no=f"R{next(_numbers):08d}",
            item_version=version,
            department_id=version.item.department_id,
            applicant=person or applicant.person,
            channel=channel,
            status=status,
            decided_at=at(decided) if decided else None,
        )

    return make


@pytest.fixture
def case(make_case, item):
    return make_case(item)


@pytest.fixture
def ticket(mzj, applicant):
    return Ticket.objects.create(
        ticket_no=f"T{next(_numbers):08d}",
        source="web",
        ticket_type="complaint",
        title="路灯不亮",
        content="小区路灯坏了一个月",
        caller_name="张晓明",
        caller_phone="13912345678",
        caller_user=applicant,
        status="closed",
        department=mzj,
        created_at=at("2026-11-02", 9),
        replied_at=at("2026-11-03", 9),
        closed_at=at("2026-11-04", 9),
    )


@pytest.fixture
def clerk(mzj):
    return make_staff(Role.WINDOW_CLERK, department=mzj, username="clerk")


@pytest.fixture
def handler(mzj):
    return make_staff(Role.HANDLER, department=mzj, username="handler")


@pytest.fixture
def head(mzj):
    return make_staff(Role.DEPARTMENT_HEAD, department=mzj, username="head")


@pytest.fixture
def other_handler(scjg):
    return make_staff(Role.HANDLER, department=scjg, username="other_handler")


@pytest.fixture
def supervisor(scjg):
    return make_staff(Role.SUPERVISOR, department=scjg, username="supervisor")


@pytest.fixture
def supervisor2(scjg):
    return make_staff(Role.SUPERVISOR, department=scjg, username="supervisor2")


@pytest.fixture
def operator(scjg):
    return make_staff(Role.HOTLINE_OPERATOR, department=scjg, username="operator")


@pytest.fixture
def administrator(scjg):
    return make_staff(Role.ADMINISTRATOR, department=scjg, username="admin")
