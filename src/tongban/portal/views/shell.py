"""The applicant site's shell: home, login, logout."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tongban.catalog import browse
from tongban.core import selectors
from tongban.core.access import rule
from tongban.core.views import site


@rule("public")
def home(request: HttpRequest) -> HttpResponse:
    person = selectors.person_of(request.user)
    context = {
        "person": person,
        "shown_id_number": selectors.shown_id_number(person, request.user) if person else "",
        **browse.home_overview(),
    }
    return render(request, "portal/home.html", context)


# The version of the privacy notice's text: change it whenever the text changes.
PRIVACY_NOTICE_VERSION = "2026-11-22"


@rule("public")
def privacy(request: HttpRequest) -> HttpResponse:
    """个人信息保护告知 (个人信息保护法 第十七条、第三十五条): purposes, data kinds, sharing,
    retention, the person's rights and how to exercise them."""
    context = {
        "operator": settings.TONGBAN_OPERATOR_NAME or _("本地区政务服务管理机构"),
        "version": PRIVACY_NOTICE_VERSION,
    }
    return render(request, "portal/privacy.html", context)


@rule("public")
class LoginView(site.SiteLoginView):
    extra_context = {
        "base_template": "portal/base.html",
        "heading": _("申请人登录"),
        "intro": _("登录后可以在线申报、查看办件进度和通知。"),
    }


@rule("public")
class LogoutView(auth_views.LogoutView):
    next_page = "portal:home"
