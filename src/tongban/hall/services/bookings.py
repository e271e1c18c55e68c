"""Appointments (预约): book, reschedule, cancel, remind the day before, count no-shows.

Capacity per slot and window group is held by ``SlotCounter``: a booking increments its slot's
row with a conditional update (``taken < capacity``), so concurrent bookings can never exceed
the capacity on SQLite or PostgreSQL. A person's bookings are serialised by locking their
``Person`` row, so the same person cannot hold two active bookings for the same item.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.models import Person
from tongban.core.notifications import notify
from tongban.core.workdays import BUSINESS_TZ, business_date

from ..errors import HallClosed, HallErrorCode, HallRefused, SlotUnavailable
from ..models import (
    Booking,
    BookingStatus,
    Hall,
    NumberStatus,
    QueueNumber,
    SlotCounter,
    WindowGroup,
)
from .common import booking_event, now_or, number_event
from .hours import last_bookable_day, next_free_slots, periods_of, slot_starts
from .numbers import group_by_code, group_for_item

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _slot_at(day: dt.date, start: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, start, tzinfo=BUSINESS_TZ)


def _resolve_group(hall: Hall, group_code: str | None, item_code: str | None):
    if item_code:
        group = group_for_item(hall, item_code)
        item = group.items.filter(implementation_code=item_code[:31]).first()
    else:
        group, item = group_by_code(hall, group_code or ""), None
    if not group.bookable:
        raise ValidationFailed(
            HallErrorCode.UNKNOWN_GROUP,
            _("业务类别：%(name)s 不接受预约，请直接到大厅取号。"),
            field="group_code",
            name=group.name,
        )
    return group, item


def _check_slot(group: WindowGroup, day: dt.date, start: dt.time, now: dt.datetime) -> dt.time:
    """The slot's end; refuses a past, too distant, closed or unknown slot with the next free
    slots offered."""
    hall = group.hall
    if _slot_at(day, start) <= now:
        raise SlotUnavailable(
            HallErrorCode.IN_THE_PAST,
            _("这个时段已经开始或已过去，请选择之后的时段。"),
            next_slots=next_free_slots(group, after=now),
        )
    if day > last_bookable_day(hall, now):
        raise SlotUnavailable(
            HallErrorCode.TOO_FAR_AHEAD,
            _("只能预约 %(days)s 天内的时段。"),
            next_slots=next_free_slots(group, after=now),
            days=hall.booking_days_ahead,
        )
    if not periods_of(hall, day):
        raise SlotUnavailable(
            HallErrorCode.HALL_CLOSED,
            _("%(date)s 大厅不开放（休息日或法定节假日），请选择其他日期。"),
            next_slots=next_free_slots(group, after=now),
            date=day.isoformat(),
        )
    for slot_start, slot_end in slot_starts(hall, day):
        if slot_start == start:
            return slot_end
    raise SlotUnavailable(
        HallErrorCode.SLOT_INVALID,
        _("%(date)s %(time)s 不是可预约的时段，请从列表中选择。"),
        next_slots=next_free_slots(group, after=now),
        date=day.isoformat(),
        time=start.strftime("%H:%M"),
    )


def _take_place(group: WindowGroup, day: dt.date, start: dt.time, now: dt.datetime) -> None:
    SlotCounter.objects.get_or_create(group=group, date=day, start=start)
    won = SlotCounter.objects.filter(
        group=group, date=day, start=start, taken__lt=group.slot_capacity
    ).update(taken=F("taken") + 1)
    if not won:
        raise SlotUnavailable(
            HallErrorCode.SLOT_FULL,
            _("%(date)s %(time)s 的预约已满，请选择其他时段。"),
            next_slots=next_free_slots(group, after=now),
            date=day.isoformat(),
            time=start.strftime("%H:%M"),
        )


def _release_place(booking: Booking) -> None:
    SlotCounter.objects.filter(
        group_id=booking.group_id, date=booking.date, start=booking.slot_start, taken__gt=0
    ).update(taken=F("taken") - 1)


def _refuse_duplicate(person: Person, group, item, case_no: str, exclude: int | None = None):
    same = Q(item=item) if item is not None else Q(item__isnull=True, group=group)
    if case_no:
        same = Q(case_no=case_no)
    active = (
        Booking.objects.filter(person=person, status=BookingStatus.BOOKED)
        .filter(same)
        .exclude(pk=exclude)
        .first()
    )
    if active is not None:
        raise HallRefused(
            HallErrorCode.DUPLICATE_BOOKING,
            _(
                "您已预约了该事项（预约码 %(ref)s，%(date)s %(time)s），不能重复预约。"
                "如需更换时间请改约，或先取消原预约。"
            ),
            ref=active.code,
            date=active.date.isoformat(),
            time=active.slot_start.strftime("%H:%M"),
        )


def _describe(booking: Booking) -> str:
    return _("%(hall)s %(date)s %(start)s–%(end)s %(what)s，预约码 %(ref)s") % {
        "hall": booking.hall.name,
        "date": booking.date.isoformat(),
        "start": booking.slot_start.strftime("%H:%M"),
        "end": booking.slot_end.strftime("%H:%M"),
        "what": booking.item_name or booking.group.name,
        "ref": booking.code,
    }


def booking_create(
    *,
    hall: Hall,
    person: Person,
    date: dt.date,
    start: dt.time,
    group_code: str | None = None,
    item_code: str | None = None,
    case_no: str = "",
    user=None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a slot of a window group (by item or group) for ``person``."""
    now = now_or(now)
    group, item = _resolve_group(hall, group_code, item_code)
    case_no = (case_no or "").strip()[:32]
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        _refuse_duplicate(person, group, item, case_no)
        slot_end = _check_slot(group, date, start, now)
        _take_place(group, date, start, now)
        item_name = _item_name(item) if item is not None else ""
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    booking = Booking.objects.create(
                        code=_new_code(),
                        hall=hall,
                        group=group,
                        item=item,
                        item_name=item_name,
                        case_no=case_no,
                        person=person,
                        user=user if getattr(user, "pk", None) else None,
                        date=date,
                        slot_start=start,
                        slot_end=slot_end,
                        created_at=now,
                    )
                break
            except IntegrityError as exc:
                if "code" not in str(exc).lower():
                    raise HallRefused(
                        HallErrorCode.DUPLICATE_BOOKING,
                        _("您在这个时段已预约了该事项，不能重复预约。"),
                    ) from None
        booking_event(
            booking,
            action="book",
            actor=user,
            to_state=BookingStatus.BOOKED,
            payload={"date": date, "start": start.strftime("%H:%M"), "group": group.code},
            at=now,
            new_stream=True,
        )
        notify(
            person=person,
            title=str(_("预约成功")),
            body=str(_("您已预约%(what)s。请在预约时段凭预约码或身份证取号。"))
            % {"what": _describe(booking)},
            link=f"/hall/bookings/{booking.code}/",
        )
    return booking


