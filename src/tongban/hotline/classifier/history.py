"""Training rows from the platform's own history: concluded tickets and the subject they ended
under (after any returns, re-dispatch or reopening — the ticket's subject when it was closed)."""

from __future__ import annotations

import datetime as dt

from tongban.core.workdays import BUSINESS_TZ
from tongban.hotline.models import Ticket
from tongban.hotline.states import TicketStatus

from .model import TrainingRow

# A ticket counts once it is closed (办结: callback done, or concluded at intake). A replied
# ticket may still be reopened, and a merged one carries no subject decision of its own.
CONCLUDED = (TicketStatus.CLOSED,)


def rows_from_tickets(since: dt.date) -> list[TrainingRow]:
    """One row per concluded ticket closed on or after ``since`` (a Shanghai business date),
    with a subject: ``id`` = ticket number, ``label`` = the final subject's code; oldest
    first."""
    start = dt.datetime.combine(since, dt.time.min, tzinfo=BUSINESS_TZ)
    tickets = (
        Ticket.objects.filter(status__in=CONCLUDED, closed_at__gte=start, subject__isnull=False)
        .order_by("closed_at", "pk")
        .values_list("ticket_no", "title", "content", "subject__code")
    )
    return [
        TrainingRow(id=no, title=title or "", text=content or "", label=code)
        for no, title, content, code in tickets.iterator(chunk_size=2000)
    ]
