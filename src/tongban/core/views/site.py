"""Pages every site shares: health check and the display-mode switch."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..middleware import DISPLAY_MODE_COOKIE, DISPLAY_MODES

ONE_YEAR = 365 * 24 * 3600


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.META.get("HTTP_REFERER") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_GET
def display_mode(request: HttpRequest, mode: str) -> HttpResponseRedirect:
    """A plain link switches standard / care (适老化) mode; the choice lives in a cookie."""
    response = HttpResponseRedirect(_safe_next(request))
    if mode in DISPLAY_MODES:
        response.set_cookie(
            DISPLAY_MODE_COOKIE,
            mode,
            max_age=ONE_YEAR,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    return response
