"""Request-level security controls: the staff second factor and the audit of refused pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from . import security_2fa
from .security import Kind, security_event_record

GUARDED = ("/console/", "/admin/")
AUDITED = ("/console/", "/admin/", "/api/")


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("security-console:enrol"),
        reverse("security-console:verify"),
        reverse("console:login"),
        reverse("console:logout"),
    )


class TwoFactorMiddleware:
    """With ``TONGBAN_REQUIRE_2FA``, a staff session that has not passed its second factor is
    sent to enrolment (no authenticator yet) or verification; the API answers 401. Applicants
    and bearer-token calls pass (core/api_auth.py checks a token's owner)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if security_2fa.required() and request.path.startswith((*GUARDED, "/api/")):
            user = request.user
            if (
                security_2fa.needs_second_factor(user)
                and not security_2fa.is_verified(user)
                and not request.path.startswith(_exempt_paths())
            ):
                if request.path.startswith("/api/"):
                    if "Authorization" not in request.headers:
                        return JsonResponse(
                            {
                                "code": "second_factor_required",
                                "message": gettext("请先在工作台完成双因素验证。"),
                                "errors": [],
                            },
                            status=401,
                        )
                else:
                    name = "verify" if security_2fa.has_device(user) else "enrol"
                    target = reverse(f"security-console:{name}")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class PermissionDeniedAuditMiddleware:
    """Every 403 answered to a signed-in user on the console, the configuration site or the API
    becomes a ``permission_denied`` security event (the page or operation, and the method)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if response.status_code == 403 and request.path.startswith(AUDITED):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                security_event_record(
                    kind=Kind.PERMISSION_DENIED,
                    request=request,
                    target=request.path[:300],
                    success=False,
                    detail={"method": request.method},
                )
        return response
