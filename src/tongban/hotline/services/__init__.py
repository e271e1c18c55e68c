"""Every change to a ticket (工单), one service function each. Each takes ``actor`` (a user, or
``None`` for the system), runs in one transaction, raises a ``DomainError`` with a
``TicketErrorCode`` on refusal (nothing changed) and writes one hash-chained event per state
change."""

from ..dispatch import Suggestion, dispatch_suggest
from .catalogue import catalogue_publish
from .dispatching import (
    auto_dispatch_undo_due,
    ticket_auto_dispatch_undo,
    ticket_dispatch,
    ticket_return_decide,
    ticket_return_request,
)
from .handling import (
    ticket_callback,
    ticket_escalate,
    ticket_extension_decide,
    ticket_extension_request,
    ticket_reopen,
    ticket_reply,
    ticket_sign,
    ticket_urge,
)
from .intake import (
    missed_call_record,
    missed_call_resolve,
    ticket_close_at_intake,
    ticket_create,
)

__all__ = [
    "Suggestion",
    "auto_dispatch_undo_due",
    "catalogue_publish",
    "dispatch_suggest",
    "missed_call_record",
    "missed_call_resolve",
    "ticket_auto_dispatch_undo",
    "ticket_callback",
    "ticket_close_at_intake",
    "ticket_create",
    "ticket_dispatch",
    "ticket_escalate",
    "ticket_extension_decide",
    "ticket_extension_request",
    "ticket_reopen",
    "ticket_reply",
    "ticket_return_decide",
    "ticket_return_request",
    "ticket_sign",
    "ticket_urge",
]
