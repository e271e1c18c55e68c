"""The applicant site's shell: home, login, logout."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tongban.catalog import browse
from tongban.core import selectors
from tongban.core.views import site


def home(request: HttpRequest) -> HttpResponse:
    person = selectors.person_of(request.user)
    context = {
        "person": person,
        "shown_id_number": selectors.shown_id_number(person, request.user) if person else "",
        **browse.home_overview(),
    }
    return render(request, "portal/home.html", context)


class LoginView(site.SiteLoginView):
    extra_context = {
        "base_template": "portal/base.html",
        "heading": _("申请人登录"),
        "intro": _("登录后可以在线申报、查看办件进度和通知。"),
    }


class LogoutView(auth_views.LogoutView):
    next_page = "portal:home"
