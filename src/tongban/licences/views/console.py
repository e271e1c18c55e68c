"""The issuing department's licence pages (/console/licences/): search by number or holder, one
licence with its history, revoke with a reason and reissue with changed data.

Only staff holding ``LICENCE_ISSUE`` see them, and only their own department's licences (a
licence of another department is "not found", like a missing one).
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound
from tongban.core.masking import mask_id_number
from tongban.core.permissions import is_staff_member
from tongban.core.ratelimit import client_address

from .. import personal_data, qr, wallet
from ..models import LicenceStatus
from ..selectors import licence_state
from ..services import licence_reissue, licence_revoke
from .pdf import pdf_response
from .portal import STATE_LABELS, _face

LOGIN_URL = reverse_lazy("console:login")


def issuer_view(view):
    """Anonymous → the console login; not staff → 403; staff without LICENCE_ISSUE → 403."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_member(request.user):
            return render(request, "console/not_staff.html", status=403)
        if not wallet.can_manage_licences(request.user):
            return render(
                request,
                "cases/console_forbidden.html",
                {"message": _("只有发证部门有制证权限的工作人员可以管理电子证照。")},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


def _licence(request: HttpRequest, pk: int):
    try:
        return wallet.get_licence_for_issuer(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _holder_id(licence, user) -> str:
    """Masked for every viewer: 「查看完整信息」 shows it in full (logged)."""
    return mask_id_number(licence.holder_id_no)


@rule("perm:licence.issue")
@require_GET
@issuer_view
def search(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:64]
    page = Paginator(wallet.department_licences(request.user, q=q), 30).get_page(
        request.GET.get("page")
    )
    rows = [(lic, STATE_LABELS[licence_state(lic)], licence_state(lic)) for lic in page]
    return render(request, "licences/console_search.html", {"q": q, "page": page, "rows": rows})


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("注销原因"),
        max_length=256,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写注销原因。")},
    )


EVENT_LABELS = {
    "issued": _("制发"),
    "imported": _("导入"),
    "reissued": _("换发（新版本）"),
    "superseded": _("被新版本取代"),
    "revoked": _("注销"),
    "shared": _("持证人生成分享链接"),
    "authorised": _("持证人授权部门使用（免证办）"),
    "authorisation_revoked": _("撤回授权"),
    "reminded": _("发送到期提醒"),
}


def _context(request, licence, **extra) -> dict:
    state = licence_state(licence)
    return {
        "licence": licence,
        "state": {"code": state, "label": STATE_LABELS[state]},
        "face": _face(licence),
        "holder_id": _holder_id(licence, request.user),
        "events": [
            (e, EVENT_LABELS.get(e.action, e.action)) for e in licence.events.order_by("seq")
        ],
        "versions": wallet.versions_of(licence),
        "verify_url": qr.verification_path(licence),
        "can_change": licence.status == LicenceStatus.VALID,
        "revoke_form": extra.pop("revoke_form", None) or RevokeForm(prefix="revoke"),
        "reissue_form": extra.pop("reissue_form", None) or ReissueForm(licence=licence),
        "errors": extra.pop("errors", []),
        **extra,
    }


@rule("perm:licence.issue")
@require_GET
@issuer_view
def licence_page(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence(request, pk)
    return render(request, "licences/console_licence.html", _context(request, licence))


@rule("perm:licence.issue")
@require_GET
@issuer_view
def licence_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence(request, pk)
    # The PDF carries the holder's ID number in full: the download is a logged access.
    personal_data.licence_pdf_access(
        actor=request.user, licence=licence, ip=client_address(request)
    )
    response = pdf_response(licence)
    response["Cache-Control"] = "no-store"
    return response


@rule("perm:licence.issue")
@require_http_methods(["POST"])
@issuer_view
def licence_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence(request, pk)
    form = RevokeForm(request.POST, prefix="revoke")
    errors: list[tuple[str, str]] = []
    if form.is_valid():
        try:
            licence_revoke(licence=licence, reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            errors.append(("#id_revoke-reason", exc.message))
        else:
            messages.success(request, _("证照已注销。"))
            return HttpResponseRedirect(reverse("licences-console:licence", args=[licence.pk]))
    else:
        errors += [("#id_revoke-reason", e) for e in form.errors.get("reason", [])]
    context = _context(request, licence, revoke_form=form, errors=errors)
    return render(request, "licences/console_licence.html", context, status=400)


class ReissueForm(forms.Form):
    """The type's face fields, prefilled with the licence's data, and the reason for the change."""

    def __init__(self, *args, licence, **kwargs):
        kwargs.setdefault("prefix", "reissue")
        super().__init__(*args, **kwargs)
        data = licence.data or {}
        for spec in licence.licence_type.fields or []:
            name = spec["name"]
            self.fields[f"f_{name}"] = forms.CharField(
                label=spec.get("label") or name,
                required=bool(spec.get("required")),
                max_length=200,
                initial=data.get(name, ""),
                error_messages={
                    "required": _("请填写“%(l)s”。") % {"l": spec.get("label") or name}
                },
            )
        self.fields["reason"] = forms.CharField(
            label=_("换发原因"),
            max_length=256,
            error_messages={"required": _("请填写换发原因。")},
        )

    def changed_data_dict(self) -> dict:
        return {
            k[2:]: v for k, v in self.cleaned_data.items() if k.startswith("f_") and v not in ("",)
        }


@rule("perm:licence.issue")
@require_http_methods(["POST"])
@issuer_view
def licence_reissue_view(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence(request, pk)
    form = ReissueForm(request.POST, licence=licence)
    errors: list[tuple[str, str]] = []
    if form.is_valid():
        try:
            new = licence_reissue(
                licence=licence,
                data=form.changed_data_dict(),
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except DomainError as exc:
            target = f"#id_reissue-f_{exc.field}" if exc.field else "#id_reissue-reason"
            errors.append((target, exc.message))
        else:
            messages.success(
                request, _("已换发新版本（第 %(v)s 版），旧版本已失效。") % {"v": new.version}
            )
            return HttpResponseRedirect(reverse("licences-console:licence", args=[new.pk]))
    else:
        for name, field_errors in form.errors.items():
            errors += [
                (f"#id_reissue-{name}", f"{form.fields[name].label}：{e}") for e in field_errors
            ]
    context = _context(request, licence, reissue_form=form, errors=errors)
    return render(request, "licences/console_licence.html", context, status=400)
