"""Reads of cases: permission-checked lookups, clocks, queues and the timeline."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import ServiceItemVersion
from tongban.core import selectors as core_selectors
from tongban.core import workdays
from tongban.core.errors import CalendarNotCovered, NotFound, PermissionDenied
from tongban.core.models import Enterprise, EnterpriseAuthorisation, Person
from tongban.core.permissions import Perm, has_perm, has_role, roles_of

from . import access, clocks
from .models import (
    Case,
    CaseEvent,
    CaseMaterial,
    Channel,
    ItemProcedure,
    ReviewTask,
    TaskStatus,
)
from .models.procedure import DEFAULT_STEPS
from .states import CaseAction as A
from .states import CaseStatus, allowed_actions
from .states import CaseStatus as S


def get_case_for_user(*, user, case_no: str) -> Case:
    """The case if ``user`` may see it; 'not found' for missing and forbidden alike."""
    case = (
        Case.objects.select_related("item_version__item", "department", "applicant", "enterprise")
        .filter(case_no=case_no)
        .first()
    )
    if case is None or not access.can_view(user, case):
        raise NotFound(_("没有找到该办件。"))
    return case


def clock(
    case: Case, *, today: dt.date | None = None, events: list[CaseEvent] | None = None
) -> clocks.Clock:
    """The case's clock; ``events`` (in order) when the caller has already read them."""
    return clocks.compute(
        case, case.events.order_by("seq") if events is None else events, today=today
    )


def timeline(case: Case):
    return case.events.order_by("seq")


def cases_of_applicant(user) -> QuerySet[Case]:
    return Case.objects.filter(applicant__user=user).select_related("item_version")


def current_version(case: Case) -> int:
    """The case's version as stored now (a page compares it to the one it was rendered with)."""
    return Case.objects.filter(pk=case.pk).values_list("version", flat=True).first() or 0


def open_tasks(case: Case) -> list[ReviewTask]:
    return list(case.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]))


# ---------------------------------------------------------------- lists and the API


def cases_for_user(user, *, status: str | None = None) -> QuerySet[Case]:
    """The cases a list shows ``user``: exactly those ``access.can_view`` lets them open.

    Window clerks (一窗受理 for every department) and supervisors see every case; reviewers and
    approvers their department's; anyone else the cases they applied for or act in as agent.
    """
    qs = Case.objects.select_related("item_version__item", "department", "applicant")
    if has_perm(user, Perm.CASE_ACCEPT) or has_perm(user, Perm.SUPERVISION_VIEW):
        pass
    elif has_perm(user, Perm.CASE_REVIEW) or has_perm(user, Perm.CASE_APPROVE):
        staff = core_selectors.staff_profile_of(user)
        qs = qs.filter(department_id=staff.department_id) if staff else qs.none()
    else:
        qs = qs.filter(Q(applicant__user_id=user.pk) | Q(agent_id=user.pk))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def case_by_idempotency_key(*, user, key: str) -> Case | None:
    """The case ``user`` already created with this Idempotency-Key, if any."""
    return (
        Case.objects.select_related("item_version__item", "department", "applicant")
        .filter(created_by_id=user.pk, idempotency_key=key)
        .first()
    )


def registered_person(*, id_number: str) -> Person | None:
    """The registered person with this (already validated) ID number."""
    return Person.objects.filter(id_number=id_number).first()


def person_represents(person: Person, enterprise: Enterprise, *, on: dt.date | None = None) -> bool:
    """The person holds a valid, unrevoked authorisation to act for the enterprise."""
    on = on or timezone.localdate()
    return (
        EnterpriseAuthorisation.objects.filter(
            person=person, enterprise=enterprise, revoked_at__isnull=True, valid_from__lte=on
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .exists()
    )


def enterprise_by_credit_code(credit_code: str) -> Enterprise | None:
    return Enterprise.objects.filter(credit_code=credit_code).first()


def review_steps(case: Case) -> list[dict]:
    procedure = ItemProcedure.objects.filter(item_id=case.item_version.item_id).first()
    return procedure.steps if procedure and procedure.steps else DEFAULT_STEPS


def case_events(case: Case) -> list[CaseEvent]:
    return list(case.events.order_by("seq"))


def case_materials(case: Case) -> list[CaseMaterial]:
    return list(case.materials.select_related("material"))


def case_open_tasks(case: Case) -> list[ReviewTask]:
    return list(
        case.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]).select_related(
            "assignee"
        )
    )


