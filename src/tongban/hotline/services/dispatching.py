"""Dispatch (派单), returns (退单) and the dispatcher's judgement of them (派单异议审核)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import PermissionDenied
from tongban.core.permissions import Perm, has_perm

from .. import access, clocks, dispatch, suggestions
from ..errors import TicketErrorCode
from ..models import (
    AssignmentRole,
    AssignmentStatus,
    Decision,
    ReturnReason,
    Subject,
    Ticket,
    TicketAssignment,
    TicketReturn,
)
from ..states import TicketAction as A
from ..states import TicketStatus as S
from .common import (
    StaleTicket,
    TicketRefused,
    append,
    choice,
    current_lead,
    last_handled,
    locked,
    now,
    require_text,
    transition,
    unit_code,
)

RETURNS_PER_UNIT = 2  # 防推诿: a unit may return the same ticket at most twice
ROUNDS_BEFORE_CENTRE = 3  # three dispatches without an owner: the centre designates the unit
REOPENS_BEFORE_ESCALATION = 3
UNITS_WITHOUT_LEAD = 3


def subject_by_code(code: str, *, field: str = "subject_code") -> Subject:
    subject = dispatch.snapshot().subject_by_code.get(code)
    if subject is None:
        subject = Subject.objects.filter(code=code).first()
    if subject is None or not subject.active:
        raise dispatch.DispatchRefused(
            TicketErrorCode.UNKNOWN_SUBJECT,
            _("诉求分类：没有编码为“%(value)s”的在用分类。"),
            field=field,
            value=str(code)[:16],
        )
    return subject


def returned_in_a_row(ticket: Ticket) -> int:
    """How many of the latest lead dispatches ended in an accepted return (no owner)."""
    statuses = (
        TicketAssignment.objects.filter(ticket=ticket, role=AssignmentRole.LEAD)
        .order_by("-id")
        .values_list("status", flat=True)
    )
    count = 0
    for status in statuses:
        if status != AssignmentStatus.RETURNED:
            break
        count += 1
    return count


def needs_centre_decision(ticket: Ticket) -> bool:
    return ticket.dispatch_count >= ROUNDS_BEFORE_CENTRE and (
        returned_in_a_row(ticket) >= ROUNDS_BEFORE_CENTRE
    )


def assign(
    t: Ticket,
    *,
    actor,
    target: dispatch.Target,
    at: dt.datetime,
    by_centre: bool = False,
) -> dict[str, Any]:
    """New assignment rows (the old ones stay) and the ticket's dues; the event's payload."""
    dues = clocks.dues_for(t, at)
    rnd = t.dispatch_count + 1
    by = actor if getattr(actor, "pk", None) else None
    units = [(target.lead, AssignmentRole.LEAD)] + [(u, AssignmentRole.CO) for u in target.co]
    TicketAssignment.objects.bulk_create(
        [
            TicketAssignment(
                ticket=t,
                department=unit,
                role=role,
                round=rnd,
                dispatched_at=at,
                dispatched_by=by,
                by_centre_decision=by_centre and role == AssignmentRole.LEAD,
                sign_due=dues.sign_due,
                return_due=dues.return_due,
                handle_due=dues.handle_due,
            )
            for unit, role in units
        ]
    )
    t.department = target.lead
    t.dispatch_count = rnd
    t.dispatched_at = at
    t.sign_due = dues.sign_due
    t.handle_due = dues.handle_due
    t.extended_from = None
    t.signed_at = None
    t.replied_at = None
    t.closed_at = None
    t.catalogue_id = dispatch.snapshot().catalogue_id
    if by_centre:
        t.assigned_by_centre = True
    return {
        "department": target.lead.code,
        "co": [u.code for u in target.co],
        "round": rnd,
        "sign_due": dues.sign_due,
        "handle_due": dues.handle_due,
        "return_due": dues.return_due,
        "limit": dues.limits.name,
        "by_centre": by_centre,
        "catalogue": dispatch.snapshot().version,
    }


def _target(
    t: Ticket, *, department_code: str | None, to_locality: bool, field: str
) -> dispatch.Target:
    department = (
        dispatch.department_by_code(department_code, field=field) if department_code else None
    )
    if department is None and not to_locality:
        suggestion = dispatch.dispatch_suggest(t)
        if not suggestion.has_target:
            raise dispatch.DispatchRefused(
                TicketErrorCode.NO_DISPATCH_MATCH,
                _("承办单位：派单目录和派单规则都没有找到承办单位，请人工指定。"),
                field=field,
            )
        department, to_locality = suggestion.department, suggestion.to_locality
    return dispatch.resolve_target(t, department=department, to_locality=to_locality, field=field)


def _centre_check(t: Ticket, actor) -> bool:
    """Whether this dispatch is the centre's designation (and the actor may make it)."""
    if not needs_centre_decision(t):
        return False
    if actor is not None and not has_perm(actor, Perm.TICKET_ARBITRATE):
        raise PermissionDenied(_("该工单已三次派单无人承接，须由热线中心审核后指定承办单位。"))
    return True


