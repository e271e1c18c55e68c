"""Generating the monthly report (stored as ``MonthlyReport``, regenerated in place)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays

from .. import kpis, reports
from ..errors import SupervisionErrorCode, SupervisionRefused
from ..models import MonthlyReport

STEPS_EXTRA = 3  # figures, PDF, storing


def report_steps() -> int:
    """How many progress steps ``monthly_report_generate`` reports (for a progress bar)."""
    from tongban.core.models import Department

    return 1 + Department.objects.count() + len(reports.LISTED) + STEPS_EXTRA


def monthly_report_generate(
    *, month: dt.date, progress: Callable[[str], None] = lambda _step: None
) -> MonthlyReport:
    """The report of ``month`` (its first day): refused for a month that has not begun."""
    month = month.replace(day=1)
    today = workdays.business_date(timezone.now())
    if month > today.replace(day=1):
        raise SupervisionRefused(
            SupervisionErrorCode.MONTH_IN_FUTURE,
            _("%(month)s 还没有到，不能生成这个月的报告。"),
            field="month",
            month=f"{month:%Y-%m}",
        )
    period = kpis.month_period(month)
    total, by_department = kpis.figures_with_groups("department", period, today=today)
    progress("figures")
    xlsx = reports.workbook(month, total, by_department, progress=progress)
    pdf = reports.pdf(month, total, by_department)
    progress("pdf")
    with transaction.atomic():
        report, _created = MonthlyReport.objects.select_for_update().get_or_create(month=month)
        old = [f.name for f in (report.workbook, report.pdf) if f]
        report.figures = {
            "total": total.as_json(),
            "departments": {str(pk): f.as_json() for pk, f in by_department.items()},
        }
        report.summary = reports.summary_text(month, total)
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        report.workbook.save(f"report-{month:%Y-%m}-{stamp}.xlsx", ContentFile(xlsx), save=False)
        report.pdf.save(f"report-{month:%Y-%m}-{stamp}.pdf", ContentFile(pdf), save=False)
        report.save()
        storage = report.workbook.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in old])
    progress("stored")
    return report
