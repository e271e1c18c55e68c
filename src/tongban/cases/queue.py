"""The staff work queue (办件工作台): tabs by state with their counts, filters, and one page of
a tab's cases grouped by due (已超期 / 今日到期 / 即将到期 / 其他), soonest due first.

The list is filtered, counted and sorted in SQL on the due dates copied onto the case row
(``legal_due``, ``promised_due``, ``received_at``, ``decided_at``); the exact clock and card of
each row on the page are then computed from its events (``clocks.compute``). A page costs the
same queries however many cases there are (``bench/cases_queue.py`` measures it with 100,000;
``bench/scale.py`` with millions):

1. every count, in one statement: the current tab's due groups (the number listed is their sum,
   or the chosen group's, and so is the tab's count) and each other tab's count. A count stops
   at ``COUNT_CAP`` (shown as "10000+"), read from the (status, …) indexes, so that a tab of
   every department costs the same at a city's size as at a district's; 我的任务's groups are
   counted exactly, in one pass over the user's tasks joined to the partial index of the cases
   under review;
2. the page's rows with only the columns the page shows, their ids picked in a subquery from
   the (status, due) indexes (the page's 20 ids first, then the joins); then their open review
   tasks and their events (one query each), and the stage limits of their items.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import ServiceItemVersion
from tongban.core import selectors as core_selectors
from tongban.core import workdays
from tongban.core.errors import CalendarNotCovered, PermissionDenied
from tongban.core.permissions import Perm, has_perm, roles_of

from . import clocks
from .models import (
    Case,
    CaseEvent,
    Channel,
    ItemProcedure,
    ReviewTask,
    SignerStatus,
    StepMode,
    StepSigner,
    TaskStatus,
)
from .states import CaseStatus
from .states import CaseStatus as S

QUEUE_PAGE_SIZE = 20
# A count past this shows as "10,000+": the database stops reading there (a tab of every
# department holds hundreds of thousands of cases at a city's size), and the pages list the
# first COUNT_CAP cases of the order (the most urgent); narrow the filters for the rest.
COUNT_CAP = 10_000
SOON_WORKDAYS = 3  # 即将到期: due within this many working days after today

GROUPS = [
    ("overdue", _("已超期")),
    ("today", _("今日到期")),
    ("soon", _("即将到期")),
    ("other", _("其他")),
]
CARDS = [
    ("red", _("红牌 超期")),
    ("yellow", _("黄牌 超承诺期")),
    ("blue", _("蓝牌 即将到期")),
    ("none", _("无牌")),
]
CARD_LABELS = {key: label for key, label in CARDS}


@dataclass(frozen=True)
class Due:
    """When a tab's cases fall due: on a date column itself (``days`` 0), or ``days`` working
    days after the business date of a datetime column."""

    column: str
    days: int = 0
    label: Any = ""


PROMISED = Due("promised_due", 0, _("承诺期限"))
ACCEPTANCE = Due("received_at", clocks.CORRECTION_NOTICE_DAYS, _("受理/补正告知期限"))
DELIVERY = Due("decided_at", clocks.DELIVERY_DAYS, _("送达期限"))


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    statuses: tuple[str, ...]
    due: Due | None
    order: str = ""  # the column a tab without a due date is sorted by


# Apart from 我的任务 (a subset of 审查中 and 特别程序), each status is on one tab only: the tab
# counts are sums of per-status counts (tests/cases/test_queue.py holds this).
TABS = [
    Tab("mine", _("我的任务"), (S.IN_REVIEW, S.SUSPENDED), PROMISED),
    Tab("submitted", _("待受理"), (S.SUBMITTED,), ACCEPTANCE),
    Tab("correction", _("待补正"), (S.CORRECTION_REQUESTED,), None, "received_at"),
    Tab("in_review", _("审查中"), (S.IN_REVIEW,), PROMISED),
    Tab("suspended", _("特别程序"), (S.SUSPENDED,), PROMISED),
    Tab("approved", _("待出证"), (S.APPROVED,), DELIVERY),
    Tab("to_deliver", _("待送达"), (S.ISSUED, S.DENIED, S.NOT_ACCEPTED), DELIVERY),
]
TAB_BY_KEY = {tab.key: tab for tab in TABS}
CLERK_TABS = ("submitted", "correction", "to_deliver")
DEPARTMENT_TABS = ("mine", "in_review", "suspended", "approved", "to_deliver")
SUPERVISOR_TABS = ("submitted", "correction", "in_review", "suspended", "approved", "to_deliver")

# The data scope of a tab: every department's cases, the user's department's, or the cases on
# which the user holds a claimed review task (我的任务).
EVERYWHERE, DEPARTMENT, MINE = "everywhere", "department", "mine"


@dataclass
class QueueFilters:
    """The queue's query string, cleaned: a value that is not one of the choices is dropped."""

    tab: str = ""
    q: str = ""
    item: str = ""
    status: str = ""
    card: str = ""
    due: str = ""
    channel: str = ""
    department: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, data) -> QueueFilters:
        def text(name: str, limit: int) -> str:
            return str(data.get(name, "") or "").strip()[:limit]

        def choice(name: str, values) -> str:
            value = text(name, 40)
            return value if value in values else ""

        try:
            page = max(1, min(int(data.get("page", 1)), 10_000))
        except (TypeError, ValueError):
            page = 1
        return cls(
            tab=choice("tab", TAB_BY_KEY),
            q=text("q", 64),
            item=text("item", 40),
            status=choice("status", CaseStatus.values),
            card=choice("card", [key for key, _label in CARDS]),
            due=choice("due", [key for key, _label in GROUPS]),
            channel=choice("channel", Channel.values),
            department=text("department", 40),
            page=page,
        )

    def querystring(self, **changes) -> str:
        values = {**vars(self), **changes}  # every field is a str or an int: no deep copy
        if values.get("page") == 1:
            values["page"] = ""
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


