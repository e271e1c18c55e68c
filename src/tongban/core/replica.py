"""Reads from the read replica (``DATABASE_REPLICA_URL``) for reports and dashboards.

``with using_replica():`` (or ``@reads_from_replica`` on a selector) sends the ORM reads made
inside it to the ``replica`` database through ``tongban.config.db_router.ReplicaRouter``; writes
always go to ``default``, and so does every read inside a transaction on ``default`` (a service
reads what it is about to change from the primary). Without a replica configured it changes
nothing. Evaluate the querysets inside the block: a lazy queryset evaluated later reads from
``default``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

from django.db import connections

REPLICA = "replica"
_active: contextvars.ContextVar[bool] = contextvars.ContextVar("tongban_replica", default=False)

P = ParamSpec("P")
T = TypeVar("T")


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_requested() -> bool:
    return _active.get()


@contextlib.contextmanager
def using_replica() -> Iterator[None]:
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


def reads_from_replica(function: Callable[P, T]) -> Callable[P, T]:
    """A selector whose reads go to the replica (its result must be evaluated inside it)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with using_replica():
            return function(*args, **kwargs)

    return wrapper
