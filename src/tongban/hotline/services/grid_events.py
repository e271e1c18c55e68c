"""Grid events (网格事件, [G]): a ticket with source ``grid`` that a grid worker reports, closed at
once when they solved it on the spot (自行处置), otherwise left to the normal dispatch (秒派 when
the suggestion is confident enough, else the dispatcher's queue).

The grid app checks which grid the event lies in and records it; this module only moves the
ticket, through ``ticket_create`` and the one transition helper.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import PermissionDenied
from tongban.core.permissions import Perm

from .. import access, suggestions
from ..errors import TicketErrorCode
from ..models import Source, Ticket, TicketType
from ..states import TicketAction as A
from ..states import TicketStatus as S
from .common import now, require_text, transition
from .intake import ticket_create

RESOLUTION_MAX = 2000


def grid_event_create(
    *,
    actor,
    title: str,
    content: str,
    address: str,
    ticket_type: str = TicketType.HELP,
    latitude=None,
    longitude=None,
    subject_code: str | None = None,
    attachments=(),
    solved_on_spot: bool = False,
    resolution: str = "",
    idempotency_key: str = "",
) -> Ticket:
    """上报网格事件: a ticket with source ``grid``. ``solved_on_spot`` closes it in the same
    transaction with ``resolution`` (what the worker did) as the reply; otherwise it is
    dispatched like any other ticket. Nothing is written on bad input."""
    access.require_any(actor, (Perm.GRID_REPORT,), _("只有网格员可以上报网格事件。"))
    if solved_on_spot:
        resolution = require_text(
            resolution,
            code=TicketErrorCode.REASON_REQUIRED,
            field="resolution",
            label=_("处置情况"),
            max_length=RESOLUTION_MAX,
        )
    with transaction.atomic():
        ticket = ticket_create(
            actor=actor,
            source=Source.GRID,
            ticket_type=ticket_type,
            title=title,
            content=content,
            address=address,
            latitude=latitude,
            longitude=longitude,
            subject_code=subject_code,
            attachments=attachments,
            idempotency_key=idempotency_key,
            auto_dispatch=not solved_on_spot,
        )
        if solved_on_spot and ticket.status == S.RECEIVED:
            ticket = grid_event_self_resolve(ticket.ticket_no, actor=actor, resolution=resolution)
    return ticket


def grid_event_self_resolve(ticket_no: str, *, actor, resolution: str) -> Ticket:
    """自行处置: the reporting grid worker closes their own, not yet dispatched, grid event."""
    resolution = require_text(
        resolution,
        code=TicketErrorCode.REASON_REQUIRED,
        field="resolution",
        label=_("处置情况"),
        max_length=RESOLUTION_MAX,
    )

    def check(t: Ticket) -> None:
        if t.source != Source.GRID or t.created_by_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("只有上报该事件的网格员可以自行处置。"))

    def apply(t: Ticket) -> dict[str, Any]:
        at = now()
        t.reply = resolution
        t.replied_at = at
        t.closed_at = at
        t.solved = True
        suggestions.record_conclusion(t, at=at)
        return {"on_spot": True}

    access.require_any(actor, (Perm.GRID_REPORT,), _("只有网格员可以上报网格事件。"))
    return transition(
        ticket_no, actor=actor, action=A.SELF_RESOLVE, reason=resolution, check=check, apply=apply
    )