STATUS_LABELS = dict(CaseStatus.choices)
CHANNEL_LABELS = dict(Channel.choices)


@dataclass
class QueueRow:
    case: Case
    clock: clocks.Clock | None
    due: dt.date | None = None
    remaining: int | None = None
    group: str = "other"
    task: ReviewTask | None = None
    can_claim: bool = False
    can_release: bool = False
    clock_error: str = ""
    today: dt.date | None = None

    @property
    def task_overdue(self) -> bool:
        """The open review step is past its own due date (ReviewTask.due_on)."""
        due = self.task.due_on if self.task is not None else None
        return due is not None and self.today is not None and due < self.today

    @property
    def task_mode_label(self):
        """会签 / 或签 / 票签 / 依次审批 for a multi-signer step, "" for a one-person step."""
        mode = self.task.mode if self.task is not None else StepMode.SINGLE
        return "" if mode == StepMode.SINGLE else MODE_LABELS.get(mode, mode)

    @property
    def status_label(self):
        """``case.get_status_display()`` without rebuilding the choices for every row."""
        return STATUS_LABELS.get(self.case.status, self.case.status)

    @property
    def channel_label(self):
        return CHANNEL_LABELS.get(self.case.channel, self.case.channel)

    @property
    def card_label(self):
        return CARD_LABELS.get(self.clock.card, "") if self.clock and self.clock.card else ""

    @property
    def late(self) -> int:
        """Working days past the due date (0 when not late)."""
        return -self.remaining if self.remaining is not None and self.remaining < 0 else 0


@dataclass
class QueueGroup:
    key: str
    label: Any
    count: int  # at most COUNT_CAP; ``capped``: there are more
    rows: list[QueueRow]
    capped: bool = False


@dataclass
class QueueTab:
    key: str
    label: Any
    count: int  # at most COUNT_CAP; ``capped``: there are more
    current: bool
    capped: bool = False


