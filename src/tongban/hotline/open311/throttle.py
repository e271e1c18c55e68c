"""A per-api_key limit on POST requests: at most N per minute (fixed one-minute windows).

``TONGBAN_OPEN311_POSTS_PER_MINUTE`` (default 30; 0 turns the limit off). Counts live in
Django's default cache: with the default per-process memory cache each application process
counts on its own, so with several processes the effective limit is N × processes; point
``CACHES["default"]`` at a shared cache (Redis, database) for one limit across them.
"""

from __future__ import annotations

import time

from django.conf import settings

from tongban.core.ratelimit import hit

DEFAULT_POSTS_PER_MINUTE = 30
WINDOW_SECONDS = 60


def posts_per_minute() -> int:
    return int(getattr(settings, "TONGBAN_OPEN311_POSTS_PER_MINUTE", DEFAULT_POSTS_PER_MINUTE))


def post_allowed(key_prefix: str, *, now: float | None = None) -> tuple[bool, int]:
    """Count one POST for this key; (allowed, seconds until the window resets)."""
    now = time.time() if now is None else now
    return hit(f"open311:posts:{key_prefix}", posts_per_minute(), WINDOW_SECONDS, now=now)
