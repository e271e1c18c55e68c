"""Case clocks (行政许可法 第三十二、四十二、四十四、四十五条), derived from the events alone.

The acceptance date, pauses, extensions and decision come from the case's events; the limits
from the item version it was filed under, and the stage limits (受理、审查、决定、制证、送达)
from the item's procedure. Nothing here is stored: a card turns red because the date passed,
not because a timer flipped a flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tongban.core import workdays

from .models import Case, CaseEvent, ItemProcedure
from .models.procedure import ACCEPT_DAYS_BY_LAW, DELIVERY_DAYS_BY_LAW, STAGES, StepLimits
from .states import CaseAction as A

CORRECTION_NOTICE_DAYS = ACCEPT_DAYS_BY_LAW  # 第三十二条: one-time notice within 5 working days
DELIVERY_DAYS = DELIVERY_DAYS_BY_LAW  # 第四十四条: served within 10 working days of the decision
EXTENSION_DAYS = 10  # 第四十二条: once, with the head's approval
STATUTORY_LIMITS = StepLimits()

__all__ = [
    "CORRECTION_NOTICE_DAYS",
    "DEFAULT_POLICY",
    "DELIVERY_DAYS",
    "EXTENSION_DAYS",
    "STAGES",
    "STATUTORY_LIMITS",
    "CardPolicy",
    "Clock",
    "Stage",
    "StepLimits",
    "card_policy",
    "compute",
    "paused_workdays",
    "step_limits_for",
]


@dataclass(frozen=True)
class CardPolicy:
    """When the blue prompt shows: at most ``blue_days`` working days, or at most
    ``blue_share`` of the promised limit, left before the promised limit."""

    blue_days: int = 1
    blue_share: float = 0.2


DEFAULT_POLICY = CardPolicy()


def card_policy() -> CardPolicy:
    """The deployment's policy: ``settings.TONGBAN_CASE_CARD_POLICY`` over the defaults."""
    raw = getattr(settings, "TONGBAN_CASE_CARD_POLICY", None) or {}
    if not isinstance(raw, dict) or set(raw) - {"blue_days", "blue_share"}:
        raise ImproperlyConfigured(
            "TONGBAN_CASE_CARD_POLICY must be a dict with the keys blue_days and blue_share"
        )
    days = raw.get("blue_days", DEFAULT_POLICY.blue_days)
    share = raw.get("blue_share", DEFAULT_POLICY.blue_share)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ImproperlyConfigured(
            f"TONGBAN_CASE_CARD_POLICY blue_days must be a whole number ≥ 0, got {days!r}"
        )
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ImproperlyConfigured(
            f"TONGBAN_CASE_CARD_POLICY blue_share must be between 0 and 1, got {share!r}"
        )
    return CardPolicy(blue_days=days, blue_share=float(share))


def step_limits_for(case: Case) -> StepLimits:
    """The stage limits of the case's item (the law's alone when the item has no procedure).

    One query, none when ``item_version__item__procedure`` was selected with the case."""
    version = case.item_version
    item = version.item if _ITEM.is_cached(version) else None
    if item is not None and _PROCEDURE.is_cached(item):
        procedure = getattr(item, "procedure", None)  # None cached: the item has none
    else:
        procedure = ItemProcedure.objects.filter(item_id=version.item_id).first()
    return procedure.step_limits() if procedure is not None else STATUTORY_LIMITS


_PROCEDURE = ItemProcedure._meta.get_field("item").remote_field  # ServiceItem.procedure
_ITEM = Case._meta.get_field("item_version").related_model._meta.get_field("item")


@dataclass
class Stage:
    """One of 受理、审查、决定、制证、送达: when it started, fell due and ended, in working days.

    state: "pending" (not begun), "running", "paused" (特别程序), "waiting" (for the applicant's
    correction), "done", "stopped" (the case ended here: refused or withdrawn), "skipped" (does
    not apply: no licence after a denial, nothing after a refusal or withdrawal).
    marker: "yellow" when the stage passed its limit, "red" when the case's legal limit passed
    while it ran (the stage the red card belongs to), "" otherwise.
    """

    code: str
    limit: int | None
    start: dt.date | None = None
    due: dt.date | None = None
    end: dt.date | None = None
    paused_days: int = 0
    elapsed: int | None = None
    remaining: int | None = None
    late_days: int = 0
    state: str = "pending"
    overdue: bool = False
    marker: str = ""


