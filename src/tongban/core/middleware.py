from __future__ import annotations

from . import workdays

DISPLAY_MODE_COOKIE = "tongban_mode"
DISPLAY_MODES = ("standard", "care")


class DisplayModeMiddleware:
    """Reads the elderly-mode (适老化) cookie once; templates put it on ``<html data-mode>``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        mode = request.COOKIES.get(DISPLAY_MODE_COOKIE, "standard")
        request.display_mode = mode if mode in DISPLAY_MODES else "standard"
        return self.get_response(request)


class CalendarRefreshMiddleware:
    """Picks up calendar changes made by other processes (at most one query per 30 s)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        workdays.refresh_if_stale()
        return self.get_response(request)