def available_actions(
    user,
    case: Case,
    *,
    events: list[CaseEvent],
    tasks: list[ReviewTask],
    steps: list[dict],
    clock: clocks.Clock,
) -> list[str]:
    """The actions ``user`` may take on the case now, as the services would judge them.

    For showing buttons and API hints only: the services check again, under the row lock.
    """
    applicant_side = access.is_applicant_side(user, case) or has_perm(user, Perm.CASE_ACCEPT)
    clerk = has_perm(user, Perm.CASE_ACCEPT)
    in_department = access.in_department(user, case)
    done = {e.action for e in events}
    task = tasks[0] if tasks else None
    last_step = steps[-1]["code"] if steps else None
    uid = getattr(user, "pk", None)
    on_task = (
        task is not None
        and in_department
        and has_role(user, task.role)
        and task.assignee_id in (None, uid)
    )
    rules = {
        A.SUBMIT: applicant_side,
        A.ACCEPT: clerk,
        A.REFUSE: clerk,
        A.REQUEST_CORRECTION: clerk
        and A.REQUEST_CORRECTION not in done
        and not clock.deemed_accepted,
        A.RESUBMIT: applicant_side,
        A.WITHDRAW: applicant_side,
        A.CLAIM: on_task and task.status == TaskStatus.OPEN,
        A.RELEASE: on_task and task.assignee_id == uid,
        A.COMPLETE_STEP: on_task and task.step != last_step,
        A.APPROVE: on_task and task.step == last_step and has_perm(user, Perm.CASE_APPROVE),
        A.SUSPEND: in_department and has_perm(user, Perm.CASE_REVIEW),
        A.RESUME: in_department and has_perm(user, Perm.CASE_REVIEW),
        A.EXTEND: in_department and has_perm(user, Perm.CASE_APPROVE) and A.EXTEND not in done,
        A.ISSUE: in_department or clerk,
        A.DELIVER: in_department or clerk,
    }
    rules[A.DENY] = rules[A.APPROVE]
    return [a for a in allowed_actions(case.status) if rules.get(a, False)]


# ---------------------------------------------------------------- the applicant's pages (portal)


def get_own_case(*, user, case_no: str) -> Case:
    """A case the user applied for (or acts in as agent); 'not found' for any other, also for
    staff who may see it elsewhere: the portal shows a person only their own cases."""
    case = (
        Case.objects.select_related(
            "item_version__item", "department", "applicant", "enterprise__legal_representative"
        )
        .filter(case_no=case_no[:32])
        .first()
    )
    if case is None or not access.is_applicant_side(user, case):
        raise NotFound(_("没有找到该办件。"))
    return case


def applicant_cases(user, *, drafts: bool) -> QuerySet[Case]:
    """我的办件: the drafts (newest first), or the other cases (latest submitted first), of
    ``user`` (as applicant or agent), with the item, the department and each material's
    status read in fixed queries."""
    qs = Case.objects.filter(Q(applicant__user_id=user.pk) | Q(agent_id=user.pk))
    qs = qs.filter(status="draft") if drafts else qs.exclude(status="draft")
    order = ["-created_at", "-id"] if drafts else [F("received_at").desc(nulls_last=True), "-id"]
    return (
        qs.select_related("item_version", "department")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=CaseMaterial.objects.only("id", "case_id", "material_id", "status"),
            )
        )
        .order_by(*order)
    )


def applicant_timeline(case: Case) -> list[CaseEvent]:
    """The case's events in order, with each actor's department (staff are shown by it)."""
    return list(case.events.select_related("actor__staff__department").order_by("seq"))


# ---------------------------------------------------------------- the staff work queue (工作台)
#
# The list is filtered and sorted in SQL on the due dates copied onto the case row (legal_due,
# promised_due, received_at, decided_at); the exact clock and card of each row on the page are
# then computed from its events (clocks.compute), so a page costs a fixed number of queries.