@dataclass
class Clock:
    received_on: dt.date | None = None
    correction_due: dt.date | None = None
    correction_requested: bool = False
    accepted_on: dt.date | None = None
    deemed_accepted: bool = False
    legal_limit: int = 0
    promised_limit: int = 0
    extension_days: int = 0
    paused_days: int = 0
    suspended: bool = False
    pauses: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    elapsed: int = 0
    legal_due: dt.date | None = None
    promised_due: dt.date | None = None
    remaining_legal: int | None = None
    remaining_promised: int | None = None
    promised_passed: bool = False
    decided_on: dt.date | None = None
    issued_on: dt.date | None = None
    delivery_due: dt.date | None = None
    delivered_on: dt.date | None = None
    ended_on: dt.date | None = None  # refused or withdrawn: the clock stops there
    stages: list[Stage] = field(default_factory=list)
    card: str = ""  # "", "blue", "yellow", "red"
    on_time: bool | None = None

    @property
    def running(self) -> bool:
        return self.accepted_on is not None and self.decided_on is None and not self.suspended

    @property
    def overdue_stages(self) -> list[Stage]:
        return [s for s in self.stages if s.overdue]

    def stage(self, code: str) -> Stage:
        return next(s for s in self.stages if s.code == code)


def _day(event: CaseEvent) -> dt.date:
    return workdays.business_date(event.occurred_at)


def paused_workdays(start: dt.date, end: dt.date, *, ongoing: bool) -> int:
    """Working days a pause takes: strictly after its first day, up to the day before it ended
    (the day it ended, too, while it is still going on). The same day in and out: none."""
    if end <= start:
        return 0
    days = workdays.workdays_between(start, end)
    if not ongoing and workdays.is_workday(end):
        days -= 1
    return days


Pause = tuple[dt.date, dt.date | None]


@dataclass
class _Facts:
    """What the events say, read once in order."""

    rounds: list[list] = field(default_factory=list)  # [received, ended on, how] per 受理 round
    review_end: dt.date | None = None
    approved: bool | None = None
    withdrawn_on: dt.date | None = None
    refused_on: dt.date | None = None
    pause_start: dt.date | None = None
    pause_stage: str = "review"
    stage_pauses: dict[str, list[Pause]] = field(
        default_factory=lambda: {"review": [], "decide": []}
    )


def _read(c: Clock, events: Iterable[CaseEvent], limits: StepLimits) -> _Facts:
    f = _Facts()
    for event in events:
        action, day = event.action, _day(event)
        if action in (A.SUBMIT, A.RESUBMIT):
            c.received_on = day
            c.correction_due = workdays.add_workdays(day, CORRECTION_NOTICE_DAYS)
            f.rounds.append([day, None, ""])
        elif action in (A.REQUEST_CORRECTION, A.ACCEPT, A.REFUSE):
            if f.rounds and f.rounds[-1][1] is None:
                f.rounds[-1][1:] = [day, action]
            if action == A.REQUEST_CORRECTION:
                c.correction_requested = True
            elif action == A.ACCEPT:
                c.accepted_on = dt.date.fromisoformat(event.payload["accepted_on"])
                c.deemed_accepted = bool(event.payload.get("deemed"))
            else:
                f.refused_on = day
        elif action == A.COMPLETE_STEP:
            p = event.payload or {}
            if f.review_end is None and p.get("next") == limits.final_step:
                f.review_end = day  # the last review step before the decision is done
        elif action == A.SUSPEND:
            f.pause_start, f.pause_stage = day, "review" if f.review_end is None else "decide"
        elif action == A.RESUME and f.pause_start is not None:
            c.pauses.append((f.pause_start, day))
            f.stage_pauses[f.pause_stage].append((f.pause_start, day))
            f.pause_start = None
        elif action == A.EXTEND:
            c.extension_days += int(event.payload.get("days", EXTENSION_DAYS))
        elif action in (A.APPROVE, A.DENY):
            c.decided_on, f.approved = day, action == A.APPROVE
            f.review_end = f.review_end or day  # no review step before the decision: it ends here
        elif action == A.ISSUE:
            c.issued_on = day
        elif action == A.DELIVER:
            c.delivered_on = day
        elif action == A.WITHDRAW:
            f.withdrawn_on = day
    if f.pause_start is not None:
        c.pauses.append((f.pause_start, None))
        f.stage_pauses[f.pause_stage].append((f.pause_start, None))
        c.suspended = True
    c.ended_on = f.withdrawn_on or f.refused_on
    return f


