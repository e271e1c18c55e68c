"""Supervision on the demo district: the default score weights, a sweep over the demo cases and
tickets (cards, red ones sent to the heads) and last month's report, so that the supervision
view, the dashboard and the reports page are meaningful right after ``make demo``. Runs after
the ratings demo (INSTALLED_APPS order); a second run adds nothing new (the sweep is
idempotent, the report is regenerated in place)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from tongban.core import workdays

from .models import ScoreWeights
from .performance import DEFAULT_WEIGHTS
from .services import supervision_sweep
from .services.reporting import monthly_report_generate


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    if not ScoreWeights.objects.exists():
        ScoreWeights.objects.create(name="默认考核权重", weights=DEFAULT_WEIGHTS)
    result = supervision_sweep()
    today = workdays.business_date(timezone.now())
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    report = monthly_report_generate(month=last_month)
    out(f"supervision: {result.total} cards raised, report {last_month:%Y-%m}: {report.summary}")
    return {"cards": result.total, "reports": 1}
