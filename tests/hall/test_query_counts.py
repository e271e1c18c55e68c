"""The hall's lists (the console overview and bookings, the applicant's bookings, the screens,
the public API lists) read the same number of queries for few and for many numbers and
bookings (the halls themselves are configuration: a district has a handful)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.test import Client

from tests.query_counts import page_queries
from tongban.hall import services
from tongban.hall.models import Booking, QueueNumber

from .conftest import at, client_for, person

pytestmark = pytest.mark.django_db

_slot = itertools.count()


@pytest.fixture
def monday(signed_in):
    with time_machine.travel(at("2026-11-02", 10), tick=False):
        yield


@pytest.fixture
def add(monday, hall, applicant, signed_in, clerk):
    """``add(n)``: n bookings for Tuesday, n walk-in numbers today (one called to window 1 and
    finished each time), and one booking of the applicant made and cancelled."""
    window = signed_in[0]
    user, who = applicant

    def make(n: int) -> None:
        for _ in range(n):
            k = next(_slot)
            step = dt.timedelta(minutes=hall.slot_minutes * (k // 2))
            start = (dt.datetime(2026, 11, 3, 9) + step).time()
            services.booking_create(
                hall=hall, person=person(), date=dt.date(2026, 11, 3), start=start, group_code="A"
            )
            services.number_take(hall=hall, group_code="B", channel="kiosk")
            services.number_take(hall=hall, group_code="A", channel="kiosk")
            mine = services.booking_create(
                hall=hall, person=who, date=dt.date(2026, 11, 4), start=start, group_code="A"
            )
            services.booking_cancel(booking=mine, user=user)
        services.number_call_next(window=window, actor=clerk)
        services.number_start(window=window, actor=clerk)
        services.number_finish(window=window, actor=clerk)

    return make


def test_every_list_reads_the_same_queries_for_2_and_10_rows(add, hall, applicant, clerk):
    staff, citizen, public = client_for(clerk), client_for(applicant[0]), Client()
    pages = [
        (staff, "/console/hall/"),
        (staff, f"/console/hall/{hall.code}/bookings/?date=2026-11-03"),
        (citizen, "/hall/bookings/"),
        (public, "/hall/"),
        (public, f"/hall/{hall.code}/screen/"),
        (public, f"/hall/{hall.code}/screen/live/"),
        (public, f"/hall/{hall.code}/screen/window/1/"),
        (public, "/api/v1/hall/halls"),
        (public, f"/api/v1/hall/halls/{hall.code}/waiting"),
        (public, f"/api/v1/hall/halls/{hall.code}/calls"),
        (public, f"/api/v1/hall/halls/{hall.code}/slots?group=A&date=2026-11-03"),
    ]
    add(2)
    few = {url: page_queries(client, url) for client, url in pages}
    add(8)
    assert Booking.objects.count() == 20
    assert QueueNumber.objects.count() == 20
    assert {url: page_queries(client, url) for client, url in pages} == few