def compute(
    case: Case,
    events: Iterable[CaseEvent],
    *,
    today: dt.date | None = None,
    policy: CardPolicy | None = None,
    limits: StepLimits | None = None,
) -> Clock:
    """The clock of ``case`` from its ``events`` (in order) on ``today``.

    ``limits``: the item's stage limits (``step_limits_for(case)``); the law's alone when not
    given. ``policy``: the blue-card policy; the deployment's (``card_policy()``) when not given.
    """
    today = today or workdays.business_date(timezone.now())
    policy = policy or card_policy()
    limits = limits or STATUTORY_LIMITS
    version = case.item_version
    c = Clock(legal_limit=version.legal_limit_days, promised_limit=version.promised_limit_days)
    f = _read(c, events, limits)
    if (
        c.accepted_on is None
        and c.received_on is not None
        and not c.correction_requested
        and case.status == "submitted"
        and today > c.correction_due
    ):
        # 第三十二条(四): no notice in time — accepted from the day the materials arrived.
        c.accepted_on, c.deemed_accepted = c.received_on, True
    stop = c.ended_on or today  # where an unfinished stage is judged
    c.stages = [_accept_stage(f, limits.accept, stop)]
    if c.accepted_on is None:  # not yet accepted, refused, or withdrawn before acceptance
        later = "skipped" if c.ended_on else "pending"
        c.stages += [Stage(code, limits.limit(code), state=later) for code in STAGES[1:]]
        c.card = "yellow" if c.stages[0].overdue else ""
        return c
    end = c.decided_on or stop
    c.paused_days = sum(
        paused_workdays(start, until or end, ongoing=until is None) for start, until in c.pauses
    )
    c.elapsed = max(0, workdays.workdays_between(c.accepted_on, end) - c.paused_days)
    legal_total = c.legal_limit + c.extension_days
    c.legal_due = workdays.add_workdays(c.accepted_on, legal_total + c.paused_days)
    c.promised_due = workdays.add_workdays(c.accepted_on, c.promised_limit + c.paused_days)
    c.remaining_legal = legal_total - c.elapsed
    c.remaining_promised = c.promised_limit - c.elapsed
    review = _timed_stage(
        "review", limits.review, c.accepted_on, f.review_end, f.stage_pauses["review"], stop
    )
    decide = Stage("decide", limits.decide)
    if f.review_end is not None:
        decide = _timed_stage(
            "decide", limits.decide, f.review_end, c.decided_on, f.stage_pauses["decide"], stop
        )
    for stage in (review, decide):
        if stage.start is not None and (stage.end or stop) > c.legal_due:
            stage.marker = "red"
        if stage.state == "running" and f.withdrawn_on is not None:
            stage.state = "stopped"
        elif stage.state == "running" and c.suspended:
            stage.state = "paused"
    c.stages += [review, decide, *_after_decision(c, f, limits, today)]
    if f.withdrawn_on is not None:
        for stage in c.stages:
            if stage.state == "pending":
                stage.state = "skipped"
    if c.decided_on is not None:
        c.on_time = c.decided_on <= c.promised_due
    c.promised_passed = end > c.promised_due
    if end > c.legal_due:
        c.card = "red"
    elif c.promised_passed or c.overdue_stages:
        c.card = "yellow"
    elif (c.decided_on or c.ended_on) is None and (
        c.remaining_promised <= policy.blue_days
        or c.remaining_promised <= policy.blue_share * c.promised_limit
    ):
        c.card = "blue"
    return c


