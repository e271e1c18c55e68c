"""The staff site's shell: login and the work overview."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.core import selectors, workdays
from tongban.core.access import rule
from tongban.core.errors import CalendarNotCovered
from tongban.core.notifications import staff_notices_mark_read
from tongban.core.permissions import (
    Perm,
    Scope,
    has_perm,
    is_staff_member,
    permissions_of,
    scope_of,
)
from tongban.core.views import site


@rule("staff")
@login_required(login_url=reverse_lazy("console:login"))
def home(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        return render(request, "console/not_staff.html", status=403)
    today = workdays.business_date(timezone.now())
    try:
        calendar = {
            "today": today,
            "is_workday": workdays.is_workday(today),
            "holiday": workdays.holiday_name(today),
            "plus5": workdays.add_workdays(today, 5),
            "plus20": workdays.add_workdays(today, 20),
        }
    except CalendarNotCovered as exc:
        calendar = {"today": today, "error": exc.message}
    perms = permissions_of(request.user)
    context = {
        "staff": selectors.staff_profile_of(request.user),
        "roles": selectors.role_labels(request.user),
        "permissions": [Perm(p).label for p in Perm.values if p in perms],
        "scope": Scope(scope_of(request.user)).label,
        "calendar": calendar,
        "can_configure": has_perm(request.user, Perm.CONFIG_MANAGE),
    }
    context["notices"], context["unread_notices"] = selectors.staff_notices_of(request.user)
    return render(request, "console/home.html", context)


@rule("staff")
@login_required(login_url=reverse_lazy("console:login"))
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    """Mark every work notice of the staff member as read (a plain form on the home page)."""
    if not is_staff_member(request.user):
        return render(request, "console/not_staff.html", status=403)
    staff_notices_mark_read(user=request.user)
    return redirect("console:home")


@rule("public")
class LoginView(site.SiteLoginView):
    next_page = reverse_lazy("console:home")
    extra_context = {
        "base_template": "console/base.html",
        "heading": _("工作人员登录"),
        "intro": _("综合窗口、审批、热线、承办、网格和监察人员使用本单位分配的账号登录。"),
    }


@rule("public")
class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("console:login")
