"""The rating KPIs against a hand-built dataset with known answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.ratings.kpis import (
    Period,
    counted_ratings,
    rating_channel_mix,
    rating_figures,
    rating_figures_by_department,
)
from tongban.ratings.models import Rating, Rectification

from .conftest import at

pytestmark = pytest.mark.django_db

OCT = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture
def dataset(mzj, scjg, applicant):
    person = applicant.person

    def rating(ref, level, dept, when, *, real=True, channel="web", follow=None, appeal=""):
        return Rating.objects.create(
            service_kind="case",
            service_ref=ref,
            department=dept,
            region=dept.region,
            item_code="ITEM-A" if dept == mzj else "ITEM-B",
            channel=channel,
            level=level,
            person=person if real else None,
            real_name=real,
            rated_at=when,
            follow_up_of=follow,
            appeal_result=appeal,
        )

    def rect(r, status, *, responded=None, due="2026-10-31"):
        return Rectification.objects.create(
            rating=r,
            department=r.department,
            status=status,
            verify_due=at("2026-10-20"),
            due=at(due, 23),
            responded_at=responded,
            closed_at=responded if status == "closed" else None,
        )

    # mzj in October: 5, 4, 3, 2 (closed on time), 1 (closed late), 1 (open, anonymous)
    rating("A1", 5, mzj, at("2026-10-01", 0, 0))  # first instant of the period
    rating("A2", 4, mzj, at("2026-10-10"), channel="sms")
    rating("A3", 3, mzj, at("2026-10-11"), channel="device")
    rect(rating("A4", 2, mzj, at("2026-10-12")), "closed", responded=at("2026-10-20"))
    rect(rating("A5", 1, mzj, at("2026-10-13")), "closed", responded=at("2026-11-02"))
    rect(rating("A6", 1, mzj, at("2026-10-14"), real=False), "rectifying")
    # a follow-up is not a second vote; an appeal-upheld bad rating is left out
    first = rating("A7", 5, mzj, at("2026-10-15"))
    rating("A7", 1, mzj, at("2026-10-16"), follow=first)
    rect(
        rating("A8", 1, mzj, at("2026-10-17"), appeal="malicious"),
        "closed",
        responded=at("2026-10-18"),
    )
    # scjg in October: 5, 2 (reviewing)
    rating("B1", 5, scjg, at("2026-10-31", 23, 59))  # last minute of the period
    rect(rating("B2", 2, scjg, at("2026-10-05")), "reviewing", responded=at("2026-10-06"))
    # outside the period
    rating("C1", 1, mzj, at("2026-09-30", 23, 59))
    rating("C2", 5, mzj, at("2026-11-01", 0, 0))
    return mzj, scjg


def test_figures_for_all(dataset):
    f = rating_figures(period=OCT)
    assert f["ratings"] == 9  # A1–A6, A7 (first), B1, B2
    assert (f["very_satisfied"], f["satisfied"], f["basic"]) == (3, 1, 1)
    assert (f["dissatisfied"], f["very_dissatisfied"]) == (2, 2)
    assert f["good"] == 5
    assert f["good_rate"] == pytest.approx(5 / 9)
    assert f["bad"] == 4
    assert f["rectified"] == 2
    assert f["rectification_rate"] == pytest.approx(0.5)
    assert f["rectified_on_time"] == 1
    assert f["rectification_on_time_rate"] == pytest.approx(0.25)
    assert f["real_name_bad"] == 3  # A4, A5, B2 (A6 anonymous)
    assert f["real_name_bad_closed"] == 2
    assert f["real_name_bad_closed_rate"] == pytest.approx(2 / 3)


def test_figures_by_department_in_one_query(dataset):
    mzj, scjg = dataset
    with CaptureQueriesContext(connection) as queries:
        rows = rating_figures_by_department(period=OCT)
    assert len(queries) == 1
    assert rows[mzj.pk]["ratings"] == 7
    assert rows[mzj.pk]["good_rate"] == pytest.approx(4 / 7)
    assert rows[mzj.pk]["bad"] == 3
    assert rows[mzj.pk]["rectification_rate"] == pytest.approx(2 / 3)
    assert rows[scjg.pk]["ratings"] == 2
    assert rows[scjg.pk]["rectified"] == 0
    assert rows[scjg.pk]["rectification_rate"] == 0.0


def test_filters(dataset):
    mzj, scjg = dataset
    assert rating_figures(period=OCT, department_ids=[scjg.pk])["ratings"] == 2
    assert rating_figures(period=OCT, item_codes=["ITEM-A"])["ratings"] == 7
    assert rating_figures(period=OCT, region_ids=[mzj.region_id])["ratings"] == (
        7 if mzj.region_id != scjg.region_id else 9
    )
    assert rating_figures(period=OCT, service_kinds=["ticket"])["ratings"] == 0
    assert counted_ratings(period=OCT).count() == 9
    assert rating_channel_mix(period=OCT) == {"web": 7, "sms": 1, "device": 1}


def test_no_data_is_none_not_zero(db):
    f = rating_figures(period=OCT)
    assert f["ratings"] == 0
    assert f["good_rate"] is None
    assert f["rectification_rate"] is None
    assert f["real_name_bad_closed_rate"] is None
    assert rating_figures_by_department(period=OCT) == {}