def _judge(stage: Stage, until: dt.date) -> None:
    """Overdue and late days of a stage with a due date, judged on ``until``."""
    if stage.due is not None and until > stage.due:
        stage.overdue = True
        stage.late_days = max(stage.late_days, workdays.workdays_between(stage.due, until))
        stage.marker = "yellow"


def _accept_stage(f: _Facts, limit: int, stop: dt.date) -> Stage:
    """受理: each round (the first submission, each resubmission after a correction notice) has
    ``limit`` working days; a round that ran late leaves the stage overdue."""
    stage = Stage("accept", limit)
    for received, ended, _how in f.rounds:
        stage.start, stage.due = received, workdays.add_workdays(received, limit)
        stage.end = ended
        _judge(stage, ended or stop)
    if not f.rounds:
        return stage
    received, ended, how = f.rounds[-1]
    stage.elapsed = workdays.workdays_between(received, ended or stop)
    stage.remaining = limit - stage.elapsed
    if how == A.REQUEST_CORRECTION:
        stage.state = "waiting"
    elif how == A.REFUSE:
        stage.state = "stopped"
    elif how == A.ACCEPT:
        stage.state = "done"
    else:
        stage.state = "stopped" if f.withdrawn_on is not None else "running"
    return stage


def _timed_stage(
    code: str,
    limit: int | None,
    start: dt.date,
    end: dt.date | None,
    pauses: list[Pause],
    stop: dt.date,
) -> Stage:
    """审查 or 决定: from ``start`` to ``end`` (or ``stop`` while it runs), less its pauses,
    exactly as the case's own clock counts them (``paused_workdays``)."""
    until = end or stop
    stage = Stage(code, limit, start=start, end=end, state="done" if end else "running")
    stage.paused_days = sum(
        paused_workdays(p_start, p_end or until, ongoing=p_end is None) for p_start, p_end in pauses
    )
    stage.elapsed = max(0, workdays.workdays_between(start, until) - stage.paused_days)
    if limit is not None:
        stage.due = workdays.add_workdays(start, limit + stage.paused_days)
        stage.remaining = limit - stage.elapsed
        _judge(stage, until)
    return stage


def _after_decision(c: Clock, f: _Facts, limits: StepLimits, today: dt.date) -> list[Stage]:
    """制证 (an approval's result issued) and 送达 (served within 10 working days of the
    decision, 第四十四条, and within the 送达 limit of the issue, whichever comes first)."""
    issue, deliver = Stage("issue", limits.issue), Stage("deliver", limits.deliver)
    if c.decided_on is None:
        return [issue, deliver]
    c.delivery_due = workdays.add_workdays(c.decided_on, DELIVERY_DAYS)
    if f.approved:
        issue.start, issue.end = c.decided_on, c.issued_on
        issue.state = "done" if c.issued_on else "running"
        issue.elapsed = workdays.workdays_between(c.decided_on, c.issued_on or today)
        if limits.issue is not None:
            issue.due = workdays.add_workdays(c.decided_on, limits.issue)
            issue.remaining = limits.issue - issue.elapsed
            _judge(issue, c.issued_on or today)
        deliver.start = c.issued_on
    else:
        issue.state = "skipped"  # a denial issues no licence: its decision is served
        deliver.start = c.decided_on
    deliver.due = c.delivery_due
    if limits.deliver is not None and deliver.start is not None:
        deliver.due = min(deliver.due, workdays.add_workdays(deliver.start, limits.deliver))
    deliver.end = c.delivered_on
    if deliver.start is not None:
        deliver.state = "done" if c.delivered_on else "running"
        deliver.elapsed = workdays.workdays_between(deliver.start, c.delivered_on or today)
    deliver.remaining = workdays.workdays_between(c.delivered_on or today, deliver.due)
    _judge(deliver, c.delivered_on or today)
    return [issue, deliver]