QUEUE_PAGE_SIZE = 20
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
        values = {**asdict(self), **changes}
        if values.get("page") == 1:
            values["page"] = ""
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


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
    count: int
    rows: list[QueueRow]


@dataclass
class QueueTab:
    key: str
    label: Any
    count: int
    current: bool


@dataclass
class QueuePage:
    filters: QueueFilters
    tab: Tab
    tabs: list[QueueTab]
    groups: list[QueueGroup]
    group_counts: dict[str, int]
    count: int
    number: int
    num_pages: int
    today: dt.date
    all_departments: bool
    department_id: int | None

    @property
    def rows(self) -> list[QueueRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def _tab_scopes(user, department_id: int | None) -> dict[str, Q]:
    """The tabs this user has, each with its data scope (Q() for every department)."""
    everywhere, own = Q(), Q(department_id=department_id) if department_id else Q(pk__in=[])
    scopes: dict[str, Q] = {}

    def grant(keys, scope: Q) -> None:
        for key in keys:
            if key not in scopes or scope == everywhere:
                scopes[key] = scope

    if has_perm(user, Perm.SUPERVISION_VIEW):
        grant(SUPERVISOR_TABS, everywhere)
    if has_perm(user, Perm.CASE_ACCEPT):
        grant(CLERK_TABS, everywhere)  # 一窗受理: every department's applications
    if has_perm(user, Perm.CASE_REVIEW) or has_perm(user, Perm.CASE_APPROVE):
        grant(DEPARTMENT_TABS, own)
    if "mine" in scopes:
        scopes["mine"] = Q(
            pk__in=ReviewTask.objects.filter(assignee=user, status=TaskStatus.CLAIMED).values(
                "case_id"
            )
        )
    return {tab.key: scopes[tab.key] for tab in TABS if tab.key in scopes}


def may_use_queue(user) -> bool:
    return any(
        has_perm(user, p)
        for p in (Perm.CASE_ACCEPT, Perm.CASE_REVIEW, Perm.CASE_APPROVE, Perm.SUPERVISION_VIEW)
    )


def _latest_start(days: int, last_due: dt.date) -> dt.date:
    """The latest business date whose ``days``-working-day limit ends on or before ``last_due``."""
    day = last_due
    for _step in range(400):
        if workdays.add_workdays(day, days) <= last_due:
            return day
        day -= dt.timedelta(days=1)
    return day  # pragma: no cover - no calendar has 400 days without ``days`` working days


def _bucket_qs(due: Due, today: dt.date) -> dict[str, Q]:
    """SQL conditions for the due groups (已超期 / 今日到期 / 即将到期 / 其他) of a tab."""
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


def _row(case: Case, tab: Tab, today: dt.date, user, department_id, roles) -> QueueRow:
    task = next(iter(case.open_tasks), None)
    row = QueueRow(case=case, clock=None, task=task)
    if task is not None:
        eligible = task.role in roles and case.department_id == department_id
        row.can_claim = eligible and task.status == TaskStatus.OPEN
        row.can_release = task.status == TaskStatus.CLAIMED and task.assignee_id == user.pk
    try:
        row.clock = c = clocks.compute(case, case.events.all(), today=today)
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
        elif row.due <= workdays.add_workdays(today, SOON_WORKDAYS):
            row.group = "soon"
    return row


def _tab_counts(scopes, tab_qs, department_id, common: Q) -> dict[str, int]:
    """Each tab's count in one query over every row any tab shows, read from the indexes."""
    everywhere = {st for k, q in scopes.items() if q == Q() for st in TAB_BY_KEY[k].statuses}
    own = {
        st for k, q in scopes.items() if q != Q() and k != "mine" for st in TAB_BY_KEY[k].statuses
    } - everywhere
    any_tab = Q(status__in=sorted(everywhere)) if everywhere else Q(pk__in=[])
    if own and department_id:
        any_tab |= Q(department_id=department_id, status__in=sorted(own))
    if "mine" in scopes:
        any_tab |= tab_qs["mine"]
    counts = (
        Case.objects.filter(common)
        .filter(any_tab)
        .aggregate(**{key: Count("pk", filter=q) for key, q in tab_qs.items()})
    )
    return {key: counts[key] for key in tab_qs}


def _page_of(tab: Tab, listed: QuerySet[Case], number: int) -> list[Case]:
    """The cases of page ``number``, soonest due first: the ids from the (status, due) index
    first, then those rows with everything the page shows."""
    column = tab.due.column if tab.due else tab.order
    # Only a decision date can be missing (不予受理 has none): elsewhere a plain ascending order
    # lets the (status, due) indexes deliver the page without sorting the whole tab.
    order = F(column).asc(nulls_last=True) if tab.due is DELIVERY else F(column).asc()
    offset = (number - 1) * QUEUE_PAGE_SIZE
    ids = list(
        listed.order_by(order, "pk").values_list("pk", flat=True)[offset : offset + QUEUE_PAGE_SIZE]
    )
    rows = (
        Case.objects.filter(pk__in=ids)
        .select_related("item_version__item", "department", "applicant", "enterprise")
        .defer("form_data", "answers", "item_version__form_fields", "item_version__process_steps")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=CaseEvent.objects.order_by("seq").only(
                    "id", "case_id", "seq", "action", "occurred_at", "payload"
                ),
            ),
            Prefetch(
                "tasks",
                queryset=ReviewTask.objects.filter(
                    status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]
                ).select_related("assignee"),
                to_attr="open_tasks",
            ),
        )
    )
    by_id = {case.pk: case for case in rows}
    return [by_id[pk] for pk in ids]


