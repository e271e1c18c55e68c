"""The one way a ticket changes: lock the row, compare the version, check the transition, update,
append one hash-chained event — all in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.errors import DomainError, NotFound, ValidationFailed
from tongban.core.events import event_append
from tongban.core.models import Department

from .. import dispatch
from ..errors import TicketErrorCode
from ..models import (
    AssignmentRole,
    AssignmentStatus,
    Ticket,
    TicketAssignment,
    TicketEvent,
    TicketNumberCounter,
)
from ..states import TicketAction, TicketTransitionRefused, target_of

SYSTEM_LABEL = _("系统")


class StaleTicket(DomainError):
    status_code = 409


class TicketRefused(DomainError):
    """A rule of the hotline refused the action (nothing changed)."""

    status_code = 409


def stream_of(ticket_no: str) -> str:
    return f"ticket:{ticket_no}"


def last_handled(ticket: Ticket) -> str:
    """'（最近一次由 张三 于 … “签收”）': who acted last, for the one who lost a race."""
    last = TicketEvent.objects.filter(ticket=ticket).order_by("-seq").first()
    if last is None:
        return ""
    action = TicketAction(last.action).label if last.action in TicketAction.values else last.action
    return str(
        _("（最近一次由 %(who)s 于 %(when)s “%(action)s”）")
        % {
            "who": last.actor_label or SYSTEM_LABEL,
            "when": last.occurred_at.astimezone(workdays.BUSINESS_TZ).strftime("%Y-%m-%d %H:%M"),
            "action": action,
        }
    )


def locked(ticket_no: str) -> Ticket:
    """The ticket row, locked (only its own row: FOR NO KEY UPDATE OF the ticket)."""
    try:
        return Ticket.objects.select_for_update(of=("self",), no_key=True).get(ticket_no=ticket_no)
    except Ticket.DoesNotExist:
        raise NotFound(_("没有找到工单 %(no)s。") % {"no": str(ticket_no)[:40]}) from None


def append(
    ticket: Ticket,
    *,
    actor,
    action: str,
    from_state: str,
    to_state: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    actor_label: str = "",
    new_stream: bool = False,
) -> TicketEvent:
    """One event on the ticket's stream; ``new_stream`` for the first, in the transaction
    that created the ticket (the head is written with it, never read)."""
    return event_append(
        model=TicketEvent,
        stream=stream_of(ticket.ticket_no),
        action=action,
        actor=actor,
        actor_label=actor_label,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload,
        new_stream=new_stream,
        ticket=ticket,
    )


def _fields(ticket: Ticket) -> dict[str, Any]:
    return {f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields}


def _step(
    current: Ticket,
    *,
    actor,
    action: str,
    reason: str,
    apply: Callable[[Ticket], dict[str, Any] | None] | None,
    actor_label: str,
) -> Ticket:
    """Move the (locked or just inserted) ticket along ``action``: update only what changed,
    append the one event."""
    before = _fields(current)
    from_state = current.status
    target = target_of(from_state, action)
    current.status = target
    current.version += 1
    payload = apply(current) if apply is not None else None
    changed = [name for name, value in _fields(current).items() if before[name] != value]
    current.save(update_fields=[Ticket._meta.get_field(n).name for n in changed])
    append(
        current,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=target,
        reason=reason,
        payload=payload,
        actor_label=actor_label,
    )
    return current


def transition(
    ticket_no: str,
    *,
    actor,
    action: str,
    expected_version: int | None = None,
    reason: str = "",
    check: Callable[[Ticket], None] | None = None,
    apply: Callable[[Ticket], dict[str, Any] | None] | None = None,
    actor_label: str = "",
    after: Callable[[Ticket], Any] | None = None,
) -> Ticket:
    """Apply ``action`` under the row lock; of two racing callers exactly one wins, and the
    other is told who acted. ``apply`` changes the ticket (and other rows) and answers the
    event's payload; ``after`` runs in the same transaction once the event is written (a rule
    that follows from the new state, such as escalation)."""
    with transaction.atomic():
        current = locked(ticket_no)
        if expected_version is not None and current.version != expected_version:
            raise StaleTicket(
                TicketErrorCode.STALE,
                _("该工单已被其他人处理，请刷新后查看。%(last)s"),
                last=last_handled(current),
            )
        try:
            target_of(current.status, action)
        except TicketTransitionRefused as exc:
            exc.params["status"] = str(exc.params["status"]) + last_handled(current)
            raise
        if check is not None:
            check(current)
        _step(
            current, actor=actor, action=action, reason=reason, apply=apply, actor_label=actor_label
        )
        if after is not None:
            after(current)
    return current


def advance_new(
    ticket: Ticket,
    *,
    actor,
    action: str,
    reason: str = "",
    apply: Callable[[Ticket], dict[str, Any] | None] | None = None,
    actor_label: str = "",
) -> Ticket:
    """``transition`` for a ticket inserted in the current transaction (no one else can see
    it yet, so there is nothing to lock or compare)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("advance_new runs inside the transaction that created the ticket")
    return _step(
        ticket, actor=actor, action=action, reason=reason, apply=apply, actor_label=actor_label
    )


def require_text(value: str, *, code, field: str, label, max_length: int = 4000) -> str:
    """The trimmed text, or a clear error naming the field."""
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(code, _("%(label)s：请填写。"), field=field, label=label)
    if len(text) > max_length:
        raise ValidationFailed(
            code,
            _("%(label)s：不能超过 %(n)d 个字。"),
            field=field,
            label=label,
            n=max_length,
        )
    return text


def invalid(message, field: str, **params) -> ValidationFailed:
    return ValidationFailed(TicketErrorCode.INVALID_INPUT, message, field=field, **params)


def choice(value: str, choices, *, field: str, label) -> str:
    if value not in choices.values:
        raise invalid(
            _("%(label)s：“%(value)s”不是可选值，可选：%(values)s。"),
            field,
            label=label,
            value=str(value)[:32],
            values="、".join(f"{v}（{choices(v).label}）" for v in choices.values if v),
        )
    return value


def now() -> dt.datetime:
    return timezone.now()


_BUMP = "UPDATE {table} SET last = last + 1 WHERE day = %s RETURNING last"


def next_ticket_no(day: dt.date) -> str:
    """``12345-YYYYMMDD-NNNNNN``: the day's counter, raised under its row lock in one statement
    (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35); the day's first ticket creates the row."""
    sql = _BUMP.format(table=connection.ops.quote_name(TicketNumberCounter._meta.db_table))
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(sql, [day])
            row = cursor.fetchone()
        if row is not None:
            return f"12345-{day:%Y%m%d}-{row[0]:06d}"
        try:
            with transaction.atomic():
                TicketNumberCounter.objects.create(day=day, last=1)
            return f"12345-{day:%Y%m%d}-{1:06d}"
        except IntegrityError:  # another transaction created the day's row first
            continue
    raise IntegrityError("ticket number counter")


def current_lead(ticket: Ticket) -> TicketAssignment | None:
    """The ticket's current lead assignment (not returned or withdrawn)."""
    return (
        TicketAssignment.objects.filter(ticket=ticket, role=AssignmentRole.LEAD)
        .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN])
        .order_by("-id")
        .first()
    )


def unit_code(department_id: int) -> str:
    """A unit's code, from the dispatch snapshot in memory when it is there."""
    unit = dispatch.snapshot().departments.get(department_id)
    if unit is None:
        unit = Department.objects.only("code").get(pk=department_id)
    return unit.code
