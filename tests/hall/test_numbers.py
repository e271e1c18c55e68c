"""Taking numbers and calling them: prefixes, opening hours over the working-day calendar,
calling order (booked visitors before walk-ins at their slot), skip, recall, transfer, finish,
and the bad inputs — each refused with a clear message and nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.hall import services
from tongban.hall.errors import HallClosed, HallErrorCode, HallRefused
from tongban.hall.models import Booking, BookingStatus, HallEvent, NumberStatus, QueueNumber

from .conftest import at, person

pytestmark = pytest.mark.django_db


def take(hall, when, **kw):
    kw.setdefault("channel", "kiosk")
    with time_machine.travel(when, tick=False):
        return services.number_take(hall=hall, **kw)


def test_numbers_are_prefixed_by_group_and_counted_per_day(hall, item_code):
    first = take(hall, at("2026-11-02", 9, 1), group_code="A")
    second = take(hall, at("2026-11-02", 9, 2), item_code=item_code)
    social = take(hall, at("2026-11-02", 9, 3), group_code="b")
    next_day = take(hall, at("2026-11-03", 9, 0), group_code="A")
    assert [first.number, second.number, social.number, next_day.number] == [
        "A001",
        "A002",
        "B001",
        "A001",
    ]
    assert second.item.implementation_code == item_code
    assert (first.status, first.channel, first.business_date) == (
        "waiting",
        "kiosk",
        dt.date(2026, 11, 2),
    )
    assert HallEvent.objects.filter(number=first, action="take").count() == 1


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (at("2026-11-02", 8, 59), False),  # Monday before opening
        (at("2026-11-02", 9, 0), True),
        (at("2026-11-02", 12, 30), False),  # lunch break
        (at("2026-11-02", 16, 59), True),
        (at("2026-11-02", 17, 0), False),
        (at("2026-10-17", 10), True),  # ordinary Saturday: weekend service
        (at("2026-10-18", 10), False),  # ordinary Sunday: no hours
        (at("2026-10-05", 10), False),  # Monday in the National Day holiday
        (at("2026-10-03", 10), False),  # Saturday in the holiday: weekend service closed too
        (at("2026-10-10", 15), True),  # adjusted working Saturday: Monday's afternoon hours
        (at("2026-09-20", 14), True),  # adjusted working Sunday
    ],
)
def test_opening_hours_follow_the_working_day_calendar(hall, moment, open_):
    assert services.is_open(hall, moment) is open_


def test_day_kinds(hall):
    assert services.day_kind(dt.date(2026, 10, 5)) == "holiday"
    assert services.day_kind(dt.date(2026, 10, 10)) == "adjusted"
    assert services.day_kind(dt.date(2026, 10, 17)) == "weekend"
    assert services.day_kind(dt.date(2026, 10, 12)) == "workday"


def test_a_number_outside_opening_hours_is_refused_and_nothing_changes(hall):
    with pytest.raises(HallClosed) as caught:
        take(hall, at("2026-10-05", 10), group_code="A")
    assert caught.value.code == HallErrorCode.HALL_CLOSED
    assert caught.value.message == "大厅现在不开放，不能取号。下次开放时间：2026-10-08 09:00。"
    with pytest.raises(HallClosed) as caught:
        take(hall, at("2026-11-02", 12, 10), group_code="A")
    assert "2026-11-02 13:30" in caught.value.message
    assert QueueNumber.objects.count() == 0
    assert HallEvent.objects.count() == 0


def test_unknown_group_item_or_channel_refused(hall):
    with pytest.raises(ValidationFailed) as caught:
        take(hall, at("2026-11-02", 10), group_code="Z")
    assert caught.value.code == HallErrorCode.UNKNOWN_GROUP
    with pytest.raises(ValidationFailed) as caught:
        take(hall, at("2026-11-02", 10), item_code="nope")
    assert caught.value.code == HallErrorCode.UNKNOWN_ITEM
    with pytest.raises(ValidationFailed) as caught:
        take(hall, at("2026-11-02", 10), group_code="A", channel="fax")
    assert caught.value.code == HallErrorCode.CHANNEL_INVALID
    with pytest.raises(ValidationFailed) as caught:
        take(hall, at("2026-11-02", 10))
    assert caught.value.code == HallErrorCode.INVALID_INPUT
    assert QueueNumber.objects.count() == 0


def _call(window, clerk, when, **kw):
    with time_machine.travel(when, tick=False):
        return services.number_call_next(window=window, actor=clerk, **kw)


def _book(hall, who, day, start, **kw):
    with time_machine.travel(at("2026-10-30", 12), tick=False):
        return services.booking_create(
            hall=hall, person=who, date=dt.date.fromisoformat(day), start=start, **kw
        )


def test_booked_visitor_is_called_before_walk_ins_at_their_slot(hall, signed_in, clerk):
    window = signed_in[0]
    visitor = person()
    booking = _book(hall, visitor, "2026-11-02", dt.time(10), group_code="A")
    walk1 = take(hall, at("2026-11-02", 9, 40), group_code="A")
    booked = take(hall, at("2026-11-02", 9, 45), booking_code=booking.code.lower())
    walk2 = take(hall, at("2026-11-02", 9, 50), group_code="A")
    assert booked.channel == "booking"
    assert (booked.priority_tier, booked.person_id) == (1, visitor.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    # before 10:00 the booked visitor waits like everyone else
    first = _call(window, clerk, at("2026-11-02", 9, 55))
    assert first.pk == walk1.pk
    with time_machine.travel(at("2026-11-02", 9, 58), tick=False):
        services.number_finish(window=window, actor=clerk)
    # from 10:00 the booked visitor comes before walk2, who took a number earlier
    second = _call(window, clerk, at("2026-11-02", 10, 1))
    assert second.pk == booked.pk
    with time_machine.travel(at("2026-11-02", 10, 10), tick=False):
        services.number_finish(window=window, actor=clerk)
    third = _call(window, clerk, at("2026-11-02", 10, 11))
    assert third.pk == walk2.pk


def test_a_late_booked_visitor_queues_as_a_walk_in(hall, signed_in, clerk):
    booking = _book(hall, person(), "2026-11-02", dt.time(9), group_code="A")
    walk = take(hall, at("2026-11-02", 9, 20), group_code="A")
    late = take(hall, at("2026-11-02", 9, 30), booking_code=booking.code)
    assert late.priority_tier == 2
    assert _call(signed_in[0], clerk, at("2026-11-02", 9, 31)).pk == walk.pk


def test_number_by_id_number_finds_todays_booking(hall, applicant):
    _user, who = applicant
    booking = _book(hall, who, "2026-11-02", dt.time(14), group_code="B")
    number = take(hall, at("2026-11-02", 13, 40), id_number=who.id_number)
    assert (number.number, number.booking_id) == ("B001", booking.pk)
    with pytest.raises(ValidationFailed) as caught:
        take(hall, at("2026-11-02", 13, 41), id_number=who.id_number)
    assert caught.value.code == HallErrorCode.BOOKING_NOT_FOUND
    walk_in = take(hall, at("2026-11-02", 13, 42), id_number=who.id_number, group_code="A")
    assert (walk_in.number, walk_in.person_id, walk_in.booking_id) == ("A001", who.pk, None)


def test_booking_code_refusals(hall, applicant):
    _user, who = applicant
    booking = _book(hall, who, "2026-11-03", dt.time(9), group_code="A")
    with pytest.raises(HallRefused) as caught:
        take(hall, at("2026-11-02", 10), booking_code=booking.code)
    assert caught.value.code == HallErrorCode.BOOKING_OTHER_DAY
    assert caught.value.message == (
        f"预约码 {booking.code} 预约的是 2026-11-03，请在预约当天取号或改约。"
    )
    with pytest.raises(ValidationFailed) as caught:
        take(hall, at("2026-11-02", 10), booking_code="NOPE1234")
    assert caught.value.code == HallErrorCode.BOOKING_NOT_FOUND
    number = take(hall, at("2026-11-03", 9, 5), booking_code=booking.code)
    with pytest.raises(HallRefused) as caught:
        take(hall, at("2026-11-03", 9, 6), booking_code=booking.code)
    assert (
        caught.value.message == f"预约码 {booking.code} 已经取过号（{number.number}），请留意叫号。"
    )
    assert QueueNumber.objects.count() == 1


def test_call_skip_recall_and_call_back_a_skipped_number(hall, signed_in, clerk):
    window = signed_in[0]
    a1 = take(hall, at("2026-11-02", 9, 1), group_code="A")
    a2 = take(hall, at("2026-11-02", 9, 2), group_code="A")
    called = _call(window, clerk, at("2026-11-02", 9, 5))
    assert (called.pk, called.status, called.window_id, called.call_count) == (
        a1.pk,
        "called",
        window.pk,
        1,
    )
    with time_machine.travel(at("2026-11-02", 9, 6), tick=False):
        again = services.number_recall(window=window, actor=clerk)
    assert (again.call_count, again.called_at) == (2, at("2026-11-02", 9, 6))
    with time_machine.travel(at("2026-11-02", 9, 8), tick=False):
        skipped = services.number_skip(window=window, actor=clerk)
    assert skipped.status == NumberStatus.SKIPPED
    assert _call(window, clerk, at("2026-11-02", 9, 9)).pk == a2.pk
    with time_machine.travel(at("2026-11-02", 9, 10), tick=False):
        services.number_start(window=window, actor=clerk)
        done = services.number_finish(window=window, actor=clerk, case_no="")
    assert (done.status, done.serving_started_at, done.finished_at) == (
        "done",
        at("2026-11-02", 9, 10),
        at("2026-11-02", 9, 10),
    )
    with time_machine.travel(at("2026-11-02", 9, 20), tick=False):
        back = services.number_call(window=window, actor=clerk, number_id=a1.pk)
    assert (back.status, back.call_count, back.finished_at) == ("called", 3, None)
    actions = list(HallEvent.objects.filter(number=a1).values_list("action", flat=True))
    assert actions == ["take", "call", "recall", "skip", "call"]


def test_transfer_sends_the_visitor_to_the_front_of_another_group(hall, signed_in, clerk, clerk3):
    window, _w2, window3 = signed_in
    a1 = take(hall, at("2026-11-02", 9, 1), group_code="A")
    b1 = take(hall, at("2026-11-02", 9, 2), group_code="B")
    _call(window, clerk, at("2026-11-02", 9, 5))
    with time_machine.travel(at("2026-11-02", 9, 7), tick=False):
        moved = services.number_transfer(
            window=window, actor=clerk, group_code="B", reason="需办理社保"
        )
    a1.refresh_from_db()
    assert (a1.status, a1.finished_at) == ("transferred", at("2026-11-02", 9, 7))
    assert (moved.number, moved.group.code, moved.status, moved.transferred_from_id) == (
        "A001",
        "B",
        "waiting",
        a1.pk,
    )
    # the transferred visitor is called before B001, who took a number earlier in group B
    assert _call(window3, clerk3, at("2026-11-02", 9, 8)).pk == moved.pk
    with time_machine.travel(at("2026-11-02", 9, 9), tick=False):
        services.number_finish(window=window3, actor=clerk3)
    assert _call(window3, clerk3, at("2026-11-02", 9, 10)).pk == b1.pk
    # window 1 is free again
    assert services.current_number(window) is None


def test_transfer_to_the_same_or_unknown_group_refused(hall, signed_in, clerk):
    window = signed_in[0]
    take(hall, at("2026-11-02", 9, 1), group_code="A")
    _call(window, clerk, at("2026-11-02", 9, 5))
    for code, error in (("A", HallErrorCode.INVALID_INPUT), ("Q", HallErrorCode.UNKNOWN_GROUP)):
        with pytest.raises(ValidationFailed) as caught:
            services.number_transfer(window=window, actor=clerk, group_code=code)
        assert caught.value.code == error
    assert QueueNumber.objects.count() == 1
    assert QueueNumber.objects.get().status == "called"


def test_a_call_from_a_window_that_serves_no_such_group_is_refused(hall, signed_in, clerk):
    window = signed_in[0]  # serves A only
    b1 = take(hall, at("2026-11-02", 9, 1), group_code="B")
    with time_machine.travel(at("2026-11-02", 9, 5), tick=False):
        with pytest.raises(HallRefused) as caught:
            services.number_call(window=window, actor=clerk, number_id=b1.pk)
        assert caught.value.code == HallErrorCode.WINDOW_NOT_SERVING_GROUP
        assert caught.value.message == "1 号窗口不办理 B 类业务，不能叫号码 B001。"
        with pytest.raises(HallRefused) as caught:
            services.number_call_next(window=window, actor=clerk, group_code="B")
        assert caught.value.code == HallErrorCode.WINDOW_NOT_SERVING_GROUP
        with pytest.raises(HallRefused) as caught:
            services.number_call_next(window=window, actor=clerk)
        assert caught.value.code == HallErrorCode.NOTHING_WAITING
    b1.refresh_from_db()
    assert (b1.status, b1.window_id, b1.called_at) == ("waiting", None, None)
    assert list(HallEvent.objects.values_list("action", flat=True)) == ["take"]


def test_calling_needs_the_permission_and_a_signed_in_clerk(hall, window, clerk, reviewer):
    take(hall, at("2026-11-02", 9, 1), group_code="A")
    with pytest.raises(PermissionDenied):
        services.window_sign_in(window=window, actor=reviewer)
    with pytest.raises(HallRefused) as caught:
        _call(window, clerk, at("2026-11-02", 9, 5))
    assert caught.value.code == HallErrorCode.WINDOW_NOT_SIGNED_IN
    assert QueueNumber.objects.get().status == "waiting"


def test_a_window_with_a_current_number_cannot_call_the_next(hall, signed_in, clerk):
    window = signed_in[0]
    take(hall, at("2026-11-02", 9, 1), group_code="A")
    take(hall, at("2026-11-02", 9, 2), group_code="A")
    _call(window, clerk, at("2026-11-02", 9, 5))
    with pytest.raises(HallRefused) as caught:
        _call(window, clerk, at("2026-11-02", 9, 6))
    assert caught.value.message == "请先办结、过号或转组当前的 A001，再叫下一位。"
    assert QueueNumber.objects.filter(status="waiting").count() == 1


def test_one_clerk_one_window(hall, window, window2, clerk, clerk2):
    services.window_sign_in(window=window, actor=clerk)
    with pytest.raises(HallRefused) as caught:
        services.window_sign_in(window=window, actor=clerk2)
    assert caught.value.code == HallErrorCode.WINDOW_BUSY
    services.window_sign_in(window=window2, actor=clerk)
    window.refresh_from_db()
    window2.refresh_from_db()
    assert (window.clerk_id, window2.clerk_id) == (None, clerk.pk)


def test_waiting_summary_counts_and_estimates(hall, signed_in, clerk):
    for minute in range(1, 5):
        take(hall, at("2026-11-02", 9, minute), group_code="A")
    take(hall, at("2026-11-02", 9, 6), group_code="B")
    with time_machine.travel(at("2026-11-02", 9, 10), tick=False):
        summary = services.waiting_summary(hall)
    assert summary == [
        {
            "group_id": summary[0]["group_id"],
            "code": "A",
            "name": "综合受理",
            "waiting": 4,
            "windows": 2,
            "average_minutes": 10.0,
            "estimated_wait_minutes": 20,
        },
        {
            "group_id": summary[1]["group_id"],
            "code": "B",
            "name": "社保医保",
            "waiting": 1,
            "windows": 2,
            "average_minutes": 6.0,
            "estimated_wait_minutes": 3,
        },
    ]


def test_unused_bookings_become_no_shows_and_old_numbers_close(hall, applicant):
    _user, who = applicant
    booking = _book(hall, who, "2026-11-02", dt.time(9), group_code="A")
    waiting = take(hall, at("2026-11-02", 9, 1), group_code="A")
    with time_machine.travel(at("2026-11-02", 9, 10), tick=False):
        assert services.bookings_mark_no_show() == {"bookings": 0, "numbers": 0}
    with time_machine.travel(at("2026-11-03", 8), tick=False):
        assert services.bookings_mark_no_show() == {"bookings": 1, "numbers": 1}
        assert services.bookings_mark_no_show() == {"bookings": 0, "numbers": 0}
    booking.refresh_from_db()
    waiting.refresh_from_db()
    assert (booking.status, waiting.status) == ("no_show", "no_show")
    assert services.no_show_count(who) == 1
    assert Booking.objects.count() == 1
