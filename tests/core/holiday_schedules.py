"""The State Council's published holiday schedules, typed in from the notices.

These are the expected values for the calendar tests. They are copied by hand from the
国务院办公厅 notices on 部分节假日安排, never derived from ``chinese_calendar``, so that a wrong
package release is caught rather than mirrored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """One holiday of a notice: its days off (inclusive range) and its adjusted working days."""

    names: tuple[str, ...]  # the names the calendar may show for it
    first: str
    last: str
    makeup: tuple[str, ...] = ()


NOTICES: dict[int, tuple[str, tuple[Block, ...]]] = {
    2024: (
        "国办发明电〔2023〕7号",
        (
            Block(("元旦",), "2024-01-01", "2024-01-01"),
            Block(("春节",), "2024-02-10", "2024-02-17", ("2024-02-04", "2024-02-18")),
            Block(("清明节",), "2024-04-04", "2024-04-06", ("2024-04-07",)),
            Block(("劳动节",), "2024-05-01", "2024-05-05", ("2024-04-28", "2024-05-11")),
            Block(("端午节",), "2024-06-10", "2024-06-10"),
            Block(("中秋节",), "2024-09-15", "2024-09-17", ("2024-09-14",)),
            Block(("国庆节",), "2024-10-01", "2024-10-07", ("2024-09-29", "2024-10-12")),
        ),
    ),
    2025: (
        "国办发明电〔2024〕12号",
        (
            Block(("元旦",), "2025-01-01", "2025-01-01"),
            Block(("春节",), "2025-01-28", "2025-02-04", ("2025-01-26", "2025-02-08")),
            Block(("清明节",), "2025-04-04", "2025-04-06"),
            Block(("劳动节",), "2025-05-01", "2025-05-05", ("2025-04-27",)),
            Block(("端午节",), "2025-05-31", "2025-06-02"),
            Block(("国庆节", "中秋节"), "2025-10-01", "2025-10-08", ("2025-09-28", "2025-10-11")),
        ),
    ),
    2026: (
        "国务院办公厅关于2026年部分节假日安排的通知",
        (
            Block(("元旦",), "2026-01-01", "2026-01-03", ("2026-01-04",)),
            Block(("春节",), "2026-02-15", "2026-02-23", ("2026-02-14", "2026-02-28")),
            Block(("清明节",), "2026-04-04", "2026-04-06"),
            Block(("劳动节",), "2026-05-01", "2026-05-05", ("2026-05-09",)),
            Block(("端午节",), "2026-06-19", "2026-06-21"),
            Block(("中秋节",), "2026-09-25", "2026-09-27"),
            Block(("国庆节",), "2026-10-01", "2026-10-07", ("2026-09-20", "2026-10-10")),
        ),
    ),
}


def holidays(year: int) -> dict[dt.date, tuple[str, ...]]:
    """Every day off of the year's notice, with the names it may carry."""
    days: dict[dt.date, tuple[str, ...]] = {}
    for block in NOTICES[year][1]:
        day = dt.date.fromisoformat(block.first)
        while day <= dt.date.fromisoformat(block.last):
            days[day] = block.names
            day += dt.timedelta(days=1)
    return days


def makeup_days(year: int) -> dict[dt.date, tuple[str, ...]]:
    """Every adjusted working day (调休上班) of the year's notice."""
    return {
        dt.date.fromisoformat(day): block.names
        for block in NOTICES[year][1]
        for day in block.makeup
    }


def days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year, 12, 31) - first).days + 1)]


# A made-up schedule for a year the package does not cover (weekdays checked by hand: 2027-01-01
# is a Friday; every 上班 date below is a Saturday or a Sunday).
SCHEDULE_2027 = """\
元旦：放假 2027-01-01~2027-01-03
春节：放假 2027-02-06~2027-02-13；上班 2027-02-14、2027-02-20
清明节：放假 2027-04-03~2027-04-05
劳动节：放假 2027-05-01~2027-05-05；上班 2027-04-25、2027-05-08
端午节：放假 2027-06-09~2027-06-11
中秋节：放假 2027-09-15
国庆节：放假 2027-10-01~2027-10-07；上班 2027-09-26、2027-10-09
"""
SCHEDULE_2027_HOLIDAY_COUNT = 3 + 8 + 3 + 5 + 3 + 1 + 7
SCHEDULE_2027_MAKEUP = (
    "2027-02-14",
    "2027-02-20",
    "2027-04-25",
    "2027-05-08",
    "2027-09-26",
    "2027-10-09",
)
SOURCE_2027 = "国办发明电〔2026〕99号（测试）"
