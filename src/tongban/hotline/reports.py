"""Hotline statistics (热线日报 / 周报 / 月报): figures of one period, hot topics against the
previous period of the same length, and an Excel workbook of them.

How tickets are counted (the rule of docs/hotline.md, "How merged tickets count in the
statistics"; the details in docs/grid.md, "How the reports count"):

- **Volume** (受理量 and its breakdowns by type, subject, source, unit and street): every ticket
  received in the period (``created_at`` in it, Asia/Shanghai business days), merged ones
  included — each call is a citizen's request.
- **Handling** (派单、签收、办理、办结): the tickets received in the period that were *not* merged
  into another one (status ``merged``) — a merged group is handled once, through the ticket it
  was merged into. Signed on time: signed at or before the sign-for limit; late: signed after it,
  or not signed when the report is made and the limit has passed. Handled on time likewise with
  the reply and the handling limit (an approved extension moves the limit).
- **Returns and extensions**: the requests made in the period, by decision (handling figures:
  those on tickets merged since are left out).
- **Satisfaction**: the call-backs done in the period (every caller is called back, so merged
  tickets count each).
- **Hot topics**: the subjects, communities and addresses with the most tickets in the period,
  with the count of the previous period and the rise.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from tongban.core import workdays
from tongban.core.errors import ValidationFailed
from tongban.core.models import Department, Region
from tongban.core.replica import reads_from_replica

from .errors import TicketErrorCode
from .models import (
    Callback,
    CallbackStatus,
    Decision,
    Satisfaction,
    Source,
    Subject,
    Ticket,
    TicketExtension,
    TicketReturn,
    TicketType,
)
from .states import TicketStatus

TZ = workdays.BUSINESS_TZ
HOT_LIMIT = 10
BREAKDOWN_LIMIT = 30


class PeriodKind:
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    LABELS = {
        DAY: gettext_lazy("日报"),
        WEEK: gettext_lazy("周报"),
        MONTH: gettext_lazy("月报"),
    }
    values = (DAY, WEEK, MONTH)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # first day
    end: dt.date  # the day after the last

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.DAY:
            return _("%(d)s 日报") % {"d": self.start.isoformat()}
        if self.kind == PeriodKind.WEEK:
            return _("%(a)s 至 %(b)s 周报") % {
                "a": self.start.isoformat(),
                "b": self.last_day.isoformat(),
            }
        return _("%(y)d 年 %(m)d 月月报") % {"y": self.start.year, "m": self.start.month}

    @property
    def slug(self) -> str:
        return f"{self.kind}-{self.start:%Y%m%d}"

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return (_midnight(self.start), _midnight(self.end))

    def previous(self) -> Period:
        return period_of(self.kind, self.start - dt.timedelta(days=1))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TZ)


def period_of(kind: str, day: dt.date) -> Period:
    """The day, week (Monday to Sunday) or calendar month that holds ``day``."""
    if kind == PeriodKind.DAY:
        return Period(kind, day, day + dt.timedelta(days=1))
    if kind == PeriodKind.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=7))
    if kind == PeriodKind.MONTH:
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        return Period(kind, start, end)
    raise ValidationFailed(
        TicketErrorCode.INVALID_INPUT,
        gettext_lazy("报表类型：应为 day（日报）、week（周报）或 month（月报）。"),
        field="kind",
    )


def report_period(kind: str, day: dt.date, *, today: dt.date | None = None) -> Period:
    """The period to report on; refused when it has not begun (a future period has no data).
    The current period is allowed and counts what happened so far."""
    period = period_of(kind, day)
    today = today or workdays.business_date(timezone.now())
    if period.start > today:
        raise ValidationFailed(
            TicketErrorCode.INVALID_INPUT,
            gettext_lazy("统计期间：%(period)s 尚未开始，不能生成未来期间的报表。"),
            field="date",
            period=period.label,
        )
    return period


@dataclass
class Row:
    key: str
    label: str
    count: int
    previous: int | None = None

    @property
    def rise(self) -> int | None:
        return None if self.previous is None else self.count - self.previous


@dataclass
class Report:
    period: Period
    as_of: dt.datetime
    volume: int = 0
    merged: int = 0
    by_type: list[Row] = field(default_factory=list)
    by_source: list[Row] = field(default_factory=list)
    by_subject: list[Row] = field(default_factory=list)
    by_unit: list[Row] = field(default_factory=list)
    by_street: list[Row] = field(default_factory=list)
    handled: dict[str, int] = field(default_factory=dict)
    returns: dict[str, int] = field(default_factory=dict)
    extensions: dict[str, int] = field(default_factory=dict)
    satisfaction: dict[str, int] = field(default_factory=dict)
    hot_subjects: list[Row] = field(default_factory=list)
    hot_communities: list[Row] = field(default_factory=list)
    hot_addresses: list[Row] = field(default_factory=list)

    @property
    def sign_rate(self) -> Decimal | None:
        return rate(self.handled["signed_on_time"], self.handled["sign_judged"])

    @property
    def handle_rate(self) -> Decimal | None:
        return rate(self.handled["handled_on_time"], self.handled["handle_judged"])

    @property
    def satisfaction_rate(self) -> Decimal | None:
        s = self.satisfaction
        return rate(s["satisfied"] + s["basic"], s["rated"])


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal (half up), or ``None`` when there is nothing to judge."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _rows(counts: dict, labels: dict, *, unknown: str, limit: int | None = None) -> list[Row]:
    rows = [
        Row(str(key or ""), str(labels.get(key, unknown)) if key else unknown, n)
        for key, n in counts.items()
    ]
    rows.sort(key=lambda r: (-r.count, r.key))
    if limit is not None and len(rows) > limit:
        rest = sum(r.count for r in rows[limit:])
        rows = [*rows[:limit], Row("other", _("其他"), rest)]
    return rows


def _crossed(
    qs, columns: tuple[str, ...], sums: dict[str, Q] | None = None
) -> tuple[dict[str, dict], dict[str, int]]:
    """Counts by each of ``columns`` and the totals of the conditional ``sums``, from one GROUP
    BY over all the columns. Call it with columns of few combinations (type × source, street ×
    community …): the database aggregates in memory and few rows come back."""
    sums = sums or {}
    out: dict[str, dict] = {c: {} for c in columns}
    totals = dict.fromkeys(sums, 0)
    annotations = {"n": Count("id")}
    annotations.update({f"s_{k}": Count("id", filter=q) for k, q in sums.items()})
    width = len(columns)
    names = list(sums)
    for row in qs.order_by().values_list(*columns).annotate(**annotations):
        n = row[width]
        for i, c in enumerate(columns):
            bucket = out[c]
            bucket[row[i]] = bucket.get(row[i], 0) + n
        for j, k in enumerate(names):
            totals[k] += row[width + 1 + j]
    return out, totals


def _handling_figures(as_of: dt.datetime) -> dict[str, Q]:
    """The handling figures' conditions (merged tickets left out: a group counts once)."""
    kept = ~Q(status=TicketStatus.MERGED)
    return {
        "tickets": kept,
        "dispatched": kept & Q(dispatched_at__isnull=False),
        "signed": kept & Q(signed_at__isnull=False),
        "signed_on_time": kept & Q(signed_at__lte=F("sign_due")),
        "signed_late": kept
        & (
            Q(signed_at__gt=F("sign_due"))
            | Q(signed_at__isnull=True, sign_due__lt=as_of, dispatched_at__isnull=False)
        ),
        "replied": kept & Q(replied_at__isnull=False),
        "handled_on_time": kept & Q(replied_at__lte=F("handle_due")),
        "handled_late": kept
        & (
            Q(replied_at__gt=F("handle_due"))
            | Q(replied_at__isnull=True, handle_due__lt=as_of, dispatched_at__isnull=False)
        ),
        "closed": kept & Q(status=TicketStatus.CLOSED),
        "closed_at_intake": kept & Q(status=TicketStatus.CLOSED, dispatched_at=None),
    }


