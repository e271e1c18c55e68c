"""Reads for the dispatch-quality page (派单质量): how good the classifier's suggestions are, week
by week, measured against the subject each ticket had when it concluded.

- **top-1 accuracy**: the suggestion's best subject is the final subject;
- **top-3 accuracy**: the final subject is among the three candidates;
- **auto-dispatch coverage**: the share of scored tickets dispatched with no human step (秒派 by
  the classifier), and its **precision** (top-1 accuracy among those that concluded);
- **undone**: automatic dispatches the operator took back;
- **confusion hot spots**: the (suggested, final) subject pairs that go wrong most often.

Every figure is one aggregate query over the suggestion rows (weeks in Asia/Shanghai), so the
number of queries does not grow with the data. Only suggestions with a final subject count for
accuracy; the others are still open, or concluded without a subject.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, TextField, Value
from django.db.models.functions import Cast, Concat, TruncWeek
from django.utils import timezone

from tongban.core import workdays

from . import dispatch
from .models import ClassifierModel, ClassifierStatus, DispatchSuggestion

DEFAULT_WEEKS = 12
MAX_WEEKS = 53
HOT_SPOTS = 10
# A week whose top-1 accuracy falls this far below the model's evaluation (on at least
# DRIFT_MIN_ROWS concluded tickets) is flagged: the messages may have drifted from the training.
DRIFT_MARGIN = 0.05
DRIFT_MIN_ROWS = 20


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Figures:
    """The counts of one week (or of the whole period) and the shares derived from them."""

    scored: int = 0
    concluded: int = 0
    top1: int = 0
    top3: int = 0
    auto: int = 0
    auto_concluded: int = 0
    auto_correct: int = 0
    undone: int = 0
    week: dt.date | None = None
    drift: bool = False

    @property
    def top1_accuracy(self) -> float | None:
        return _share(self.top1, self.concluded)

    @property
    def top3_accuracy(self) -> float | None:
        return _share(self.top3, self.concluded)

    @property
    def auto_coverage(self) -> float | None:
        return _share(self.auto, self.scored)

    @property
    def auto_precision(self) -> float | None:
        return _share(self.auto_correct, self.auto_concluded)

    @property
    def week_end(self) -> dt.date | None:
        return self.week + dt.timedelta(days=6) if self.week else None

    def add(self, other: Figures) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNTS = ("scored", "concluded", "top1", "top3", "auto", "auto_concluded", "auto_correct", "undone")


@dataclass
class HotSpot:
    suggested_code: str | None
    suggested_name: str | None
    final_code: str
    final_name: str
    count: int


@dataclass
class ActiveModel:
    name: str
    path: str
    activated_at: dt.datetime | None
    manifest: dict
    evaluation: dict
    evaluation_accuracy: float | None
    evaluation_macro_f1: float | None
    evaluation_rows: int | None
    at_threshold: dict | None  # the evaluation's coverage and precision at the live threshold
    cv_accuracy: float | None
    cv_macro_f1: float | None


@dataclass
class Report:
    since: dt.date
    weeks: list[Figures]
    total: Figures
    hot_spots: list[HotSpot]
    model: ActiveModel | None
    threshold: float
    drift_weeks: int = 0
    notes: list[str] = field(default_factory=list)


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _weekly(since_moment: dt.datetime) -> dict[dt.date, Figures]:
    concluded = Q(final_subject__isnull=False)
    hit1 = concluded & Q(top_subject_id=F("final_subject_id"))
    auto = Q(auto_dispatched=True)
    rows = (
        DispatchSuggestion.objects.filter(created_at__gte=since_moment)
        .annotate(
            week=TruncWeek("created_at", tzinfo=workdays.BUSINESS_TZ),
            # the candidates as stored JSON text; the final subject is among them when its
            # code appears as a candidate's "subject" value
            listed=Cast("candidates", TextField()),
            needle=Concat(Value('"subject": "'), F("final_subject__code"), Value('"')),
        )
        .values("week")
        .annotate(
            scored=Count("pk"),
            concluded=Count("pk", filter=concluded),
            top1=Count("pk", filter=hit1),
            top3=Count("pk", filter=concluded & Q(listed__contains=F("needle"))),
            auto=Count("pk", filter=auto),
            auto_concluded=Count("pk", filter=auto & concluded),
            auto_correct=Count("pk", filter=auto & hit1),
            undone=Count("pk", filter=Q(undone_at__isnull=False)),
        )
        .order_by("week")
    )
    out: dict[dt.date, Figures] = {}
    for row in rows:
        week = row.pop("week")
        day = (
            week.astimezone(workdays.BUSINESS_TZ).date() if isinstance(week, dt.datetime) else week
        )
        out[day] = Figures(week=day, **row)
    return out


def _hot_spots(since_moment: dt.datetime) -> list[HotSpot]:
    rows = (
        DispatchSuggestion.objects.filter(created_at__gte=since_moment, final_subject__isnull=False)
        .exclude(top_subject_id=F("final_subject_id"))
        .values(
            "top_subject__code",
            "top_subject__name",
            "final_subject__code",
            "final_subject__name",
        )
        .annotate(n=Count("pk"))
        .order_by("-n", "final_subject__code", "top_subject__code")[:HOT_SPOTS]
    )
    return [
        HotSpot(
            r["top_subject__code"],
            r["top_subject__name"],
            r["final_subject__code"],
            r["final_subject__name"],
            r["n"],
        )
        for r in rows
    ]


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _at_threshold(evaluation: dict, threshold: float) -> dict | None:
    """The evaluation's threshold-table row closest below the live threshold."""
    rows = [r for r in evaluation.get("thresholds") or [] if isinstance(r, dict)]
    rows = [r for r in rows if _number(r.get("threshold")) is not None]
    below = [r for r in rows if r["threshold"] <= threshold + 1e-9]
    return max(below, key=lambda r: r["threshold"]) if below else None