@dataclass
class QueuePage:
    filters: QueueFilters
    tab: Tab
    tabs: list[QueueTab]
    groups: list[QueueGroup]
    group_counts: dict[str, int]  # each at most COUNT_CAP
    count: int  # the number listed, at most COUNT_CAP
    number: int
    num_pages: int
    today: dt.date
    all_departments: bool
    department_id: int | None
    staff: Any = None  # the user's StaffProfile (with its department), None for none
    count_capped: bool = False  # more than ``count`` are listed
    group_capped: frozenset[str] = frozenset()  # the due groups with more than their count

    @property
    def rows(self) -> list[QueueRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def may_use_queue(user) -> bool:
    return any(
        has_perm(user, p)
        for p in (Perm.CASE_ACCEPT, Perm.CASE_REVIEW, Perm.CASE_APPROVE, Perm.SUPERVISION_VIEW)
    )


def _tab_scopes(user) -> dict[str, str]:
    """The tabs this user has (in tab order), each with its data scope."""
    scopes: dict[str, str] = {}

    def grant(keys, scope: str) -> None:
        for key in keys:
            if key not in scopes or scope == EVERYWHERE:
                scopes[key] = scope

    if has_perm(user, Perm.SUPERVISION_VIEW):
        grant(SUPERVISOR_TABS, EVERYWHERE)
    if has_perm(user, Perm.CASE_ACCEPT):
        grant(CLERK_TABS, EVERYWHERE)  # 一窗受理: every department's applications
    if has_perm(user, Perm.CASE_REVIEW) or has_perm(user, Perm.CASE_APPROVE):
        grant(DEPARTMENT_TABS, DEPARTMENT)
    if "mine" in scopes:
        scopes["mine"] = MINE
    return {tab.key: scopes[tab.key] for tab in TABS if tab.key in scopes}


def _scope_q(scope: str, *, user, department_id: int | None) -> Q:
    if scope == EVERYWHERE:
        return Q()
    if scope == DEPARTMENT:
        return Q(department_id=department_id) if department_id else Q(pk__in=[])
    # 我的任务: a subquery the database evaluates once per query, read from the
    # (assignee, status, case) index of review tasks — and the multi-signer steps (会签 / 或签 /
    # 票签 / 依次审批, 加签) where the user's signature is pending and their turn has come.
    claimed = ReviewTask.objects.filter(assignee_id=user.pk, status=TaskStatus.CLAIMED)
    signing = StepSigner.objects.filter(
        user_id=user.pk,
        status=SignerStatus.PENDING,
        task__status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED],
    ).filter(Q(waits_for__isnull=True) | ~Q(waits_for__status=SignerStatus.PENDING))
    # one IN over the UNION (not two ORed INs): the database can then start from the user's
    # tasks and join the cases, instead of walking a due-date index and testing every case
    # against both subqueries (1.5 s → 0.5 s for 13,000 claimed tasks among 940,000 cases).
    # UNION, not UNION ALL: PostgreSQL estimates the rows of a UNION from its parts, but those
    # of a UNION ALL made distinct for the join as 200 — and then probes the cases one by one
    # (64,620 tasks: 1.1 s) instead of hashing the user's tasks against the partial index of
    # the cases under review (case_queue_mine_promised).
    mine = claimed.order_by().values("case_id").union(signing.order_by().values("task__case_id"))
    return Q(pk__in=mine)


def _latest_start(days: int, last_due: dt.date) -> dt.date:
    """The latest business date whose ``days``-working-day limit ends on or before ``last_due``."""
    day = last_due
    for _step in range(400):
        if workdays.add_workdays(day, days) <= last_due:
            return day
        day -= dt.timedelta(days=1)
    return day  # pragma: no cover - no calendar has 400 days without ``days`` working days


