"""Supervision test data: two departments with a published item each, and cases written
straight into the table with the dates the KPIs read (hand-built, known answers)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.cases.models import Case, CaseEvent, CaseMaterial
from tongban.catalog.services import item_save_spec
from tongban.core.permissions import Role

SH = dt.timezone(dt.timedelta(hours=8))
_numbers = itertools.count(1)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SH)


@pytest.fixture
def mzj(db):
    return department("mzj", 7)


@pytest.fixture
def scjg(db):
    return department("scjg", 8)


@pytest.fixture
def item(mzj):
    return item_save_spec(spec=spec("mzj"), publish=True)  # legal 20, promised 5


@pytest.fixture
def other_item(scjg):
    return item_save_spec(
        spec=spec(
            "scjg",
            basic_code="000107003000",
            name="食品经营许可",
            legal_limit_days=20,
            promised_limit_days=10,
        ),
        publish=True,
    )


@pytest.fixture
def person(db):
    return PersonFactory(name="张晓明", user=UserFactory(username="zhang"))


@pytest.fixture
def make_case(person):
    def make(
        version,
        *,
        status="in_review",
        channel="web",
        accepted=None,
        decided=None,
        promised=None,
        legal=None,
        **extra,
    ):
        return Case.objects.create(
            case_no=f"T{next(_numbers):08d}",
            item_version=version,
            department_id=version.item.department_id,
            applicant=person,
            channel=channel,
            status=status,
            accepted_on=dt.date.fromisoformat(accepted) if accepted else None,
            decided_at=at(decided) if decided else None,
            promised_due=dt.date.fromisoformat(promised) if promised else None,
            legal_due=dt.date.fromisoformat(legal) if legal else None,
            **extra,
        )

    return make


@pytest.fixture
def supervisor(db):
    return make_staff(Role.SUPERVISOR, username="supervisor")


@pytest.fixture
def head(mzj):
    return make_staff(Role.DEPARTMENT_HEAD, department=mzj, username="head")


@pytest.fixture
def other_head(scjg):
    return make_staff(Role.DEPARTMENT_HEAD, department=scjg, username="other_head")


@pytest.fixture
def add_event():
    from tongban.cases.models import CaseEvent
    from tongban.core.events import event_append

    def add(case, action, day, *, payload=None, reason="", hour=10):
        return event_append(
            model=CaseEvent,
            stream=case.stream,
            action=action,
            reason=reason,
            payload=payload or {},
            occurred_at=at(day, hour),
            case=case,
        )

    return add


@pytest.fixture
def november():
    import time_machine

    with time_machine.travel(at("2026-11-20"), tick=False):
        yield


@pytest.fixture
def late_case(item, make_case, add_event):
    """Accepted on 9 October, still in review on 20 November: past its legal limit (red)."""
    case = make_case(item, accepted="2026-10-09", promised="2026-10-16", legal="2026-11-06")
    add_event(case, "submit", "2026-10-09", hour=9)
    add_event(case, "accept", "2026-10-09", payload={"accepted_on": "2026-10-09"})
    return case


@pytest.fixture
def october(item, other_item, make_case):
    v, w = item, other_item
    cases = {
        # accepted in October, concluded the same day (instant), on time, online
        "instant": make_case(
            v, status="approved", accepted="2026-10-09", decided="2026-10-09", promised="2026-10-16"
        ),
        # accepted in October, concluded late (after the promised date) at the window
        "late": make_case(
            v,
            status="approved",
            channel="window",
            accepted="2026-10-09",
            decided="2026-10-20",
            promised="2026-10-16",
        ),
        # accepted in September, concluded in October on time: crosses the month boundary
        "crossing": make_case(
            v, status="denied", accepted="2026-09-28", decided="2026-10-10", promised="2026-10-12"
        ),
        # accepted in October, still open, promised date passed: overdue
        "open_overdue": make_case(v, accepted="2026-10-12", promised="2026-10-19"),
        # accepted in October, suspended (clock stopped) with its old due date passed: not overdue
        "suspended": make_case(v, status="suspended", accepted="2026-10-12", promised="2026-10-19"),
        # accepted at the end of October, concluded in November: accepted but not concluded
        "next_month": make_case(
            w, status="approved", accepted="2026-10-30", decided="2026-11-03", promised="2026-11-13"
        ),
        # not accepted in October
        "refused": make_case(v, status="not_accepted"),
    }
    CaseEvent.objects.create(
        case=cases["refused"],
        stream="case:r",
        seq=1,
        occurred_at=at("2026-10-15"),
        action="refuse",
        reason="超出范围",
        prev_hash="0" * 64,
        hash="1" * 64,
    )
    material = item.materials.first()
    for case in (cases["instant"], cases["late"], cases["instant"]):
        CaseMaterial.objects.create(case=case, material=material, status="uploaded")
    return cases