def _item_name(item) -> str:
    version = item.versions.filter(status="published").only("name").first()
    return version.name if version else item.implementation_code


def get_booking_for_person(*, person: Person | None, code: str) -> Booking:
    """The booking with this code if it is the person's; 404 for missing and forbidden alike."""
    booking = (
        Booking.objects.select_related("hall", "group")
        .filter(code=(code or "").strip().upper()[:12])
        .first()
    )
    if booking is None or person is None or booking.person_id != person.pk:
        raise NotFound(_("没有找到该预约。"))
    return booking


def _locked_active(booking: Booking) -> Booking:
    locked = Booking.objects.select_for_update().select_related("hall", "group").get(pk=booking.pk)
    if locked.status != BookingStatus.BOOKED:
        raise HallRefused(
            HallErrorCode.BOOKING_NOT_ACTIVE,
            _("预约 %(ref)s %(status)s，不能再改约或取消。"),
            ref=locked.code,
            status=locked.get_status_display(),
        )
    return locked


def booking_reschedule(
    *,
    booking: Booking,
    date: dt.date,
    start: dt.time,
    user=None,
    now: dt.datetime | None = None,
) -> Booking:
    """Move the booking to another slot of its group (the old place is freed)."""
    now = now_or(now)
    with transaction.atomic():
        locked = _locked_active(booking)
        if locked.date == date and locked.slot_start == start:
            raise ValidationFailed(
                HallErrorCode.INVALID_INPUT, _("时段：请选择一个不同的时段。"), field="slot"
            )
        slot_end = _check_slot(locked.group, date, start, now)
        _take_place(locked.group, date, start, now)
        _release_place(locked)
        before = {"date": locked.date, "start": locked.slot_start.strftime("%H:%M")}
        Booking.objects.filter(pk=locked.pk).update(
            date=date,
            slot_start=start,
            slot_end=slot_end,
            reminded_at=None,
            reschedule_count=F("reschedule_count") + 1,
            version=F("version") + 1,
        )
        locked.refresh_from_db()
        booking_event(
            locked,
            action="reschedule",
            actor=user,
            from_state=BookingStatus.BOOKED,
            to_state=BookingStatus.BOOKED,
            payload={"from": before, "to": {"date": date, "start": start.strftime("%H:%M")}},
            at=now,
        )
        notify(
            person=locked.person,
            title=str(_("预约已改约")),
            body=str(_("您的预约已改为%(what)s。")) % {"what": _describe(locked)},
            link=f"/hall/bookings/{locked.code}/",
        )
        return locked