def _bucket_qs(due: Due, today: dt.date) -> dict[str, Q]:
    """SQL conditions for the due groups (已超期 / 今日到期 / 即将到期 / 其他) of a tab: they
    split the tab's cases into four disjoint parts (a case without a due date is 其他: an OR
    that ``_capped_groups`` counts as its two parts, each a range of an index)."""
    soon = workdays.add_workdays(today, SOON_WORKDAYS)
    col = due.column
    if due.days == 0:
        return {
            "overdue": Q(**{f"{col}__lt": today}),
            "today": Q(**{col: today}),
            "soon": Q(**{f"{col}__gt": today, f"{col}__lte": soon}),
            "other": Q(**{f"{col}__gt": soon}) | Q(**{f"{col}__isnull": True}),
        }

    def cut(last_due: dt.date) -> dt.datetime:
        # received (or decided) before this instant ⇔ due on or before ``last_due``
        start = _latest_start(due.days, last_due) + dt.timedelta(days=1)
        return dt.datetime.combine(start, dt.time.min, tzinfo=workdays.BUSINESS_TZ)

    over, on_today, by_soon = cut(today - dt.timedelta(days=1)), cut(today), cut(soon)
    return {
        "overdue": Q(**{f"{col}__lt": over}),
        "today": Q(**{f"{col}__gte": over, f"{col}__lt": on_today}),
        "soon": Q(**{f"{col}__gte": on_today, f"{col}__lt": by_soon}),
        "other": Q(**{f"{col}__gte": by_soon}) | Q(**{f"{col}__isnull": True}),
    }


def _card_q(card: str, today: dt.date, policy: clocks.CardPolicy = clocks.DEFAULT_POLICY) -> Q:
    """SQL for a card, from the due dates on the row (the exact card comes from the events).

    Remaining working days ≤ k ⇔ promised_due ≤ add_workdays(today, k) (a due date is a working
    day); blue when k = max(``blue_days``, the largest k with share × promised limit ≥ k)."""
    red = Q(legal_due__lt=today)
    yellow = Q(promised_due__lt=today, legal_due__gte=today)
    if card == "red":
        return red
    if card == "yellow":
        return yellow
    by_days: dict[int, list[int]] = {}  # working days → the item versions with that threshold
    for pk, limit in ServiceItemVersion.objects.values_list("id", "promised_limit_days"):
        k = policy.blue_days
        while policy.blue_share * limit >= k + 1:
            k += 1
        by_days.setdefault(k, []).append(pk)
    near = Q(pk__in=[])
    last = today
    for k, versions in sorted(by_days.items()):
        try:
            by = workdays.add_workdays(today, k)
        except CalendarNotCovered:
            break  # beyond the calendar: the clock says so on the row itself
        last = max(last, by)
        near |= Q(item_version_id__in=versions, promised_due__lte=by)
    # the date window first, so that the (status, promised_due) index narrows the rows
    blue = Q(promised_due__gte=today, promised_due__lte=last) & near
    if card == "blue":
        return blue
    return Q(promised_due__isnull=False) & ~(red | yellow | blue)


def _common_q(filters: QueueFilters) -> Q:
    q = Q()
    if filters.item:
        q &= Q(item_version__item__implementation_code=filters.item)
    if filters.channel:
        q &= Q(channel=filters.channel)
    if filters.department:
        q &= Q(department__code=filters.department)
    if filters.q:
        text = filters.q
        if re.fullmatch(r"\d{6}-\d{8}-\d{5}", text):
            q &= Q(case_no=text)  # a whole case number: the unique index
        elif re.fullmatch(r"[0-9A-Za-z-]+", text):
            q &= Q(case_no__startswith=text)
        else:
            q &= Q(applicant__name__startswith=text) | Q(enterprise__name__contains=text)
    return q


def _capped(qs: QuerySet[Case]) -> QuerySet:
    """``qs`` as rows of a constant, at most ``COUNT_CAP + 1`` of them: counted, they say how
    many there are up to the cap, and whether there are more. No ORDER BY, so that the
    database stops reading at the cap (COUNT(*) of a constant: an index alone can answer)."""
    return qs.order_by().values(one=Value(1))[: COUNT_CAP + 1]


