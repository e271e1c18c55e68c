"""The working-day calendar against the published schedules and the Civil Code's counting rules."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine

from tongban.core import workdays
from tongban.core.errors import CalendarNotCovered, CoreErrorCode
from tongban.core.models import CalendarOverride
from tongban.core.workdays import Override, WorkdayCalendar

from .holiday_schedules import NOTICES, days_of, holidays, makeup_days

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


# --- the published State Council schedules ----------------------------------------------------


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_typed_schedule_is_consistent(year):
    """Guard the hand-typed data itself: make-up days are weekends and never days off."""
    off, makeup = holidays(year), makeup_days(year)
    assert all(day.year == year for day in off | makeup)
    assert not off.keys() & makeup.keys()
    assert all(day.weekday() >= 5 for day in makeup)


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_every_day_of_the_year_follows_the_notice(year):
    off, makeup = holidays(year), makeup_days(year)
    wrong = []
    for day in days_of(year):
        expected = False if day in off else True if day in makeup else day.weekday() < 5
        if workdays.is_workday(day) != expected:
            wrong.append((day.isoformat(), workdays.is_workday(day), expected))
    assert wrong == [], f"{NOTICES[year][0]}: calendar disagrees on {wrong}"


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_holiday_names_follow_the_notice(year):
    named = holidays(year) | makeup_days(year)
    wrong = []
    for day in days_of(year):
        name = workdays.holiday_name(day)
        if (name not in named[day]) if day in named else name != "":
            wrong.append((day.isoformat(), name))
    assert wrong == []


@pytest.mark.parametrize(
    ("year", "off_days", "makeup_count"),
    [(2024, 28, 8), (2025, 28, 5), (2026, 33, 6)],
)
def test_notice_totals(year, off_days, makeup_count):
    """Counted by hand from the notices: days off (weekends inside a block included)."""
    assert len(holidays(year)) == off_days
    assert len(makeup_days(year)) == makeup_count


# --- counting (民法典 第二百零一条: the start day is not counted) ----------------------------


def test_saturday_start_counts_from_the_next_day():
    """An application on Saturday 2026-09-26: 20 working days end on Thursday 2026-10-29."""
    assert workdays.add_workdays(D("2026-09-26"), 20) == D("2026-10-29")
    # chinese_calendar.find_workday counts the first working day on or after the start as day 0,
    # which is one working day too late here: the reason the platform has its own function.
    assert chinese_calendar.find_workday(20, D("2026-09-26")) == D("2026-10-30")


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-09-30", 5, "2026-10-13"),
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-10-01", 1, "2026-10-08"),  # a holiday start: the next working day is day 1
        ("2026-10-07", 1, "2026-10-08"),
        ("2026-10-09", 1, "2026-10-10"),  # Saturday 10-10 is an adjusted working day
        ("2026-10-10", 1, "2026-10-12"),
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-14", 1, "2026-02-24"),
        ("2025-12-31", 1, "2026-01-04"),  # Sunday 01-04 is an adjusted working day
        ("2024-12-31", 1, "2025-01-02"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2024-02-08", 3, "2024-02-19"),  # 02-09 Fri, 02-18 Sun (调休), 02-19 Mon
        ("2026-10-08", -1, "2026-09-30"),
        ("2026-10-04", -1, "2026-09-30"),  # backwards from a holiday
        ("2026-10-12", -1, "2026-10-10"),
        ("2026-10-13", -5, "2026-09-30"),
        ("2026-10-04", 0, "2026-10-04"),  # zero days: the date itself, even a holiday
        ("2026-10-13", 0, "2026-10-13"),
    ],
)
def test_add_workdays(start, n, expected):
    assert workdays.add_workdays(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-09-30", "2026-10-12", 4),
        ("2026-09-30", "2026-10-13", 5),
        ("2026-09-30", "2026-09-30", 0),
        ("2026-10-12", "2026-09-30", -4),
        ("2026-10-01", "2026-10-07", 0),
        ("2026-09-26", "2026-10-29", 20),
        ("2025-12-31", "2026-01-04", 1),
        ("2026-01-01", "2026-12-31", 248),  # 261 weekdays − 19 holidays on weekdays + 6 make-up
    ],
)
def test_workdays_between(start, end, expected):
    assert workdays.workdays_between(D(start), D(end)) == expected


# --- time zone and deadlines ---------------------------------------------------------------------


def test_end_of_day_is_the_last_instant_in_shanghai():
    end = workdays.end_of_day(D("2026-10-13"))
    assert end == dt.datetime(2026, 10, 13, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert end.utcoffset() == dt.timedelta(hours=8)
    assert end.astimezone(UTC) == dt.datetime(2026, 10, 13, 15, 59, 59, 999999, tzinfo=UTC)


def test_deadline_from_a_date():
    assert workdays.deadline(D("2026-09-30"), 5) == workdays.end_of_day(D("2026-10-13"))
    assert workdays.deadline(D("2026-09-26"), 20) == workdays.end_of_day(D("2026-10-29"))


@pytest.mark.parametrize(
    ("moment", "business_day", "deadline_day"),
    [
        # Late on a UTC day is already the next day in Shanghai.
        (dt.datetime(2026, 10, 8, 16, 30, tzinfo=UTC), "2026-10-09", "2026-10-10"),
        (dt.datetime(2026, 10, 8, 15, 59, 59, tzinfo=UTC), "2026-10-08", "2026-10-09"),
        (
            dt.datetime(2026, 10, 8, 12, 30, tzinfo=ZoneInfo("America/New_York")),
            "2026-10-09",
            "2026-10-10",
        ),
        (dt.datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI), "2026-10-09", "2026-10-10"),
    ],
)
def test_aware_datetimes_use_the_shanghai_date(moment, business_day, deadline_day):
    assert workdays.business_date(moment) == D(business_day)
    assert workdays.deadline(moment, 1) == workdays.end_of_day(D(deadline_day))
    assert workdays.add_workdays(moment, 1) == D(deadline_day)
    assert workdays.add_workdays(moment, 0) == D(business_day)


def test_holiday_name_of_an_aware_datetime_uses_the_shanghai_date():
    assert workdays.holiday_name(dt.datetime(2026, 9, 30, 16, 30, tzinfo=UTC)) == "国庆节"
    assert workdays.is_workday(dt.datetime(2026, 9, 30, 16, 30, tzinfo=UTC)) is False


def test_business_date_passes_a_date_through():
    assert workdays.business_date(D("2026-10-01")) == D("2026-10-01")


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: workdays.business_date(naive),
        lambda naive: workdays.deadline(naive, 1),
        lambda naive: workdays.add_workdays(naive, 1),
        lambda naive: workdays.is_workday(naive),
    ],
)
def test_naive_datetime_is_rejected(call):
    with pytest.raises(ValueError, match="naive datetime"):
        call(dt.datetime(2026, 10, 8, 12, 0))


# --- years the calendar does not cover ----------------------------------------------------------


def test_covered_years_are_the_package_years():
    assert workdays.covered_years() == (2004, 2026)


@pytest.mark.parametrize(
    ("call", "year"),
    [
        (lambda: workdays.is_workday(D("2027-01-04")), 2027),
        (lambda: workdays.holiday_name(D("2027-01-01")), 2027),
        (lambda: workdays.add_workdays(D("2027-01-04"), 1), 2027),
        (lambda: workdays.add_workdays(D("2026-12-31"), 1), 2027),  # the result spills over
        (lambda: workdays.add_workdays(D("2026-12-01"), 60), 2027),
        (lambda: workdays.deadline(D("2026-12-31"), 1), 2027),
        (lambda: workdays.workdays_between(D("2026-12-31"), D("2027-01-05")), 2027),
        (lambda: workdays.is_workday(D("2003-12-31")), 2003),
        (lambda: workdays.add_workdays(D("2004-01-05"), -5), 2003),
    ],
)
def test_uncovered_year_is_refused_and_named(call, year):
    with pytest.raises(CalendarNotCovered) as caught:
        call()
    assert caught.value.year == year
    assert caught.value.code == CoreErrorCode.CALENDAR_NOT_COVERED
    assert caught.value.message == (
        f"工作日历没有 {year} 年的节假日安排，无法计算期限。"
        f"请管理员先录入国务院办公厅公布的 {year} 年放假安排。"
    )


def test_last_covered_working_day_is_still_computable():
    assert workdays.add_workdays(D("2026-12-30"), 1) == D("2026-12-31")
    assert workdays.add_workdays(D("2004-01-05"), -1) == D("2004-01-02")


# --- the index itself, without the database -------------------------------------------------


def test_index_over_a_table_only_year():
    cal = WorkdayCalendar.build(
        covered_years=[2030, 2032],  # 2032 is not contiguous with 2030: not covered
        overrides=[
            Override(D("2030-01-01"), is_workday=False, name="元旦"),
            Override(D("2030-01-05"), is_workday=True, name="元旦"),  # a Saturday
            Override(D("2032-01-01"), is_workday=False, name="元旦"),
        ],
        package=False,
    )
    assert (cal.first_year, cal.last_year) == (2030, 2030)
    assert cal.is_workday(D("2030-01-01")) is False
    assert cal.is_workday(D("2030-01-02")) is True
    assert cal.is_workday(D("2030-01-05")) is True
    assert cal.holiday_name(D("2030-01-05")) == "元旦"
    assert cal.add_workdays(D("2029-12-31") + dt.timedelta(days=1), 3) == D("2030-01-04")
    assert cal.add_workdays(D("2030-01-04"), 1) == D("2030-01-05")
    assert cal.workdays_between(D("2030-01-01"), D("2030-01-07")) == 5
    with pytest.raises(CalendarNotCovered) as caught:
        cal.is_workday(D("2032-01-02"))
    assert caught.value.year == 2032


# --- another process changed the table ---------------------------------------------------------


def test_refresh_if_stale_picks_up_a_change_behind_the_index(monkeypatch):
    assert workdays.is_workday(D("2026-03-10")) is True
    assert workdays.refresh_if_stale(force=True) is False  # nothing changed yet
    CalendarOverride.objects.create(date=D("2026-03-10"), is_workday=False, name="停工")
    assert workdays.is_workday(D("2026-03-10")) is True  # the index does not know yet
    monkeypatch.setattr(workdays, "REFRESH_INTERVAL_SECONDS", 10**9)
    assert workdays.refresh_if_stale() is False  # throttled: no query within the interval
    assert workdays.is_workday(D("2026-03-10")) is True
    assert workdays.refresh_if_stale(force=True) is True
    assert workdays.is_workday(D("2026-03-10")) is False
    assert workdays.holiday_name(D("2026-03-10")) == "停工"


def test_refresh_if_stale_after_the_interval(monkeypatch):
    assert workdays.is_workday(D("2026-03-14")) is False
    CalendarOverride.objects.create(date=D("2026-03-14"), is_workday=True)
    monkeypatch.setattr(workdays, "REFRESH_INTERVAL_SECONDS", 0.0)
    assert workdays.refresh_if_stale() is True
    assert workdays.is_workday(D("2026-03-14")) is True


def test_refresh_if_stale_sees_an_edited_row():
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        override = CalendarOverride.objects.create(date=D("2026-03-14"), is_workday=True)
    assert workdays.is_workday(D("2026-03-14")) is True
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, 1, tzinfo=dt.UTC), tick=False):
        override.is_workday = False
        override.save()
    assert workdays.refresh_if_stale(force=True) is True
    assert workdays.is_workday(D("2026-03-14")) is False


def test_refresh_if_stale_before_first_use_does_nothing():
    assert workdays.refresh_if_stale(force=True) is False
