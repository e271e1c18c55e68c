"""Fixtures for case tests: one published item of 民政局 and its staff."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from PIL import Image

from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.catalog.services import item_save_spec
from tongban.core.permissions import Role


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def mzj(db):
    return department("mzj", 7)


@pytest.fixture
def item(mzj):
    return item_save_spec(spec=spec("mzj"), publish=True)


@pytest.fixture
def code(item):
    return item.item.implementation_code


@pytest.fixture
def applicant(db):
    user = UserFactory(username="zhang")
    PersonFactory(name="张晓明", user=user)
    return user


@pytest.fixture
def other_applicant(db):
    user = UserFactory(username="li")
    PersonFactory(name="李春梅", user=user)
    return user


@pytest.fixture
def clerk(db):
    return make_staff(Role.WINDOW_CLERK, username="clerk")


@pytest.fixture
def reviewer(mzj):
    return make_staff(Role.REVIEWER, department=mzj, username="reviewer")


@pytest.fixture
def approver(mzj):
    return make_staff(Role.APPROVER, department=mzj, username="approver")


@pytest.fixture
def at():
    """Travel to a Shanghai wall-clock time: ``at("2026-09-30 10:00")``."""
    travellers = []

    def go(when: str):
        moment = dt.datetime.fromisoformat(when).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


# [B] bundles, 容缺, 告知承诺 (b1): the demo district and catalogue, and an item with a
# deferrable and a commitment-replaceable material.
from .bundle_helpers import _district, district  # noqa: E402, F401
from .deferral_helpers import flex_code  # noqa: E402, F401