def _count_in_one_statement(parts: dict[str, QuerySet]) -> dict[str, int]:
    """The counts of the work queue, all in one statement: each part is a ``_capped`` set of
    rows (counted) or a set of aggregates without grouping (one row, read as is), a derived
    table of one row; the parts are cross-joined. A part the ORM knows to be empty (a filter
    on an empty list) is not sent and counts 0.

    Returns each capped part's count under its key and each aggregate under its alias."""
    selects: list[str] = []
    params: list[Any] = []
    names: list[str] = []
    out: dict[str, int] = {}
    for key, qs in parts.items():
        aliases = [key] if qs.query.is_sliced else list(qs.query.annotation_select)
        try:
            sql, part_params = qs.query.get_compiler(using=qs.db).as_sql()
        except EmptyResultSet:
            out.update(dict.fromkeys(aliases, 0))
            continue
        if qs.query.is_sliced:
            sql = f"SELECT COUNT(*) FROM ({sql}) AS t{len(selects)}"  # noqa: S608 - ORM's SQL
        selects.append(f"({sql}) AS q{len(selects)}")
        params.extend(part_params)
        names.extend(aliases)
    if not selects:
        return out
    statement = "SELECT * FROM " + " CROSS JOIN ".join(selects)  # noqa: S608 - the ORM's SQL
    with connections[next(iter(parts.values())).db].cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    out.update(zip(names, (int(value or 0) for value in row), strict=True))
    return out


def _capped_groups(in_tab: QuerySet[Case], buckets: dict[str, Q]) -> dict[str, QuerySet]:
    """The due groups of a tab as ``_capped`` parts; 其他 (due after 即将到期, or no due date)
    as its two parts, each read from the (status, due) index alone (an OR would read the rows:
    a bitmap heap scan of 10,000 cases)."""
    parts = {}
    for key, q in buckets.items():
        if key == "other" and q.connector == Q.OR and len(q.children) == 2:
            later, undated = (Q(child) for child in q.children)
            parts["group_other"] = _capped(in_tab.filter(later))
            parts["group_other_undated"] = _capped(in_tab.filter(undated))
        else:
            parts[f"group_{key}"] = _capped(in_tab.filter(q))
    return parts


def _group_aggregates(in_tab: QuerySet[Case], buckets: dict[str, Q]) -> QuerySet:
    """How many of the tab's cases fall in each due group, in one pass over the tab: the
    groups split the tab, so the last one is the rest (the whole less the others)."""
    *counted, _rest = buckets
    return (
        in_tab.order_by()
        .values(one=Value(1))
        .annotate(
            # COUNT(*) and COUNT(1): no column to read, so an index can answer
            group_all=Count("*"),
            **{f"group_{key}": Count(Value(1), filter=buckets[key]) for key in counted},
        )
        .values(*(f"group_{key}" for key in ["all", *counted]))
    )


# What a row of the queue shows and its clock reads (anything else stays in the database).
ROW_FIELDS = (
    "case_no",
    "status",
    "version",
    "channel",
    "item_version",
    "department",
    "applicant",
    "enterprise",
    "item_version__item",
    "item_version__name",
    "item_version__legal_limit_days",
    "item_version__promised_limit_days",
    "department__name",
    "applicant__name",
    "enterprise__name",
)
TASK_FIELDS = (
    "id",
    "case_id",
    "step",
    "step_name",
    "role",
    "status",
    "assignee",
    "assignee__username",
    "assignee__display_name",
    "mode",
    "due_on",
)
MODE_LABELS = dict(StepMode.choices)


class ClockEvent(NamedTuple):
    """What ``clocks.compute`` reads of an event, and all it reads: three columns of the row,
    not a model instance (about 200 of them on a page)."""

    action: str
    occurred_at: dt.datetime
    payload: dict


