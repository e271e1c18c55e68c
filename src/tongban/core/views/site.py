"""Pages every site shares: health check, the display-mode switch and the login page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tongban.core.access import rule

from ..middleware import DISPLAY_MODE_COOKIE, DISPLAY_MODES
from ..ratelimit import rate_limit

ONE_YEAR = 365 * 24 * 3600


@rule("public")
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


@rule("public")
@never_cache
@require_GET
def display_mode(request: HttpRequest, mode: str) -> HttpResponseRedirect:
    """A plain link switches standard / care (适老化) mode; the choice lives in a cookie.

    Only a page of this site may be the way back: any other ``next`` leads to the home page.
    """
    if mode not in DISPLAY_MODES:
        raise Http404
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        DISPLAY_MODE_COOKIE,
        mode,
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response


@method_decorator(rate_limit("login"), name="dispatch")
class SiteLoginView(auth_views.LoginView):
    """The login page both sites share (``core/login.html`` inside the site's layout).

    Subclasses set ``extra_context`` with ``base_template``, ``heading`` and ``intro``.
    """

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.request.method == "POST":
            # After a failed attempt the error summary takes focus, not the username box.
            form.fields["username"].widget.attrs.pop("autofocus", None)
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Django's LoginView names the site after the request's host; the layout wants ours.
        context["site_name"] = settings.TONGBAN_SITE_NAME
        return context
