"""热线报表: pick a day, week or month, read its figures and hot topics, download the Excel."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.access import rule
from tongban.core.errors import DomainError
from tongban.core.permissions import Perm

from .. import reports
from .console import add_domain_error, error_list, require

REPORT_PERMS = (Perm.TICKET_DISPATCH, Perm.SUPERVISION_VIEW)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("报表类型"),
        choices=[(k, reports.PeriodKind.LABELS[k]) for k in reports.PeriodKind.values],
        initial=reports.PeriodKind.DAY,
        widget=forms.RadioSelect,
    )
    date = forms.DateField(
        label=_("统计日期"),
        help_text=_("日报为当天；周报为该日所在的周（周一至周日）；月报为该日所在的月份。"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效日期，例如 2026-11-20。")},
    )


def _period(request: HttpRequest):
    """(form, period or None): the period asked for, refused on bad or future input."""
    today = workdays.business_date(timezone.now())
    if "date" not in request.GET:
        return PeriodForm(initial={"kind": "day", "date": today - dt.timedelta(days=1)}), None
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    try:
        period = reports.report_period(
            form.cleaned_data["kind"], form.cleaned_data["date"], today=today
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return form, None
    return form, period


@rule("perm:ticket.dispatch|perm:supervision.view")
@require(*REPORT_PERMS)
def report_page(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    errors = error_list(form)
    context = {"form": form, "errors": errors, "report": None}
    if period is not None:
        report = reports.build(period)
        context.update(
            report=report,
            summary=reports.summary_rows(report),
            breakdowns=reports.breakdowns(report),
            hot=reports.hot_topics(report),
            query=request.GET.urlencode(),
        )
    return render(request, "hotline/console_report.html", context, status=400 if errors else 200)


@rule("perm:ticket.dispatch|perm:supervision.view")
@require(*REPORT_PERMS)
def report_export(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    if period is None:
        errors = error_list(form) or [("id_date", str(_("统计日期：请填写。")))]
        return render(
            request,
            "hotline/console_report.html",
            {"form": form, "errors": errors, "report": None},
            status=400,
        )
    data = reports.workbook(reports.build(period))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="hotline-{period.slug}.xlsx"'
    return response
