"""Races with real threads and transactions (SQLite here, PostgreSQL under
scripts/with-postgres.sh): concurrent bookings never exceed a slot's capacity; two windows
calling at once never get the same number; one person's two concurrent bookings of one item
leave one."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.hotline.test_races import _race
from tongban.hall import services
from tongban.hall.models import Booking, QueueNumber, SlotCounter

from .conftest import at, person

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_bookings_never_exceed_the_capacity(hall):
    people = [person() for _ in range(6)]

    def booking_for(who):
        def call():
            with time_machine.travel(at("2026-10-30", 12), tick=False):
                return services.booking_create(
                    hall=hall,
                    person=who,
                    date=dt.date(2026, 11, 2),
                    start=dt.time(9),
                    group_code="A",
                )

        return call

    outcomes = _race(*[booking_for(who) for who in people])
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["error"] * 4 + ["ok"] * 2
    errors = [value for kind, value in outcomes if kind == "error"]
    assert {getattr(e, "code", None) for e in errors} == {"slot_full"}
    assert Booking.objects.filter(date="2026-11-02", slot_start=dt.time(9)).count() == 2
    assert SlotCounter.objects.get(date="2026-11-02", start=dt.time(9)).taken == 2


def test_one_person_booking_one_item_twice_at_once_keeps_one(hall, applicant):
    _user, who = applicant

    def call(start):
        def run():
            with time_machine.travel(at("2026-10-30", 12), tick=False):
                return services.booking_create(
                    hall=hall, person=who, date=dt.date(2026, 11, 2), start=start, group_code="B"
                )

        return run

    outcomes = _race(call(dt.time(9)), call(dt.time(10)))
    assert sorted(kind for kind, _value in outcomes) == ["error", "ok"]
    assert Booking.objects.filter(person=who).count() == 1
    assert sum(SlotCounter.objects.values_list("taken", flat=True)) == 1


def test_two_windows_calling_at_once_get_different_numbers(hall, signed_in, clerk, clerk2):
    window, window2, _w3 = signed_in
    with time_machine.travel(at("2026-11-02", 9, 1), tick=False):
        first = services.number_take(hall=hall, group_code="A", channel="kiosk")
    with time_machine.travel(at("2026-11-02", 9, 2), tick=False):
        second = services.number_take(hall=hall, group_code="A", channel="kiosk")

    def caller(w, c):
        def run():
            with time_machine.travel(at("2026-11-02", 9, 5), tick=False):
                return services.number_call_next(window=w, actor=c)

        return run

    outcomes = _race(caller(window, clerk), caller(window2, clerk2))
    assert [kind for kind, _v in outcomes] == ["ok", "ok"]
    assert sorted(v.pk for _k, v in outcomes) == sorted([first.pk, second.pk])
    assert QueueNumber.objects.filter(status="called").count() == 2


def test_concurrent_takes_get_consecutive_numbers(hall):
    def taker():
        with time_machine.travel(at("2026-11-02", 9, 1), tick=False):
            return services.number_take(hall=hall, group_code="A", channel="kiosk")

    outcomes = _race(*[taker for _ in range(5)])
    assert [kind for kind, _v in outcomes] == ["ok"] * 5
    assert sorted(v.number for _k, v in outcomes) == ["A001", "A002", "A003", "A004", "A005"]
