"""The helper functions rules call, through CEL (ages, working days around holidays)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.rules.engine import compile_rule, make_context, nest, run_rule
from tongban.rules.functions import age_on, workdays_between

DECLARED = {"today": "date", "applicant.birth_date": "date", "form.start": "date", "form.n": "int"}


def run(expression: str, **values) -> object:
    rule = compile_rule(expression, declared=DECLARED)
    result = run_rule(rule, make_context(nest(values)))
    return result.result if result.result != "error" else ("error", result.reason)


def test_age_on_the_sixtieth_birthday():
    assert age_on("1966-03-01", "2026-03-01") == 60
    assert age_on("1966-03-02", "2026-03-01") == 59
    assert (
        run(
            "age_on(applicant.birth_date, today) >= 60",
            **{"applicant.birth_date": "1966-03-01", "today": "2026-03-01"},
        )
        == "pass"
    )
    assert (
        run(
            "age_on(applicant.birth_date, today) >= 60",
            **{"applicant.birth_date": "1966-03-02", "today": "2026-03-01"},
        )
        == "fail"
    )


def test_leap_day_birthday_is_reached_on_the_first_of_march():
    assert age_on("1964-02-29", "2024-02-29") == 60
    assert age_on("1965-02-28", "2025-02-28") == 60
    assert age_on("1964-02-29", "2025-02-28") == 60
    assert age_on("1964-02-29", "2024-02-28") == 59
    assert age_on("1966-02-28", "2026-02-28") == 60
    assert age_on("1964-02-29", "2023-02-28") == 58
    assert age_on("1963-02-28", "2023-02-28") == 60
    assert age_on("1960-02-29", "2019-02-28") == 58
    assert age_on("1960-02-29", "2019-03-01") == 59


@settings(max_examples=200, deadline=None)
@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2010, 12, 31)),
    years=st.integers(min_value=1, max_value=100),
)
def test_age_boundary_property(born, years):
    """On the day someone turns N they are N, the day before N - 1 (29 Feb → 1 Mar)."""
    try:
        birthday = born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year: the birthday is 1 March
        birthday = dt.date(born.year + years, 3, 1)
    assert age_on(born, birthday) == years
    assert age_on(born, birthday - dt.timedelta(days=1)) == years - 1
    assert (
        run(
            f"age_on(applicant.birth_date, today) >= {years}",
            **{"applicant.birth_date": born.isoformat(), "today": birthday.isoformat()},
        )
        == "pass"
    )


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-09-30", "2025-10-09", 1),  # 国庆 1–8 October
        ("2025-09-26", "2025-09-28", 1),  # Sunday 28 September is an adjusted working day
        ("2025-10-08", "2025-10-11", 3),  # 9, 10 and Saturday 11 October (调休上班)
        ("2026-01-05", "2026-01-09", 4),
        ("2026-01-09", "2026-01-05", -4),
        ("2026-01-05", "2026-01-05", 0),
    ],
)
def test_workdays_between_around_holidays(db, start, end, expected):
    assert workdays_between(start, end) == expected
    assert (
        run(
            f"workdays_between(form.start, today) == {expected}",
            **{"form.start": start, "today": end},
        )
        == "pass"
    )


def test_other_helpers(db):
    assert run('add_workdays(date("2025-09-30"), 1) == date("2025-10-09")', **{}) == "pass"
    assert run('is_workday(date("2025-09-28")) && !is_workday(date("2025-10-01"))') == "pass"
    assert run('days_between(date("2026-01-01"), date("2026-03-01")) == 59') == "pass"
    assert run("add_days(today, 30) > today", today="2026-01-31") == "pass"


def test_a_year_the_calendar_does_not_cover_needs_review(db):
    result = run('workdays_between(today, date("2031-01-10")) > 3', today="2031-01-01")
    assert result[0] == "error"
    assert "2031" in result[1]


def test_runtime_failures_are_errors_never_passes():
    assert run("form.n / 0 > 1", **{"form.n": 1}) == ("error", "计算时出现除以零。")
    assert run("form.n > 1") == ("error", "缺少字段“form”的值。") or run("form.n > 1")[0] == "error"
    assert run('date("not a date") < today', today="2026-01-01")[0] == "error"
