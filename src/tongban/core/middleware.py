from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        return response


class LanguageMiddleware(LocaleMiddleware):
    """Pages are in Simplified Chinese unless the visitor chose another language (cookie).

    The browser's Accept-Language is honoured only by the API, where clients ask for it.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class CalendarRefreshMiddleware:
    """Picks up calendar changes made by other processes (at most one query per 30 s)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        workdays.refresh_if_stale()
        return self.get_response(request)