def ticket_dispatch(
    ticket_no: str,
    *,
    actor,
    department_code: str | None = None,
    to_locality: bool = False,
    subject_code: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """派单: to a department, the street owning the address (属地), or both (the department
    leads). Without a target, the catalogue's suggestion. After three dispatches that all came
    back, the dispatch is the centre's designation, which the unit cannot return."""
    access.require_any(actor, (Perm.TICKET_DISPATCH,), _("只有热线中心的派单人员可以派单。"))
    subject = subject_by_code(subject_code) if subject_code else None

    def apply(t: Ticket) -> dict[str, Any]:
        if subject is not None:
            t.subject = subject
        target = _target(
            t, department_code=department_code, to_locality=to_locality, field="department_code"
        )
        by_centre = _centre_check(t, actor)
        payload = assign(t, actor=actor, target=target, at=now(), by_centre=by_centre)
        if subject is not None:
            payload["subject"] = subject.code
        return payload

    def after(t: Ticket) -> None:
        if t.reopen_count >= REOPENS_BEFORE_ESCALATION:
            escalate_if_needed(t)  # (a dispatch always names a lead)

    return transition(
        ticket_no,
        actor=actor,
        action=A.DISPATCH,
        expected_version=expected_version,
        reason=(note or "").strip()[:2000],
        apply=apply,
        after=after,
    )


# --------------------------------------------------------------------------- undo 秒派


def auto_dispatch_undo_minutes() -> int:
    return int(getattr(settings, "TONGBAN_HOTLINE_AUTO_DISPATCH_UNDO_MINUTES", 10))


def auto_dispatch_undo_due(ticket: Ticket) -> dt.datetime | None:
    """Until when the ticket's automatic dispatch may be undone (None: it was not one)."""
    if not ticket.auto_dispatched or ticket.dispatched_at is None:
        return None
    return ticket.dispatched_at + dt.timedelta(minutes=auto_dispatch_undo_minutes())


def _undo_check(t: Ticket) -> None:
    lead = current_lead(t) if t.auto_dispatched else None
    if lead is None or lead.dispatched_by_id is not None:
        # never auto-dispatched, or since then dispatched again by a person
        raise TicketRefused(
            TicketErrorCode.NOT_AUTO_DISPATCHED,
            _("该工单当前不是系统秒派的，没有可撤销的秒派；如需改派，请走退单流程。"),
        )
    if t.signed_at is not None or t.status == S.HANDLING:
        raise TicketRefused(
            TicketErrorCode.ALREADY_SIGNED,
            _("承办单位已签收该工单，不能再撤销秒派；如派错，请由承办单位申请退单。%(last)s"),
            last=last_handled(t),
        )
    due = auto_dispatch_undo_due(t)
    if now() > due:
        raise TicketRefused(
            TicketErrorCode.UNDO_TOO_LATE,
            _(
                "秒派只能在派单后 %(n)d 分钟内撤销（截至 %(due)s），现已超过；"
                "如派错，请由承办单位申请退单。"
            ),
            n=auto_dispatch_undo_minutes(),
            due=due.astimezone(clocks.workdays.BUSINESS_TZ).strftime("%Y-%m-%d %H:%M"),
        )


def ticket_auto_dispatch_undo(
    *, actor, ticket: Ticket | str, expected_version: int | None = None, note: str = ""
) -> Ticket:
    """撤销秒派: within ``TONGBAN_HOTLINE_AUTO_DISPATCH_UNDO_MINUTES`` of an automatic dispatch
    and before the unit signs for it, the ticket goes back to the dispatcher's queue (已登记,
    to be dispatched by hand): its assignments are withdrawn, its dues cleared, the suggestion
    is marked undone. Refused, with nothing changed, for a ticket that was not auto-dispatched,
    after the window, once signed for, and without the dispatch permission."""
    access.require_any(actor, (Perm.TICKET_DISPATCH,), _("只有热线中心的派单人员可以撤销秒派。"))
    ticket_no = ticket.ticket_no if isinstance(ticket, Ticket) else str(ticket)
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        current = locked(ticket_no)
        if expected_version is not None and current.version != expected_version:
            raise StaleTicket(
                TicketErrorCode.STALE,
                _("该工单已被其他人处理，请刷新后查看。%(last)s"),
                last=last_handled(current),
            )
        _undo_check(current)

        def apply(t: Ticket) -> dict[str, Any]:
            at = now()
            withdrawn = list(
                TicketAssignment.objects.filter(ticket=t, round=t.dispatch_count)
                .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN])
                .values_list("department__code", flat=True)
            )
            TicketAssignment.objects.filter(ticket=t, round=t.dispatch_count).exclude(
                status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN]
            ).update(status=AssignmentStatus.WITHDRAWN)
            t.auto_dispatched = False
            t.department = None
            t.dispatched_at = t.sign_due = t.handle_due = t.extended_from = None
            suggestions.record_undo(t, actor=actor, at=at)
            return {"auto": True, "withdrawn": withdrawn, "round": t.dispatch_count}

        return transition(
            ticket_no,
            actor=actor,
            action=A.UNDO_AUTO_DISPATCH,
            expected_version=expected_version,
            reason=note or str(_("撤销秒派，退回派单人员人工派单")),
            check=_undo_check,
            apply=apply,
        )


