"""Hall statistics (大厅运行统计) for the supervision dashboards: visitors per day and hour,
waiting and serving times per window group and item (p50/p90), appointment use and the
no-show rate, and the weekend service volume (周末不打烊). Read-only selectors over the queue
numbers and bookings; the supervision app shows them.

Definitions (docs/selfservice.md):
- a visitor is a number taken (a transfer to another group makes no new visitor);
- waiting time = first call − taking the number; serving time = finished − serving started
  (the call when serving was never started explicitly), for numbers finished as served;
- p50/p90 interpolate linearly between the two nearest values (PostgreSQL's
  ``percentile_cont``, NumPy's default);
- appointment use = numbers taken with a booking ÷ visitors; no-show rate = no-shows ÷
  (checked in + no-shows) over bookings dated in the period;
- weekend = Saturdays and Sundays by the business date (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tongban.catalog.selectors import published_versions
from tongban.core.workdays import BUSINESS_TZ

from .models import Booking, BookingStatus, Hall, NumberStatus, QueueNumber, WindowGroup


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0 ≤ q ≤ 1) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Durations:
    """Count, p50 and p90 of a set of durations, in minutes (one decimal)."""

    key: str
    label: str
    count: int
    p50: float | None
    p90: float | None

    @classmethod
    def of(cls, key: str, label: str, seconds: Iterable[float]) -> Durations:
        values = list(seconds)
        p50, p90 = percentile(values, 0.5), percentile(values, 0.9)
        return cls(
            key=key,
            label=label,
            count=len(values),
            p50=None if p50 is None else round(p50 / 60, 1),
            p90=None if p90 is None else round(p90 / 60, 1),
        )


@dataclass
class HallStatistics:
    start: dt.date
    end: dt.date
    visitors: int = 0
    by_day: list[tuple[dt.date, int]] = field(default_factory=list)
    by_hour: list[tuple[int, int]] = field(default_factory=list)
    waiting_by_group: list[Durations] = field(default_factory=list)
    serving_by_group: list[Durations] = field(default_factory=list)
    waiting_by_item: list[Durations] = field(default_factory=list)
    serving_by_item: list[Durations] = field(default_factory=list)
    waiting_all: Durations | None = None
    serving_all: Durations | None = None
    booked_numbers: int = 0
    booking_use: float | None = None  # % of visitors who came with a booking
    bookings: dict[str, int] = field(default_factory=dict)
    no_show_rate: float | None = None  # %
    weekend_visitors: int = 0
    weekend_days: int = 0  # weekend days with at least one visitor
    weekend_served: int = 0


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def hall_statistics(*, start: dt.date, end: dt.date, hall: Hall | None = None) -> HallStatistics:
    """The statistics of the business dates start … end (inclusive), of one hall or all."""
    numbers = QueueNumber.objects.filter(business_date__gte=start, business_date__lte=end)
    bookings = Booking.objects.filter(date__gte=start, date__lte=end)
    if hall is not None:
        numbers = numbers.filter(hall=hall)
        bookings = bookings.filter(hall=hall)
    rows = list(
        numbers.values_list(
            "business_date",
            "taken_at",
            "called_at",
            "serving_started_at",
            "finished_at",
            "status",
            "group_id",
            "item_id",
            "booking_id",
            "transferred_from_id",
        )
    )
    out = HallStatistics(start=start, end=end)
    days: Counter = Counter()
    hours: Counter = Counter()
    waits: dict[int, list[float]] = defaultdict(list)
    serves: dict[int, list[float]] = defaultdict(list)
    item_waits: dict[int, list[float]] = defaultdict(list)
    item_serves: dict[int, list[float]] = defaultdict(list)
    weekend_dates: set[dt.date] = set()
    for day, taken, called, started, finished, status, group, item, booking, moved in rows:
        if moved is None:  # a visitor (a transfer is the same visitor)
            out.visitors += 1
            days[day] += 1
            hours[taken.astimezone(BUSINESS_TZ).hour] += 1
            if booking is not None:
                out.booked_numbers += 1
            if day.weekday() >= 5:
                out.weekend_visitors += 1
                weekend_dates.add(day)
        if called is not None:
            wait = (called - taken).total_seconds()
            waits[group].append(wait)
            if item is not None:
                item_waits[item].append(wait)
        if status == NumberStatus.DONE and finished is not None:
            begun = started or called
            if begun is not None:
                serve = (finished - begun).total_seconds()
                serves[group].append(serve)
                if item is not None:
                    item_serves[item].append(serve)
            if day.weekday() >= 5:
                out.weekend_served += 1
    out.by_day = sorted(days.items())
    out.by_hour = sorted(hours.items())
    out.weekend_days = len(weekend_dates)
    groups = {
        g.pk: g
        for g in WindowGroup.objects.filter(pk__in=set(waits) | set(serves)).select_related("hall")
    }

    def group_label(pk: int) -> str:
        g = groups[pk]
        return f"{g.code} {g.name}" if hall is not None else f"{g.hall.name} · {g.code} {g.name}"

    def group_order(pk: int):
        g = groups[pk]
        return (g.hall_id, g.sort_order, g.code)

    out.waiting_by_group = [
        Durations.of(groups[pk].code, group_label(pk), waits[pk])
        for pk in sorted(waits, key=group_order)
    ]
    out.serving_by_group = [
        Durations.of(groups[pk].code, group_label(pk), serves[pk])
        for pk in sorted(serves, key=group_order)
    ]
    names = dict(
        published_versions()
        .filter(item_id__in=set(item_waits) | set(item_serves))
        .values_list("item_id", "name")
    )
    out.waiting_by_item = [
        Durations.of(str(pk), names.get(pk, str(pk)), item_waits[pk])
        for pk in sorted(item_waits, key=lambda pk: names.get(pk, ""))
    ]
    out.serving_by_item = [
        Durations.of(str(pk), names.get(pk, str(pk)), item_serves[pk])
        for pk in sorted(item_serves, key=lambda pk: names.get(pk, ""))
    ]
    out.waiting_all = Durations.of("all", "", [w for ws in waits.values() for w in ws])
    out.serving_all = Durations.of("all", "", [s for ss in serves.values() for s in ss])
    out.booking_use = _pct(out.booked_numbers, out.visitors)
    counts = Counter(bookings.values_list("status", flat=True))
    out.bookings = {status: counts.get(status, 0) for status in BookingStatus.values}
    out.bookings["total"] = sum(counts.values())
    due = counts.get(BookingStatus.CHECKED_IN, 0) + counts.get(BookingStatus.NO_SHOW, 0)
    out.no_show_rate = _pct(counts.get(BookingStatus.NO_SHOW, 0), due)
    return out


def halls() -> list[Hall]:
    return list(Hall.objects.filter(is_active=True).order_by("code"))
