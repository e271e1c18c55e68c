"""Where a case stands for its applicant, wherever they look (the portal, the kiosk): the step
indicator 申报 → 受理 → 审查 → 决定 → 送达 with the date the current step is due by, and the
clock read safely (a calendar year it lacks is a message, not an error page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import CalendarNotCovered

from . import clocks
from .models import Case, CaseEvent
from .states import STAGE_OF, STAGES
from .states import CaseAction as A
from .states import CaseStatus as S

STAGE_LABELS = {
    "apply": _("申报"),
    "accept": _("受理"),
    "review": _("审查"),
    "decide": _("决定"),
    "deliver": _("送达"),
}


@dataclass
class Step:
    key: str
    label: str
    state: str  # "done", "current", "ended" (stopped here), "todo", "skipped" (after a stop)
    note: str = ""


# The current step's note with the date the applicant may hold the department to. Only the
# law's and the promised dates: the stage limits a department sets itself (环节时限) are its
# own targets, shown to staff, not promises to the applicant.
DUE_NOTES = {
    S.SUBMITTED: _("等待受理：%(due)s 前受理，或一次性告知需要补正的全部材料"),
    S.IN_REVIEW: _("审查中，承诺 %(due)s 前办结"),
    S.APPROVED: _("准予许可，结果将在 %(due)s 前出具并送达"),
    S.DENIED: _("不予许可，决定书将在 %(due)s 前送达"),
    S.ISSUED: _("结果已出具，将在 %(due)s 前送达"),
}


def _due_of(status: str, clock: clocks.Clock | None) -> dt.date | None:
    if clock is None:
        return None
    if status == S.SUBMITTED and clock.accepted_on is None:
        return clock.correction_due
    if status == S.IN_REVIEW and clock.decided_on is None:
        return clock.promised_due
    if status in (S.APPROVED, S.DENIED, S.ISSUED) and clock.delivered_on is None:
        return clock.delivery_due
    return None


def steps(case: Case, events: list[CaseEvent], *, clock: clocks.Clock | None = None) -> list[Step]:
    """申报 → 受理 → 审查 → 决定 → 送达, with where the case stands (or stopped), and — given
    the clock — the date the current step is due by."""
    status = case.status
    stage = STAGE_OF[status]
    if status == S.WITHDRAWN:
        before = next((e.from_state for e in reversed(events) if e.action == A.WITHDRAW), "")
        stage = STAGE_OF.get(before, "apply")
    index = STAGES.index(stage)
    finished = status in (S.DELIVERED, S.ARCHIVED)
    stopped = status in (S.NOT_ACCEPTED, S.WITHDRAWN)
    notes = {
        S.DRAFT: _("填写中，尚未提交"),
        S.SUBMITTED: _("等待受理"),
        S.CORRECTION_REQUESTED: _("等待您补正"),
        S.NOT_ACCEPTED: _("不予受理"),
        S.IN_REVIEW: _("审查中"),
        S.SUSPENDED: _("特别程序中"),
        S.APPROVED: _("准予许可，等待出具结果"),
        S.DENIED: _("不予许可"),
        S.ISSUED: _("结果已出具，等待送达"),
        S.WITHDRAWN: _("已撤回"),
    }
    due = _due_of(status, clock)
    if due is not None and status in DUE_NOTES:
        notes[status] = DUE_NOTES[status] % {"due": due.isoformat()}
    out = []
    for i, key in enumerate(STAGES):
        if finished or i < index:
            state, note = "done", ""
        elif i == index:
            state, note = ("ended" if stopped else "current"), notes.get(status, "")
        else:
            state, note = ("skipped" if stopped else "todo"), ""
        out.append(Step(key, STAGE_LABELS[key], state, note))
    return out


def safe_clock(case: Case, events: list[CaseEvent], *, today: dt.date | None = None):
    """The clock (with the item's stage limits), or (None, message) when the working-day
    calendar lacks a year."""
    try:
        return clocks.compute(case, events, today=today, limits=clocks.step_limits_for(case)), ""
    except CalendarNotCovered as exc:
        return None, exc.message
