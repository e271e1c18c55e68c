"""联动 / 直通联办 (joint tickets): the centre fixes one lead unit and co-handlers for a matter
whose duties are unclear (国办函〔2025〕66号), each co-handler signs for its part and replies to
the lead within its own limit, the lead sees their replies and writes the one final reply
(``ticket_reply``), and the centre may take a joint ticket nobody resolves to a coordination
meeting (协调会议) and record what was decided.

Co-handlers' limits: a co-handler's assignment is due ``TONGBAN_HOTLINE_CO_HANDLING_DAYS``
working days after dispatch, never later than the lead's own handling limit; a reply after it
is recorded as late (``CoReply.late``).

The lead's final reply waits for every co-handler: ``ticket_reply`` refuses it while a
co-handler of the current round has neither replied nor been released (解除协办,
``ticket_co_release``: by the centre at any time, or by the lead unit once the co-handler's own
limit has passed — with a reason, in the ticket's history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.identifiers import parse_date
from tongban.core.models import Department, User
from tongban.core.notifications import staff_notify
from tongban.core.permissions import Perm, Role, has_perm

from .. import access, dispatch
from ..errors import TicketErrorCode
from ..models import (
    AssignmentRole,
    AssignmentStatus,
    CoordinationMeeting,
    CoReply,
    Ticket,
    TicketAssignment,
)
from ..states import JOINT_STATES
from ..states import TicketAction as A
from ..states import TicketStatus as S
from .common import TicketRefused, current_lead, now, require_text, transition
from .dispatching import assign

ACTIVE = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED, AssignmentStatus.REPLIED)


def co_handling_days() -> int:
    return int(getattr(settings, "TONGBAN_HOTLINE_CO_HANDLING_DAYS", 3))


def co_assignments(ticket: Ticket) -> list[TicketAssignment]:
    """The ticket's co-handlers of the current round (withdrawn ones left out)."""
    return list(
        TicketAssignment.objects.filter(
            ticket=ticket, role=AssignmentRole.CO, round=ticket.dispatch_count, status__in=ACTIVE
        )
        .select_related("department")
        .order_by("id")
    )


def is_joint(ticket: Ticket) -> bool:
    return TicketAssignment.objects.filter(
        ticket=ticket, role=AssignmentRole.CO, round=ticket.dispatch_count, status__in=ACTIVE
    ).exists()


def _units(codes: Iterable[str], *, field: str) -> list[Department]:
    out: list[Department] = []
    for code in codes:
        code = (code or "").strip()
        if code and code not in {d.code for d in out}:
            out.append(dispatch.department_by_code(code, field=field))
    return out


def _co_dues(lead_sign_due: dt.datetime, lead_handle_due: dt.datetime, at: dt.datetime):
    handle = min(workdays.deadline(at, co_handling_days()), lead_handle_due)
    return min(lead_sign_due, handle), handle


