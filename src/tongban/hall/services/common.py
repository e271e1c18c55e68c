"""Helpers shared by the hall services: the clock, events and locked reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tongban.core.events import event_append

from ..models import Booking, HallEvent, QueueNumber


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def number_event(
    number: QueueNumber,
    *,
    action: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
    new_stream: bool = False,
) -> HallEvent:
    return event_append(
        model=HallEvent,
        stream=f"qn:{number.pk}",
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload,
        occurred_at=at,
        new_stream=new_stream,
        number=number,
    )


def booking_event(
    booking: Booking,
    *,
    action: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    payload: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
    new_stream: bool = False,
) -> HallEvent:
    return event_append(
        model=HallEvent,
        stream=f"bk:{booking.code}",
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
        occurred_at=at,
        new_stream=new_stream,
        booking=booking,
    )
