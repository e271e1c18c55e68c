"""The monthly performance score sheet (绩效考核) of departments and staff.

score = Σ weight × component, each component a percentage (0–100), over the components that
have data (a missing one's weight is spread over the others): good rating rate (好评率), on-time
conclusion rate (按时办结率), rectification rate (差评整改率). The weights are the active
``ScoreWeights`` (default ``DEFAULT_WEIGHTS``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from tongban.cases.models import ReviewTask
from tongban.core.models import Department
from tongban.ratings import kpis as rating_kpis

from . import kpis
from .models import ScoreWeights

DEFAULT_WEIGHTS = {"good_rate": 40, "on_time_rate": 40, "rectification_rate": 20}
COMPONENTS = tuple(DEFAULT_WEIGHTS)


def active_weights() -> dict[str, Decimal]:
    row = ScoreWeights.objects.filter(is_active=True).order_by("-id").first()
    raw = row.weights if row is not None else DEFAULT_WEIGHTS
    return {k: Decimal(str(raw.get(k, 0))) for k in COMPONENTS}


def score(values: dict[str, Decimal | None], weights: dict[str, Decimal]) -> Decimal | None:
    have = {k: w for k, w in weights.items() if values.get(k) is not None and w > 0}
    total = sum(have.values())
    if not total:
        return None
    raw = sum(Decimal(values[k]) * w for k, w in have.items()) / total
    return raw.quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Line:
    name: str
    department: str
    values: dict
    score: Decimal | None


def department_sheet(period: kpis.Period, department_ids=None) -> list[Line]:
    scope = kpis.Scope.checked(department_ids=department_ids or ())
    by = kpis.figures_by("department", period, scope, areas=("cases", "ratings"))
    weights = active_weights()
    names = dict(Department.objects.values_list("pk", "name"))
    lines = []
    for pk, f in by.items():
        values = {k: f.value(k) for k in COMPONENTS}
        values["accepted"] = f.value("accepted")
        values["concluded"] = f.value("concluded")
        values["bad"] = f.value("bad")
        lines.append(
            Line(names.get(pk, str(pk)), names.get(pk, ""), values, score(values, weights))
        )
    return sorted(lines, key=lambda line: (line.score is None, -(line.score or 0), line.name))


def staff_sheet(period: kpis.Period, department_ids=None) -> list[Line]:
    """Per staff member: the ratings of their services, and the on-time rate of the cases whose
    final review step they completed (the decision) in the period."""
    User = get_user_model()
    ratings = rating_kpis.rating_figures_by_staff(
        period=period.ratings_period(), department_ids=department_ids or None
    )
    decided = (
        ReviewTask.objects.filter(
            status="done",
            case__decided_at__gte=period.since,
            case__decided_at__lt=period.until,
            assignee__isnull=False,
        )
        .filter(Q(department_id__in=department_ids) if department_ids else Q())
        .annotate(day=TruncDate("case__decided_at", tzinfo=kpis.SH))
        .order_by()
        .values("assignee_id")
        .annotate(
            n=Count("case_id", distinct=True),
            on_time=Count("case_id", distinct=True, filter=Q(day__lte=F("case__promised_due"))),
        )
    )
    cases = {row["assignee_id"]: row for row in decided}
    weights = active_weights()
    ids = set(ratings) | set(cases)
    users = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("staff__department")}
    lines = []
    for pk in ids:
        r = ratings.get(pk, {})
        c = cases.get(pk, {"n": 0, "on_time": 0})
        values = {
            "good_rate": _pct(r.get("good_rate")),
            "on_time_rate": kpis.ratio(c["on_time"], c["n"]),
            "rectification_rate": _pct(r.get("rectification_rate")),
            "ratings": r.get("ratings", 0),
            "concluded": c["n"],
            "bad": r.get("bad", 0),
        }
        user = users.get(pk)
        staff = getattr(user, "staff", None)
        name = (user.get_full_name() or user.username) if user else str(pk)
        dept = staff.department.name if staff else ""
        lines.append(Line(name, dept, values, score(values, weights)))
    return sorted(lines, key=lambda line: (line.score is None, -(line.score or 0), line.name))


def _pct(rate: float | None) -> Decimal | None:
    if rate is None:
        return None
    return (Decimal(str(rate)) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