# --------------------------------------------------------------------------- returns (退单)


def ticket_return_request(
    ticket_no: str,
    *,
    actor,
    reason: str,
    explanation: str,
    suggested_department_code: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """退单: within the return window, with a reason from the list and an explanation. A unit
    that has returned the ticket twice, or that the centre designated, cannot return it."""
    choice(reason, ReturnReason, field="reason", label=_("退单原因"))
    explanation = require_text(
        explanation, code=TicketErrorCode.REASON_REQUIRED, field="explanation", label=_("退单说明")
    )
    suggested = (
        dispatch.department_by_code(suggested_department_code, field="suggested_department_code")
        if suggested_department_code
        else None
    )

    state: dict[str, Any] = {}

    def check(t: Ticket) -> None:
        lead = current_lead(t)
        access.require_unit(actor, lead.department_id if lead else None, _("退回此工单"))
        if lead.by_centre_decision:
            raise TicketRefused(
                TicketErrorCode.ASSIGNED_BY_CENTRE,
                _("该工单由热线中心指定贵单位承办，不能退单，请按期办理。"),
            )
        if now() > lead.return_due:
            raise TicketRefused(
                TicketErrorCode.RETURN_TOO_LATE,
                _("已超过退单期限（%(due)s，派单后 1 个工作日内），不能退单，请按期办理。"),
                due=lead.return_due.astimezone(clocks.workdays.BUSINESS_TZ).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            )
        returned = TicketReturn.objects.filter(
            assignment__ticket=t, assignment__department_id=lead.department_id
        ).count()
        if returned >= RETURNS_PER_UNIT:
            raise TicketRefused(
                TicketErrorCode.RETURN_LIMIT,
                _(
                    "贵单位已退回该工单 %(n)d 次，不能再次退单（防推诿）。"
                    "如仍有异议，请报热线中心仲裁，由中心指定承办单位。"
                ),
                n=returned,
            )
        state["lead"] = lead

    def apply(t: Ticket) -> dict[str, Any]:
        lead = state["lead"]
        TicketReturn.objects.create(
            assignment=lead,
            reason=reason,
            explanation=explanation,
            suggested_department=suggested,
            requested_at=now(),
            requested_by=actor,
        )
        lead.status = AssignmentStatus.RETURN_REQUESTED
        lead.save(update_fields=["status"])
        return {
            "department": unit_code(lead.department_id),
            "reason": reason,
            "suggested": suggested.code if suggested else None,
        }

    return transition(
        ticket_no,
        actor=actor,
        action=A.REQUEST_RETURN,
        expected_version=expected_version,
        reason=explanation,
        check=check,
        apply=apply,
    )


def ticket_return_decide(
    ticket_no: str,
    *,
    actor,
    accept: bool,
    note: str,
    redispatch_department_code: str | None = None,
    redispatch_to_locality: bool = False,
    expected_version: int | None = None,
) -> Ticket:
    """派单异议审核: accept (the ticket comes back; re-dispatch it here or later, a new
    assignment row, the whole history kept) or reject (back to the unit, a reason given)."""
    access.require_any(
        actor,
        (Perm.TICKET_DISPATCH, Perm.TICKET_ARBITRATE),
        _("只有热线中心的派单人员可以审核退单。"),
    )
    note = (note or "").strip()
    if not accept:
        note = require_text(
            note, code=TicketErrorCode.REASON_REQUIRED, field="note", label=_("驳回理由")
        )

    def pending(t: Ticket) -> TicketReturn:
        row = (
            TicketReturn.objects.filter(assignment__ticket=t, decision=Decision.PENDING)
            .select_related("assignment__department")
            .order_by("-id")
            .first()
        )
        if row is None:
            raise TicketRefused(TicketErrorCode.NOTHING_PENDING, _("该工单没有待审核的退单申请。"))
        return row

    def decide(t: Ticket) -> dict[str, Any]:
        row = pending(t)
        row.decision = Decision.APPROVED if accept else Decision.REFUSED
        row.decided_at = now()
        row.decided_by = actor
        row.decision_note = note
        row.save(update_fields=["decision", "decided_at", "decided_by", "decision_note"])
        assignment = row.assignment
        if accept:
            assignment.status = AssignmentStatus.RETURNED
            assignment.save(update_fields=["status"])
            TicketAssignment.objects.filter(ticket=t, round=assignment.round).exclude(
                pk=assignment.pk
            ).exclude(status=AssignmentStatus.RETURNED).update(status=AssignmentStatus.WITHDRAWN)
            t.department = None
            t.dispatched_at = t.sign_due = t.handle_due = t.extended_from = t.signed_at = None
        else:
            assignment.status = AssignmentStatus.PENDING
            assignment.save(update_fields=["status"])
        return {"department": assignment.department.code, "reason": row.reason}

    with transaction.atomic():
        ticket = transition(
            ticket_no,
            actor=actor,
            action=A.ACCEPT_RETURN if accept else A.REJECT_RETURN,
            expected_version=expected_version,
            reason=note,
            apply=decide,
        )
        if accept and (redispatch_department_code or redispatch_to_locality):
            ticket = ticket_dispatch(
                ticket_no,
                actor=actor,
                department_code=redispatch_department_code,
                to_locality=redispatch_to_locality,
                note=note,
            )
    return ticket


# --------------------------------------------------------------------------- escalation


def escalate_if_needed(ticket: Ticket, *, actor=None) -> Ticket:
    """提级督办 by rule: reopened three times, or three or more units and no lead."""
    if ticket.escalated or ticket.status not in (S.DISPATCHED, S.HANDLING, S.RETURN_REQUESTED):
        return ticket
    why = ""
    if ticket.reopen_count >= REOPENS_BEFORE_ESCALATION:
        why = str(_("重办 %(n)d 次，按规则提级督办") % {"n": ticket.reopen_count})
    else:
        active = TicketAssignment.objects.filter(ticket=ticket).exclude(
            status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN]
        )
        units = set(active.values_list("department_id", "role"))
        if len({d for d, _r in units}) >= UNITS_WITHOUT_LEAD and not any(
            r == AssignmentRole.LEAD for _d, r in units
        ):
            why = str(_("%(n)d 个单位承办且无主办单位，按规则提级督办") % {"n": len(units)})
    if not why:
        return ticket
    ticket.escalated = True
    ticket.version += 1
    ticket.save(update_fields=["escalated", "version"])
    append(
        ticket,
        actor=actor,
        action=A.ESCALATE,
        from_state=ticket.status,
        to_state=ticket.status,
        reason=why,
        payload={"rule": True},
    )
    return ticket
