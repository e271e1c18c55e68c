"""Short-lived results in Django's cache: figures that are expensive to compute and may be a few
minutes old (the supervision dashboard's KPI sets).

The cache is ``CACHES["default"]``: with ``CACHE_URL=redis://…`` one copy is shared by every
process and server; without it each process keeps its own (docs/deploy.md, "Shared cache").
A cache that fails (Redis down) never fails the page: the value is computed and served.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")
PREFIX = "tongban:cached:"
_MISSING = object()


def cache_key(namespace: str, *parts: object) -> str:
    """A short key of ``namespace`` and the ``repr`` of ``parts`` (any values, any length)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"{PREFIX}{namespace}:{digest}"


def cached(key: str, seconds: int, compute: Callable[[], T]) -> T:
    """The value under ``key`` if it is younger than ``seconds``; else ``compute()``, stored.
    ``seconds`` ≤ 0 turns the cache off (the test settings do, see test_cached)."""
    if seconds <= 0:
        return compute()
    try:
        hit = cache.get(key, _MISSING)
    except Exception:
        logger.warning("cache read failed for %s", key, exc_info=True)
        return compute()
    if hit is not _MISSING:
        return hit
    value = compute()
    try:
        cache.set(key, value, seconds)
    except Exception:
        logger.warning("cache write failed for %s", key, exc_info=True)
    return value


def forget(key: str) -> None:
    cache.delete(key)
