"""Hall statistics against a hand-built week: visitors per day and hour, waiting and serving
p50/p90 per window group and item (linear interpolation), appointment use, no-show rate and the
weekend volume; and the supervision page that shows them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PersonFactory, make_staff
from tests.hall.conftest import build_hall
from tongban.core.permissions import Role
from tongban.hall import statistics
from tongban.hall.models import Booking, BookingStatus, NumberStatus, QueueNumber, WindowGroup

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.date(2026, 9, 14)
SAT = dt.date(2026, 9, 19)


def at(day: dt.date, hh: int, mm: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=SH)


def test_percentile_interpolates_linearly():
    assert statistics.percentile([], 0.5) is None
    assert statistics.percentile([7], 0.9) == 7
    assert statistics.percentile([2, 4, 6, 8, 20], 0.5) == 6
    assert statistics.percentile([20, 2, 8, 6, 4], 0.9) == pytest.approx(15.2)


@pytest.fixture
def week(mzj, item):
    hall = build_hall(mzj, item=item)
    a = WindowGroup.objects.get(hall=hall, code="A")
    b = WindowGroup.objects.get(hall=hall, code="B")
    seq = iter(range(1, 100))

    def number(group, day, taken, wait, serve=None, status=NumberStatus.DONE, **kw):
        called = taken + dt.timedelta(minutes=wait) if wait is not None else None
        started = called if serve is not None else None
        finished = called + dt.timedelta(minutes=serve) if serve is not None else None
        return QueueNumber.objects.create(
            hall=hall,
            group=group,
            number=f"{group.code}{next(seq):03d}",
            business_date=day,
            channel="kiosk",
            priority_at=taken,
            taken_at=taken,
            called_at=called,
            serving_started_at=started,
            finished_at=finished,
            status=status,
            **kw,
        )

    def booking(code, status, number=None):
        made = Booking.objects.create(
            code=code,
            hall=hall,
            group=a,
            person=PersonFactory(),
            date=MON,
            slot_start=dt.time(9),
            slot_end=dt.time(9, 30),
            status=status,
            created_at=at(MON, 8, 0) - dt.timedelta(days=2),
        )
        if number is not None:
            QueueNumber.objects.filter(pk=number.pk).update(booking=made)
        return made

    it = item.item
    n1 = number(a, MON, at(MON, 9, 0), 2, 5, item=it)
    n2 = number(a, MON, at(MON, 9, 10), 4, 10, item=it)
    number(a, MON, at(MON, 9, 20), 6, 15, item=it)
    number(a, MON, at(MON, 10, 0), 8, 20)
    number(a, MON, at(MON, 10, 5), 20, None, status=NumberStatus.SKIPPED)
    moved = number(a, MON, at(MON, 10, 30), 10, None, status=NumberStatus.TRANSFERRED)
    number(b, MON, at(MON, 10, 45), 1, 8, transferred_from=moved)
    number(b, SAT, at(SAT, 9, 0), 3, 4)
    number(b, SAT, at(SAT, 9, 30), 7, 6)
    number(a, MON + dt.timedelta(days=14), at(MON, 9, 0), 1, 1)  # outside the period
    booking("BK0001", BookingStatus.CHECKED_IN, n1)
    booking("BK0002", BookingStatus.CHECKED_IN, n2)
    booking("BK0003", BookingStatus.NO_SHOW)
    booking("BK0004", BookingStatus.CANCELLED)
    return hall


def test_statistics_of_a_hand_built_week(week, item):
    s = statistics.hall_statistics(start=MON, end=MON + dt.timedelta(days=6), hall=week)
    assert s.visitors == 8
    assert s.by_day == [(MON, 6), (SAT, 2)]
    assert s.by_hour == [(9, 5), (10, 3)]
    wait = {r.key: (r.count, r.p50, r.p90) for r in s.waiting_by_group}
    assert wait == {"A": (6, 7.0, 15.0), "B": (3, 3.0, 6.2)}
    serve = {r.key: (r.count, r.p50, r.p90) for r in s.serving_by_group}
    assert serve == {"A": (4, 12.5, 18.5), "B": (3, 6.0, 7.6)}
    assert [(r.label, r.count, r.p50, r.p90) for r in s.waiting_by_item] == [
        (item.name, 3, 4.0, 5.6)
    ]
    assert [(r.label, r.count, r.p50, r.p90) for r in s.serving_by_item] == [
        (item.name, 3, 10.0, 14.0)
    ]
    assert (s.waiting_all.count, s.waiting_all.p50, s.waiting_all.p90) == (9, 6.0, 12.0)
    assert s.booked_numbers == 2
    assert s.booking_use == 25.0
    assert s.bookings == {
        "booked": 0,
        "checked_in": 2,
        "cancelled": 1,
        "no_show": 1,
        "total": 4,
    }
    assert s.no_show_rate == 33.3
    assert (s.weekend_visitors, s.weekend_days, s.weekend_served) == (2, 1, 2)


def test_an_empty_period(week):
    s = statistics.hall_statistics(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 7))
    assert (s.visitors, s.by_day, s.waiting_by_group, s.booking_use, s.no_show_rate) == (
        0,
        [],
        [],
        None,
        None,
    )
    assert (s.waiting_all.count, s.waiting_all.p50) == (0, None)


def test_the_supervision_page_shows_the_figures(client, week, mzj):
    supervisor = make_staff(Role.SUPERVISOR, username="sup")
    client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(
        f"/console/supervision/hall/?hall={week.code}&start=2026-09-14&end=2026-09-20"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "大厅运行统计" in html
    assert "A 综合受理" in html and "15.0" in html
    assert "33.3%" in html and "25.0%" in html
    bad = client.get("/console/supervision/hall/?start=2026-09-20&end=2026-09-14")
    assert bad.status_code == 400
    assert "结束日期：不能早于开始日期。" in bad.content.decode()


def test_staff_without_supervision_cannot_see_it(client, week):
    clerk = make_staff(Role.WINDOW_CLERK, username="c9")
    client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/console/supervision/hall/").status_code == 403
    client.logout()
    assert client.get("/console/supervision/hall/").status_code == 302
