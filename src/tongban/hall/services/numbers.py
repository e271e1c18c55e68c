"""Taking a queue number (取号) and the waiting summary of a hall."""

from __future__ import annotations

import datetime as dt
import math

from django.db import IntegrityError, transaction
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed
from tongban.core.identifiers import validate_id_number
from tongban.core.models import Person
from tongban.core.workdays import BUSINESS_TZ, business_date

from ..errors import HallClosed, HallErrorCode, HallRefused
from ..models import (
    Booking,
    BookingStatus,
    Channel,
    Hall,
    NumberCounter,
    NumberStatus,
    QueueNumber,
    Window,
    WindowGroup,
)
from ..selectors import TIER_BOOKED, TIER_WALK_IN, waiting_in_order
from .common import booking_event, now_or, number_event
from .hours import is_open, next_opening


def group_for_item(hall: Hall, item_code: str) -> WindowGroup:
    group = (
        WindowGroup.objects.filter(hall=hall, items__implementation_code=(item_code or "")[:31])
        .order_by("sort_order", "code")
        .first()
    )
    if group is None:
        raise ValidationFailed(
            HallErrorCode.UNKNOWN_ITEM,
            _("事项：本大厅没有办理该事项的窗口，请到咨询台咨询。"),
            field="item_code",
        )
    return group


def group_by_code(hall: Hall, group_code: str) -> WindowGroup:
    group = WindowGroup.objects.filter(
        hall=hall, code=(group_code or "").strip().upper()[:2]
    ).first()
    if group is None:
        raise ValidationFailed(
            HallErrorCode.UNKNOWN_GROUP,
            _("业务类别：请选择本大厅的一个业务类别。"),
            field="group_code",
        )
    return group


def refuse_if_closed(hall: Hall, now: dt.datetime) -> None:
    if is_open(hall, now):
        return
    opens = next_opening(hall, now)
    if opens is None:
        raise HallClosed(_("大厅现在不开放，近期没有开放时间。"))
    raise HallClosed(
        _("大厅现在不开放，不能取号。下次开放时间：%(when)s。"),
        when=date_format(opens.astimezone(BUSINESS_TZ), "Y-m-d H:i"),
    )


def _next_number(group: WindowGroup, day: dt.date) -> str:
    counter = NumberCounter.objects.filter(group=group, date=day)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                NumberCounter.objects.create(group=group, date=day, last=1)
            return f"{group.code}{1:03d}"
        except IntegrityError:
            counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return f"{group.code}{last:03d}"


def _booking_today(hall: Hall, code: str, today: dt.date) -> Booking:
    code = (code or "").strip().upper()
    booking = Booking.objects.select_for_update().filter(code=code[:12]).first() if code else None
    if booking is None:
        raise ValidationFailed(
            HallErrorCode.BOOKING_NOT_FOUND,
            _("预约码：没有找到预约码 %(ref)s，请核对后重新输入。"),
            field="booking_code",
            ref=code[:12],
        )
    if booking.hall_id != hall.pk:
        raise HallRefused(
            HallErrorCode.BOOKING_OTHER_HALL,
            _("预约码 %(ref)s 预约的是%(hall)s，不是本大厅。"),
            ref=booking.code,
            hall=booking.hall.name,
        )
    if booking.status == BookingStatus.CHECKED_IN:
        taken = booking.numbers.order_by("id").first()
        raise HallRefused(
            HallErrorCode.BOOKING_NOT_ACTIVE,
            _("预约码 %(ref)s 已经取过号（%(number)s），请留意叫号。"),
            ref=booking.code,
            number=taken.number if taken else "",
        )
    if booking.status != BookingStatus.BOOKED:
        raise HallRefused(
            HallErrorCode.BOOKING_NOT_ACTIVE,
            _("预约码 %(ref)s 的预约%(status)s，不能取号。"),
            ref=booking.code,
            status=booking.get_status_display(),
        )
    if booking.date != today:
        raise HallRefused(
            HallErrorCode.BOOKING_OTHER_DAY,
            _("预约码 %(ref)s 预约的是 %(date)s，请在预约当天取号或改约。"),
            ref=booking.code,
            date=booking.date.isoformat(),
        )
    return booking


