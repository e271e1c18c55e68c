"""Rating figures (好差评 KPIs), each defined once here; formulas in docs/metrics.md and
docs/ratings.md.

Every figure is one aggregate query over ``Rating`` (joined to its ``Rectification``), never a
Python loop over rows. What is counted:

- a rating is counted in the period of its ``rated_at`` (Asia/Shanghai business dates,
  inclusive);
- only first ratings count (one per service event, 一事一评): follow-up ratings (追评) are
  not a second vote on the same event;
- ratings that an appeal re-check (申诉复核) marked as mistaken or malicious stay stored but are
  left out of every figure (国办发〔2019〕51号: 申诉复核 excludes 误评 and 恶意差评), as are
  ratings a flagged-rating review found were not the applicant's own (``fraudulent``);
- ``good_rate`` (好评率) = (非常满意 + 满意 + 基本满意) / all ratings;
- ``bad`` (差评) = 不满意 + 非常不满意;
- ``rectified`` = bad ratings whose rectification is closed (supervisor approved);
  ``rectification_rate`` (差评整改率) = rectified / bad;
- ``rectified_on_time`` = rectified and the department replied (``responded_at``) no later than
  the rectification's ``due``; ``rectification_on_time_rate`` = rectified_on_time / bad;
- ``real_name_bad`` = bad ratings given under the rater's real name; ``real_name_bad_closed`` =
  those whose rectification is closed (实名差评回访整改率 = closed / real_name_bad, 100% only
  when every one is closed).

Rates are ``float`` fractions in [0, 1], or ``None`` when the denominator is zero (no ratings,
no bad ratings): "no data" is not 0% and not 100%.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from tongban.core.workdays import end_of_day

from .models import BAD_LEVELS, Level, Rating, RectificationStatus

APPEAL_EXCLUDED = ("mistaken", "malicious", "fraudulent")

FIGURE_KEYS = (
    "ratings",
    "very_satisfied",
    "satisfied",
    "basic",
    "dissatisfied",
    "very_dissatisfied",
    "good_rate",
    "bad",
    "rectified",
    "rectification_rate",
    "rectified_on_time",
    "rectification_on_time_rate",
    "real_name_bad",
    "real_name_bad_closed",
    "real_name_bad_closed_rate",
)


@dataclass(frozen=True)
class Period:
    """Inclusive business dates in Asia/Shanghai."""

    start: dt.date
    end: dt.date

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first instant, first instant after) as aware datetimes."""
        return end_of_day(self.start - dt.timedelta(days=1)), end_of_day(self.end)


def counted_ratings(
    *,
    period: Period | None = None,
    department_ids: Iterable[int] | None = None,
    region_ids: Iterable[int] | None = None,
    item_codes: Iterable[str] | None = None,
    service_kinds: Iterable[str] | None = None,
) -> QuerySet[Rating]:
    """The ratings the figures count (first ratings, not excluded by an appeal), filtered.

    ``region_ids`` matches a rating's region or any region below it (district > street >
    community). This is also the list behind every figure (the drill-down of a dashboard)."""
    qs = Rating.objects.filter(follow_up_of__isnull=True).exclude(appeal_result__in=APPEAL_EXCLUDED)
    if period is not None:
        start, end = period.bounds()
        qs = qs.filter(rated_at__gt=start, rated_at__lte=end)
    if department_ids is not None:
        qs = qs.filter(department_id__in=list(department_ids))
    if region_ids is not None:
        ids = list(region_ids)
        qs = qs.filter(
            Q(region_id__in=ids)
            | Q(region__parent_id__in=ids)
            | Q(region__parent__parent_id__in=ids)
        )
    if item_codes is not None:
        qs = qs.filter(item_code__in=list(item_codes))
    if service_kinds is not None:
        qs = qs.filter(service_kind__in=list(service_kinds))
    return qs


_BAD = Q(level__in=[int(level) for level in BAD_LEVELS])
_CLOSED = Q(rectification__status=RectificationStatus.CLOSED)


