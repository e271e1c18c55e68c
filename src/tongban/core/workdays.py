"""The working-day calendar (工作日历).

Legal and promised time limits are counted in working days: weekends and statutory holidays do
not count, adjusted working days (调休上班) do. The schedule comes from ``chinese-calendar`` and
from the administrator-edited override table (``CalendarYear`` / ``CalendarOverride``), which wins
over the package. A year that neither covers raises ``CalendarNotCovered``: never a guess.

Counting follows the Civil Code (民法典 第二百零一条): the start day is not counted, so
``add_workdays(d, n)`` is the n-th working day strictly after ``d`` (also when ``d`` itself is a
weekend or holiday), and ``workdays_between(a, b)`` counts working days after ``a`` up to and
including ``b``. Everything is in Asia/Shanghai; a deadline is the end of its working day.

After the first call the calendar is an index of the covered days: each call is a few list
look-ups (O(1)).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar.constants as package_calendar
from django.db import DatabaseError
from django.db.models import Count, Max
from django.utils.translation import gettext_noop

from .errors import CalendarNotCovered
from .models import CalendarOverride, CalendarYear

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")

PACKAGE_FIRST_YEAR = min(package_calendar.holidays).year
PACKAGE_LAST_YEAR = max(package_calendar.holidays).year

# chinese-calendar names its holidays in English; the platform shows the official Chinese names.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": gettext_noop("元旦"),
    "Spring Festival": gettext_noop("春节"),
    "Tomb-sweeping Day": gettext_noop("清明节"),
    "Labour Day": gettext_noop("劳动节"),
    "Dragon Boat Festival": gettext_noop("端午节"),
    "Mid-autumn Festival": gettext_noop("中秋节"),
    "National Day": gettext_noop("国庆节"),
    "Anti-Fascist 70th Day": gettext_noop("中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
}


@dataclass(frozen=True, slots=True)
class Override:
    """One date whose status differs from the package (or from Mon–Fri for a year it lacks)."""

    date: dt.date
    is_workday: bool
    name: str = ""


def business_date(value: dt.date | dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar date of an aware datetime (a date passes through)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: pass an aware datetime or a date")
        return value.astimezone(BUSINESS_TZ).date()
    return value


class WorkdayCalendar:
    """An immutable index over a contiguous range of covered years."""

    __slots__ = (
        "_count",
        "_cum",
        "_dates",
        "_first",
        "_is_work",
        "_size",
        "first_year",
        "last_year",
        "names",
    )

    def __init__(
        self, *, first_year: int, last_year: int, workday_flags: bytes, names: dict[dt.date, str]
    ):
        self.first_year = first_year
        self.last_year = last_year
        self.names = names
        self._first = dt.date(first_year, 1, 1).toordinal()
        self._size = len(workday_flags)
        self._is_work = workday_flags
        cum: list[int] = []
        dates: list[dt.date] = []
        running = 0
        for offset, flag in enumerate(workday_flags):
            if flag:
                running += 1
                dates.append(dt.date.fromordinal(self._first + offset))
            cum.append(running)
        self._cum = cum
        self._dates = dates
        self._count = running

    @classmethod
    def build(
        cls, *, covered_years: Iterable[int], overrides: Iterable[Override], package: bool = True
    ) -> WorkdayCalendar:
        """The index over the years from the first covered year up to the first gap."""
        years = set(covered_years)
        if package:
            years.update(range(PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR + 1))
        if not years:
            raise CalendarNotCovered(dt.date.today().year)  # noqa: DTZ011
        first = min(years)
        last = first
        while last + 1 in years:
            last += 1
        start = dt.date(first, 1, 1)
        size = (dt.date(last, 12, 31) - start).days + 1
        flags = bytearray(size)
        names: dict[dt.date, str] = {}
        for offset in range(size):
            day = start + dt.timedelta(days=offset)
            flags[offset] = day.weekday() < 5
        if package:
            for day, name in package_calendar.holidays.items():
                if first <= day.year <= last:
                    flags[(day - start).days] = 0
                    names[day] = HOLIDAY_NAMES_ZH.get(name, name)
            for day, name in package_calendar.workdays.items():
                if first <= day.year <= last:
                    flags[(day - start).days] = 1
                    names[day] = HOLIDAY_NAMES_ZH.get(name, name)
        for item in overrides:
            if first <= item.date.year <= last:
                flags[(item.date - start).days] = 1 if item.is_workday else 0
                if item.name:
                    names[item.date] = item.name
                else:
                    names.pop(item.date, None)
        return cls(first_year=first, last_year=last, workday_flags=bytes(flags), names=names)

    def _offset(self, day: dt.date) -> int:
        if type(day) is not dt.date:
            day = business_date(day)
        offset = day.toordinal() - self._first
        if 0 <= offset < self._size:
            return offset
        raise CalendarNotCovered(day.year)

    def _uncovered_year(self, forward: bool) -> CalendarNotCovered:
        return CalendarNotCovered(self.last_year + 1 if forward else self.first_year - 1)

    def is_workday(self, day: dt.date) -> bool:
        return bool(self._is_work[self._offset(day)])

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``start`` (before it when n is negative)."""
        offset = self._offset(start)
        if n > 0:
            index = self._cum[offset] + n - 1
            if index < self._count:
                return self._dates[index]
            raise self._uncovered_year(True)
        if n == 0:
            return start if type(start) is dt.date else business_date(start)
        index = self._cum[offset] - self._is_work[offset] + n
        if index >= 0:
            return self._dates[index]
        raise self._uncovered_year(False)

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        return self._cum[self._offset(end)] - self._cum[self._offset(start)]

    def holiday_name(self, day: dt.date) -> str:
        self._offset(day)
        return self.names.get(day if type(day) is dt.date else business_date(day), "")