def ticket_joint_dispatch(
    ticket_no: str,
    *,
    actor,
    lead_code: str,
    co_codes: Iterable[str],
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """联动派单: the centre fixes one lead unit and one or more co-handlers. On a ticket not yet
    dispatched it dispatches to all of them; on a dispatched ticket it adds co-handlers to the
    current lead (the lead is changed only through a return and its review). Refused, with
    nothing changed: without a lead, without a co-handler, a lead that is also a co-handler, a
    lead other than the current one, a department duty sent to a street as lead."""
    access.require_any(
        actor,
        (Perm.TICKET_DISPATCH, Perm.TICKET_ARBITRATE),
        _("只有热线中心可以指定联动工单的主办和协办单位。"),
    )
    lead_code = (lead_code or "").strip()
    if not lead_code:
        raise ValidationFailed(
            TicketErrorCode.JOINT_LEAD_REQUIRED,
            _(
                "主办单位：联动工单必须指定一个主办单位"
                "（国办函〔2025〕66号：职责不清的，由热线中心确定主办和协办单位）。"
            ),
            field="lead_code",
        )
    lead = dispatch.department_by_code(lead_code, field="lead_code")
    co = _units(co_codes, field="co_codes")
    if not co:
        raise ValidationFailed(
            TicketErrorCode.JOINT_CO_REQUIRED,
            _("协办单位：请至少选择一个协办单位；只有一个承办单位的，请直接派单。"),
            field="co_codes",
        )
    if any(d.pk == lead.pk for d in co):
        raise ValidationFailed(
            TicketErrorCode.JOINT_CO_REQUIRED,
            _("协办单位：主办单位“%(name)s”不能同时是协办单位。"),
            field="co_codes",
            name=lead.name,
        )
    note = (note or "").strip()[:2000]
    before: dict[str, str] = {}

    def check(t: Ticket) -> None:
        before["status"] = t.status
        if t.status != S.RECEIVED:
            current = current_lead(t)
            if current is None or current.department_id != lead.pk:
                raise TicketRefused(
                    TicketErrorCode.JOINT_LEAD_REQUIRED,
                    _(
                        "该工单的主办单位已是“%(name)s”；增加协办单位时主办单位不变，"
                        "如需更换主办单位，请通过退单审核改派。"
                    ),
                    field="lead_code",
                    name=current.department.name if current else "",
                )

    def apply(t: Ticket) -> dict[str, Any]:
        at = now()
        if before["status"] == S.RECEIVED:
            target = dispatch.resolve_target(
                t, department=lead, to_locality=False, field="lead_code"
            )
            payload = assign(t, actor=actor, target=dispatch.Target(target.lead, tuple(co)), at=at)
            rows = TicketAssignment.objects.filter(
                ticket=t, role=AssignmentRole.CO, round=t.dispatch_count
            )
            sign_due, handle_due = _co_dues(t.sign_due, t.handle_due, at)
            rows.update(sign_due=sign_due, handle_due=handle_due)
            payload["co_handle_due"] = handle_due
            return payload
        present = {a.department_id for a in co_assignments(t)}
        added = [d for d in co if d.pk not in present]
        if not added:
            raise TicketRefused(
                TicketErrorCode.JOINT_CO_REQUIRED,
                _("协办单位：所选单位已经是该工单的协办单位。"),
                field="co_codes",
            )
        sign_due, handle_due = _co_dues(t.sign_due or at, t.handle_due or at, at)
        lead_row = current_lead(t)
        TicketAssignment.objects.bulk_create(
            [
                TicketAssignment(
                    ticket=t,
                    department=d,
                    role=AssignmentRole.CO,
                    round=t.dispatch_count,
                    dispatched_at=at,
                    dispatched_by=actor if getattr(actor, "pk", None) else None,
                    sign_due=sign_due,
                    return_due=lead_row.return_due if lead_row else handle_due,
                    handle_due=handle_due,
                )
                for d in added
            ]
        )
        return {
            "department": lead.code,
            "co": [d.code for d in added],
            "co_handle_due": handle_due,
            "added": True,
        }

    ticket = transition(
        ticket_no,
        actor=actor,
        action=A.JOINT_DISPATCH,
        expected_version=expected_version,
        reason=note,
        check=check,
        apply=apply,
    )
    _tell_units(
        ticket,
        [d.pk for d in co],
        _("联动工单 %(no)s（%(title)s）请您单位协办，主办单位：%(lead)s。"),
        lead=lead.name,
    )
    return ticket


def _tell_units(ticket: Ticket, department_ids: list[int], text, **params) -> None:
    body = str(text % {"no": ticket.ticket_no, "title": ticket.title, **params})
    link = f"/console/hotline/tickets/{ticket.ticket_no}/"
    users = (
        User.objects.filter(
            staff__department_id__in=department_ids,
            is_active=True,
            groups__name__in=(Role.HANDLER, Role.DEPARTMENT_HEAD),
        )
        .distinct()
        .order_by("pk")
    )
    for user in users:
        staff_notify(user=user, title=str(_("联动工单")), body=body, link=link)


def _my_co_row(t: Ticket, actor, what) -> TicketAssignment:
    dept = access.department_id_of(actor) if access.is_handler(actor) else None
    row = None
    if dept is not None:
        row = (
            TicketAssignment.objects.filter(
                ticket=t,
                role=AssignmentRole.CO,
                round=t.dispatch_count,
                department_id=dept,
                status__in=ACTIVE,
            )
            .order_by("-id")
            .first()
        )
    if row is None:
        raise PermissionDenied(_("只有该工单的协办单位工作人员可以%(what)s。") % {"what": what})
    return row


def ticket_co_sign(ticket_no: str, *, actor) -> Ticket:
    """协办签收: a co-handler takes on its part (its own sign-for limit)."""
    state: dict[str, TicketAssignment] = {}

    def check(t: Ticket) -> None:
        row = _my_co_row(t, actor, _("协办签收"))
        if row.status != AssignmentStatus.PENDING:
            raise TicketRefused(
                TicketErrorCode.ALREADY_SIGNED, _("您单位已签收该联动工单的协办任务。")
            )
        state["row"] = row

    def apply(t: Ticket) -> dict[str, Any]:
        row, at = state["row"], now()
        TicketAssignment.objects.filter(pk=row.pk).update(
            status=AssignmentStatus.SIGNED, signed_at=at, signed_by=actor
        )
        return {"department": row.department.code, "late": at > row.sign_due}

    return transition(ticket_no, actor=actor, action=A.CO_SIGN, check=check, apply=apply)


def ticket_co_reply(ticket_no: str, *, actor, content: str) -> Ticket:
    """协办答复: what the co-handler found and did, for the lead unit (late when after its
    own limit; the lead unit is told)."""
    content = require_text(
        content, code=TicketErrorCode.CONTENT_REQUIRED, field="content", label=_("协办意见")
    )
    state: dict[str, Any] = {}

    def check(t: Ticket) -> None:
        row = _my_co_row(t, actor, _("填写协办意见"))
        if row.status == AssignmentStatus.REPLIED:
            raise TicketRefused(
                TicketErrorCode.TRANSITION_NOT_ALLOWED,
                _("您单位已提交协办意见，不能重复提交。"),
            )
        state["row"] = row

    def apply(t: Ticket) -> dict[str, Any]:
        row, at = state["row"], now()
        late = at > row.handle_due
        TicketAssignment.objects.filter(pk=row.pk).update(
            status=AssignmentStatus.REPLIED,
            replied_at=at,
            signed_at=row.signed_at or at,
            signed_by=row.signed_by or actor,
        )
        CoReply.objects.create(
            assignment=row, ticket=t, content=content, replied_at=at, replied_by=actor, late=late
        )
        state["lead"] = t.department_id
        return {"department": row.department.code, "late": late, "due": row.handle_due}

    ticket = transition(
        ticket_no, actor=actor, action=A.CO_REPLY, reason=content, check=check, apply=apply
    )
    if state.get("lead"):
        _tell_units(
            ticket,
            [state["lead"]],
            _("联动工单 %(no)s（%(title)s）的协办单位“%(unit)s”已提交协办意见。"),
            unit=state["row"].department.name,
        )
    return ticket


def coordination_meeting_record(
    ticket_no: str,
    *,
    actor,
    held_on,
    participant_codes: Iterable[str],
    decision: str,
    follow_up: str,
    other_participants: str = "",
    follow_up_due=None,
    expected_version: int | None = None,
) -> CoordinationMeeting:
    """协调会议: the centre takes an unresolved joint ticket to a meeting of the units and
    records its date, participants, decision and follow-up (and by when). Only on an open joint
    ticket; the date not in the future nor before the dispatch."""
    access.require_any(
        actor, (Perm.TICKET_ARBITRATE,), _("只有热线中心可以组织联动工单的协调会议。")
    )
    held = parse_date(held_on, field="held_on", label=_("会议日期"))
    decision = require_text(
        decision, code=TicketErrorCode.CONTENT_REQUIRED, field="decision", label=_("会议决定")
    )
    follow_up = require_text(
        follow_up, code=TicketErrorCode.CONTENT_REQUIRED, field="follow_up", label=_("后续事项")
    )
    due = (
        parse_date(follow_up_due, field="follow_up_due", label=_("落实期限"))
        if follow_up_due
        else None
    )
    units = _units(participant_codes, field="participant_codes")
    if not units:
        raise ValidationFailed(
            TicketErrorCode.INVALID_INPUT,
            _("参会单位：请至少选择一个参会单位。"),
            field="participant_codes",
        )
    today = workdays.business_date(now())
    if held > today:
        raise ValidationFailed(
            TicketErrorCode.INVALID_INPUT,
            _("会议日期：协调会议记录的是已召开的会议，日期不能晚于今天（%(today)s）。"),
            field="held_on",
            today=today.isoformat(),
        )
    if due is not None and due < held:
        raise ValidationFailed(
            TicketErrorCode.INVALID_INPUT,
            _("落实期限：不能早于会议日期。"),
            field="follow_up_due",
        )
    state: dict[str, CoordinationMeeting] = {}

    def check(t: Ticket) -> None:
        if not is_joint(t):
            raise TicketRefused(
                TicketErrorCode.NOT_JOINT,
                _("该工单不是联动工单（没有协办单位），请先指定主办和协办单位。"),
            )
        if t.dispatched_at is not None and held < workdays.business_date(t.dispatched_at):
            raise ValidationFailed(
                TicketErrorCode.INVALID_INPUT,
                _("会议日期：不能早于派单日期。"),
                field="held_on",
            )

    def apply(t: Ticket) -> dict[str, Any]:
        meeting = CoordinationMeeting.objects.create(
            ticket=t,
            held_on=held,
            other_participants=(other_participants or "").strip()[:200],
            decision=decision,
            follow_up=follow_up,
            follow_up_due=due,
            recorded_at=now(),
            recorded_by=actor,
        )
        meeting.participants.set(units)
        state["meeting"] = meeting
        return {
            "held_on": held.isoformat(),
            "participants": [d.code for d in units],
            "follow_up_due": due.isoformat() if due else None,
        }

    ticket = transition(
        ticket_no,
        actor=actor,
        action=A.COORDINATE,
        expected_version=expected_version,
        reason=decision,
        check=check,
        apply=apply,
    )
    _tell_units(
        ticket,
        [d.pk for d in units],
        _("联动工单 %(no)s（%(title)s）协调会议已形成决定，请按要求落实：%(follow)s"),
        follow=follow_up,
    )
    return state["meeting"]


def lead_may_reply(ticket: Ticket) -> tuple[bool, list[str]]:
    """Whether every co-handler of the current round has replied or been released (the lead
    then writes the final reply), and the names of those still awaited."""
    waiting = [
        a.department.name for a in co_assignments(ticket) if a.status != AssignmentStatus.REPLIED
    ]
    return not waiting, waiting


def require_co_replies(ticket: Ticket) -> None:
    """The gate of the lead's final reply (``ticket_reply`` calls it on the locked ticket)."""
    ok, waiting = lead_may_reply(ticket)
    if not ok:
        raise TicketRefused(
            TicketErrorCode.JOINT_CO_PENDING,
            _(
                "答复内容：联动工单须待全部协办单位提交协办意见后由主办单位统一答复，"
                "尚未答复的协办单位：%(units)s。协办单位超期未答复的，"
                "可由热线中心或主办单位解除其协办任务。"
            ),
            field="reply",
            units="、".join(waiting),
        )


def ticket_co_release(
    ticket_no: str,
    *,
    actor,
    department_code: str,
    reason: str,
    expected_version: int | None = None,
) -> Ticket:
    """解除协办: a co-handler that has not replied is released from the joint ticket, so the
    lead can write the final reply without it. The centre may release at any time (e.g. a unit
    invited by mistake); the lead unit only once the co-handler's own limit has passed. Refused,
    with nothing changed: without a reason, a unit that is not an open co-handler of the ticket,
    by anybody else."""
    reason = require_text(
        reason, code=TicketErrorCode.REASON_REQUIRED, field="reason", label=_("解除理由")
    )
    code = (department_code or "").strip()[:32]
    if not code:
        raise ValidationFailed(
            TicketErrorCode.INVALID_INPUT,
            _("协办单位：请选择要解除的协办单位。"),
            field="department_code",
        )
    centre = has_perm(actor, Perm.TICKET_DISPATCH) or has_perm(actor, Perm.TICKET_ARBITRATE)
    state: dict[str, Any] = {}

    def check(t: Ticket) -> None:
        row = next((a for a in co_assignments(t) if a.department.code == code), None)
        if not centre:
            lead = current_lead(t)
            access.require_unit(actor, lead.department_id if lead else None, _("解除协办"))
        if row is None or row.status == AssignmentStatus.REPLIED:
            raise TicketRefused(
                TicketErrorCode.NOT_A_CO_HANDLER,
                _("协办单位：该单位不是此工单待答复的协办单位。"),
                field="department_code",
            )
        if not centre and now() <= row.handle_due:
            raise PermissionDenied(
                _(
                    "协办单位“%(name)s”仍在协办期限内（%(due)s 前），主办单位不能解除；"
                    "如确需解除，请联系热线中心。"
                )
                % {
                    "name": row.department.name,
                    "due": row.handle_due.astimezone(workdays.BUSINESS_TZ).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                }
            )
        state["row"] = row

    def apply(t: Ticket) -> dict[str, Any]:
        row = state["row"]
        TicketAssignment.objects.filter(pk=row.pk).update(status=AssignmentStatus.RELEASED)
        state["lead"] = t.department_id
        return {
            "department": row.department.code,
            "overdue": now() > row.handle_due,
            "by": "centre" if centre else "lead",
        }

    ticket = transition(
        ticket_no,
        actor=actor,
        action=A.CO_RELEASE,
        expected_version=expected_version,
        reason=reason,
        check=check,
        apply=apply,
    )
    units = [state["row"].department_id]
    if state.get("lead"):
        units.append(state["lead"])
    _tell_units(
        ticket,
        units,
        _("联动工单 %(no)s（%(title)s）已解除“%(unit)s”的协办任务：%(reason)s"),
        unit=state["row"].department.name,
        reason=reason,
    )
    return ticket


__all__ = [
    "JOINT_STATES",
    "co_assignments",
    "coordination_meeting_record",
    "is_joint",
    "lead_may_reply",
    "require_co_replies",
    "ticket_co_release",
    "ticket_co_reply",
    "ticket_co_sign",
    "ticket_joint_dispatch",
]
