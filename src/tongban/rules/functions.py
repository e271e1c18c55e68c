"""The helper functions rules may call, registered with CEL (``age_on(applicant.birth_date,
today) >= 60``). Dates travel through CEL as ISO ``YYYY-MM-DD`` strings (CEL has no date type;
ISO strings compare in calendar order). Working-day helpers use the platform's calendar
(``tongban.core.workdays``): a year the calendar does not cover is an error, never a guess, and a
rule that hits it counts as failed-needs-review.
"""

from __future__ import annotations

import datetime as dt

from tongban.core import workdays


def to_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return workdays.business_date(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return (
            dt.date.fromisoformat(value[:10]) if len(value) >= 10 else dt.date.fromisoformat(value)
        )
    raise TypeError(f"not a date: {type(value).__name__}")


def age_on(birth_date, on) -> int:
    """Full years (周岁) on ``on``. A 29 February birthday is reached on 1 March in a common
    year (the day after 28 February)."""
    born, day = to_date(birth_date), to_date(on)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def workdays_between(start, end) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when end < start)."""
    a, b = to_date(start), to_date(end)
    if b < a:
        return -workdays.workdays_between(b, a)
    return workdays.workdays_between(a, b)


def days_between(start, end) -> int:
    return (to_date(end) - to_date(start)).days


def add_workdays(start, n) -> str:
    return workdays.add_workdays(to_date(start), int(n)).isoformat()


def add_days(start, n) -> str:
    return (to_date(start) + dt.timedelta(days=int(n))).isoformat()


def is_workday(day) -> bool:
    return workdays.is_workday(to_date(day))


def date(text) -> str:
    """``date("2026-01-01")``: a date literal (checked)."""
    return to_date(text).isoformat()


FUNCTIONS = {
    "age_on": age_on,
    "workdays_between": workdays_between,
    "days_between": days_between,
    "add_workdays": add_workdays,
    "add_days": add_days,
    "is_workday": is_workday,
    "date": date,
}
