"""Hall test data: a hall with two window groups (A 综合, B 社保), three windows and the usual
hours (Mon–Fri 9:00–12:00 and 13:30–17:00, Saturday 9:00–12:00), a published item served by
group A, clerks signed in, and applicants."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.test import Client

from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.catalog.services import item_save_spec
from tongban.core.permissions import Role
from tongban.hall import services
from tongban.hall.models import Hall, OpeningHours, Window, WindowGroup, WindowKind

SH = dt.timezone(dt.timedelta(hours=8))
_seq = itertools.count(500)


def at(day: str, hour: int = 10, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(
        hour=hour, minute=minute, second=second, tzinfo=SH
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def build_hall(dept, *, code="yx-hall", item=None) -> Hall:
    hall = Hall.objects.create(code=code, name="云溪区政务服务中心", department=dept)
    for weekday in range(5):
        OpeningHours.objects.create(
            hall=hall, weekday=weekday, opens=dt.time(9), closes=dt.time(12)
        )
        OpeningHours.objects.create(
            hall=hall, weekday=weekday, opens=dt.time(13, 30), closes=dt.time(17)
        )
    OpeningHours.objects.create(hall=hall, weekday=5, opens=dt.time(9), closes=dt.time(12))
    a = WindowGroup.objects.create(
        hall=hall, code="A", name="综合受理", slot_capacity=2, service_minutes=10, sort_order=1
    )
    b = WindowGroup.objects.create(
        hall=hall, code="B", name="社保医保", slot_capacity=3, service_minutes=6, sort_order=2
    )
    if item is not None:
        a.items.add(item.item if hasattr(item, "item") else item)
    w1 = Window.objects.create(hall=hall, number=1, kind=WindowKind.COMPREHENSIVE)
    w1.groups.add(a)
    w2 = Window.objects.create(hall=hall, number=2, kind=WindowKind.COMPREHENSIVE)
    w2.groups.add(a, b)
    w3 = Window.objects.create(hall=hall, number=3, kind=WindowKind.DEDICATED)
    w3.groups.add(b)
    return hall


@pytest.fixture
def mzj(db):
    return department("mzj", 7)


@pytest.fixture
def item(mzj):
    return item_save_spec(spec=spec("mzj"), publish=True)


@pytest.fixture
def item_code(item):
    return item.item.implementation_code


@pytest.fixture
def hall(mzj, item):
    return build_hall(mzj, item=item)


@pytest.fixture
def window(hall):
    return Window.objects.get(hall=hall, number=1)


@pytest.fixture
def window2(hall):
    return Window.objects.get(hall=hall, number=2)


@pytest.fixture
def window3(hall):
    return Window.objects.get(hall=hall, number=3)


@pytest.fixture
def clerk(mzj):
    user = make_staff(Role.WINDOW_CLERK, department=mzj, username="clerk1")
    user.display_name = "王丽"
    user.save(update_fields=["display_name"])
    return user


@pytest.fixture
def clerk2(mzj):
    return make_staff(Role.WINDOW_CLERK, department=mzj, username="clerk2")


@pytest.fixture
def clerk3(mzj):
    return make_staff(Role.WINDOW_CLERK, department=mzj, username="clerk3")


@pytest.fixture
def reviewer(mzj):
    return make_staff(Role.REVIEWER, department=mzj, username="reviewer1")


@pytest.fixture
def signed_in(hall, window, window2, window3, clerk, clerk2, clerk3):
    with time_machine.travel(at("2026-11-02", 8, 50), tick=False):
        services.window_sign_in(window=window, actor=clerk)
        services.window_sign_in(window=window2, actor=clerk2)
        services.window_sign_in(window=window3, actor=clerk3)
    for w in (window, window2, window3):
        w.refresh_from_db()
    return window, window2, window3


def make_applicant(username: str, name: str):
    user = UserFactory(username=username)
    person = PersonFactory(name=name, user=user)
    return user, person


@pytest.fixture
def applicant(db):
    return make_applicant("zhang", "张晓明")


@pytest.fixture
def other_applicant(db):
    return make_applicant("li", "李春梅")


def person():
    return PersonFactory(name=f"访客{next(_seq)}")
