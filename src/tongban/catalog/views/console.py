"""The staff's catalogue search (事项目录): the portal's search and filters, for the counter,
the hotline and reviewers, with links to the guide and (for configuration managers) the admin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from tongban.core.access import rule
from tongban.core.permissions import Perm, has_perm, is_staff_member

from .listing import list_context


@rule("staff")
@require_GET
@login_required(login_url=reverse_lazy("console:login"))
def catalogue(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        return render(request, "console/not_staff.html", status=403)
    return render(
        request,
        "catalog/console/catalogue.html",
        {**list_context(request), "can_configure": has_perm(request.user, Perm.CONFIG_MANAGE)},
    )
