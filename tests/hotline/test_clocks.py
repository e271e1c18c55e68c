"""Handling limits (most specific row wins; hours are calendar time, working days end at the end
of the n-th working day, across holidays) and the cards."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.core import workdays
from tongban.hotline import clocks, services
from tongban.hotline.models import HandlingLimit

from .factories import dispatched_ticket, fresh, new_ticket, signed_ticket

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def eod(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, 999999, tzinfo=SH)


def test_defaults_are_installed_once(world):
    assert HandlingLimit.objects.count() == len(clocks.DEFAULT_LIMITS)
    assert clocks.limits_install_defaults() == 0


@pytest.mark.parametrize(
    ("kind", "urgency", "hazard", "name"),
    [
        ("consultation", "normal", "", "咨询：1 个工作日内签收、1 个工作日内答复"),
        ("help", "normal", "", "求助：1 个工作日内签收、3 个工作日内答复"),
        ("complaint", "normal", "", "投诉：1 个工作日内签收、13 个工作日内答复"),
        ("report", "normal", "", "举报：1 个工作日内签收、13 个工作日内答复"),
        ("suggestion", "normal", "", "建议：1 个工作日内签收、13 个工作日内答复"),
        ("complaint", "urgent", "", "紧急诉求：24 小时内办结（自然时间）"),
        ("help", "urgent", "life_property", "危及生命财产安全：15 分钟内签收、24 小时内办结"),
        ("complaint", "normal", "utilities", "水电气热：30 分钟内签收、24 小时内办结"),
    ],
)
def test_the_most_specific_limit_applies(world, kind, urgency, hazard, name):
    limits = clocks.limits_for(
        ticket_type=kind, subject_id=world.ponding.pk, urgency=urgency, hazard=hazard
    )
    assert limits.name == name


def test_a_subject_limit_beats_the_type_and_applies_to_its_children(world):
    HandlingLimit.objects.create(
        name="市政设施：5 个工作日",
        subject=world.ponding.parent,
        sign_value=1,
        sign_unit="workdays",
        handle_value=5,
        handle_unit="workdays",
    )
    clocks.invalidate()
    args = {"ticket_type": "complaint", "urgency": "normal", "hazard": ""}
    assert clocks.limits_for(subject_id=world.ponding.pk, **args).name == "市政设施：5 个工作日"
    assert clocks.limits_for(subject_id=world.noise.pk, **args).name.startswith("投诉")


def test_working_day_limits_across_national_day(world, operator, at):
    at("2026-09-30 16:00")  # Wednesday; 1–7 October are holidays, Saturday 10 October works
    t = dispatched_ticket(operator, ticket_type="help")
    assert t.sign_due == eod(2026, 10, 8)
    assert t.handle_due == eod(2026, 10, 10)  # 8, 9 and the adjusted Saturday 10
    c = dispatched_ticket(operator)  # complaint: 13 working days
    assert c.handle_due == eod(2026, 10, 23)


def test_hour_and_minute_limits_are_calendar_time(world, operator, at):
    at("2026-09-30 23:50")
    t = dispatched_ticket(operator, ticket_type="help", urgency="urgent", hazard="life_property")
    moment = dt.datetime(2026, 9, 30, 23, 50, tzinfo=SH)
    assert t.sign_due == moment + dt.timedelta(minutes=15)
    assert t.handle_due == moment + dt.timedelta(hours=24)  # 1 October, a holiday: still counts
    u = dispatched_ticket(operator, hazard="utilities")
    assert u.sign_due == moment + dt.timedelta(minutes=30)


def test_an_urgent_ticket_is_never_due_for_signing_after_handling(world, operator, at):
    at("2026-06-05 18:00")  # Friday: 1 working day would be Monday
    t = dispatched_ticket(operator, urgency="urgent")
    assert t.handle_due == dt.datetime(2026, 6, 6, 18, 0, tzinfo=SH)
    assert t.sign_due == t.handle_due


def test_cards_from_the_stored_dues(world, operator, handler, at):
    at("2026-06-02 10:00")  # help: 3 working days, due Fri 5 June end of day
    t = dispatched_ticket(operator, ticket_type="help")
    s = dispatched_ticket(operator, ticket_type="help")
    assert clocks.compute(t).card == ""
    services.ticket_sign(s.ticket_no, actor=handler)
    at("2026-06-04 09:00")  # t not signed by Wed 3 June: yellow
    clock = clocks.compute(fresh(t))
    assert (clock.card, clock.sign_overdue, clock.card_label) == (
        "yellow",
        True,
        "黄牌：签收或原定期限已超",
    )
    assert clocks.compute(fresh(s)).card == ""
    at("2026-06-05 09:00")  # s: ≤ 20 % of the time left: blue
    clock = clocks.compute(fresh(s))
    assert clock.card == "blue"
    assert clock.remaining_text == "剩余 14 小时 59 分钟"
    at("2026-06-06 09:00")
    clock = clocks.compute(fresh(s))
    assert (clock.card, clock.overdue) == ("red", True)
    assert clock.remaining_text == "超期 9 小时 0 分钟"


def test_an_approved_extension_turns_red_into_yellow(world, operator, handler, at):
    at("2026-06-02 10:00")
    t = signed_ticket(operator, handler, ticket_type="help")  # due Fri 5 June
    services.ticket_extension_request(
        t.ticket_no, actor=handler, reason="需现场勘查", new_due="2026-06-12"
    )
    services.ticket_extension_decide(t.ticket_no, actor=operator, approve=True, note="同意")
    at("2026-06-08 09:00")
    clock = clocks.compute(fresh(t))
    assert (clock.card, clock.overdue, clock.original_handle_due) == (
        "yellow",
        False,
        eod(2026, 6, 5),
    )


def test_a_reply_stops_the_clock(world, operator, handler, at):
    at("2026-06-02 10:00")
    t = signed_ticket(operator, handler, ticket_type="help")
    services.ticket_reply(t.ticket_no, actor=handler, reply="已处理", solved=True)
    at("2026-07-01 09:00")
    clock = clocks.compute(fresh(t))
    assert (clock.running, clock.card, clock.remaining) == (False, "", None)


def test_card_thresholds_are_settings(world, operator, handler, at, settings):
    at("2026-06-02 10:00")
    s = signed_ticket(operator, handler, ticket_type="help")
    at("2026-06-04 09:00")  # about 40 % left
    assert clocks.compute(fresh(s)).card == ""
    settings.TONGBAN_HOTLINE_CARD_BLUE_SHARE = 0.5
    assert clocks.compute(fresh(s)).card == "blue"


def test_a_new_ticket_has_no_clock(world, operator):
    clock = clocks.compute(new_ticket(operator))
    assert (clock.running, clock.card, clock.remaining_text) == (False, "", "")


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.datetimes(
        min_value=dt.datetime(2025, 1, 1),
        max_value=dt.datetime(2026, 10, 31),
        timezones=st.just(SH),
    ),
    n=st.integers(min_value=1, max_value=20),
)
def test_a_working_day_limit_ends_at_the_end_of_the_nth_working_day(db, start, n):
    due = clocks.due_after(start, n, "workdays")
    day = due.astimezone(SH).date()
    assert due == eod(day.year, day.month, day.day)
    assert workdays.is_workday(day)
    assert workdays.workdays_between(start.astimezone(SH).date(), day) == n
    assert clocks.due_after(start, n, "hours") == start + dt.timedelta(hours=n)
