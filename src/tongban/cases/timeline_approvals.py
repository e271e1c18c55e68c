"""How the approval operations (转办, 委派 and take-back, 加签, 退回, 催办, a signature) read on
a case's timeline: the staff's view names the people and steps involved; the applicant's view
says only what changes for them (a step sent back for another review, the step urged), never
who inside the department holds the case.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from tongban.core.models import User

from .models import CaseEvent
from .models.approvals import StepMode, Vote
from .states import CaseAction as A

APPROVAL_ACTIONS = frozenset(
    {
        A.STEP_SIGN,
        A.TASK_TRANSFER,
        A.TASK_DELEGATE,
        A.TASK_TAKE_BACK,
        A.TASK_ADD_SIGNER,
        A.SEND_BACK,
        A.TASK_URGE,
    }
)
# What the applicant is shown of them (the others are the department's internal staffing).
APPLICANT_ACTIONS = frozenset({A.SEND_BACK, A.TASK_URGE})
PEOPLE_KEYS = ("to", "from", "signer", "delegated_by")


def _usernames(events: Iterable[CaseEvent]) -> set[str]:
    names: set[str] = set()
    for e in events:
        if e.action not in APPROVAL_ACTIONS:
            continue
        p = e.payload or {}
        for key in PEOPLE_KEYS:
            value = p.get(key)
            if isinstance(value, str):
                names.add(value)
            elif isinstance(value, list):
                names.update(v for v in value if isinstance(v, str))
    return names


def people_of(events: Iterable[CaseEvent]) -> dict[str, str]:
    """Username → display name of the staff the approval events name (one query, or none)."""
    names = _usernames(events)
    if not names:
        return {}
    return {u.username: str(u) for u in User.objects.filter(username__in=names)}


def staff_details(e: CaseEvent, *, steps: dict[str, str], people: dict[str, str]) -> list:
    """(label, value) rows for the staff timeline of one approval event ([] for others)."""
    if e.action not in APPROVAL_ACTIONS:
        return []
    p = e.payload or {}

    def who(value) -> str:
        if isinstance(value, list):
            return "、".join(people.get(v, v) for v in value)
        return people.get(value, value or "")

    step = p.get("step", "")
    rows = [(_("环节"), steps.get(step, step))] if step else []
    if e.action == A.STEP_SIGN:
        if p.get("mode") in StepMode.values:
            rows.append((_("方式"), StepMode(p["mode"]).label))
        if p.get("vote") in Vote.values:
            rows.append((_("表决"), Vote(p["vote"]).label))
        if p.get("delegated_by"):
            rows.append((_("委派人"), who(p["delegated_by"])))
    elif e.action == A.TASK_TRANSFER:
        rows.append((_("转交给"), who(p.get("to"))))
    elif e.action == A.TASK_DELEGATE:
        rows.append((_("委派给"), who(p.get("to"))))
    elif e.action == A.TASK_TAKE_BACK:
        rows.append((_("收回自"), who(p.get("from"))))
    elif e.action == A.TASK_ADD_SIGNER:
        rows.append((_("加签人"), who(p.get("signer"))))
        rows.append(
            (_("签署顺序"), _("在本人之前") if p.get("where") == "before" else _("在本人之后"))
        )
    elif e.action == A.SEND_BACK:
        target = p.get("to", "")
        rows.append((_("退回至"), steps.get(target, target)))
    elif e.action == A.TASK_URGE:
        rows.append((_("催办对象"), who(p.get("to"))))
    return rows


def applicant_lines(e: CaseEvent, *, steps: dict[str, str]) -> tuple[str, list[str]] | None:
    """(title, lines) of an approval event for the applicant's timeline, or None to leave it
    out. A send-back names the step the case goes back to, not the reviewer's internal note."""
    p = e.payload or {}
    if e.action == A.SEND_BACK:
        target = p.get("to", "")
        return (
            str(_("退回“%(step)s”环节重新审查") % {"step": steps.get(target, target)}),
            [str(_("审查过程中需要重新审查，办理时限照常计算。"))],
        )
    if e.action == A.TASK_URGE:
        step = p.get("step", "")
        return (
            str(_("部门已催办“%(step)s”环节") % {"step": steps.get(step, step)}),
            [],
        )
    return None
