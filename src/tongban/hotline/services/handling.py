"""The handler's actions (签收, 延期, 办理答复), the centre's callback (回访) and reopening (重办),
urging (催办) and escalation (提级督办)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.identifiers import parse_date
from tongban.core.models import User
from tongban.core.notifications import staff_notify
from tongban.core.permissions import Perm, Role

from .. import access, clocks, dispatch, hooks, suggestions
from ..errors import TicketErrorCode
from ..models import (
    AssignmentRole,
    AssignmentStatus,
    Callback,
    CallbackStatus,
    Decision,
    Satisfaction,
    Ticket,
    TicketAssignment,
    TicketExtension,
)
from ..states import TicketAction as A
from ..states import TicketStatus as S
from .common import (
    TicketRefused,
    choice,
    current_lead,
    invalid,
    locked,
    now,
    require_text,
    transition,
    unit_code,
)
from .dispatching import assign, escalate_if_needed
from .joint import require_co_replies
from .merging import share_reply

CALLBACK_ATTEMPTS = 3  # an unreachable caller is tried this many times before closing


def _fmt(moment: dt.datetime) -> str:
    return moment.astimezone(workdays.BUSINESS_TZ).strftime("%Y-%m-%d %H:%M")


def _lead_of(t: Ticket, actor, what) -> TicketAssignment:
    lead = current_lead(t)
    access.require_unit(actor, lead.department_id if lead else None, what)
    return lead


def _lead_rows(t: Ticket):
    """The ticket's current lead assignment, as a queryset to update in one statement (the
    ticket's ``department`` is always its current lead unit)."""
    return TicketAssignment.objects.filter(
        ticket=t, role=AssignmentRole.LEAD, department_id=t.department_id
    ).exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN])


def ticket_sign(ticket_no: str, *, actor, expected_version: int | None = None) -> Ticket:
    """签收: by a handler of the unit the ticket is dispatched to. Of two handlers signing at
    once exactly one wins; the other is told who signed."""

    def check(t: Ticket) -> None:
        access.require_unit(actor, t.department_id, _("签收此工单"))

    def apply(t: Ticket) -> dict[str, Any]:
        at = now()
        _lead_rows(t).update(
            status=AssignmentStatus.SIGNED,
            signed_at=Coalesce("signed_at", Value(at, output_field=DateTimeField())),
            signed_by=actor,
        )
        t.signed_at = t.signed_at or at
        late = t.sign_due is not None and at > t.sign_due
        return {"department": unit_code(t.department_id), "late": late}

    return transition(
        ticket_no,
        actor=actor,
        action=A.SIGN,
        expected_version=expected_version,
        check=check,
        apply=apply,
    )


# --------------------------------------------------------------------------- extensions (延期)


