"""Who is told when the published catalogue changes (an item published or retired).

An app above the catalogue registers a listener at start-up (the hotline's knowledge base
mirrors the guides as articles); the catalogue may not import it (layers). A listener runs in
the catalogue's transaction, inside a savepoint, with the implementation codes whose published
version changed: what it writes commits or rolls back with the catalogue's change, and a
listener that fails is logged and undone alone, never undoing the catalogue's change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import transaction

logger = logging.getLogger("tongban.catalog")

Listener = Callable[[list[str]], None]
_listeners: list[Listener] = []


def on_publication_changed(listener: Listener) -> Listener:
    """Register ``listener(codes)``; registering the same one twice has no effect."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def publication_changed(codes: Iterable[str]) -> None:
    """Tell every listener that these items' published versions changed."""
    codes = sorted(set(codes))
    for listener in list(_listeners) if codes else []:
        try:
            with transaction.atomic():
                listener(codes)
        except Exception:  # the catalogue's change stands; the listener catches up on its next run
            logger.exception("catalogue listener %r failed for %s", listener, codes)
