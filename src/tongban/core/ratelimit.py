"""Rate limits per client address and per account (等保: 防暴力破解、防滥用), counted in fixed
windows in Django's default cache.

``rate_limit("login")`` on a view counts the requests of the methods it names; past the limit the
client gets ``429 Too Many Requests`` with ``Retry-After`` — JSON under ``/api/`` and ``/open311/``,
a short page elsewhere — and the view does not run. The limits are settings
(``TONGBAN_RATE_LIMITS``: scope → requests per window per address, per account, window seconds).

With the default per-process memory cache each application process counts on its own (the
effective limit is the limit × processes); point ``CACHE_URL`` / ``CACHES["default"]`` at a shared
cache (Redis, database) for one count across processes and servers.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# scope: (per address, per account, window seconds); 0 turns a count off.
DEFAULT_LIMITS = {
    "login": (20, 0, 60),
    "ticket_submit": (10, 5, 60),
    "licence_verify": (60, 0, 60),
    "rating": (30, 10, 60),
    "two_factor": (30, 5, 300),
}

# Called once per refused client and window with (request, scope, wait): the security-event
# audit log registers itself here (core/security.py), so this module imports nothing above it.
ON_LIMITED: list = []


@dataclass(frozen=True)
class Limit:
    per_address: int
    per_account: int
    window: int


def limit_of(scope: str) -> Limit:
    configured = getattr(settings, "TONGBAN_RATE_LIMITS", {}) or {}
    per_address, per_account, window = configured.get(scope, DEFAULT_LIMITS[scope])
    return Limit(int(per_address), int(per_account), max(1, int(window)))


def hit(bucket: str, limit: int, window: int, *, now: float | None = None) -> tuple[bool, int]:
    """Count one request in ``bucket``; (allowed, seconds until its window resets)."""
    now = time.time() if now is None else now
    slot_no = int(now // window)
    retry_after = max(1, int((slot_no + 1) * window - now))
    if limit <= 0:
        return True, retry_after
    slot = f"ratelimit:{bucket}:{slot_no}"
    cache.add(slot, 0, timeout=window * 2)
    try:
        count = cache.incr(slot)
    except ValueError:  # expired between add and incr
        cache.set(slot, 1, timeout=window * 2)
        count = 1
    return count <= limit, retry_after


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or — behind ``TONGBAN_PROXY_HOPS`` trusted proxies
    (nginx) — the address that many hops back in X-Forwarded-For."""
    hops = int(getattr(settings, "TONGBAN_PROXY_HOPS", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def check(request: HttpRequest, scope: str) -> int:
    """Count this request against ``scope``; 0 when allowed, else the seconds to wait."""
    limit = limit_of(scope)
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:16]
    allowed, wait = hit(f"{scope}:ip:{address}", limit.per_address, limit.window)
    user = getattr(request, "user", None)
    if allowed and limit.per_account and user is not None and user.is_authenticated:
        allowed, wait = hit(f"{scope}:user:{user.pk}", limit.per_account, limit.window)
    return 0 if allowed else wait


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    message = _("请求过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": wait}
    if request.path.startswith(("/api/", "/open311/")):
        response: HttpResponse = JsonResponse(
            {"code": "throttled", "message": message, "errors": []}, status=429
        )
    else:
        response = render(request, "core/throttled.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _report(request: HttpRequest, scope: str, wait: int) -> None:
    """Tell the listeners about the first refusal of a client in a window (not every one: a
    flood must not flood the audit log too)."""
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:16]
    if ON_LIMITED and cache.add(f"ratelimit-reported:{scope}:{address}", 1, timeout=wait):
        for listener in ON_LIMITED:
            listener(request, scope, wait)


def rate_limit(scope: str, *, methods: tuple[str, ...] = ("POST",)):
    """A view decorator: refuse with 429 past the scope's limits (only for ``methods``)."""
    limit_of(scope)  # an unknown scope fails at import, not at the first request

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and (wait := check(request, scope)):
                _report(request, scope, wait)
                return too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