# ---------------------------------------------------------------------------------------------
# The process-wide calendar: built from the package and the override table on first use.

_current: WorkdayCalendar | None = None
_current_revision: tuple | None = None
_checked_at = 0.0
_lock = threading.Lock()
REFRESH_INTERVAL_SECONDS = 30.0


def _database_state() -> tuple[tuple, list[int], list[Override]] | None:
    """The override table's revision, covered years and overrides; None before migrations."""
    try:
        revision = calendar_revision()
        years = list(CalendarYear.objects.values_list("year", flat=True))
        overrides = [
            Override(date=o.date, is_workday=o.is_workday, name=o.name)
            for o in CalendarOverride.objects.all()
        ]
    except DatabaseError:
        return None
    return revision, years, overrides


def calendar_revision() -> tuple:
    """A fingerprint of the override tables: changes whenever a row is added, edited or deleted."""
    a = CalendarOverride.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    b = CalendarYear.objects.aggregate(n=Count("year"), t=Max("updated_at"))
    return (a["n"], a["t"], b["n"], b["t"])


def current() -> WorkdayCalendar:
    """The calendar in force, built once per process (and again after ``invalidate``)."""
    global _current, _current_revision, _checked_at
    cal = _current
    if cal is not None:
        return cal
    with _lock:
        if _current is None:
            state = _database_state()
            if state is None:
                return WorkdayCalendar.build(covered_years=(), overrides=())
            revision, years, overrides = state
            _current = WorkdayCalendar.build(covered_years=years, overrides=overrides)
            _current_revision = revision
            _checked_at = time.monotonic()
        return _current


def invalidate() -> None:
    """Forget the index; the next call rebuilds it from the package and the table."""
    global _current, _current_revision
    with _lock:
        _current = None
        _current_revision = None


def refresh_if_stale(*, force: bool = False) -> bool:
    """Rebuild when another process changed the table. Cheap; throttled to one query per 30 s.

    Called by the request middleware and the task worker, never from the hot path.
    """
    global _checked_at
    now = time.monotonic()
    if _current is None or (not force and now - _checked_at < REFRESH_INTERVAL_SECONDS):
        return False
    _checked_at = now
    if calendar_revision() != _current_revision:
        invalidate()
        return True
    return False


def is_workday(day: dt.date) -> bool:
    return (_current or current()).is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after ``start`` (民法典 201: the start day is not counted)."""
    return (_current or current()).add_workdays(start, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """The number of working days after ``start`` up to and including ``end``."""
    return (_current or current()).workdays_between(start, end)


def holiday_name(day: dt.date) -> str:
    """The holiday or adjusted-working-day name of a date, '' for an ordinary day."""
    return (_current or current()).holiday_name(day)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of a business date in Asia/Shanghai: when a deadline on that day ends."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=BUSINESS_TZ)


def deadline(start: dt.date | dt.datetime, n: int) -> dt.datetime:
    """The moment a limit of ``n`` working days from ``start`` runs out."""
    return end_of_day(add_workdays(business_date(start), n))


def covered_years() -> tuple[int, int]:
    cal = _current or current()
    return cal.first_year, cal.last_year
