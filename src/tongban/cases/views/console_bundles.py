"""The staff's bundle pages (一件事): the applications waiting for their one acceptance, the
ones in parallel review, and one bundle with a lane per department, accepted once and delivered
once (一口出件)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound
from tongban.core.permissions import Perm, has_perm

from .. import bundle_progress
from ..models import DeliveryMethod
from ..services.bundles import bundle_accept, bundle_deliver
from ..states import BundleStatus
from .console import forbidden, staff_view
from .console_display import error_list


class DeliverForm(forms.Form):
    method = forms.ChoiceField(
        label=_("出件方式"),
        choices=[c for c in DeliveryMethod.choices if c[0] != DeliveryMethod.LOCKER],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择出件方式。")},
    )
    carrier = forms.CharField(label=_("快递公司"), required=False, max_length=32)
    tracking_no = forms.CharField(label=_("快递单号"), required=False, max_length=64)
    version = forms.IntegerField(widget=forms.HiddenInput)


def _load(request, bundle_no):
    try:
        return bundle_progress.get_bundle_for_staff(user=request.user, bundle_no=bundle_no)
    except NotFound as exc:
        raise Http404(exc.message) from None


@rule("perm:case.accept")
@staff_view
@require_GET
def bundles(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, Perm.CASE_ACCEPT):
        return forbidden(request, _("只有综合窗口人员可以受理一件事。"))
    status = request.GET.get("status", BundleStatus.SUBMITTED)
    if status not in BundleStatus.values:
        status = BundleStatus.SUBMITTED
    rows = list(bundle_progress.bundles_for_staff(status=status)[:100])
    tabs = [
        (s.label, s == status, reverse("cases-console:bundles") + f"?status={s.value}")
        for s in BundleStatus
    ]
    return render(request, "cases/console_bundles.html", {"rows": rows, "tabs": tabs})


def _page(request, bc, form=None, status=200) -> HttpResponse:
    progress = bundle_progress.progress(bc)
    form = form or DeliverForm(initial={"version": bc.version, "method": "window"})
    return render(
        request,
        "cases/console_bundle.html",
        {
            "bc": bc,
            "p": progress,
            "form": form,
            "errors": error_list(form) if form.is_bound else [],
            "can_act": has_perm(request.user, Perm.CASE_ACCEPT),
        },
        status=status,
    )


@rule("perm:case.accept")
@staff_view
def bundle_page(request: HttpRequest, bundle_no: str) -> HttpResponse:
    bc = _load(request, bundle_no)
    if request.method != "POST":
        return _page(request, bc)
    if not has_perm(request.user, Perm.CASE_ACCEPT):
        return forbidden(request, _("只有综合窗口人员可以受理一件事。"))
    form = DeliverForm(request.POST)
    if not form.is_valid():
        return _page(request, bc, form, status=400)
    try:
        bundle_deliver(
            actor=request.user,
            bc=bc,
            method=form.cleaned_data["method"],
            carrier=form.cleaned_data["carrier"],
            tracking_no=form.cleaned_data["tracking_no"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, bc, form, status=409 if exc.status_code == 409 else 400)
    messages.success(request, _("已统一出件。"))
    return HttpResponseRedirect(reverse("cases-console:bundle", args=[bc.bundle_no]))


@rule("perm:case.accept")
@staff_view
@require_POST
def bundle_accept_view(request: HttpRequest, bundle_no: str) -> HttpResponse:
    bc = _load(request, bundle_no)
    if not has_perm(request.user, Perm.CASE_ACCEPT):
        return forbidden(request, _("只有综合窗口人员可以受理一件事。"))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        bundle_accept(actor=request.user, bc=bc, expected_version=version)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已一次受理，各部门并联审批。"))
    return HttpResponseRedirect(reverse("cases-console:bundle", args=[bc.bundle_no]))
