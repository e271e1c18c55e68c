"""Reading a year's schedule as an administrator types it from the State Council notice."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.errors import CoreErrorCode, ValidationFailed
from tongban.core.services.calendar import parse_year_schedule

from .holiday_schedules import SCHEDULE_2027, SCHEDULE_2027_HOLIDAY_COUNT, SCHEDULE_2027_MAKEUP

D = dt.date.fromisoformat
SPRING = {D("2027-02-06") + dt.timedelta(days=i): "春节" for i in range(8)}


def test_the_sample_schedule():
    schedule = parse_year_schedule(2027, SCHEDULE_2027)
    assert len(schedule.holidays) == SCHEDULE_2027_HOLIDAY_COUNT
    assert sorted(d.isoformat() for d in schedule.workdays) == list(SCHEDULE_2027_MAKEUP)
    assert schedule.holidays[D("2027-10-07")] == "国庆节"
    assert schedule.workdays[D("2027-04-25")] == "劳动节"


@pytest.mark.parametrize(
    "line",
    [
        "春节：放假 2027-02-06~2027-02-13",
        "春节：放假 2027-02-06 ~ 2027-02-13",
        "春节：放假 2027-02-06～2027-02-13",
        "春节：放假 2027-02-06 至 2027-02-13",
        "春节：放假 2027-02-06到2027-02-13",
        "春节：放假 2027-02-06..2027-02-13",
        "春节：放假 2027-02-06 -- 2027-02-13",
        "春节：放假 2027-02-06 — 2027-02-13",
        "春节:放假　2027-02-06~2027-02-13",  # ASCII colon, full-width space
        "春节：放假 2027-02-06、2027-02-07，2027-02-08, 2027-02-09 2027-02-10~2027-02-13",
        "春节：休 2027-02-06~2027-02-13  # 注释",
    ],
)
def test_accepted_ways_of_writing_days_off(line):
    schedule = parse_year_schedule(2027, line)
    assert schedule.holidays == SPRING
    assert schedule.workdays == {}


def test_workdays_and_several_lines():
    schedule = parse_year_schedule(
        2027,
        "\n# 2027 年\n春节：放假 2027-02-06~2027-02-13；上班 2027-02-14、2027-02-20；\n"
        "元旦：放假 2026-12-31~2027-01-01\n",
    )
    assert schedule.workdays == {D("2027-02-14"): "春节", D("2027-02-20"): "春节"}
    assert schedule.holidays == SPRING | {D("2026-12-31"): "元旦", D("2027-01-01"): "元旦"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("春节：放假；上班 2027-02-14", "第 1 行：“放假”后面没有日期。"),
        ("春节：放假 2027-02-06；上班", "第 1 行：“上班”后面没有日期。"),
        (
            "春节：放假 2027-02-06 2027-13-01",
            "第 1 行：“2027-13-01”不是有效的日期（应为 YYYY-MM-DD 或 YYYY-MM-DD~YYYY-MM-DD）。",
        ),
        ("元旦：放假 2026-11-30", "第 1 行：2026-11-30 不在 2027 年的安排范围内。"),
        ("元旦：放假 2028-01-01", "第 1 行：2028-01-01 不在 2027 年的安排范围内。"),
    ],
)
def test_refused_lines(text, message):
    with pytest.raises(ValidationFailed) as caught:
        parse_year_schedule(2027, text)
    assert (caught.value.code, caught.value.field, caught.value.message) == (
        CoreErrorCode.CALENDAR_SCHEDULE_INVALID,
        "schedule",
        message,
    )