def _page_of(
    tab: Tab, listed: QuerySet[Case], number: int, total: int
) -> list[tuple[Case, list[ClockEvent]]]:
    """The cases of page ``number`` of the first ``total``, soonest due first, each with its
    events in order: the rows with what the page shows, picked by a subquery that reads the
    page's ids from the (status, due) index (LIMIT before any join); then their open tasks,
    and their events from the (case, seq) index."""
    column = tab.due.column if tab.due else tab.order
    # Only a decision date can be missing (不予受理 has none): elsewhere a plain ascending order
    # lets the (status, due) indexes deliver the page without sorting the whole tab.
    order = F(column).asc(nulls_last=True) if tab.due is DELIVERY else F(column).asc()
    offset = (number - 1) * QUEUE_PAGE_SIZE
    stop = min(offset + QUEUE_PAGE_SIZE, total)  # a capped count lists the first COUNT_CAP
    ids = listed.order_by(order, "pk").values("pk")[offset:stop]
    rows = list(
        Case.objects.filter(pk__in=ids)
        .order_by(order, "pk")  # the same order as the subquery's, on its 20 rows
        .select_related("item_version", "department", "applicant", "enterprise")
        .only(*ROW_FIELDS)
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=ReviewTask.objects.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED])
                .select_related("assignee")
                .only(*TASK_FIELDS),
                to_attr="open_tasks",
            ),
        )
    )
    if not rows:
        return []
    events: dict[int, list[ClockEvent]] = {case.pk: [] for case in rows}
    for case_id, *fields in (
        CaseEvent.objects.filter(case_id__in=list(events))
        .order_by("case_id", "seq")
        .values_list("case_id", "action", "occurred_at", "payload")
    ):
        events[case_id].append(ClockEvent(*fields))
    return [(case, events[case.pk]) for case in rows]


def _limits_of(cases) -> dict[int, clocks.StepLimits]:
    """The stage limits of the items on the page, in one query (the law's for items without)."""
    item_ids = {case.item_version.item_id for case, _events in cases}
    return {
        procedure.item_id: procedure.step_limits()
        for procedure in ItemProcedure.objects.filter(item_id__in=item_ids)
    }


def _row(
    case: Case,
    events,
    tab: Tab,
    today,
    soon: dt.date | None,
    user,
    department_id,
    roles,
    limits: clocks.StepLimits = clocks.STATUTORY_LIMITS,
):
    """A case on the page with its clock, its due date and group (``soon``: the last day of
    即将到期, given for a tab with a due date) and the task actions the user may take."""
    task = next(iter(case.open_tasks), None)
    row = QueueRow(case=case, clock=None, task=task, today=today)
    if task is not None:
        eligible = task.role in roles and case.department_id == department_id
        row.can_claim = eligible and task.status == TaskStatus.OPEN
        row.can_release = task.status == TaskStatus.CLAIMED and task.assignee_id == user.pk
    try:
        row.clock = c = clocks.compute(case, events, today=today, limits=limits)
        if tab.due is PROMISED:
            row.due, row.remaining = c.promised_due, c.remaining_promised
        elif tab.due is ACCEPTANCE:
            row.due = c.correction_due
        elif tab.due is DELIVERY:
            row.due = c.delivery_due
        if row.due is not None and row.remaining is None:
            row.remaining = workdays.workdays_between(today, row.due)
    except CalendarNotCovered as exc:
        row.clock_error = exc.message
    if row.due is not None:
        if row.due < today:
            row.group = "overdue"
        elif row.due == today:
            row.group = "today"
        elif soon is not None and row.due <= soon:
            row.group = "soon"
    return row


