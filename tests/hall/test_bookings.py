"""Appointments: capacity per slot and group, closed days and full slots refused with the next
free slots, a second active booking for the same item refused, reschedule, cancel, reminders the
day before (once), and the booking code."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tongban.core.models import Notification
from tongban.hall import services
from tongban.hall.errors import HallErrorCode, HallRefused, SlotUnavailable
from tongban.hall.models import Booking, HallEvent, SlotCounter

from .conftest import at, person

pytestmark = pytest.mark.django_db

NOW = at("2026-10-30", 12)  # a Friday


def book(hall, who, day, start, *, now=NOW, **kw):
    if "group_code" not in kw and "item_code" not in kw:
        kw["group_code"] = "A"
    with time_machine.travel(now, tick=False):
        return services.booking_create(
            hall=hall, person=who, date=dt.date.fromisoformat(day), start=start, **kw
        )


def test_booking_gets_a_code_a_place_an_event_and_an_sms(hall, applicant, item_code):
    user, who = applicant
    booking = book(hall, who, "2026-11-02", dt.time(9, 30), item_code=item_code, user=user)
    assert len(booking.code) == 8 and booking.code.isalnum() and booking.code.isupper()
    assert (booking.group.code, booking.slot_end, booking.status) == ("A", dt.time(10), "booked")
    assert booking.item_name
    assert SlotCounter.objects.get(group=booking.group, date=booking.date).taken == 1
    assert HallEvent.objects.get(booking=booking).action == "book"
    note = Notification.objects.get(person=who)
    assert note.title == "预约成功"
    assert booking.code in note.body and "2026-11-02 09:30–10:00" in note.body


def test_a_full_slot_is_refused_with_the_next_free_slots(hall):
    book(hall, person(), "2026-11-02", dt.time(9))
    book(hall, person(), "2026-11-02", dt.time(9))  # capacity of group A is 2
    late = person()
    with pytest.raises(SlotUnavailable) as caught:
        book(hall, late, "2026-11-02", dt.time(9))
    error = caught.value
    assert error.code == HallErrorCode.SLOT_FULL
    assert error.message == "2026-11-02 09:00 的预约已满，请选择其他时段。"
    # the next free slots start this Friday afternoon (it is Friday 12:00 now)
    assert [(s.date.isoformat(), s.start.strftime("%H:%M")) for s in error.next_slots[:2]] == [
        ("2026-10-30", "13:30"),
        ("2026-10-30", "14:00"),
    ]
    assert error.as_dict()["next_slots"][0] == {
        "date": "2026-10-30",
        "start": "13:30",
        "end": "14:00",
    }
    assert Booking.objects.filter(person=late).count() == 0
    assert SlotCounter.objects.get(date="2026-11-02", start=dt.time(9)).taken == 2


def test_a_closed_day_is_refused_with_the_next_free_slots(hall):
    with pytest.raises(SlotUnavailable) as caught:
        book(hall, person(), "2026-10-05", dt.time(9), now=at("2026-10-01", 9))
    assert caught.value.code == HallErrorCode.HALL_CLOSED
    assert caught.value.message == "2026-10-05 大厅不开放（休息日或法定节假日），请选择其他日期。"
    first = caught.value.next_slots[0]
    assert (first.date, first.start) == (dt.date(2026, 10, 8), dt.time(9))
    # Sunday without hours, an unknown slot, the past and too far ahead
    for day, start, code in (
        ("2026-11-01", dt.time(9), HallErrorCode.HALL_CLOSED),
        ("2026-11-02", dt.time(9, 10), HallErrorCode.SLOT_INVALID),
        ("2026-11-02", dt.time(12), HallErrorCode.SLOT_INVALID),
        ("2026-10-30", dt.time(9), HallErrorCode.IN_THE_PAST),
        ("2026-11-09", dt.time(9), HallErrorCode.TOO_FAR_AHEAD),
    ):
        with pytest.raises(SlotUnavailable) as caught:
            book(hall, person(), day, start)
        assert caught.value.code == code
    assert Booking.objects.count() == 0


def test_weekend_service_and_adjusted_working_days_are_bookable(hall):
    saturday = book(hall, person(), "2026-10-17", dt.time(11, 30), now=at("2026-10-14", 9))
    assert saturday.slot_end == dt.time(12)
    adjusted = book(hall, person(), "2026-10-10", dt.time(16, 30), now=at("2026-10-08", 9))
    assert adjusted.slot_end == dt.time(17)


def test_a_second_active_booking_for_the_same_item_is_refused(hall, applicant, item_code):
    _user, who = applicant
    first = book(hall, who, "2026-11-02", dt.time(9), item_code=item_code)
    for day, start in (("2026-11-02", dt.time(9)), ("2026-11-03", dt.time(10))):
        with pytest.raises(HallRefused) as caught:
            book(hall, who, day, start, item_code=item_code)
        assert caught.value.code == HallErrorCode.DUPLICATE_BOOKING
        assert caught.value.message == (
            f"您已预约了该事项（预约码 {first.code}，2026-11-02 09:00），不能重复预约。"
            "如需更换时间请改约，或先取消原预约。"
        )
    assert Booking.objects.filter(person=who).count() == 1
    assert SlotCounter.objects.get(date="2026-11-02").taken == 1
    # another group is another matter
    other = book(hall, who, "2026-11-02", dt.time(9), group_code="B")
    assert other.group.code == "B"


def test_reschedule_moves_the_place_and_cancel_frees_it(hall, applicant):
    user, who = applicant
    booking = book(hall, who, "2026-11-02", dt.time(9))
    with time_machine.travel(NOW, tick=False):
        moved = services.booking_reschedule(
            booking=booking, date=dt.date(2026, 11, 3), start=dt.time(14), user=user
        )
    assert (moved.date, moved.slot_start, moved.slot_end, moved.reschedule_count, moved.code) == (
        dt.date(2026, 11, 3),
        dt.time(14),
        dt.time(14, 30),
        1,
        booking.code,
    )
    counts = dict(SlotCounter.objects.values_list("date", "taken"))
    assert counts == {dt.date(2026, 11, 2): 0, dt.date(2026, 11, 3): 1}
    with time_machine.travel(NOW, tick=False):
        cancelled = services.booking_cancel(booking=moved, user=user)
    assert (cancelled.status, cancelled.cancelled_at) == ("cancelled", NOW)
    assert SlotCounter.objects.get(date="2026-11-03").taken == 0
    with time_machine.travel(NOW, tick=False), pytest.raises(HallRefused) as caught:
        services.booking_cancel(booking=moved, user=user)
    assert caught.value.code == HallErrorCode.BOOKING_NOT_ACTIVE
    actions = list(HallEvent.objects.filter(booking=booking).values_list("action", flat=True))
    assert actions == ["book", "reschedule", "cancel"]


def test_reschedule_to_a_full_slot_changes_nothing(hall, applicant):
    _user, who = applicant
    book(hall, person(), "2026-11-03", dt.time(9))
    book(hall, person(), "2026-11-03", dt.time(9))
    booking = book(hall, who, "2026-11-02", dt.time(9))
    with time_machine.travel(NOW, tick=False), pytest.raises(SlotUnavailable) as caught:
        services.booking_reschedule(booking=booking, date=dt.date(2026, 11, 3), start=dt.time(9))
    assert caught.value.code == HallErrorCode.SLOT_FULL
    booking.refresh_from_db()
    assert (booking.date, booking.reschedule_count, booking.version) == (dt.date(2026, 11, 2), 0, 1)
    assert SlotCounter.objects.get(date="2026-11-02").taken == 1


def test_reminders_go_out_the_day_before_once(hall, applicant):
    _user, who = applicant
    booking = book(hall, who, "2026-11-03", dt.time(9))
    book(hall, person(), "2026-11-04", dt.time(9))
    Notification.objects.all().delete()
    with time_machine.travel(at("2026-11-02", 18), tick=False):
        assert services.bookings_remind() == 1
        assert services.bookings_remind() == 0
    note = Notification.objects.get()
    assert (note.person_id, note.title) == (who.pk, "预约提醒")
    assert booking.code in note.body
    booking.refresh_from_db()
    assert booking.reminded_at == at("2026-11-02", 18)


def test_slots_of_a_day_show_free_places(hall):
    book(hall, person(), "2026-11-02", dt.time(9))
    group = hall.groups.get(code="A")
    with time_machine.travel(NOW, tick=False):
        slots = services.slots_of_day(group, dt.date(2026, 11, 2))
    assert len(slots) == 13  # 6 in the morning, 7 in the afternoon
    assert (slots[0].start, slots[0].free, slots[1].free) == (dt.time(9), 1, 2)
    assert slots[6].start == dt.time(13, 30)
