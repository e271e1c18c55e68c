"""The dispatch-quality page (派单质量): how often the classifier's suggestion was right, week by
week (top-1 and top-3 against the subject each ticket concluded with), how much it dispatched
on its own (秒派 coverage) and how precisely, how often an operator undid it, which subjects it
confuses, and the active model's manifest and evaluation — so that drift shows.

For the hotline centre's dispatchers and for supervisors; a data table, no chart needed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.core.access import rule
from tongban.core.permissions import Perm

from .. import dispatch_quality
from .console import require

WEEK_CHOICES = (4, 12, 26, 52)


@rule("perm:ticket.dispatch|perm:supervision.view")
@require_GET
@require(Perm.TICKET_DISPATCH, Perm.SUPERVISION_VIEW)
def dispatch_quality_page(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("weeks", "")
    weeks = (
        int(raw) if raw.isdigit() and int(raw) in WEEK_CHOICES else dispatch_quality.DEFAULT_WEEKS
    )
    report = dispatch_quality.quality_report(weeks=weeks)
    context = {
        "report": report,
        "weeks": weeks,
        "week_choices": WEEK_CHOICES,
        "rows": list(reversed(report.weeks)),  # the latest week first
        "drift_margin": dispatch_quality.DRIFT_MARGIN,
        "drift_min_rows": dispatch_quality.DRIFT_MIN_ROWS,
    }
    return render(request, "hotline/console_dispatch_quality.html", context)
