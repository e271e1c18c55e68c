"""Properties of the stage clocks (hypothesis, over the real 2024–2026 calendar): a pause never
loses or gains a day, the stages share the case's working days exactly, a stage falls due its
limit plus its pauses after it starts, and a case that keeps every stage limit keeps the
promised one."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.cases import clocks
from tongban.cases.states import CaseAction as A
from tongban.core import workdays

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DAY = dt.timedelta(days=1)
# Deterministic, no example database on disk; the calendar index is only read.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

starts = st.dates(dt.date(2024, 1, 1), dt.date(2026, 6, 30))  # + 150 days stays in 2026
offsets = st.integers(0, 25)  # calendar days between one event and the next
limits = st.integers(0, 12)


def event(action: str, day: dt.date, **payload):
    when = dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)
    return SimpleNamespace(action=action, occurred_at=when, payload=payload)


def case(promised: int = 10, legal: int = 20):
    version = SimpleNamespace(legal_limit_days=legal, promised_limit_days=promised)
    return SimpleNamespace(item_version=version, status="in_review")


def accepted(day: dt.date) -> list:
    return [event(A.SUBMIT, day), event(A.ACCEPT, day, accepted_on=day.isoformat())]


def review_done(day: dt.date):
    return event(A.COMPLETE_STEP, day, step="handle", next="decide")


def pause(start: dt.date, end: dt.date) -> list:
    return [event(A.SUSPEND, start, kind="expert_review"), event(A.RESUME, end)]


@PROPERTY
@given(start=starts, limit=limits, before=offsets, length=offsets, data=st.data())
def test_a_pause_neither_loses_nor_gains_a_day(start, limit, before, length, data):
    """While paused the stage's remaining days stand still; on resuming the clock has spent
    only the resume day itself (a working day it ran), exactly as the case's own clock."""
    p0, p1 = start + before * DAY, start + (before + length) * DAY
    limits_ = clocks.StepLimits(review=limit)
    paused = [*accepted(start), event(A.SUSPEND, p0, kind="testing")]
    at_start = clocks.compute(case(), paused, today=p0, limits=limits_)
    during = p0 + data.draw(st.integers(0, length)) * DAY
    now = clocks.compute(case(), paused, today=during, limits=limits_)
    assert now.stage("review").remaining == at_start.stage("review").remaining
    assert now.remaining_promised == at_start.remaining_promised
    resumed = clocks.compute(case(), [*paused, event(A.RESUME, p1)], today=p1, limits=limits_)
    spent = 1 if p1 > p0 and workdays.is_workday(p1) else 0
    assert resumed.stage("review").remaining == at_start.stage("review").remaining - spent
    assert resumed.remaining_promised == at_start.remaining_promised - spent


@PROPERTY
@given(
    start=starts,
    gaps=st.lists(offsets, min_size=6, max_size=6),
    review=limits,
    decide=limits,
)
def test_the_stages_share_the_cases_days_exactly(start, gaps, review, decide):
    """Review and decision split the working days and the pauses between acceptance and the
    decision, none counted twice or dropped; each is due its limit plus its own pauses."""
    days = [start]
    for gap in gaps:
        days.append(days[-1] + gap * DAY)
    a0, a1, r, b0, b1, e = days[1:]
    events = [
        *accepted(start),
        *pause(a0, a1),
        review_done(r),
        *pause(b0, b1),
        event(A.APPROVE, e),
    ]
    c = clocks.compute(
        case(), events, today=e, limits=clocks.StepLimits(review=review, decide=decide)
    )
    stages = c.stage("review"), c.stage("decide")
    assert sum(s.elapsed for s in stages) == c.elapsed
    assert sum(s.paused_days for s in stages) == c.paused_days
    for stage in stages:
        assert stage.due == workdays.add_workdays(stage.start, stage.limit + stage.paused_days)
        assert stage.remaining == stage.limit - stage.elapsed
        assert stage.overdue == (stage.end > stage.due)
        if stage.limit + stage.paused_days:
            assert workdays.is_workday(stage.due)


@PROPERTY
@given(start=starts, before=offsets, after=offsets, review=limits)
def test_a_pause_ended_the_day_it_began_changes_nothing(start, before, after, review):
    day = start + before * DAY
    limits_ = clocks.StepLimits(review=review)
    today = day + after * DAY
    plain = clocks.compute(case(), accepted(start), today=today, limits=limits_)
    paused = clocks.compute(
        case(), [*accepted(start), *pause(day, day)], today=today, limits=limits_
    )
    assert paused.stages == plain.stages
    assert (paused.promised_due, paused.card) == (plain.promised_due, plain.card)


@PROPERTY
@given(
    start=starts,
    review=st.integers(1, 12),
    decide=st.integers(1, 12),
    spare=st.integers(0, 5),
    lengths=st.lists(offsets, min_size=2, max_size=2),
    data=st.data(),
)
def test_keeping_every_stage_limit_keeps_the_promise(start, review, decide, spare, lengths, data):
    """Why 审查 + 决定 may not exceed the promised limit: a case whose review and decision each
    end on their last day — with a pause inside each — is decided by the promised date."""
    promised = review + decide + spare
    item = case(promised, promised + 10)
    limits_ = clocks.StepLimits(review=review, decide=decide)

    def later(day: dt.date, n: int) -> dt.date:
        return workdays.add_workdays(day, n) if n else day

    p0 = later(start, data.draw(st.integers(0, review - 1)))  # with a day or more to go
    p1 = p0 + lengths[0] * DAY
    events = [*accepted(start), *pause(p0, p1)]
    review_end = clocks.compute(item, events, today=p1, limits=limits_).stage("review").due
    events.append(review_done(review_end))
    q0 = later(review_end, data.draw(st.integers(0, decide - 1)))
    q1 = q0 + lengths[1] * DAY
    events += pause(q0, q1)
    decided = clocks.compute(item, events, today=q1, limits=limits_).stage("decide").due
    events.append(event(A.APPROVE, decided))
    c = clocks.compute(item, events, today=decided, limits=limits_)
    assert c.overdue_stages == []
    assert c.on_time is True
    assert c.decided_on == workdays.add_workdays(start, review + decide + c.paused_days)
    if spare == 0:  # no slack: the last day of the decision is the promised date itself
        assert c.decided_on == c.promised_due
    assert c.card == ""