def queue(user, filters: QueueFilters, page: int | None = None) -> QueuePage:
    """One page of the staff work queue of ``user``: tabs by state with their counts, the rows
    of the current tab grouped by due (overdue first), each with its exact clock and card.

    Raises ``PermissionDenied`` for a user without a case role and ``CalendarNotCovered`` when
    today's limits fall in a year the working-day calendar does not know."""
    staff = core_selectors.staff_profile_of(user)
    department_id = staff.department_id if staff else None
    scopes = _tab_scopes(user, department_id)
    if not scopes:
        raise PermissionDenied(_("只有综合窗口、审批和监察人员可以查看办件工作台。"))
    today = workdays.business_date(timezone.now())
    tab = TAB_BY_KEY[filters.tab if filters.tab in scopes else next(iter(scopes))]
    filters = replace(filters, tab=tab.key)
    tab_qs = {key: scope & Q(status__in=TAB_BY_KEY[key].statuses) for key, scope in scopes.items()}
    current = tab_qs[tab.key]
    if filters.status in tab.statuses:
        current &= Q(status=filters.status)
    buckets = _bucket_qs(tab.due, today) if tab.due else {}
    if filters.card and tab.due is PROMISED:
        current &= _card_q(filters.card, today)
    listed = current & buckets[filters.due] if filters.due in buckets else current
    common = _common_q(filters)
    tab_counts = _tab_counts(scopes, tab_qs, department_id, common)
    counts = (
        Case.objects.filter(common)
        .filter(current)
        .aggregate(
            listed=Count("pk", filter=listed),
            **{f"group_{key}": Count("pk", filter=q) for key, q in buckets.items()},
        )
    )
    total = counts["listed"]
    num_pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    number = min(page or filters.page, num_pages)
    cases = _page_of(tab, Case.objects.filter(common).filter(listed), number)
    roles = roles_of(user)
    rows = [_row(case, tab, today, user, department_id, roles) for case in cases]
    labels = dict(GROUPS)
    groups: list[QueueGroup] = []
    for row in rows:
        key = row.group if buckets else "other"
        if not groups or groups[-1].key != key:
            groups.append(QueueGroup(key, labels[key], counts.get(f"group_{key}", total), []))
        groups[-1].rows.append(row)
    return QueuePage(
        filters=replace(filters, page=number),
        tab=tab,
        tabs=[
            QueueTab(key, TAB_BY_KEY[key].label, tab_counts[key], key == tab.key) for key in scopes
        ],
        groups=groups,
        group_counts={key: counts[f"group_{key}"] for key in buckets},
        count=total,
        number=number,
        num_pages=num_pages,
        today=today,
        all_departments=any(scope == Q() for scope in scopes.values()),
        department_id=department_id,
    )