def _aggregates() -> dict[str, Any]:
    return {
        "ratings": Count("id"),
        "very_satisfied": Count("id", filter=Q(level=Level.VERY_SATISFIED)),
        "satisfied": Count("id", filter=Q(level=Level.SATISFIED)),
        "basic": Count("id", filter=Q(level=Level.BASIC)),
        "dissatisfied": Count("id", filter=Q(level=Level.DISSATISFIED)),
        "very_dissatisfied": Count("id", filter=Q(level=Level.VERY_DISSATISFIED)),
        "rectified": Count("id", filter=_BAD & _CLOSED),
        "rectified_on_time": Count(
            "id",
            filter=_BAD & _CLOSED & Q(rectification__responded_at__lte=F("rectification__due")),
        ),
        "real_name_bad": Count("id", filter=_BAD & Q(real_name=True)),
        "real_name_bad_closed": Count("id", filter=_BAD & Q(real_name=True) & _CLOSED),
    }


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _complete(row: dict[str, Any]) -> dict[str, Any]:
    """Add the derived figures (bad and the rates) to one aggregate row."""
    counts = {key: int(row.get(key) or 0) for key in _aggregates()}
    good = counts["very_satisfied"] + counts["satisfied"] + counts["basic"]
    bad = counts["dissatisfied"] + counts["very_dissatisfied"]
    figures = {
        **counts,
        "good": good,
        "good_rate": _rate(good, counts["ratings"]),
        "bad": bad,
        "rectification_rate": _rate(counts["rectified"], bad),
        "rectification_on_time_rate": _rate(counts["rectified_on_time"], bad),
        "real_name_bad_closed_rate": _rate(counts["real_name_bad_closed"], counts["real_name_bad"]),
    }
    return figures


def rating_figures(
    *,
    period: Period,
    department_ids: Iterable[int] | None = None,
    region_ids: Iterable[int] | None = None,
    item_codes: Iterable[str] | None = None,
    service_kinds: Iterable[str] | None = None,
) -> dict[str, Any]:
    """All rating figures for the filter, in one aggregate query (keys: ``FIGURE_KEYS`` and
    ``good``)."""
    row = counted_ratings(
        period=period,
        department_ids=department_ids,
        region_ids=region_ids,
        item_codes=item_codes,
        service_kinds=service_kinds,
    ).aggregate(**_aggregates())
    return _complete(row)


def rating_figures_by_department(
    *,
    period: Period,
    department_ids: Iterable[int] | None = None,
    region_ids: Iterable[int] | None = None,
    item_codes: Iterable[str] | None = None,
    service_kinds: Iterable[str] | None = None,
) -> dict[int, dict[str, Any]]:
    """The same figures per rated department, in one grouped query: ``{department_id: figures}``.
    Departments without a rating in the period are absent (callers show them as no data)."""
    rows = (
        counted_ratings(
            period=period,
            department_ids=department_ids,
            region_ids=region_ids,
            item_codes=item_codes,
            service_kinds=service_kinds,
        )
        .order_by()
        .values("department_id")
        .annotate(**_aggregates())
    )
    return {row["department_id"]: _complete(row) for row in rows}


def rating_figures_by_staff(
    *, period: Period, department_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Any]]:
    """The same figures per rated staff member (for the performance sheet), one grouped query.
    Ratings without a staff member (online cases rated as a whole) are left out."""
    rows = (
        counted_ratings(period=period, department_ids=department_ids)
        .filter(staff__isnull=False)
        .order_by()
        .values("staff_id")
        .annotate(**_aggregates())
    )
    return {row["staff_id"]: _complete(row) for row in rows}


def rating_distribution(*, period: Period, **filters: Any) -> dict[int, int]:
    """Counts per level (5 … 1) — the dashboard's rating distribution."""
    figures = rating_figures(period=period, **filters)
    return {
        Level.VERY_SATISFIED: figures["very_satisfied"],
        Level.SATISFIED: figures["satisfied"],
        Level.BASIC: figures["basic"],
        Level.DISSATISFIED: figures["dissatisfied"],
        Level.VERY_DISSATISFIED: figures["very_dissatisfied"],
    }


def rating_channel_mix(*, period: Period, **filters: Any) -> dict[str, int]:
    """Counts per rating channel (web, sms, device, callback, default)."""
    rows = (
        counted_ratings(period=period, **filters)
        .order_by()
        .values("channel")
        .annotate(n=Count("id"))
    )
    return {row["channel"]: row["n"] for row in rows}