def number_take(
    *,
    hall: Hall,
    group_code: str | None = None,
    item_code: str | None = None,
    booking_code: str | None = None,
    id_number: str | None = None,
    channel: str,
    now: dt.datetime | None = None,
) -> QueueNumber:
    """Take a number: by booking code, by ID number (today's booking, or with an item or group
    for a walk-in), or by item or group. Refused outside opening hours. A booked visitor on
    time is called from their slot's start before walk-ins; a late one queues as a walk-in."""
    if channel not in Channel.values:
        raise ValidationFailed(HallErrorCode.CHANNEL_INVALID, _("取号渠道无效。"), field="channel")
    now = now_or(now)
    today = business_date(now)
    refuse_if_closed(hall, now)
    person = None
    if id_number:
        number = validate_id_number(id_number)
        person = Person.objects.filter(id_number=number).first()
    with transaction.atomic():
        booking = None
        if booking_code:
            booking = _booking_today(hall, booking_code, today)
        elif person is not None and not (group_code or item_code):
            found = (
                Booking.objects.filter(
                    hall=hall, person=person, date=today, status=BookingStatus.BOOKED
                )
                .order_by("slot_start")
                .first()
            )
            if found is not None:
                booking = _booking_today(hall, found.code, today)
        if booking is not None:
            group = booking.group
            person = booking.person
            item = booking.item
        elif item_code:
            group = group_for_item(hall, item_code)
            item = group.items.filter(implementation_code=item_code[:31]).first()
        elif group_code:
            group = group_by_code(hall, group_code)
            item = None
        elif id_number:
            raise ValidationFailed(
                HallErrorCode.BOOKING_NOT_FOUND,
                _("没有找到您今天在本大厅的预约，请选择要办理的业务取号。"),
                field="id_number",
            )
        else:
            raise ValidationFailed(
                HallErrorCode.INVALID_INPUT,
                _("请输入预约码、身份证号，或选择要办理的业务。"),
                field="group_code",
            )
        tier, priority_at = TIER_WALK_IN, now
        if booking is not None:
            slot_at = dt.datetime.combine(booking.date, booking.slot_start, tzinfo=BUSINESS_TZ)
            if now <= slot_at + dt.timedelta(minutes=hall.booking_grace_minutes):
                tier, priority_at = TIER_BOOKED, slot_at
        qn = QueueNumber.objects.create(
            hall=hall,
            group=group,
            number=_next_number(group, today),
            business_date=today,
            person=person,
            booking=booking,
            item=item,
            channel=Channel.BOOKING if booking is not None else channel,
            priority_tier=tier,
            priority_at=priority_at,
            taken_at=now,
            case_no=booking.case_no if booking is not None else "",
        )
        number_event(
            qn,
            action="take",
            to_state=NumberStatus.WAITING,
            payload={
                "number": qn.number,
                "group": group.code,
                "channel": qn.channel,
                "booking": booking.code if booking else "",
            },
            at=now,
            new_stream=True,
        )
        if booking is not None:
            Booking.objects.filter(pk=booking.pk).update(
                status=BookingStatus.CHECKED_IN, checked_in_at=now, version=F("version") + 1
            )
            booking_event(
                booking,
                action="check_in",
                from_state=BookingStatus.BOOKED,
                to_state=BookingStatus.CHECKED_IN,
                payload={"number": qn.number},
                at=now,
            )
    return qn


# ---------------------------------------------------------------- calling order


# ---------------------------------------------------------------- waiting and estimates


def _average_minutes(group: WindowGroup, day: dt.date) -> float:
    served = (
        QueueNumber.objects.filter(
            group=group,
            business_date=day,
            status=NumberStatus.DONE,
            serving_started_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("serving_started_at", "finished_at")[:20]
    )
    durations = [(end - start).total_seconds() / 60 for start, end in served if end and start]
    if len(durations) >= 3:
        return max(sum(durations) / len(durations), 1.0)
    return float(group.service_minutes)


def waiting_summary(hall: Hall, *, now: dt.datetime | None = None) -> list[dict]:
    """Per window group: waiting count, staffed windows and the estimated wait in minutes
    (waiting × average service time ÷ staffed windows, rounded up)."""
    now = now_or(now)
    today = business_date(now)
    groups = list(WindowGroup.objects.filter(hall=hall).order_by("sort_order", "code"))
    waiting = dict(
        QueueNumber.objects.filter(hall=hall, business_date=today, status=NumberStatus.WAITING)
        .values_list("group")
        .annotate(n=Count("id"))
    )
    staffed = dict(
        Window.objects.filter(hall=hall, is_active=True, clerk__isnull=False)
        .values_list("groups")
        .annotate(n=Count("id"))
    )
    out = []
    for group in groups:
        count = waiting.get(group.pk, 0)
        windows = staffed.get(group.pk, 0)
        average = _average_minutes(group, today) if count else float(group.service_minutes)
        minutes = math.ceil(count * average / max(windows, 1)) if count else 0
        out.append(
            {
                "group_id": group.pk,
                "code": group.code,
                "name": group.name,
                "waiting": count,
                "windows": windows,
                "average_minutes": round(average, 1),
                "estimated_wait_minutes": minutes,
            }
        )
    return out


def position_of(number: QueueNumber, *, now: dt.datetime | None = None) -> int:
    """How many waiting numbers of the same group are called before this one (an estimate:
    booked visitors may still arrive)."""
    if number.status != NumberStatus.WAITING:
        return 0
    ids = list(waiting_in_order([number.group_id], now=now_or(now)).values_list("id", flat=True))
    return ids.index(number.pk) if number.pk in ids else 0


def serving_durations(hall: Hall, day: dt.date) -> dict:
    """Average waiting and serving minutes of the day's finished numbers (for the console)."""
    done = QueueNumber.objects.filter(
        hall=hall, business_date=day, status=NumberStatus.DONE, called_at__isnull=False
    )
    wait = ExpressionWrapper(F("called_at") - F("taken_at"), output_field=DurationField())
    serve = ExpressionWrapper(
        F("finished_at") - F("serving_started_at"), output_field=DurationField()
    )
    row = done.aggregate(wait=Avg(wait), serve=Avg(serve), n=Count("id"))
    return {
        "done": row["n"],
        "average_wait_minutes": round(row["wait"].total_seconds() / 60, 1) if row["wait"] else 0,
        "average_serve_minutes": round(row["serve"].total_seconds() / 60, 1) if row["serve"] else 0,
    }


def today_numbers(hall: Hall) -> int:
    return (
        QueueNumber.objects.filter(hall=hall, business_date=business_date(timezone.now()))
        .filter(~Q(status=NumberStatus.TRANSFERRED))
        .count()
    )
