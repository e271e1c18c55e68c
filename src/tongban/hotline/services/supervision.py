"""Supervision records in a ticket's history (电子监察: 催办, 督办, 督办答复, 监察亮牌).

The supervision app decides and stores urges, orders and cards; this writes the matching event
on the ticket's own hash-chained stream. Status and version stay as they are."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import Ticket, TicketEvent
from ..states import TicketAction as A
from ..states import target_of
from .common import append, locked

SUPERVISION_ACTIONS = frozenset({A.URGE, A.SUPERVISION_ORDER, A.ORDER_RESPONSE, A.CARD})


def ticket_supervision_record(
    *, actor, ticket: Ticket, action: str, reason: str, payload: dict[str, Any] | None = None
) -> TicketEvent:
    """Append one supervision event to the ticket's history under its row lock (``actor`` None
    for the system). Urging follows the state machine (only a dispatched or handled ticket);
    orders, responses and cards may be recorded in any state. The caller checked permission."""
    if action not in SUPERVISION_ACTIONS:
        raise ValueError(f"not a supervision action: {action}")
    with transaction.atomic():
        current = locked(ticket.ticket_no)
        target_of(current.status, action)
        return append(
            current,
            actor=actor,
            action=action,
            from_state=current.status,
            to_state=current.status,
            reason=(reason or "")[:2000],
            payload=payload or {},
        )
