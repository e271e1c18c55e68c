"""Who is told when a callback (回访) is recorded: the ratings app records the caller's
satisfaction as the ticket's rating. An app above the hotline registers a listener at start-up
(layers: the hotline may not import it). A listener runs in the callback's transaction, in a
savepoint: a listener that fails is logged and undone alone, never undoing the callback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger("tongban.hotline")

Listener = Callable[..., None]
_listeners: list[Listener] = []


def on_callback_recorded(listener: Listener) -> Listener:
    """Register ``listener(*, ticket_no, actor, satisfaction, note)``; once only."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def callback_recorded(*, ticket_no: str, actor, satisfaction: str, note: str) -> None:
    for listener in list(_listeners):
        try:
            with transaction.atomic():
                listener(ticket_no=ticket_no, actor=actor, satisfaction=satisfaction, note=note)
        except Exception:  # the callback stands; the rating can be entered by hand
            logger.exception("callback listener %r failed for %s", listener, ticket_no)