def queue_page(user, filters: QueueFilters, page: int | None = None) -> QueuePage:
    """One page of the staff work queue of ``user``: tabs by state with their counts, the rows
    of the current tab grouped by due (overdue first), each with its exact clock and card.

    Raises ``PermissionDenied`` for a user without a case role and ``CalendarNotCovered`` when
    today's limits fall in a year the working-day calendar does not know."""
    scopes = _tab_scopes(user)
    if not scopes:
        raise PermissionDenied(_("只有综合窗口、审批和监察人员可以查看办件工作台。"))
    staff = core_selectors.staff_profile_of(user)
    department_id = staff.department_id if staff else None
    today = workdays.business_date(timezone.now())
    tab = TAB_BY_KEY[filters.tab if filters.tab in scopes else next(iter(scopes))]
    filters = replace(filters, tab=tab.key)
    scope_qs = {
        key: _scope_q(scope, user=user, department_id=department_id)
        for key, scope in scopes.items()
    }
    in_scope = {key: scope_qs[key] & Q(status__in=TAB_BY_KEY[key].statuses) for key in scopes}
    current = in_scope[tab.key]
    if filters.status in tab.statuses:
        current &= Q(status=filters.status)
    buckets = _bucket_qs(tab.due, today) if tab.due else {}
    if filters.card and tab.due is PROMISED:
        current &= _card_q(filters.card, today, clocks.card_policy())
    common = _common_q(filters)
    in_tab = Case.objects.filter(common).filter(current)
    narrowed = filters.status in tab.statuses or (filters.card and tab.due is PROMISED)
    # Every count of the page in one statement (1. and 2. of the module's docstring): the due
    # groups of the current tab and each other tab's count, each stopping at the cap — but
    # 我的任务's groups in one pass over the user's tasks (one person's work is not millions
    # of cases, and a pass per group would join them four times).
    parts: dict[str, QuerySet] = {}
    if buckets and scopes[tab.key] == MINE:
        parts["groups"] = _group_aggregates(in_tab, buckets)
    elif buckets:
        parts.update(_capped_groups(in_tab, buckets))
    else:
        parts["listed"] = _capped(in_tab)
    for key in scopes:
        if key != tab.key or narrowed:  # else the tab's count is the number listed
            parts[f"tab_{key}"] = _capped(Case.objects.filter(common).filter(in_scope[key]))
    counted = _count_in_one_statement(parts)
    if buckets:
        if "groups" in parts:
            *first, rest = buckets
            raw = {key: counted[f"group_{key}"] for key in first}
            raw[rest] = counted["group_all"] - sum(raw.values())
        else:
            raw = {key: counted[f"group_{key}"] for key in buckets}
            raw["other"] += counted.get("group_other_undated", 0)
        whole = sum(raw.values())
    else:
        raw, whole = {}, counted["listed"]
    group_counts = {key: min(n, COUNT_CAP) for key, n in raw.items()}
    group_capped = frozenset(key for key, n in raw.items() if n > COUNT_CAP)
    if filters.due in buckets:
        total = raw[filters.due]
        listed = in_tab.filter(buckets[filters.due])
    else:
        total, listed = whole, in_tab
    tab_counts = {key: counted.get(f"tab_{key}", whole) for key in scopes}
    total_capped, total = total > COUNT_CAP, min(total, COUNT_CAP)
    num_pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    number = min(page or filters.page, num_pages)
    cases = _page_of(tab, listed, number, total) if total else []
    roles = roles_of(user)
    # a row has a due date only on a tab with one, whose groups have already read the calendar
    soon = workdays.add_workdays(today, SOON_WORKDAYS) if buckets else None
    limits = _limits_of(cases) if cases else {}
    rows = [
        _row(
            case,
            events,
            tab,
            today,
            soon,
            user,
            department_id,
            roles,
            limits.get(case.item_version.item_id, clocks.STATUTORY_LIMITS),
        )
        for case, events in cases
    ]
    labels = dict(GROUPS)
    groups: list[QueueGroup] = []
    for row in rows:
        key = row.group if buckets else "other"
        if not groups or groups[-1].key != key:
            capped = key in group_capped if buckets else total_capped
            groups.append(QueueGroup(key, labels[key], group_counts.get(key, total), [], capped))
        groups[-1].rows.append(row)
    return QueuePage(
        filters=replace(filters, page=number),
        tab=tab,
        tabs=[
            QueueTab(
                key,
                TAB_BY_KEY[key].label,
                min(tab_counts[key], COUNT_CAP),
                key == tab.key,
                tab_counts[key] > COUNT_CAP,
            )
            for key in scopes
        ],
        groups=groups,
        group_counts=group_counts,
        count=total,
        number=number,
        num_pages=num_pages,
        today=today,
        all_departments=EVERYWHERE in scopes.values(),
        department_id=department_id,
        staff=staff,
        count_capped=total_capped,
        group_capped=group_capped,
    )
