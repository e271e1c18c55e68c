"""Opening hours over the working-day calendar, and the booking slots they offer.

A statutory holiday (a non-working day with a holiday name) closes the hall even on a day with
weekend service; an adjusted working day (调休上班, a weekend day that is a working day) opens it
with Monday's hours; any other day uses its weekday's periods (weekend periods are weekend
service). A year the calendar does not cover raises ``CalendarNotCovered``: never guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from tongban.core import workdays
from tongban.core.errors import CalendarNotCovered
from tongban.core.workdays import BUSINESS_TZ

from ..models import Hall, OpeningHours, SlotCounter, WindowGroup


@dataclass(frozen=True)
class Period:
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class Slot:
    date: dt.date
    start: dt.time
    end: dt.time
    capacity: int = 0
    taken: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.start, tzinfo=BUSINESS_TZ)


def day_kind(day: dt.date) -> str:
    """'holiday' (statutory, closed), 'adjusted' (调休 working day), 'weekend' or 'workday'."""
    working = workdays.is_workday(day)
    if not working and workdays.holiday_name(day):
        return "holiday"
    if working and day.weekday() >= 5:
        return "adjusted"
    return "workday" if working else "weekend"


def periods_of(hall: Hall, day: dt.date) -> list[Period]:
    kind = day_kind(day)
    if kind == "holiday":
        return []
    weekday = 0 if kind == "adjusted" else day.weekday()
    rows = OpeningHours.objects.filter(hall=hall, weekday=weekday).order_by("opens")
    return [Period(r.opens, r.closes) for r in rows]


def is_open(hall: Hall, at: dt.datetime) -> bool:
    local = at.astimezone(BUSINESS_TZ)
    moment = local.time()
    return any(p.opens <= moment < p.closes for p in periods_of(hall, local.date()))


def next_opening(hall: Hall, after: dt.datetime, *, days: int = 31) -> dt.datetime | None:
    local = after.astimezone(BUSINESS_TZ)
    for offset in range(days + 1):
        day = local.date() + dt.timedelta(days=offset)
        for p in periods_of(hall, day):
            start = dt.datetime.combine(day, p.opens, tzinfo=BUSINESS_TZ)
            end = dt.datetime.combine(day, p.closes, tzinfo=BUSINESS_TZ)
            if end > local:
                return max(start, local)
    return None


def slot_starts(hall: Hall, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    step = dt.timedelta(minutes=hall.slot_minutes)
    out = []
    for p in periods_of(hall, day):
        at = dt.datetime.combine(day, p.opens)
        end = dt.datetime.combine(day, p.closes)
        while at + step <= end:
            out.append((at.time(), (at + step).time()))
            at += step
    return out


def slots_of_day(group: WindowGroup, day: dt.date, *, now: dt.datetime | None = None) -> list[Slot]:
    """Every slot of ``day`` for ``group`` with its capacity and places taken; slots already
    begun are left out."""
    now = now or timezone.now()
    hall = group.hall
    taken = dict(
        SlotCounter.objects.filter(group=group, date=day)
        .values_list("start")
        .annotate(n=Sum("taken"))
    )
    slots = []
    for start, end in slot_starts(hall, day):
        slot = Slot(day, start, end, group.slot_capacity, taken.get(start, 0))
        if slot.starts_at <= now:
            continue
        slots.append(slot)
    return slots


def last_bookable_day(hall: Hall, now: dt.datetime) -> dt.date:
    return workdays.business_date(now) + dt.timedelta(days=hall.booking_days_ahead)


def next_free_slots(
    group: WindowGroup, *, after: dt.datetime | None = None, limit: int = 5
) -> list[Slot]:
    """The next free slots of ``group`` from ``after`` within the booking horizon."""
    now = timezone.now()
    after = max(after or now, now)
    hall = group.hall
    day = workdays.business_date(after)
    found: list[Slot] = []
    while day <= last_bookable_day(hall, now) and len(found) < limit:
        try:
            for slot in slots_of_day(group, day, now=after):
                if slot.free > 0:
                    found.append(slot)
                    if len(found) >= limit:
                        break
        except CalendarNotCovered:  # a year the calendar lacks: offer nothing from there
            break
        day += dt.timedelta(days=1)
    return found


def week_hours(hall: Hall) -> list[dict]:
    """The hall's regular hours by weekday, for the guide and the screens."""
    rows = list(OpeningHours.objects.filter(hall=hall).order_by("weekday", "opens"))
    out = []
    for value, label in OpeningHours.Weekday.choices:
        periods = [r for r in rows if r.weekday == value]
        out.append({"weekday": value, "label": label, "periods": periods})
    return out