def active_model(threshold: float) -> ActiveModel | None:
    row = ClassifierModel.objects.filter(status=ClassifierStatus.ACTIVE).first()
    if row is None:
        return None
    manifest = row.manifest if isinstance(row.manifest, dict) else {}
    evaluation = row.evaluation if isinstance(row.evaluation, dict) else {}
    cv = (manifest.get("metrics") or {}).get("cross_validation") or {}
    rows = evaluation.get("rows")
    return ActiveModel(
        name=row.name,
        path=row.path,
        activated_at=row.activated_at,
        manifest=manifest,
        evaluation=evaluation,
        evaluation_accuracy=_number(evaluation.get("accuracy")),
        evaluation_macro_f1=_number(evaluation.get("macro_f1")),
        evaluation_rows=rows if isinstance(rows, int) else None,
        at_threshold=_at_threshold(evaluation, threshold),
        cv_accuracy=_number(cv.get("accuracy")),
        cv_macro_f1=_number(cv.get("macro_f1")),
    )


def quality_report(*, weeks: int = DEFAULT_WEEKS, now: dt.datetime | None = None) -> Report:
    """The last ``weeks`` weeks (this one included), oldest first, every week listed."""
    weeks = max(1, min(int(weeks), MAX_WEEKS))
    now = now or timezone.now()
    today = workdays.business_date(now)
    first = _week_start(today) - dt.timedelta(weeks=weeks - 1)
    since_moment = dt.datetime.combine(first, dt.time.min, tzinfo=workdays.BUSINESS_TZ)
    found = _weekly(since_moment)
    threshold = dispatch.auto_dispatch_confidence()
    model = active_model(threshold)
    baseline = model.evaluation_accuracy if model else None
    table: list[Figures] = []
    total = Figures()
    drift_weeks = 0
    for i in range(weeks):
        day = first + dt.timedelta(weeks=i)
        figures = found.get(day) or Figures(week=day)
        if (
            baseline is not None
            and figures.concluded >= DRIFT_MIN_ROWS
            and figures.top1_accuracy is not None
            and figures.top1_accuracy < baseline - DRIFT_MARGIN
        ):
            figures.drift = True
            drift_weeks += 1
        total.add(figures)
        table.append(figures)
    return Report(
        since=first,
        weeks=table,
        total=total,
        hot_spots=_hot_spots(since_moment),
        model=model,
        threshold=threshold,
        drift_weeks=drift_weeks,
    )


@dataclass
class Tile:
    """The hotline home's 派单质量 tile: this week and last week, and whether either drifted."""

    this_week: Figures
    last_week: Figures
    threshold: float
    has_model: bool
    drift: bool


TILE_SECONDS = 60.0  # the tile's figures are re-read at most this often per process
_tile_cache: dict[str, tuple[float, Tile]] = {}


def clear_tile_cache() -> None:
    _tile_cache.clear()


def tile(*, now: dt.datetime | None = None) -> Tile:
    """The hotline home's tile: the two most recent weeks, figured as ``quality_report`` does
    (two queries: the weekly counts and the active model's row; no hot spots), kept for
    ``TILE_SECONDS`` per process so that the busy queue page does not pay for it each time."""
    if now is None:
        hit = _tile_cache.get("tile")
        if hit is not None and time.monotonic() - hit[0] < TILE_SECONDS:
            return hit[1]
    result = _tile(now or timezone.now())
    if now is None:
        _tile_cache["tile"] = (time.monotonic(), result)
    return result


def _tile(now: dt.datetime) -> Tile:
    this_start = _week_start(workdays.business_date(now))
    last_start = this_start - dt.timedelta(weeks=1)
    since_moment = dt.datetime.combine(last_start, dt.time.min, tzinfo=workdays.BUSINESS_TZ)
    found = _weekly(since_moment)
    threshold = dispatch.auto_dispatch_confidence()
    model = active_model(threshold)
    baseline = model.evaluation_accuracy if model else None
    weeks = []
    for day in (this_start, last_start):
        figures = found.get(day) or Figures(week=day)
        figures.drift = bool(
            baseline is not None
            and figures.concluded >= DRIFT_MIN_ROWS
            and figures.top1_accuracy is not None
            and figures.top1_accuracy < baseline - DRIFT_MARGIN
        )
        weeks.append(figures)
    return Tile(
        this_week=weeks[0],
        last_week=weeks[1],
        threshold=threshold,
        has_model=model is not None,
        drift=any(w.drift for w in weeks),
    )
