"""What every hotline console page shares: who may come in, how a ticket is looked up for the
person asking, where to go back to, and how a form's errors become an error summary.

The pages themselves live in ``console_intake`` (接听登记), ``console_queue`` (工单队列),
``console_ticket`` (工单页面及其操作) and ``console_callbacks`` (漏接回拨).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound
from tongban.core.permissions import Perm, has_perm, is_staff_member

from .. import selectors
from .error_summary import DOMAIN, add_domain_error, error_list

__all__ = ["DOMAIN", "add_domain_error", "error_list"]

LOGIN_URL = reverse_lazy("console:login")

# Who works with tickets at all: the nav entry and the hotline home are for them.
HOTLINE_PERMS = (
    Perm.TICKET_CREATE,
    Perm.TICKET_DISPATCH,
    Perm.TICKET_HANDLE,
    Perm.TICKET_ARBITRATE,
    Perm.TICKET_CALLBACK,
    Perm.SUPERVISION_VIEW,
)


def works_with_tickets(user) -> bool:
    return any(has_perm(user, perm) for perm in HOTLINE_PERMS)


def staff_view(view):
    """Anonymous → the console login; a signed-in non-staff account → 403."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_member(request.user):
            return render(request, "console/not_staff.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def forbidden(request: HttpRequest, message=None) -> HttpResponse:
    return render(
        request,
        "hotline/console_forbidden.html",
        {"message": message or _("您没有办理 12345 工单的权限。")},
        status=403,
    )


def require(*perms):
    """The view needs one of ``perms``; others get a clear 403 page (nothing is done)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not any(has_perm(request.user, perm) for perm in perms):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return staff_view(wrapped)

    return decorate


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/console/hotline/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def get_ticket(request: HttpRequest, ticket_no: str):
    """The ticket as the asking user may see it; 404 for missing and forbidden alike."""
    try:
        return selectors.ticket_for(request.user, ticket_no[:32])
    except NotFound:
        raise Http404 from None


def htmx_partial(response: HttpResponse) -> HttpResponse:
    """A fragment answered to htmx: caches must keep it apart from the full page."""
    response["Vary"] = "HX-Request"
    return response
