"""The supervision KPIs (政务服务指标), each defined once, computed by aggregate queries.

A KPI is a count, or a ratio of two counts (``Kpi.numerator`` / ``Kpi.denominator``). Each count
is one SQL condition on one source table (cases, refusal events, case materials, published item
versions, ticket assignments, tickets, callbacks); the figures of a period are one aggregate query
per source (grouped by department or street for rankings), never a loop over rows. The ratings
figures (好评率, 差评整改率 …) come from ``tongban.ratings.kpis``. The formulas are written out in
docs/metrics.md; the list of cases behind any count is ``rows_behind``.

Bundles (一件事, issue 6): each child case is a ``Case`` of its own department and counts once
per child in every case KPI; a bundle's own figures (once per bundle) will come from the bundle
table, never by adding its children twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case, CaseEvent, CaseMaterial
from tongban.cases.states import CaseAction, CaseStatus
from tongban.catalog.models import Material, ServiceItemVersion
from tongban.catalog.models.codes import OnlineDepth, VersionStatus
from tongban.core import workdays
from tongban.core.errors import CoreErrorCode, ValidationFailed
from tongban.core.models import Department, Region
from tongban.core.replica import reads_from_replica
from tongban.hotline.models import Callback, Ticket, TicketAssignment
from tongban.hotline.models.tickets import AssignmentStatus, Satisfaction
from tongban.ratings import kpis as rating_kpis

SH = workdays.BUSINESS_TZ
ONLINE_CHANNELS = ("web", "mobile")  # 实际网办: applied on the web or the phone
GROUPS = ("department", "street")


# ---------------------------------------------------------------- periods and scope


@dataclass(frozen=True)
class Period:
    """Inclusive business dates (Asia/Shanghai)."""

    start: dt.date
    end: dt.date

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=SH)

    @property
    def until(self) -> dt.datetime:  # exclusive
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=SH)

    @property
    def label(self) -> str:
        whole_month = self.start.day == 1 and (self.end + dt.timedelta(days=1)).day == 1
        if whole_month and self.end.month == self.start.month:
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m-%d}~{self.end:%Y-%m-%d}"

    def ratings_period(self):
        return rating_kpis.Period(start=self.start, end=self.end)


def month_period(month: dt.date) -> Period:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1))


def parse_month(text: str) -> dt.date:
    """'2026-10' → 2026-10-01; anything else refused with a clear message."""
    text = (text or "").strip()
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed(
            CoreErrorCode.INVALID_DATE,
            _("月份“%(text)s”的格式不对，应写成 YYYY-MM，例如 2026-10。"),
            field="month",
            text=text[:20],
        ) from None


def recent_months(n: int, *, today: dt.date | None = None) -> list[Period]:
    today = today or workdays.business_date(timezone.now())
    out, first = [], today.replace(day=1)
    for _i in range(n):
        out.append(month_period(first))
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out[::-1]


def recent_weeks(n: int, *, today: dt.date | None = None) -> list[Period]:
    today = today or workdays.business_date(timezone.now())
    monday = today - dt.timedelta(days=today.weekday())
    return [
        Period(monday - dt.timedelta(weeks=k), monday - dt.timedelta(weeks=k) + dt.timedelta(6))
        for k in range(n - 1, -1, -1)
    ]


@dataclass(frozen=True)
class Scope:
    """Which departments, regions (with everything under them) and items; empty: all."""

    department_ids: tuple[int, ...] = ()
    region_ids: tuple[int, ...] = ()
    item_codes: tuple[str, ...] = ()

    @classmethod
    def checked(cls, *, department_ids=(), region_ids=(), item_codes=()) -> Scope:
        """Refuses an unknown department or region (a clear message, nothing computed)."""
        department_ids = tuple(sorted({int(d) for d in department_ids or ()}))
        region_ids = tuple(sorted({int(r) for r in region_ids or ()}))
        known = set(Department.objects.filter(pk__in=department_ids).values_list("pk", flat=True))
        if unknown := [d for d in department_ids if d not in known]:
            raise ValidationFailed(
                CoreErrorCode.INVALID_INPUT,
                _("没有编号为 %(ids)s 的部门。"),
                field="department",
                ids=", ".join(map(str, unknown)),
            )
        known = set(Region.objects.filter(pk__in=region_ids).values_list("pk", flat=True))
        if unknown := [r for r in region_ids if r not in known]:
            raise ValidationFailed(
                CoreErrorCode.INVALID_INPUT,
                _("没有编号为 %(ids)s 的区划。"),
                field="region",
                ids=", ".join(map(str, unknown)),
            )
        return cls(department_ids, region_ids, tuple(item_codes or ()))

    def regions(self) -> list[int]:
        """The regions and every region under them (the region table is small)."""
        if not self.region_ids:
            return []
        children: dict[int | None, list[int]] = {}
        for pk, parent in Region.objects.values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(pk)
        out, todo = set(), list(self.region_ids)
        while todo:
            pk = todo.pop()
            if pk not in out:
                out.add(pk)
                todo.extend(children.get(pk, []))
        return sorted(out)


ALL = Scope()


# ---------------------------------------------------------------- sources and counts


@dataclass(frozen=True)
class Source:
    """A table the counts are taken from, and how the scope and the groups reach it."""

    key: str
    queryset: Callable[[], QuerySet]
    department: str  # the department column
    street: str  # the street (region) column
    region: str  # filtered by the scope's regions
    item: str | None  # the item's implementation code, None where items do not apply
    window: Callable[[Period], Q]  # the rows a period can touch (uses the indexes)
    # A relation whose group columns are looked up row by row (a subquery on its primary key)
    # rather than joined: a month of callbacks joined to the tickets makes PostgreSQL hash the
    # whole ticket table (docs/performance.md, "Data scale").
    via: str | None = None


def _cases() -> QuerySet:
    return Case.objects.annotate(decided_day=TruncDate("decided_at", tzinfo=SH))


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "cases",
            _cases,
            "department_id",
            "department__region_id",
            "department__region_id",
            "item_version__item__implementation_code",
            lambda p: (
                Q(accepted_on__range=(p.start, p.end))
                | Q(decided_at__gte=p.since, decided_at__lt=p.until)
                | Q(promised_due__range=(p.start, p.end))
            ),
        ),
        Source(
            "refusals",
            lambda: CaseEvent.objects.filter(action=CaseAction.REFUSE),
            "case__department_id",
            "case__department__region_id",
            "case__department__region_id",
            "case__item_version__item__implementation_code",
            lambda p: Q(occurred_at__gte=p.since, occurred_at__lt=p.until),
        ),
        Source(
            "case_materials",
            CaseMaterial.objects.all,
            "case__department_id",
            "case__department__region_id",
            "case__department__region_id",
            "case__item_version__item__implementation_code",
            lambda p: Q(case__accepted_on__range=(p.start, p.end)),
        ),
        Source(
            "items",
            lambda: ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED),
            "item__department_id",
            "item__department__region_id",
            "item__department__region_id",
            "item__implementation_code",
            lambda p: Q(),
        ),
        Source(
            "item_materials",
            lambda: Material.objects.filter(version__status=VersionStatus.PUBLISHED),
            "version__item__department_id",
            "version__item__department__region_id",
            "version__item__department__region_id",
            "version__item__implementation_code",
            lambda p: Q(),
        ),
        Source(
            "assignments",
            TicketAssignment.objects.all,
            "department_id",
            "ticket__street_id",
            "ticket__street_id",
            None,
            lambda p: Q(dispatched_at__gte=p.since, dispatched_at__lt=p.until),
            via="ticket",
        ),
        # The tickets replied, closed and created in the period: three sources, each counted
        # from its own covering index alone (hotline 0009_kpi_indexes: an index-only scan of
        # the period, no visit to the table, where a month's tickets lie all over it).
        *(
            Source(
                f"tickets_{column.removesuffix('_at')}",
                Ticket.objects.all,
                "department_id",
                "street_id",
                "street_id",
                None,
                lambda p, column=column: Q(**{f"{column}__gte": p.since, f"{column}__lt": p.until}),
            )
            for column in ("replied_at", "closed_at", "created_at")
        ),
        Source(
            "callbacks",
            lambda: Callback.objects.exclude(satisfaction=""),
            "ticket__department_id",
            "ticket__street_id",
            "ticket__street_id",
            None,
            lambda p: Q(done_at__gte=p.since, done_at__lt=p.until),
            via="ticket",
        ),
    )
}


@dataclass(frozen=True)
class Count_:
    """One count: ``condition(period, today)`` on the rows of ``source`` (or a sum of ``sum``)."""

    key: str
    source: str
    condition: Callable[[Period, dt.date], Q]
    sum: str | None = None


def _accepted(p: Period, _t) -> Q:
    return Q(accepted_on__range=(p.start, p.end))


def _concluded(p: Period, _t) -> Q:
    return Q(decided_at__gte=p.since, decided_at__lt=p.until)


def _overdue(p: Period, today: dt.date) -> Q:
    """Due (promised) in the period, the date passed, and not concluded by it: decided late, or
    still open. Withdrawn cases and suspended ones (clock stopped; the due date moves when the
    case resumes) are left out."""
    return (
        Q(promised_due__range=(p.start, p.end), promised_due__lt=today)
        & ~Q(status__in=[CaseStatus.WITHDRAWN, CaseStatus.SUSPENDED, CaseStatus.NOT_ACCEPTED])
        & (Q(decided_at__isnull=True) | Q(decided_day__gt=F("promised_due")))
    )


def _dispatched(p: Period, _t) -> Q:
    return Q(dispatched_at__gte=p.since, dispatched_at__lt=p.until)


def _replied(p: Period, _t) -> Q:
    return Q(replied_at__gte=p.since, replied_at__lt=p.until)


def _closed(p: Period, _t) -> Q:
    return Q(closed_at__gte=p.since, closed_at__lt=p.until)


def _created(p: Period, _t) -> Q:
    return Q(created_at__gte=p.since, created_at__lt=p.until)


def _now_q(field_name: str) -> Q:
    return Q(**{f"{field_name}__lt": timezone.now()})


_ALWAYS = lambda p, t: Q()  # noqa: E731

COUNTS: dict[str, Count_] = {
    c.key: c
    for c in (
        Count_("accepted", "cases", _accepted),
        Count_(
            "accepted_concluded",
            "cases",
            lambda p, t: _accepted(p, t) & Q(decided_at__lt=p.until),
        ),
        Count_("concluded", "cases", _concluded),
        Count_(
            "concluded_on_time",
            "cases",
            lambda p, t: _concluded(p, t) & Q(decided_day__lte=F("promised_due")),
        ),
        Count_(
            "concluded_instant",
            "cases",
            lambda p, t: _concluded(p, t) & Q(decided_day=F("accepted_on")),
        ),
        Count_("overdue", "cases", _overdue),
        Count_(
            "accepted_online",
            "cases",
            lambda p, t: _accepted(p, t) & Q(channel__in=ONLINE_CHANNELS),
        ),
        Count_("not_accepted", "refusals", lambda p, t: Q()),
        Count_("case_materials", "case_materials", lambda p, t: Q()),
        Count_("items", "items", _ALWAYS),
        Count_(
            "items_online_capable",
            "items",
            lambda p, t: Q(online_depth__in=[OnlineDepth.FULLY_ONLINE, OnlineDepth.ONLINE_PREVIEW]),
        ),
        Count_(
            "items_fully_online", "items", lambda p, t: Q(online_depth=OnlineDepth.FULLY_ONLINE)
        ),
        Count_("item_legal_days", "items", _ALWAYS, sum="legal_limit_days"),
        Count_("item_saved_days", "items", _ALWAYS, sum="saved_days"),
        Count_("item_visits", "items", _ALWAYS, sum="visits"),
        Count_("item_materials", "item_materials", _ALWAYS),
        Count_("dispatched", "assignments", _dispatched),
        Count_(
            "sign_judged",
            "assignments",
            lambda p, t: _dispatched(p, t) & (Q(signed_at__isnull=False) | _now_q("sign_due")),
        ),
        Count_(
            "signed_on_time",
            "assignments",
            lambda p, t: _dispatched(p, t) & Q(signed_at__lte=F("sign_due")),
        ),
        Count_(
            "returned",
            "assignments",
            lambda p, t: _dispatched(p, t) & Q(status=AssignmentStatus.RETURNED),
        ),
        Count_("replied", "tickets_replied", _replied),
        Count_(
            "replied_on_time",
            "tickets_replied",
            lambda p, t: _replied(p, t) & Q(replied_at__lte=F("handle_due")),
        ),
        Count_("callbacks_rated", "callbacks", _ALWAYS),
        Count_(
            "callbacks_satisfied",
            "callbacks",
            lambda p, t: Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC]),
        ),
        Count_("closed", "tickets_closed", _closed),
        Count_(
            "closed_first_contact",
            "tickets_closed",
            lambda p, t: _closed(p, t) & Q(reopen_count=0, dispatch_count__lte=1),
        ),
        Count_("created", "tickets_created", _created),
        Count_(
            "repeat",
            "tickets_created",
            lambda p, t: _created(p, t) & Q(merged_into__isnull=False),
        ),
    )
}

# The counts that come from tongban.ratings.kpis.rating_figures (same names there).
RATING_COUNTS = (
    "ratings",
    "very_satisfied",
    "satisfied",
    "basic",
    "dissatisfied",
    "very_dissatisfied",
    "bad",
    "rectified",
    "rectified_on_time",
    "real_name_bad",
    "real_name_bad_closed",
)


# ---------------------------------------------------------------- the KPIs


@dataclass(frozen=True)
class Kpi:
    key: str
    label: object
    numerator: str
    denominator: str | None = None  # None: the count itself
    percent: bool = True  # a ratio × 100, or a plain average
    area: str = "cases"  # cases / items / tickets / ratings

    def value(self, counts: dict[str, int]) -> int | Decimal | None:
        num = counts.get(self.numerator, 0) or 0
        if self.denominator is None:
            return num
        return ratio(num, counts.get(self.denominator, 0) or 0, percent=self.percent)


def ratio(num, den, *, percent: bool = True) -> Decimal | None:
    """num / den (× 100 for a percentage), rounded half up to 2 places; None when den is 0."""
    if not den:
        return None
    scale = 100 if percent else 1
    return (Decimal(num) * scale / Decimal(den)).quantize(Decimal("0.01"), ROUND_HALF_UP)


KPIS: list[Kpi] = [
    Kpi("accepted", _("受理办件数"), "accepted"),
    Kpi("concluded", _("办结办件数"), "concluded"),
    Kpi("conclusion_rate", _("办结率"), "accepted_concluded", "accepted"),
    Kpi("on_time_rate", _("按时办结率"), "concluded_on_time", "concluded"),
    Kpi("overdue", _("超期办件数"), "overdue"),
    Kpi("instant_share", _("即办件占比"), "concluded_instant", "concluded"),
    Kpi("online_share", _("实际网办率"), "accepted_online", "accepted"),
    Kpi("not_accepted_rate", _("不予受理率"), "not_accepted", "acceptance_decisions"),
    Kpi("materials_per_case", _("件均提交材料数"), "case_materials", "accepted", percent=False),
    Kpi("online_capable_share", _("可网办率"), "items_online_capable", "items", area="items"),
    Kpi("fully_online_share", _("全程网办事项占比"), "items_fully_online", "items", area="items"),
    Kpi(
        "materials_per_item",
        _("事项平均申请材料数"),
        "item_materials",
        "items",
        percent=False,
        area="items",
    ),
    Kpi("compression", _("承诺时限压缩比例"), "item_saved_days", "item_legal_days", area="items"),
    Kpi("visits", _("平均跑动次数"), "item_visits", "items", percent=False, area="items"),
    Kpi("ratings", _("评价数"), "ratings", area="ratings"),
    Kpi("good_rate", _("好评率"), "good", "ratings", area="ratings"),
    Kpi("bad", _("差评数"), "bad", area="ratings"),
    Kpi("rectification_rate", _("差评整改率"), "rectified", "bad", area="ratings"),
    Kpi(
        "rectification_on_time_rate",
        _("整改按时完成率"),
        "rectified_on_time",
        "bad",
        area="ratings",
    ),
    Kpi(
        "real_name_closed_rate",
        _("实名差评回访整改率"),
        "real_name_bad_closed",
        "real_name_bad",
        area="ratings",
    ),
    Kpi("sign_on_time_rate", _("按时签收率"), "signed_on_time", "sign_judged", area="tickets"),
    Kpi(
        "handle_on_time_rate", _("按时办结率（工单）"), "replied_on_time", "replied", area="tickets"
    ),
    Kpi("return_rate", _("退单率"), "returned", "dispatched", area="tickets"),
    Kpi("satisfaction_rate", _("满意率"), "callbacks_satisfied", "callbacks_rated", area="tickets"),
    Kpi("first_contact_rate", _("一次办结率"), "closed_first_contact", "closed", area="tickets"),
    Kpi("repeat_rate", _("重复件率"), "repeat", "created", area="tickets"),
]
KPI = {k.key: k for k in KPIS}


@dataclass
class Figures:
    """The counts and the KPI values of one period and scope (or one group of it)."""

    counts: dict[str, int] = field(default_factory=dict)

    def value(self, key: str):
        return KPI[key].value(self.counts)

    def values(self) -> dict[str, object]:
        return {k.key: k.value(self.counts) for k in KPIS}

    def as_json(self) -> dict[str, object]:
        return {
            "counts": dict(self.counts),
            "kpis": {
                k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.values().items()
            },
        }


def _filtered(source: Source, scope: Scope, period: Period, regions: list[int]) -> QuerySet:
    qs = source.queryset().filter(source.window(period))
    if scope.department_ids:
        qs = qs.filter(**{f"{source.department}__in": scope.department_ids})
    if regions:
        qs = qs.filter(**{f"{source.region}__in": regions})
    if scope.item_codes:
        if source.item is None:
            return qs.none()
        qs = qs.filter(**{f"{source.item}__in": scope.item_codes})
    if source.key == "items":
        qs = qs.annotate(saved_days=F("legal_limit_days") - F("promised_limit_days"))
    return qs


def _aggregates(source_key: str, period: Period, today: dt.date) -> dict:
    out = {}
    for c in COUNTS.values():
        if c.source != source_key:
            continue
        condition = c.condition(period, today)
        if c.sum:
            out[c.key] = Sum(c.sum, filter=condition or None)
        else:
            # COUNT(1), not COUNT(id): the covering indexes need not hold the primary key
            out[c.key] = Count(Value(1), filter=condition or None)
    return out


def _finish(counts: dict[str, int]) -> dict[str, int]:
    counts = {k: int(v or 0) for k, v in counts.items()}
    counts["acceptance_decisions"] = counts.get("accepted", 0) + counts.get("not_accepted", 0)
    return counts


def _rating_counts(figures: dict) -> dict[str, int]:
    counts = {k: int(figures.get(k) or 0) for k in RATING_COUNTS}
    counts["good"] = counts["very_satisfied"] + counts["satisfied"] + counts["basic"]
    return counts


@reads_from_replica
def figures(
    period: Period,
    scope: Scope = ALL,
    *,
    today: dt.date | None = None,
    areas: Iterable[str] = ("cases", "items", "tickets", "ratings"),
) -> Figures:
    """Every count and KPI of ``period`` in ``scope``: one aggregate query per source."""
    today = today or workdays.business_date(timezone.now())
    regions = scope.regions()
    counts: dict[str, int] = {}
    for key in _sources_of(areas):
        qs = _filtered(SOURCES[key], scope, period, regions)
        counts.update(qs.aggregate(**_aggregates(key, period, today)))
    if "ratings" in areas:
        counts.update(
            _rating_counts(
                rating_kpis.rating_figures(
                    period=period.ratings_period(),
                    department_ids=list(scope.department_ids) or None,
                    region_ids=list(scope.region_ids) or None,
                    item_codes=list(scope.item_codes) or None,
                )
            )
        )
    return Figures(_finish(counts))


@reads_from_replica
def figures_by(
    group: str,
    period: Period,
    scope: Scope = ALL,
    *,
    today: dt.date | None = None,
    areas: Iterable[str] = ("cases", "items", "tickets", "ratings"),
) -> dict[int, Figures]:
    """The figures of ``period`` per department (or per street): one grouped aggregate query per
    source. Keys: department ids (or street region ids) that have any row."""
    if group not in GROUPS:
        raise ValueError(group)
    today = today or workdays.business_date(timezone.now())
    regions = scope.regions()
    rows: dict[int, dict[str, int]] = {}
    for key in _sources_of(areas):
        source = SOURCES[key]
        qs = _grouped(source, [group], _filtered(source, scope, period, regions))
        for row in qs.annotate(**_aggregates(key, period, today)):
            gid = row.pop(_group_key(group))
            if gid is not None:
                rows.setdefault(gid, {}).update(row)
    if "ratings" in areas:
        if group == "department":
            by = rating_kpis.rating_figures_by_department(
                period=period.ratings_period(),
                department_ids=list(scope.department_ids) or None,
                region_ids=list(scope.region_ids) or None,
                item_codes=list(scope.item_codes) or None,
            )
        else:
            by = {
                gid: rating_kpis.rating_figures(
                    period=period.ratings_period(),
                    department_ids=list(scope.department_ids) or None,
                    region_ids=[gid],
                    item_codes=list(scope.item_codes) or None,
                )
                for gid in rows
            }
        for gid, fig in by.items():
            rows.setdefault(gid, {}).update(_rating_counts(fig))
    return {gid: Figures(_finish(counts)) for gid, counts in rows.items()}


AREAS = ("cases", "items", "tickets", "ratings")


def _group_key(group: str) -> str:
    return f"kpi_{group}"


def _grouped(source: Source, groups: Iterable[str], qs: QuerySet) -> QuerySet:
    """``qs`` as rows grouped by the department and/or street columns (``_group_key(group)``)."""
    keys = {}
    for group in groups:
        column = source.department if group == "department" else source.street
        keys[_group_key(group)] = F(column)
        if source.via and column.startswith(f"{source.via}__"):
            related = qs.model._meta.get_field(source.via).related_model
            keys[_group_key(group)] = Subquery(
                related.objects.filter(pk=OuterRef(f"{source.via}_id")).values(
                    column.removeprefix(f"{source.via}__")
                )
            )
    return qs.order_by().annotate(**keys).values(*keys)


def _additive(aggregate) -> bool:
    """A plain ``Count`` or ``Sum`` (not distinct) over the rows: its value for the whole is the
    sum of its values for disjoint groups of the rows."""
    return isinstance(aggregate, (Count, Sum)) and not getattr(aggregate, "distinct", False)


@reads_from_replica
def figures_with_groups(
    group: str,
    period: Period,
    scope: Scope = ALL,
    *,
    today: dt.date | None = None,
    areas: Iterable[str] = AREAS,
) -> tuple[Figures, dict[int, Figures]]:
    """``(figures(period, scope), figures_by(group, period, scope))`` in one pass: one grouped
    aggregate query per source, the whole being the sum of the groups' rows (those with no
    department or street included). That holds because every count is a ``Count`` or a ``Sum``
    over the source's rows and a row belongs to exactly one group (the group column is reached
    through foreign keys only); a source with any other aggregate gets its own total query.
    The ratings are summed over departments the same way; per street (a rating counts in its
    street and in every region above it) their total is its own query."""
    if group not in GROUPS:
        raise ValueError(group)
    areas = tuple(areas)
    total, by = _one_pass(period, scope, today, areas, {group: areas})
    return total, by[group]


@reads_from_replica
def figures_with_rankings(
    period: Period,
    scope: Scope = ALL,
    *,
    today: dt.date | None = None,
    street_areas: Iterable[str] = ("cases", "tickets"),
) -> tuple[Figures, dict[int, Figures], dict[int, Figures]]:
    """The dashboard's month: ``(figures(period, scope), figures_by("department", …),
    figures_by("street", …, areas=street_areas))`` from one query per source, grouped by
    department and street together and added up both ways."""
    street_areas = tuple(street_areas)
    total, by = _one_pass(
        period, scope, today, AREAS, {"department": AREAS, "street": street_areas}
    )
    return total, by["department"], by["street"]


def _one_pass(
    period: Period,
    scope: Scope,
    today: dt.date | None,
    areas: tuple[str, ...],
    groups: dict[str, tuple[str, ...]],
) -> tuple[Figures, dict[str, dict[int, Figures]]]:
    """The whole of ``areas`` and, per group, the rows of that group's areas (see
    ``figures_with_groups``)."""
    today = today or workdays.business_date(timezone.now())
    regions = scope.regions()
    total: dict[str, int] = {}
    rows: dict[str, dict[int, dict[str, int]]] = {g: {} for g in groups}
    wanted = {key for g_areas in (areas, *groups.values()) for key in _sources_of(g_areas)}
    for key in _sources_of(AREAS):
        if key not in wanted:
            continue
        source = SOURCES[key]
        grouped = [g for g, g_areas in groups.items() if key in _sources_of(g_areas)]
        aggregates = _aggregates(key, period, today)
        filtered = _filtered(source, scope, period, regions)
        in_total = key in _sources_of(areas)
        summed = all(_additive(a) for a in aggregates.values()) and bool(grouped)
        if in_total and summed:
            total.update(dict.fromkeys(aggregates, 0))
        elif in_total:  # pragma: no cover - every count is additive today (test_kpis_one_pass)
            total.update(filtered.aggregate(**aggregates))
        passes = [grouped] if summed else [[g] for g in grouped]
        for pass_groups in passes:
            for row in _grouped(source, pass_groups, filtered).annotate(**aggregates):
                gids = {g: row.pop(_group_key(g)) for g in pass_groups}
                if in_total and summed:
                    for name, value in row.items():
                        total[name] += int(value or 0)
                for g, gid in gids.items():
                    if gid is None:
                        continue
                    counts = rows[g].setdefault(gid, {})
                    for name, value in row.items():
                        counts[name] = counts.get(name, 0) + int(value or 0)
    if "ratings" in areas or any("ratings" in g_areas for g_areas in groups.values()):
        _add_ratings(period, scope, areas, groups, total, rows)
    return (
        Figures(_finish(total)),
        {g: {gid: Figures(_finish(c)) for gid, c in by.items()} for g, by in rows.items()},
    )


def _add_ratings(period, scope, areas, groups, total, rows) -> None:
    filters = {
        "period": period.ratings_period(),
        "department_ids": list(scope.department_ids) or None,
        "region_ids": list(scope.region_ids) or None,
        "item_codes": list(scope.item_codes) or None,
    }
    whole = None
    if "ratings" in groups.get("department", ()):
        by = rating_kpis.rating_figures_by_department(**filters)
        whole = {k: sum(int(f.get(k) or 0) for f in by.values()) for k in RATING_COUNTS}
        for gid, fig in by.items():
            rows["department"].setdefault(gid, {}).update(_rating_counts(fig))
    if "ratings" in groups.get("street", ()):
        for gid in list(rows["street"]):
            fig = rating_kpis.rating_figures(**{**filters, "region_ids": [gid]})
            rows["street"][gid].update(_rating_counts(fig))
    if "ratings" in areas:
        if whole is None:
            whole = rating_kpis.rating_figures(**filters)
        total.update(_rating_counts(whole))


def _sources_of(areas: Iterable[str]) -> list[str]:
    areas = set(areas)
    out = []
    if "cases" in areas:
        out += ["cases", "refusals", "case_materials"]
    if "items" in areas:
        out += ["items", "item_materials"]
    if "tickets" in areas:
        out += ["assignments", *TICKET_SOURCES, "callbacks"]
    return out


# ---------------------------------------------------------------- the rows behind a number


TICKET_SOURCES = ("tickets_replied", "tickets_closed", "tickets_created")
LISTABLE_SOURCES = ("cases", "refusals", "case_materials", "assignments", *TICKET_SOURCES)


def rows_behind(count_key: str, period: Period, scope: Scope = ALL, *, today=None) -> QuerySet:
    """The cases (or tickets) a count is made of: a case queryset for the case counts, a ticket
    queryset for the ticket counts. Refuses a count that has no list (items, ratings)."""
    today = today or workdays.business_date(timezone.now())
    count = COUNTS.get(count_key)
    if count is None or count.source not in LISTABLE_SOURCES:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT, _("这个指标没有对应的办件清单。"), field="kpi"
        )
    source = SOURCES[count.source]
    rows = _filtered(source, scope, period, scope.regions()).filter(count.condition(period, today))
    if count.source in ("cases",):
        return rows
    if count.source in ("refusals", "case_materials"):
        return _cases().filter(pk__in=rows.values("case_id"))
    if count.source == "assignments":
        return Ticket.objects.filter(pk__in=rows.values("ticket_id"))
    return rows


def is_ticket_count(count_key: str) -> bool:
    count = COUNTS.get(count_key)
    return count is not None and count.source in ("assignments", *TICKET_SOURCES, "callbacks")


def kpi_count(kpi_key: str) -> str:
    """The count a KPI's number links to (its numerator)."""
    return KPI[kpi_key].numerator