def booking_cancel(*, booking: Booking, user=None, now: dt.datetime | None = None) -> Booking:
    now = now_or(now)
    with transaction.atomic():
        locked = _locked_active(booking)
        _release_place(locked)
        Booking.objects.filter(pk=locked.pk).update(
            status=BookingStatus.CANCELLED, cancelled_at=now, version=F("version") + 1
        )
        locked.refresh_from_db()
        booking_event(
            locked,
            action="cancel",
            actor=user,
            from_state=BookingStatus.BOOKED,
            to_state=BookingStatus.CANCELLED,
            at=now,
        )
        return locked


def bookings_remind(*, now: dt.datetime | None = None) -> int:
    """Remind everyone booked for tomorrow (once per booking; a rescheduled booking is reminded
    again for its new day). Called daily by a scheduler or cron: ``tongban hall remind``."""
    now = now_or(now)
    tomorrow = business_date(now) + dt.timedelta(days=1)
    sent = 0
    pending = Booking.objects.filter(
        date=tomorrow, status=BookingStatus.BOOKED, reminded_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update()
                .select_related("hall", "group", "person")
                .filter(pk=pk, status=BookingStatus.BOOKED, reminded_at__isnull=True)
                .first()
            )
            if booking is None:
                continue
            notify(
                person=booking.person,
                title=str(_("预约提醒")),
                body=str(_("您明天有预约：%(what)s。请按时到大厅取号，不能前往请提前取消。"))
                % {"what": _describe(booking)},
                link=f"/hall/bookings/{booking.code}/",
            )
            Booking.objects.filter(pk=pk).update(reminded_at=now)
            booking_event(booking, action="remind", at=now)
            sent += 1
    return sent


def bookings_mark_no_show(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Bookings not checked in by their slot's start plus the grace period count as no-shows
    (爽约); numbers still waiting or called on a past day are closed as not shown (未到)."""
    now = now_or(now)
    today = business_date(now)
    marked = 0
    candidates = Booking.objects.filter(
        status=BookingStatus.BOOKED, date__lte=today
    ).select_related("hall")
    for booking in list(candidates):
        late_at = _slot_at(booking.date, booking.slot_start) + dt.timedelta(
            minutes=booking.hall.booking_grace_minutes
        )
        if late_at >= now:
            continue
        with transaction.atomic():
            changed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
                status=BookingStatus.NO_SHOW, version=F("version") + 1
            )
            if changed:
                booking_event(
                    booking,
                    action="no_show",
                    from_state=BookingStatus.BOOKED,
                    to_state=BookingStatus.NO_SHOW,
                    at=now,
                )
                marked += 1
    closed = 0
    stale = QueueNumber.objects.filter(
        business_date__lt=today, status__in=(NumberStatus.WAITING, NumberStatus.CALLED)
    )
    for number in list(stale):
        with transaction.atomic():
            changed = QueueNumber.objects.filter(pk=number.pk, status=number.status).update(
                status=NumberStatus.NO_SHOW, finished_at=now, version=F("version") + 1
            )
            if changed:
                number_event(
                    number,
                    action="no_show",
                    from_state=number.status,
                    to_state=NumberStatus.NO_SHOW,
                    at=now,
                )
                closed += 1
    return {"bookings": marked, "numbers": closed}


def no_show_count(person: Person) -> int:
    return Booking.objects.filter(person=person, status=BookingStatus.NO_SHOW).count()


__all__ = [
    "HallClosed",
    "booking_cancel",
    "booking_create",
    "booking_reschedule",
    "bookings_mark_no_show",
    "bookings_remind",
    "get_booking_for_person",
    "no_show_count",
]