def _grouped(qs, column: str) -> dict:
    return dict(qs.order_by().values_list(column).annotate(n=Count("id")))


def _hot(current: dict, previous: dict, labels: dict, *, unknown: str) -> list[Row]:
    """The keys with the most tickets now, rising first among equals, with the previous count."""
    rows = [
        Row(str(key), str(labels.get(key, unknown)), n, previous.get(key, 0))
        for key, n in current.items()
        if key not in (None, "")
    ]
    rows.sort(key=lambda r: (-(r.rise or 0), -r.count, r.key))
    return [r for r in rows if (r.rise or 0) > 0][:HOT_LIMIT]


@reads_from_replica
def build(period: Period, *, now: dt.datetime | None = None) -> Report:
    """All figures of ``period`` (read from the replica when one is configured: every query is
    evaluated here, docs/deploy.md "Read replica"): six GROUP BYs of tickets by registration time, each an
    index-only scan of the covering index ``ticket_report_cover`` on PostgreSQL (the period's
    type × source with the handling figures, subject × unit, street × community, addresses;
    the previous period's subject × community and addresses), and one aggregate each for
    returns, extensions and call-backs (on their own time indexes)."""
    as_of = now or timezone.now()
    start, end = period.bounds()
    report = Report(period=period, as_of=as_of)
    received = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)

    # three GROUP BYs of few combinations each, every one an index-only scan of the month
    # (``ticket_report_cover``): type × source with the handling figures, subject × unit,
    # street × community
    kinds, handled = _crossed(received, ("ticket_type", "source"), _handling_figures(as_of))
    duties, _none = _crossed(received, ("subject_id", "department_id"))
    places, _none = _crossed(received, ("street_id", "region_id"))
    cross = {**kinds, **duties, **places}
    by_type = cross["ticket_type"]
    report.volume = sum(by_type.values())
    report.by_type = _rows(by_type, dict(TicketType.choices), unknown=_("未分类"))
    report.by_source = _rows(cross["source"], dict(Source.choices), unknown=_("未知来源"))
    subjects = cross["subject_id"]
    units = cross["department_id"]
    streets = cross["street_id"]
    subject_names = dict(Subject.objects.values_list("pk", "name"))
    unit_names = {
        pk: short or name
        for pk, short, name in Department.objects.values_list("pk", "short_name", "name")
    }
    region_names = dict(Region.objects.values_list("pk", "name"))
    report.by_subject = _rows(subjects, subject_names, unknown=_("未分类"), limit=BREAKDOWN_LIMIT)
    report.by_unit = _rows(units, unit_names, unknown=_("未派单"), limit=BREAKDOWN_LIMIT)
    report.by_street = _rows(streets, region_names, unknown=_("属地未识别"))

    handled["sign_judged"] = handled["signed_on_time"] + handled["signed_late"]
    handled["handle_judged"] = handled["handled_on_time"] + handled["handled_late"]
    report.handled = handled
    report.merged = report.volume - handled["tickets"]

    in_period = Q(requested_at__gte=start, requested_at__lt=end)
    merged = Q(assignment__ticket__status=TicketStatus.MERGED)
    report.returns = _decisions(TicketReturn.objects.filter(in_period).exclude(merged))
    report.extensions = _decisions(TicketExtension.objects.filter(in_period).exclude(merged))

    callbacks = Callback.objects.filter(
        status=CallbackStatus.DONE, done_at__gte=start, done_at__lt=end
    ).aggregate(
        done=Count("id"),
        satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basic=Count("id", filter=Q(satisfaction=Satisfaction.BASIC)),
        dissatisfied=Count("id", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
        solved=Count("id", filter=Q(solved=True)),
    )
    callbacks["rated"] = callbacks["satisfied"] + callbacks["basic"] + callbacks["dissatisfied"]
    report.satisfaction = callbacks

    before = period.previous()
    p_start, p_end = before.bounds()
    prior = Ticket.objects.filter(created_at__gte=p_start, created_at__lt=p_end)
    prior_cross, _none = _crossed(prior, ("subject_id", "region_id"))
    prior_cross["address"] = _grouped(prior.exclude(address=""), "address")
    report.hot_subjects = _hot(
        subjects, prior_cross["subject_id"], subject_names, unknown=_("未分类")
    )
    report.hot_communities = _hot(
        cross["region_id"],
        prior_cross["region_id"],
        region_names,
        unknown=_("属地未识别"),
    )
    addresses_now = _grouped(received.exclude(address=""), "address")
    repeated = {a: n for a, n in addresses_now.items() if n >= 2}
    report.hot_addresses = _hot(
        repeated, prior_cross["address"], {a: a for a in repeated}, unknown=""
    )
    return report


def _decisions(qs) -> dict[str, int]:
    return qs.aggregate(
        requested=Count("id"),
        approved=Count("id", filter=Q(decision=Decision.APPROVED)),
        refused=Count("id", filter=Q(decision=Decision.REFUSED)),
        pending=Count("id", filter=Q(decision=Decision.PENDING)),
    )


# --------------------------------------------------------------------------- presentation


def fmt_rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def summary_rows(r: Report) -> list[tuple[str, str]]:
    """(label, value) of the headline figures, as the page and the workbook show them."""
    h, ret, ext, s = r.handled, r.returns, r.extensions, r.satisfaction
    return [
        (_("受理量（含并单）"), str(r.volume)),
        (_("其中被并单"), str(r.merged)),
        (_("计入办理统计的工单"), str(h["tickets"])),
        (_("未派单直接办结（含网格自行处置）"), str(h["closed_at_intake"])),
        (_("派单"), str(h["dispatched"])),
        (_("按时签收"), f"{h['signed_on_time']} / {h['sign_judged']}"),
        (_("按时签收率"), fmt_rate(r.sign_rate)),
        (_("按时办理"), f"{h['handled_on_time']} / {h['handle_judged']}"),
        (_("按时办理率"), fmt_rate(r.handle_rate)),
        (_("已办结"), str(h["closed"])),
        (_("退单申请（同意 / 驳回 / 待审）"), _decision_text(ret)),
        (_("延期申请（同意 / 不同意 / 待审）"), _decision_text(ext)),
        (_("回访"), str(s["done"])),
        (_("满意 / 基本满意 / 不满意"), f"{s['satisfied']} / {s['basic']} / {s['dissatisfied']}"),
        (_("满意率（含基本满意）"), fmt_rate(r.satisfaction_rate)),
    ]


def _decision_text(d: dict[str, int]) -> str:
    return f"{d['requested']}（{d['approved']} / {d['refused']} / {d['pending']}）"


def breakdowns(r: Report) -> list[tuple[str, list[Row]]]:
    return [
        (_("按诉求类型"), r.by_type),
        (_("按来源渠道"), r.by_source),
        (_("按诉求分类"), r.by_subject),
        (_("按承办单位"), r.by_unit),
        (_("按属地街道"), r.by_street),
    ]


def hot_topics(r: Report) -> list[tuple[str, list[Row]]]:
    return [
        (_("上升最快的诉求分类"), r.hot_subjects),
        (_("上升最快的社区"), r.hot_communities),
        (_("反复反映的地址"), r.hot_addresses),
    ]


def workbook(r: Report) -> bytes:
    """The report as an .xlsx: 概况, 分类统计 and 热点 sheets."""
    book = Workbook()
    bold = Font(bold=True)
    summary = book.active
    summary.title = _("概况")
    summary.append([r.period.label])
    summary["A1"].font = bold
    summary.append(
        [
            _("统计期间"),
            f"{r.period.start.isoformat()} — {r.period.last_day.isoformat()}",
        ]
    )
    summary.append([_("生成时间"), r.as_of.astimezone(TZ).strftime("%Y-%m-%d %H:%M")])
    summary.append([])
    for label, value in summary_rows(r):
        summary.append([label, value])
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 28

    sheet = book.create_sheet(_("分类统计"))
    for title, rows in breakdowns(r):
        sheet.append([title])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append([_("项目"), _("件数"), _("占比")])
        for row in rows:
            sheet.append([row.label, row.count, fmt_rate(rate(row.count, r.volume))])
        sheet.append([])
    sheet.column_dimensions["A"].width = 34

    hot = book.create_sheet(_("热点"))
    for title, rows in hot_topics(r):
        hot.append([title])
        hot.cell(row=hot.max_row, column=1).font = bold
        hot.append([_("项目"), _("本期"), _("上期"), _("增加")])
        for row in rows:
            hot.append([row.label, row.count, row.previous, row.rise])
        hot.append([])
    hot.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
