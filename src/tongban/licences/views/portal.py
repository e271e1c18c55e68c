"""The holder's wallet (我的证照) on the portal, and the page a share link opens.

The wallet: the licences a person holds (and those of the enterprises they may act for) with
their status, the PDF, a QR display for showing at a counter (亮证), share links with an expiry,
the authorisations given (revocable) and the log of every use by someone else. Plain forms,
redirect after post, no JavaScript needed. Lookups answer 404 for missing and forbidden alike.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound

from .. import qr, wallet
from ..models import GranteeKind
from ..selectors import licence_state
from ..services.sharing import (
    LinkRefused,
    authorisation_revoke,
    max_share_days,
    share_link_create,
    share_link_open,
)
from .pdf import pdf_response

STATE_LABELS = {
    "valid": _("有效"),
    "expired": _("已过期"),
    "revoked": _("已注销"),
    "superseded": _("已换发"),
}


def _state(licence) -> dict:
    state = licence_state(licence)
    return {"code": state, "label": STATE_LABELS[state]}


def _face(licence) -> list[tuple[str, str]]:
    """The licence's face data in full (the holder and an authorised third party see it)."""
    labels = {f.get("name"): f.get("label") or f.get("name") for f in licence.licence_type.fields}
    return [(labels.get(k, k), str(v)) for k, v in (licence.data or {}).items()]


def holder_required(view):
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        if core_selectors.person_of(request.user) is None:
            return render(request, "cases/portal_no_person.html", status=403)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _licence(request: HttpRequest, pk: int):
    try:
        return wallet.get_licence_for_holder(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@rule("applicant")
@require_GET
@holder_required
def wallet_page(request: HttpRequest) -> HttpResponse:
    rows = list(wallet.wallet_licences(request.user))
    current = [(lic, _state(lic)) for lic in rows if lic.status != "superseded"]
    old = [(lic, _state(lic)) for lic in rows if lic.status == "superseded"]
    authorisations = list(wallet.holder_authorisations(request.user)[:50])
    accesses = list(wallet.holder_accesses(request.user)[:10])
    return render(
        request,
        "licences/portal_wallet.html",
        {
            "current": current,
            "old": old,
            "authorisations": authorisations,
            "accesses": accesses,
            "now": timezone.now(),
        },
    )


@rule("owner")
@require_GET
@holder_required
def licence_page(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence(request, pk)
    return render(
        request,
        "licences/portal_licence.html",
        {
            "licence": licence,
            "state": _state(licence),
            "face": _face(licence),
            "verify_url": qr.verification_path(licence),
            "authorisations": list(wallet.holder_authorisations(request.user, licence=licence)),
            "accesses": list(wallet.holder_accesses(request.user, licence=licence)[:50]),
            "now": timezone.now(),
        },
    )


@rule("owner")
@require_GET
@holder_required
def licence_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return pdf_response(_licence(request, pk))


@rule("owner")
@require_GET
@holder_required
def licence_show(request: HttpRequest, pk: int) -> HttpResponse:
    """亮证: the licence's QR code, large, for a counter to scan."""
    licence = _licence(request, pk)
    return render(
        request,
        "licences/portal_show.html",
        {
            "licence": licence,
            "state": _state(licence),
            "qr_svg": qr.qr_svg(licence, scale=8, title=str(_("证照二维码"))),
        },
    )


class ShareForm(forms.Form):
    grantee = forms.CharField(
        label=_("分享给谁"),
        max_length=128,
        help_text=_("对方单位或个人的名称，会记录在授权记录里"),
        error_messages={"required": _("请填写分享给谁。")},
    )
    purpose = forms.CharField(
        label=_("用途"),
        max_length=256,
        help_text=_("例如：办理房屋租赁、入职审核"),
        error_messages={"required": _("请填写用途。")},
    )
    days = forms.TypedChoiceField(
        label=_("链接有效期"),
        coerce=int,
        choices=[(1, _("1 天")), (3, _("3 天")), (7, _("7 天")), (30, _("30 天"))],
        initial=3,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择链接有效期。"),
            "invalid_choice": _("请选择链接有效期。"),
        },
    )


@rule("owner")
@require_http_methods(["GET", "POST"])
@holder_required
def licence_share(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence(request, pk)
    form = ShareForm(request.POST if request.method == "POST" else None)
    errors: list[tuple[str, str]] = []
    link = ""
    created = None
    if form.is_valid():
        days = min(form.cleaned_data["days"], max_share_days())
        try:
            created, token = share_link_create(
                licence=licence,
                actor=request.user,
                grantee_name=form.cleaned_data["grantee"],
                purpose=form.cleaned_data["purpose"],
                expires_at=timezone.now() + dt.timedelta(days=days),
            )
        except DomainError as exc:
            target = {"grantee": "#id_grantee", "purpose": "#id_purpose"}.get(exc.field, "#share")
            errors.append((target, exc.message))
        else:
            link = request.build_absolute_uri(reverse("licences:shared", args=[token]))
    elif form.is_bound:
        for name in ("grantee", "purpose", "days"):
            anchor = f"#id_{name}" + ("_0" if name == "days" else "")
            errors += [(anchor, e) for e in form.errors.get(name, [])]
    return render(
        request,
        "licences/portal_share.html",
        {
            "licence": licence,
            "state": _state(licence),
            "form": form,
            "errors": errors,
            "link": link,
            "created": created,
        },
        status=400 if errors else 200,
    )


@rule("owner")
@require_POST
@holder_required
def authorisation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        row = wallet.get_authorisation_for_holder(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    try:
        authorisation_revoke(authorisation=row, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if row.grantee_kind == GranteeKind.SHARE_LINK:
            messages.success(request, _("已撤回分享链接，对方将无法再打开。"))
        else:
            messages.success(request, _("已撤回对“%(d)s”的授权。") % {"d": row.grantee_name})
    target = request.POST.get("next", "")
    if not target.startswith("/my/licences/"):
        target = reverse("licences:wallet")
    return HttpResponseRedirect(target)


@rule("applicant")
@require_GET
@holder_required
def access_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(wallet.holder_accesses(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "licences/portal_log.html", {"page": page})


@rule("token")
@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """What a share link shows its recipient: the licence's face data, while the link holds."""
    try:
        licence, row = share_link_open(
            token=token, accessor=request.user if request.user.is_authenticated else None
        )
    except NotFound as exc:
        return render(request, "licences/portal_shared.html", {"refusal": exc.message}, status=404)
    except LinkRefused as exc:
        return render(request, "licences/portal_shared.html", {"refusal": exc.message}, status=410)
    except DomainError as exc:  # the licence itself is no longer valid
        return render(request, "licences/portal_shared.html", {"refusal": exc.message}, status=410)
    response = render(
        request,
        "licences/portal_shared.html",
        {
            "licence": licence,
            "authorisation": row,
            "state": _state(licence),
            "face": _face(licence),
            "verify_url": qr.verification_path(licence),
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
