"""Staff pages of the pickup lockers under /console/selfservice/: the banks and their
compartments, placing a result (存件), the deposits list with the uncollected ones flagged for
mailing, and one deposit's actions (resend the code, take it out and mail it)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound
from tongban.core.permissions import Perm, has_perm, is_staff_member

from .. import selectors, services
from ..models import DepositStatus
from . import forms

LOGIN_URL = reverse_lazy("console:login")
TABS = (
    ("", gettext_lazy("全部")),
    (DepositStatus.PLACED, DepositStatus.PLACED.label),
    ("overdue", gettext_lazy("逾期未取")),
    (DepositStatus.COLLECTED, DepositStatus.COLLECTED.label),
    (DepositStatus.REMOVED, DepositStatus.REMOVED.label),
)


def locker_view(view):
    """Anonymous → the console login; non-staff → 403; staff without LOCKER_MANAGE → 403."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_member(request.user):
            return render(request, "console/not_staff.html", status=403)
        if not has_perm(request.user, Perm.LOCKER_MANAGE):
            return render(
                request,
                "selfservice/console_forbidden.html",
                {"message": _("只有窗口工作人员可以管理自助取件柜。")},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


def _errors(form) -> list[tuple[str, str]]:
    return [
        (bound.auto_id, f"{bound.label}：{error}")
        for bound in form
        for error in bound.errors
        if form.is_bound
    ]


@rule("perm:locker.manage")
@locker_view
@require_http_methods(["GET", "POST"])
def lockers(request: HttpRequest) -> HttpResponse:
    free = list(selectors.free_compartments())
    form = forms.PlaceForm(request.POST or None, compartments=free)
    if request.method == "POST" and form.is_valid():
        try:
            deposit, _code = services.deposit_place(
                actor=request.user,
                compartment_id=form.cleaned_data["compartment"],
                case_no=form.cleaned_data["case_no"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("已存入 %(c)s 号格口，取件码已通过短信发送给申请人。")
                % {"c": deposit.compartment.label},
            )
            return HttpResponseRedirect(reverse("selfservice-console:lockers"))
    tab = request.GET.get("tab", "")
    if tab not in {t for t, _label in TABS}:
        tab = ""
    rows = selectors.deposits(
        status="" if tab in ("", "overdue") else tab, overdue_only=tab == "overdue"
    )[:200]
    return render(
        request,
        "selfservice/console_lockers.html",
        {
            "banks": selectors.locker_banks(),
            "form": form,
            "errors": _errors(form) + [("", e) for e in form.non_field_errors()],
            "tabs": TABS,
            "tab": tab,
            "rows": rows,
            "counts": selectors.deposit_counts(),
            "overdue_count": selectors.deposits(overdue_only=True).count(),
        },
        status=422 if form.errors else 200,
    )


@rule("perm:locker.manage")
@locker_view
@require_http_methods(["GET", "POST"])
def deposit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        row = selectors.get_deposit(pk)
    except NotFound:
        raise Http404 from None
    remove_form = forms.RemoveForm(
        request.POST if request.POST.get("action") == "remove" else None,
        initial={"version": row.version},
    )
    if remove_form.is_bound and remove_form.is_valid():
        try:
            services.deposit_remove(
                actor=request.user,
                deposit_id=row.pk,
                expected_version=remove_form.cleaned_data["version"],
                carrier=remove_form.cleaned_data["carrier"],
                tracking_no=remove_form.cleaned_data["tracking_no"],
            )
        except DomainError as exc:
            field = exc.field if exc.field in remove_form.fields else None
            remove_form.add_error(field, exc.message)
        else:
            messages.success(request, _("已取出存件。"))
            return HttpResponseRedirect(request.path)
    return render(
        request,
        "selfservice/console_deposit.html",
        {
            "deposit": row,
            "history": selectors.deposit_history(row),
            "remove_form": remove_form,
            "errors": _errors(remove_form) + [("", e) for e in remove_form.non_field_errors()],
        },
        status=422 if remove_form.errors else 200,
    )


@rule("perm:locker.manage")
@locker_view
@require_POST
def deposit_resend(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.deposit_code_resend(
            actor=request.user,
            deposit_id=pk,
            expected_version=int(request.POST.get("version") or 0) or None,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新发送取件码，原取件码作废。"))
    return HttpResponseRedirect(reverse("selfservice-console:deposit", args=[pk]))