def _due_from(value, *, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise invalid(_("延期至：请给出带时区的时间或日期。"), field)
        return value
    day = parse_date(value, field=field, label=_("延期至"))
    return workdays.end_of_day(day)


def ticket_extension_request(
    ticket_no: str, *, actor, reason: str, new_due, expected_version: int | None = None
) -> Ticket:
    """申请延期: before the limit runs out, at most ``max_extension_days`` working days beyond
    the current due, one request pending at a time; the hotline centre decides."""
    reason = require_text(
        reason, code=TicketErrorCode.REASON_REQUIRED, field="reason", label=_("延期理由")
    )
    requested = _due_from(new_due, field="new_due")
    state: dict[str, Any] = {}

    def check(t: Ticket) -> None:
        lead = _lead_of(t, actor, _("为此工单申请延期"))
        state["lead"] = lead
        if now() > t.handle_due:
            raise TicketRefused(
                TicketErrorCode.EXTENSION_TOO_LATE,
                _("办理期限（%(due)s）已过，不能再申请延期；延期须在期限届满前申请。"),
                due=_fmt(t.handle_due),
            )
        if TicketExtension.objects.filter(assignment__ticket=t, decision=Decision.PENDING).exists():
            raise TicketRefused(
                TicketErrorCode.EXTENSION_PENDING,
                _("已有一项延期申请正在审核，请等待热线中心审核结果。"),
            )
        if requested <= t.handle_due:
            raise invalid(
                _("延期至：应晚于当前办理期限 %(due)s。"), "new_due", due=_fmt(t.handle_due)
            )
        latest = clocks.max_extension_due(t)
        if requested > latest:
            limits = clocks.limits_for(
                ticket_type=t.ticket_type,
                subject_id=t.subject_id,
                urgency=t.urgency,
                hazard=t.hazard,
            )
            raise TicketRefused(
                TicketErrorCode.EXTENSION_TOO_LONG,
                _("延期至：最多可延长 %(n)d 个工作日，即不晚于 %(latest)s。"),
                n=limits.max_extension_days,
                latest=_fmt(latest),
            )

    def apply(t: Ticket) -> dict[str, Any]:
        TicketExtension.objects.create(
            assignment=state["lead"],
            reason=reason,
            requested_due=requested,
            requested_at=now(),
            requested_by=actor,
        )
        return {"requested_due": requested, "current_due": t.handle_due}

    return transition(
        ticket_no,
        actor=actor,
        action=A.REQUEST_EXTENSION,
        expected_version=expected_version,
        reason=reason,
        check=check,
        apply=apply,
    )


def ticket_extension_decide(
    ticket_no: str, *, actor, approve: bool, note: str, expected_version: int | None = None
) -> Ticket:
    """The hotline centre approves (the handling limit moves) or refuses (with a reason)."""
    access.require_any(actor, (Perm.TICKET_ARBITRATE,), _("只有热线中心可以审核延期申请。"))
    note = (note or "").strip()
    if not approve:
        note = require_text(
            note, code=TicketErrorCode.REASON_REQUIRED, field="note", label=_("不同意的理由")
        )

    def apply(t: Ticket) -> dict[str, Any]:
        row = (
            TicketExtension.objects.filter(assignment__ticket=t, decision=Decision.PENDING)
            .order_by("-id")
            .first()
        )
        if row is None:
            raise TicketRefused(TicketErrorCode.NOTHING_PENDING, _("该工单没有待审核的延期申请。"))
        row.decision = Decision.APPROVED if approve else Decision.REFUSED
        row.decided_at = now()
        row.decided_by = actor
        row.decision_note = note
        row.save(update_fields=["decision", "decided_at", "decided_by", "decision_note"])
        payload = {"requested_due": row.requested_due, "previous_due": t.handle_due}
        if approve:
            if t.extended_from is None:
                t.extended_from = t.handle_due
            t.handle_due = row.requested_due
            TicketAssignment.objects.filter(pk=row.assignment_id).update(
                handle_due=row.requested_due
            )
        return payload

    return transition(
        ticket_no,
        actor=actor,
        action=A.APPROVE_EXTENSION if approve else A.REFUSE_EXTENSION,
        expected_version=expected_version,
        reason=note,
        apply=apply,
    )


# --------------------------------------------------------------------------- reply and callback


def ticket_reply(
    ticket_no: str, *, actor, reply: str, solved: bool, expected_version: int | None = None
) -> Ticket:
    """办理答复: the result and whether the matter was solved; a callback task for the centre,
    due the next working day. On a joint ticket, only once every co-handler has replied or been
    released."""
    reply = require_text(
        reply, code=TicketErrorCode.CONTENT_REQUIRED, field="reply", label=_("答复内容")
    )
    if solved is None:
        raise invalid(_("是否解决：请选择问题是否已解决。"), "solved")

    def check(t: Ticket) -> None:
        access.require_unit(actor, t.department_id, _("答复此工单"))
        if t.status == S.HANDLING:
            require_co_replies(t)  # [G] a joint ticket's lead replies after its co-handlers

    def apply(t: Ticket) -> dict[str, Any]:
        at = now()
        _lead_rows(t).update(status=AssignmentStatus.REPLIED, replied_at=at)
        t.reply = reply
        t.solved = bool(solved)
        t.replied_at = at
        due = workdays.deadline(at, 1)
        Callback.objects.create(ticket=t, due=due)
        payload = {
            "department": unit_code(t.department_id),
            "solved": bool(solved),
            "on_time": t.handle_due is None or at <= t.handle_due,
            "callback_due": due,
        }
        merged = share_reply(t, at=at)  # [G] every merged caller gets the reply (并单)
        if merged:
            payload["merged"] = merged
        return payload

    return transition(
        ticket_no,
        actor=actor,
        action=A.REPLY,
        expected_version=expected_version,
        reason=reply,
        check=check,
        apply=apply,
    )


def ticket_callback(
    ticket_no: str,
    *,
    actor,
    reached: bool,
    satisfaction: str = "",
    solved: bool | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """回访: the caller's satisfaction (满意/基本满意/不满意) and whether solved; closes the
    ticket. A caller not reached is tried again; after three attempts the ticket closes as
    unreachable."""
    access.require_any(actor, (Perm.TICKET_CALLBACK,), _("只有热线中心的回访人员可以回访。"))
    note = (note or "").strip()[:2000]
    if reached:
        choice(satisfaction, Satisfaction, field="satisfaction", label=_("满意度"))
        if solved is None:
            raise invalid(_("是否解决：请记录来电人认为问题是否已解决。"), "solved")
    with transaction.atomic():
        if not reached:
            ticket = _callback_attempt(ticket_no, actor, note, expected_version)
            if ticket is not None:
                return ticket

        def apply(t: Ticket) -> dict[str, Any]:
            row = (
                Callback.objects.filter(ticket=t, status=CallbackStatus.PENDING)
                .order_by("-id")
                .first()
            )
            if row is None:
                row = Callback(ticket=t, due=now())
            at = now()
            row.attempts += 1
            row.status = CallbackStatus.DONE if reached else CallbackStatus.UNREACHABLE
            row.satisfaction = satisfaction if reached else ""
            row.solved = bool(solved) if reached else None
            row.note = note
            row.done_at = at
            row.done_by = actor
            row.save()
            t.closed_at = at
            t.satisfaction = satisfaction if reached else ""
            suggestions.record_conclusion(t, at=at)  # the final subject, for the accuracy
            if reached:  # the ratings app records the caller's words as the rating
                hooks.callback_recorded(
                    ticket_no=t.ticket_no, actor=actor, satisfaction=satisfaction, note=note
                )
            return {
                "reached": bool(reached),
                "satisfaction": satisfaction if reached else "",
                "solved": bool(solved) if reached else None,
                "attempts": row.attempts,
            }

        return transition(
            ticket_no,
            actor=actor,
            action=A.CALLBACK,
            expected_version=expected_version,
            reason=note,
            apply=apply,
        )


def _callback_attempt(ticket_no, actor, note, expected_version) -> Ticket | None:
    """An unanswered call-back: counted on the task (a NOTE event, the state unchanged), or
    ``None`` when this was the last attempt and the ticket should close."""
    t = locked(ticket_no)
    if t.status != S.REPLIED:
        return None  # the transition refuses it with the usual message
    row = Callback.objects.filter(ticket=t, status=CallbackStatus.PENDING).order_by("-id").first()
    attempts = (row.attempts if row else 0) + 1
    if attempts >= CALLBACK_ATTEMPTS:
        return None

    def apply(ticket: Ticket) -> dict[str, Any]:
        if row is not None:
            row.attempts = attempts
            row.note = note
            row.save(update_fields=["attempts", "note"])
        return {"callback_attempt": attempts, "reached": False}

    return transition(
        ticket_no,
        actor=actor,
        action=A.NOTE,
        expected_version=expected_version,
        reason=note or str(_("回访未接通（第 %(n)d 次）") % {"n": attempts}),
        apply=apply,
    )


def ticket_reopen(
    ticket_no: str,
    *,
    actor,
    reason: str,
    department_code: str | None = None,
    to_locality: bool = False,
    expected_version: int | None = None,
) -> Ticket:
    """重办: after a dissatisfied or unsolved callback (or a reply the centre finds wanting),
    to the same unit or another. The third reopening escalates the ticket (提级督办)."""
    access.require_any(actor, (Perm.TICKET_CALLBACK,), _("只有热线中心可以发回重办。"))
    reason = require_text(
        reason, code=TicketErrorCode.REASON_REQUIRED, field="reason", label=_("重办理由")
    )
    department = dispatch.department_by_code(department_code) if department_code else None

    def check(t: Ticket) -> None:
        if t.dispatch_count == 0:
            raise TicketRefused(
                TicketErrorCode.REOPEN_NOT_ALLOWED, _("受理时已办结的工单没有承办单位，不能重办。")
            )
        if t.status == S.CLOSED:
            unsolved = t.callbacks.filter(status=CallbackStatus.DONE, solved=False).exists()
            if t.satisfaction != Satisfaction.DISSATISFIED and not unsolved:
                raise TicketRefused(
                    TicketErrorCode.REOPEN_NOT_ALLOWED,
                    _("只有回访不满意或问题未解决的工单可以发回重办。"),
                )

    def apply(t: Ticket) -> dict[str, Any]:
        unit = department
        locality = to_locality
        if unit is None and not locality:
            unit = t.department
        target = dispatch.resolve_target(
            t, department=unit, to_locality=locality, field="department_code"
        )
        t.callbacks.filter(status=CallbackStatus.PENDING).update(
            status=CallbackStatus.DONE, note=str(_("未回访，已发回重办"))
        )
        TicketAssignment.objects.filter(ticket=t).exclude(
            status__in=[
                AssignmentStatus.RETURNED,
                AssignmentStatus.WITHDRAWN,
                AssignmentStatus.REPLIED,
            ]
        ).update(status=AssignmentStatus.WITHDRAWN)
        t.reopen_count += 1
        t.satisfaction = ""
        t.reply = ""
        t.solved = None
        payload = assign(t, actor=actor, target=target, at=now())
        payload["reopen_count"] = t.reopen_count
        return payload

    with transaction.atomic():
        ticket = transition(
            ticket_no,
            actor=actor,
            action=A.REOPEN,
            expected_version=expected_version,
            reason=reason,
            check=check,
            apply=apply,
        )
        ticket = escalate_if_needed(ticket, actor=None)
    return ticket


# --------------------------------------------------------------------------- urge, escalate


def _unit_staff(department_id: int) -> list[User]:
    """The unit's active handlers and heads: who is told when its ticket is urged."""
    return list(
        User.objects.filter(
            staff__department_id=department_id,
            is_active=True,
            groups__name__in=(Role.HANDLER, Role.DEPARTMENT_HEAD),
        )
        .distinct()
        .order_by("pk")
    )


def ticket_urge(ticket_no: str, *, actor, note: str) -> Ticket:
    """催办: the unit is reminded (an event on the ticket, a notice to the unit's staff)."""
    access.require_any(
        actor,
        (Perm.TICKET_DISPATCH, Perm.TICKET_CALLBACK, Perm.SUPERVISION_URGE),
        _("只有热线中心或督办人员可以催办。"),
    )
    note = (note or "").strip()[:2000]

    def apply(t: Ticket) -> dict[str, Any]:
        unit_id = t.department_id
        text = str(
            _("工单 %(no)s（%(title)s）被催办，请抓紧办理。")
            % {"no": t.ticket_no, "title": t.title}
        )
        if note:
            text += note
        link = f"/console/hotline/tickets/{t.ticket_no}/"
        for user in _unit_staff(unit_id) if unit_id else []:
            staff_notify(user=user, title=str(_("工单催办")), body=text, link=link)
        return {"department": t.department.code if t.department_id else None}

    return transition(ticket_no, actor=actor, action=A.URGE, reason=note, apply=apply)


def ticket_escalate(ticket_no: str, *, actor, reason: str) -> Ticket:
    """提级督办 by the centre or a supervisor."""
    access.require_any(
        actor,
        (Perm.TICKET_ARBITRATE, Perm.SUPERVISION_URGE),
        _("只有热线中心或督办人员可以提级督办。"),
    )
    reason = require_text(
        reason, code=TicketErrorCode.REASON_REQUIRED, field="reason", label=_("督办理由")
    )

    def check(t: Ticket) -> None:
        if t.escalated:
            raise TicketRefused(TicketErrorCode.ALREADY_ESCALATED, _("该工单已提级督办。"))

    def apply(t: Ticket) -> dict[str, Any]:
        t.escalated = True
        return {"rule": False}

    return transition(
        ticket_no, actor=actor, action=A.ESCALATE, reason=reason, check=check, apply=apply
    )
