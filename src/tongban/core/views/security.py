"""Console pages of the security controls (docs/security.md): the staff member's own second
factor, the security administrator's role and second-factor management and settings overview,
and the audit administrator's security-event log with CSV export."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import security_2fa
from ..access import rule
from ..errors import DomainError
from ..permissions import Perm, has_perm
from ..ratelimit import rate_limit
from ..security import security_event_record

console_login = login_required(login_url=reverse_lazy("console:login"))


def staff_page(perm: str | None = None):
    """Signed-in staff only; with ``perm``, only those who hold it (403 for everyone else)."""

    def decorator(view):
        @console_login
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not security_2fa.needs_second_factor(request.user):
                return render(request, "console/not_staff.html", status=403)
            if perm is not None and not has_perm(request.user, perm):
                return render(request, "core/security/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=32,
        help_text=_("验证器应用中显示的 6 位数字；手机不在身边时，可输入一个恢复码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "class": "input"}
        ),
        error_messages={"required": _("请输入验证码。")},
    )


class EnrolForm(CodeForm):
    code = forms.CharField(
        label=_("验证码"),
        max_length=32,
        help_text=_("验证器应用中显示的 6 位数字。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "input"}
        ),
        error_messages={"required": _("请输入验证码。")},
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("console:home")


def _form_error(form: forms.Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message.split("：", 1)[-1])


def _codes_page(request: HttpRequest, codes: list[str], *, enrolled: bool) -> HttpResponse:
    response = render(
        request,
        "core/security/recovery_codes.html",
        {"codes": codes, "enrolled": enrolled, "next": _safe_next(request)},
    )
    response["Cache-Control"] = "no-store"
    return response


@rule("staff")
@never_cache
@staff_page()
@rate_limit("two_factor")
def enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if security_2fa.has_device(user):
        name = "home" if security_2fa.is_verified(user) else "verify"
        return redirect(reverse(f"security-console:{name}"))
    device = security_2fa.totp_enrolment_start(user=user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = security_2fa.totp_enrolment_confirm(
                request=request, code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return _codes_page(request, codes, enrolled=True)
    secret = security_2fa.secret_of(device)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "core/security/enrol.html",
        {
            "form": form,
            "qr": qr.svg_data_uri(scale=5, border=2),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _safe_next(request),
            "required": security_2fa.required(),
        },
        status=422 if form.errors else 200,
    )


@rule("staff")
@never_cache
@staff_page()
@rate_limit("two_factor")
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not security_2fa.has_device(user):
        target = reverse("security-console:enrol")
        return redirect(f"{target}?{urlencode({'next': _safe_next(request)})}")
    if security_2fa.is_verified(user):
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            security_2fa.two_factor_verify(request=request, code=form.cleaned_data["code"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(_safe_next(request))
    return render(
        request,
        "core/security/verify.html",
        {"form": form, "next": _safe_next(request)},
        status=422 if form.errors else 200,
    )


@rule("staff")
@never_cache
@staff_page()
@require_POST
def recovery_renew(request: HttpRequest) -> HttpResponse:
    try:
        codes = security_2fa.recovery_codes_renew(request=request)
    except DomainError:
        return redirect("security-console:verify")
    return _codes_page(request, codes, enrolled=False)


@rule("staff")
@staff_page()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "core/security/home.html",
        {
            "has_device": security_2fa.has_device(user),
            "verified": security_2fa.is_verified(user),
            "codes_left": security_2fa.recovery_codes_left(user),
            "required": security_2fa.required(),
            "can_accounts": has_perm(user, Perm.STAFF_MANAGE),
            "can_roles": has_perm(user, Perm.ROLE_ASSIGN),
            "can_settings": has_perm(user, Perm.SECURITY_SETTINGS_VIEW),
            "can_audit": has_perm(user, Perm.AUDIT_VIEW),
            "can_personal_data": has_perm(user, Perm.PERSONAL_DATA_AUDIT),
        },
    )


def record_export(request: HttpRequest, *, kind: str, filters: dict, rows: int) -> None:
    security_event_record(
        kind=kind, request=request, target=request.path[:300], detail={**filters, "rows": rows}
    )
