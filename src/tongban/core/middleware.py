from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from . import permissions, workdays

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


IDLE_SESSION_KEY = "tongban_last_seen"
IDLE_WRITE_EVERY = 60  # seconds: the session is saved at most once a minute for this


class IdleTimeoutMiddleware:
    """Staff sessions end after ``TONGBAN_STAFF_IDLE_MINUTES`` without a request (等保: 登录连接
    超时自动退出; 30 minutes by default); applicants keep the session's own lifetime.

    The last request's time is kept in the session, written at most once a minute so that an
    active session does not cost a session save on every request. An expired staff session is
    logged out: pages go to the console's login with a notice, the API answers 401.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        minutes = getattr(settings, "TONGBAN_STAFF_IDLE_MINUTES", 30)
        if (
            minutes
            and user is not None
            and user.is_authenticated
            and "Authorization" not in request.headers
            and permissions.is_staff_member(user)
        ):
            now = int(time.time())
            last = request.session.get(IDLE_SESSION_KEY)
            if isinstance(last, int) and now - last > minutes * 60:
                request._tongban_logout_reason = "idle"  # the audit log tells it from a logout
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "code": "session_expired",
                            "message": gettext("长时间未操作，登录已失效，请重新登录。"),
                            "errors": [],
                        },
                        status=401,
                    )
                messages.info(
                    request,
                    gettext("您已超过 %(n)s 分钟未操作，为保护数据安全已自动退出，请重新登录。")
                    % {"n": minutes},
                )
                return redirect_to_login(request.get_full_path(), reverse("console:login"))
            if not isinstance(last, int) or now - last >= IDLE_WRITE_EVERY:
                request.session[IDLE_SESSION_KEY] = now
        return self.get_response(request)
