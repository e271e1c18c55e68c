"""Case clocks (行政许可法 第三十二、四十二、四十四、四十五条), derived from the events alone.

The acceptance date, pauses, extensions and decision come from the case's events; the limits
from the item version it was filed under. Nothing here is stored: a card turns red because the
date passed, not because a timer flipped a flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from tongban.core import workdays

from .models import Case, CaseEvent
from .states import CaseAction as A

CORRECTION_NOTICE_DAYS = 5  # 第三十二条: one-time notice within 5 working days of receipt
DELIVERY_DAYS = 10  # 第四十四条: served within 10 working days of the decision
EXTENSION_DAYS = 10  # 第四十二条: once, with the head's approval


@dataclass(frozen=True)
class CardPolicy:
    """Default red/yellow/blue card rules (configurable per deployment)."""

    blue_days: int = 1
    blue_share: float = 0.2


DEFAULT_POLICY = CardPolicy()


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
    decided_on: dt.date | None = None
    delivery_due: dt.date | None = None
    delivered_on: dt.date | None = None
    card: str = ""  # "", "blue", "yellow", "red"
    on_time: bool | None = None

    @property
    def running(self) -> bool:
        return self.accepted_on is not None and self.decided_on is None and not self.suspended


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


def compute(
    case: Case,
    events: Iterable[CaseEvent],
    *,
    today: dt.date | None = None,
    policy: CardPolicy = DEFAULT_POLICY,
) -> Clock:
    today = today or workdays.business_date(timezone.now())
    version = case.item_version
    c = Clock(legal_limit=version.legal_limit_days, promised_limit=version.promised_limit_days)
    pause_start: dt.date | None = None
    for event in events:
        action = event.action
        if action in (A.SUBMIT, A.RESUBMIT):
            c.received_on = _day(event)
            c.correction_due = workdays.add_workdays(c.received_on, CORRECTION_NOTICE_DAYS)
        elif action == A.REQUEST_CORRECTION:
            c.correction_requested = True
        elif action == A.ACCEPT:
            c.accepted_on = dt.date.fromisoformat(event.payload["accepted_on"])
            c.deemed_accepted = bool(event.payload.get("deemed"))
        elif action == A.SUSPEND:
            pause_start = _day(event)
        elif action == A.RESUME and pause_start is not None:
            c.pauses.append((pause_start, _day(event)))
            pause_start = None
        elif action == A.EXTEND:
            c.extension_days += int(event.payload.get("days", EXTENSION_DAYS))
        elif action in (A.APPROVE, A.DENY):
            c.decided_on = _day(event)
        elif action == A.DELIVER:
            c.delivered_on = _day(event)
    if pause_start is not None:
        c.pauses.append((pause_start, None))
        c.suspended = True
    if (
        c.accepted_on is None
        and c.received_on is not None
        and not c.correction_requested
        and case.status == "submitted"
        and today > c.correction_due
    ):
        # 第三十二条(四): no notice in time — accepted from the day the materials arrived.
        c.accepted_on, c.deemed_accepted = c.received_on, True
    if c.accepted_on is None:
        return c
    end = c.decided_on or today
    c.paused_days = sum(
        paused_workdays(start, stop or end, ongoing=stop is None) for start, stop in c.pauses
    )
    c.elapsed = max(0, workdays.workdays_between(c.accepted_on, end) - c.paused_days)
    legal_total = c.legal_limit + c.extension_days
    c.legal_due = workdays.add_workdays(c.accepted_on, legal_total + c.paused_days)
    c.promised_due = workdays.add_workdays(c.accepted_on, c.promised_limit + c.paused_days)
    c.remaining_legal = legal_total - c.elapsed
    c.remaining_promised = c.promised_limit - c.elapsed
    if c.decided_on is not None:
        c.on_time = c.decided_on <= c.promised_due
        c.delivery_due = workdays.add_workdays(c.decided_on, DELIVERY_DAYS)
    if end > c.legal_due:
        c.card = "red"
    elif end > c.promised_due:
        c.card = "yellow"
    elif c.decided_on is None and (
        c.remaining_promised <= policy.blue_days
        or c.remaining_promised <= policy.blue_share * c.promised_limit
    ):
        c.card = "blue"
    return c
