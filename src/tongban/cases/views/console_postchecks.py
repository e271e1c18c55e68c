"""The department's post-check list (事中事后核查) for 告知承诺 cases: pending checks by due date
(overdue first), and one check's page with the signed commitment and the finding form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tongban.core import selectors as core_selectors
from tongban.core import workdays
from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound
from tongban.core.permissions import Perm, has_perm

from ..models import PostCheckStatus
from ..services.commitments import (
    get_post_check_for_user,
    post_check_fail,
    post_check_pass,
    post_checks_of_department,
)
from .console import forbidden, staff_view
from .console_display import error_list

PAGE_SIZE = 50


class FindingForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("核查结论"),
        choices=[("pass", _("核查属实")), ("fail", _("承诺不实，撤销审批决定"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择核查结论。")},
    )
    finding = forms.CharField(
        label=_("核查意见"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写核查意见。")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def _may(user) -> bool:
    return has_perm(user, Perm.CASE_REVIEW) or has_perm(user, Perm.CASE_APPROVE)


@rule("perm:case.review|perm:case.approve")
@staff_view
def post_checks(request: HttpRequest) -> HttpResponse:
    if not _may(request.user):
        return forbidden(request, _("只有实施部门的审批人员可以查看核查任务。"))
    staff = core_selectors.staff_profile_of(request.user)
    status = request.GET.get("status", PostCheckStatus.PENDING)
    if status not in PostCheckStatus.values:
        status = PostCheckStatus.PENDING
    today = workdays.business_date(timezone.now())
    qs = post_checks_of_department(
        department_id=staff.department_id if staff else None, status=status
    )
    rows = list(qs[:PAGE_SIZE])
    tabs = [
        (
            s,
            PostCheckStatus(s).label,
            s == status,
            reverse("cases-console:post-checks") + f"?status={s}",
        )
        for s in PostCheckStatus.values
    ]
    return render(
        request,
        "cases/console_postchecks.html",
        {
            "rows": rows,
            "today": today,
            "tabs": tabs,
            "status": status,
            "staff": staff,
            "more": qs.count() > PAGE_SIZE,
        },
    )


@rule("perm:case.review|perm:case.approve")
@staff_view
@require_http_methods(["GET", "POST"])
def post_check(request: HttpRequest, pk: int) -> HttpResponse:
    if not _may(request.user):
        return forbidden(request, _("只有实施部门的审批人员可以查看核查任务。"))
    try:
        check = get_post_check_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    form = FindingForm(
        request.POST if request.method == "POST" else None, initial={"version": check.version}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            act = post_check_pass if form.cleaned_data["outcome"] == "pass" else post_check_fail
            try:
                act(
                    actor=request.user,
                    check=check,
                    finding=form.cleaned_data["finding"],
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code if exc.status_code in (403, 409) else 400
            else:
                messages.success(request, _("已登记核查结果。"))
                return HttpResponseRedirect(reverse("cases-console:post-check", args=[check.pk]))
        else:
            status = 400
    today = workdays.business_date(timezone.now())
    return render(
        request,
        "cases/console_postcheck.html",
        {
            "check": check,
            "case": check.case,
            "commitment": check.commitment,
            "form": form,
            "errors": error_list(form),
            "today": today,
            "may_fail": has_perm(request.user, Perm.CASE_APPROVE),
        },
        status=status,
    )
