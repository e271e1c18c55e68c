"""Properties of working-day arithmetic, and the index against a naive day-by-day reference."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tongban.core import workdays
from tongban.core.errors import CalendarNotCovered

pytestmark = pytest.mark.django_db

FIRST, LAST = dt.date(2004, 1, 1), dt.date(2026, 12, 31)
ONE_DAY = dt.timedelta(days=1)

# Deterministic (derandomize), no example database on disk, and the calendar index may be shared
# by all examples of a test: it is only read.
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

covered_dates = st.dates(FIRST, LAST)
# Far enough from both ends that 60 working days either way stay inside 2004–2026.
inner_dates = st.dates(dt.date(2004, 7, 1), dt.date(2026, 6, 30))
steps = st.integers(-60, 60)
positive_steps = st.integers(1, 60)


# --- the naive reference: walk one day at a time, ask the package about each day ---------------


class Uncovered(Exception):
    def __init__(self, year: int):
        super().__init__(year)
        self.year = year


def ref_is_workday(day: dt.date) -> bool:
    if not FIRST <= day <= LAST:
        raise Uncovered(day.year)
    return chinese_calendar.is_workday(day)


def ref_add(start: dt.date, n: int) -> dt.date:
    step = ONE_DAY if n > 0 else -ONE_DAY
    day, remaining = start, abs(n)
    while remaining:
        day += step
        if ref_is_workday(day):
            remaining -= 1
    return day


def ref_between(start: dt.date, end: dt.date) -> int:
    if end < start:
        return -ref_between(end, start)
    return sum(ref_is_workday(start + ONE_DAY * i) for i in range(1, (end - start).days + 1))


def outcome(func, *args):
    try:
        return func(*args)
    except (CalendarNotCovered, Uncovered) as exc:
        return ("not covered", exc.year)


def test_every_covered_day_matches_the_package():
    day, wrong = FIRST, []
    while day <= LAST:
        if workdays.is_workday(day) != chinese_calendar.is_workday(day):
            wrong.append(day)
        day += ONE_DAY
    assert wrong == []


@PROPERTY
@given(start=covered_dates, n=steps)
def test_add_workdays_matches_the_reference(start, n):
    assert outcome(workdays.add_workdays, start, n) == outcome(ref_add, start, n)


@PROPERTY
@given(start=covered_dates, days=st.integers(-400, 400))
def test_workdays_between_matches_the_reference(start, days):
    end = start + ONE_DAY * days
    assume(FIRST <= end <= LAST)
    assert workdays.workdays_between(start, end) == ref_between(start, end)


# --- algebraic properties -------------------------------------------------------------------


@PROPERTY
@given(start=covered_dates)
def test_adding_zero_is_the_date_itself(start):
    assert workdays.add_workdays(start, 0) == start
    assert workdays.workdays_between(start, start) == 0


@PROPERTY
@given(start=inner_dates, n=st.integers(0, 60))
def test_between_inverts_add(start, n):
    assert workdays.workdays_between(start, workdays.add_workdays(start, n)) == n


@PROPERTY
@given(start=inner_dates, days=st.integers(1, 120))
def test_add_inverts_between_on_working_days(start, days):
    end = start + ONE_DAY * days
    assume(workdays.is_workday(end))
    assert workdays.add_workdays(start, workdays.workdays_between(start, end)) == end


@PROPERTY
@given(start=inner_dates, later=st.integers(0, 30), n=steps)
def test_add_is_monotonic_in_the_start(start, later, n):
    assert workdays.add_workdays(start, n) <= workdays.add_workdays(start + ONE_DAY * later, n)


@PROPERTY
@given(start=inner_dates, n1=steps, n2=steps)
def test_add_is_strictly_monotonic_in_n(start, n1, n2):
    assume(n1 != n2)
    n1, n2 = sorted((n1, n2))
    assert workdays.add_workdays(start, n1) < workdays.add_workdays(start, n2)


@PROPERTY
@given(start=inner_dates, n=steps)
def test_results_are_working_days(start, n):
    assume(n != 0)
    assert workdays.is_workday(workdays.add_workdays(start, n))


@PROPERTY
@given(start=inner_dates, n=positive_steps)
def test_negative_n_goes_backwards(start, n):
    earlier = workdays.add_workdays(start, -n)
    assert earlier < start
    assert workdays.is_workday(earlier)
    # n working days from `earlier` (inclusive) up to `start` (exclusive).
    assert workdays.workdays_between(earlier, start) == n - 1 + workdays.is_workday(start)
    if workdays.is_workday(start):
        assert workdays.add_workdays(earlier, n) == start
    assert workdays.add_workdays(start, n) > start


@PROPERTY
@given(a=covered_dates, b=covered_dates, c=covered_dates)
def test_between_is_antisymmetric_and_additive(a, b, c):
    assert workdays.workdays_between(a, b) == -workdays.workdays_between(b, a)
    assert workdays.workdays_between(a, b) + workdays.workdays_between(
        b, c
    ) == workdays.workdays_between(a, c)
