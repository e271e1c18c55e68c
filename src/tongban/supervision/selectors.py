"""Reads of the supervision app: who sees which departments, the supervision list of open
cases and tickets by remaining time, cards, urges and orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from tongban.cases import clocks as case_clocks
from tongban.cases.models import Case, CaseEvent, ItemProcedure
from tongban.cases.queue import ClockEvent
from tongban.cases.states import OPEN as CASE_OPEN
from tongban.core import selectors as core_selectors
from tongban.core import workdays
from tongban.core.errors import CalendarNotCovered, NotFound, PermissionDenied
from tongban.core.models import Department
from tongban.core.permissions import Perm, Scope, has_perm, scope_of
from tongban.hotline import clocks as ticket_clocks
from tongban.hotline.models import Ticket
from tongban.hotline.states import OPEN_STATES as TICKET_OPEN

from .models import Card, SupervisionOrder, Urge

PAGE_SIZE = 50


def may_view(user) -> bool:
    return has_perm(user, Perm.SUPERVISION_VIEW)


def visible_department_ids(user) -> list[int] | None:
    """None: every department (a supervisor); else the user's own department only (a
    department head). Refused for anyone without SUPERVISION_VIEW."""
    if not may_view(user):
        raise PermissionDenied()
    if scope_of(user) == Scope.ALL:
        return None
    staff = core_selectors.staff_profile_of(user)
    if staff is None:
        raise PermissionDenied()
    return [staff.department_id]


def departments_for(user) -> QuerySet[Department]:
    ids = visible_department_ids(user)
    qs = Department.objects.filter(is_active=True).select_related("region")
    return qs if ids is None else qs.filter(pk__in=ids)


def in_view(user, department_id: int) -> bool:
    ids = visible_department_ids(user)
    return ids is None or department_id in ids


@dataclass
class Row:
    kind: str  # "case" | "ticket"
    ref: str
    title: str
    department: str
    department_id: int
    status: str
    due: object
    remaining: str
    card: str
    url: str


def _case_rows(cases: list[Case], today: dt.date) -> list[Row]:
    ids = [c.pk for c in cases]
    events: dict[int, list[ClockEvent]] = {pk: [] for pk in ids}
    for case_id, *fields in (
        CaseEvent.objects.filter(case_id__in=ids)
        .order_by("case_id", "seq")
        .values_list("case_id", "action", "occurred_at", "payload")
    ):
        events[case_id].append(ClockEvent(*fields))
    limits = {
        p.item_id: p.step_limits()
        for p in ItemProcedure.objects.filter(item_id__in={c.item_version.item_id for c in cases})
    }
    rows = []
    for case in cases:
        try:
            clock = case_clocks.compute(
                case,
                events[case.pk],
                today=today,
                limits=limits.get(case.item_version.item_id, case_clocks.STATUTORY_LIMITS),
            )
            remaining = clock.remaining_promised
            card = clock.card
        except CalendarNotCovered as exc:
            remaining, card = None, ""
            remaining_text = exc.message
        else:
            remaining_text = "" if remaining is None else str(remaining)
        rows.append(
            Row(
                "case",
                case.case_no,
                case.item_version.name,
                case.department.name,
                case.department_id,
                case.get_status_display(),
                case.promised_due,
                remaining_text,
                card,
                f"/console/cases/{case.case_no}/",
            )
        )
    return rows


def open_cases(user, *, department_id: int | None = None) -> QuerySet[Case]:
    ids = visible_department_ids(user)
    qs = Case.objects.filter(status__in=CASE_OPEN)
    if ids is not None:
        qs = qs.filter(department_id__in=ids)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs


def open_tickets(user, *, department_id: int | None = None) -> QuerySet[Ticket]:
    ids = visible_department_ids(user)
    qs = Ticket.objects.filter(status__in=TICKET_OPEN, department__isnull=False)
    if ids is not None:
        qs = qs.filter(department_id__in=ids)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs


def supervision_cases(user, *, department_id=None, page: int = 1) -> tuple[list[Row], int]:
    """Open cases, least remaining time first (the promised due date on the row: a suspended
    case's stays until it resumes), a page of them with their exact clocks and cards."""
    qs = open_cases(user, department_id=department_id)
    total = qs.count()
    offset = (max(page, 1) - 1) * PAGE_SIZE
    cases = list(
        qs.select_related("item_version", "department").order_by(
            F("promised_due").asc(nulls_last=True), "pk"
        )[offset : offset + PAGE_SIZE]
    )
    return _case_rows(cases, workdays.business_date(timezone.now())), total


def supervision_tickets(user, *, department_id=None, page: int = 1) -> tuple[list[Row], int]:
    qs = open_tickets(user, department_id=department_id)
    total = qs.count()
    offset = (max(page, 1) - 1) * PAGE_SIZE
    now = timezone.now()
    rows = []
    for t in qs.select_related("department").order_by(F("handle_due").asc(nulls_last=True), "pk")[
        offset : offset + PAGE_SIZE
    ]:
        clock = ticket_clocks.compute(t, now=now)
        rows.append(
            Row(
                "ticket",
                t.ticket_no,
                t.title,
                t.department.name,
                t.department_id,
                t.get_status_display(),
                t.handle_due,
                clock.remaining_text,
                clock.card,
                f"/console/hotline/tickets/{t.ticket_no}/",
            )
        )
    return rows, total


def cards_for(user, *, open_only: bool = False, department_id=None) -> QuerySet[Card]:
    ids = visible_department_ids(user)
    qs = Card.objects.select_related("department", "signed_off_by")
    if ids is not None:
        qs = qs.filter(department_id__in=ids)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    return qs


def get_card_for_user(*, user, pk: int) -> Card:
    card = cards_for(user).filter(pk=pk).first()
    if card is None:
        raise NotFound()
    return card


def orders_for(user, *, open_only: bool = False) -> QuerySet[SupervisionOrder]:
    ids = visible_department_ids(user)
    qs = SupervisionOrder.objects.select_related("department", "issued_by", "responded_by")
    if ids is not None:
        qs = qs.filter(department_id__in=ids)
    if open_only:
        qs = qs.exclude(status="closed")
    return qs


def get_order_for_user(*, user, pk: int) -> SupervisionOrder:
    order = orders_for(user).filter(pk=pk).first()
    if order is None:
        raise NotFound()
    return order


def urges_for(user) -> QuerySet[Urge]:
    ids = visible_department_ids(user)
    qs = Urge.objects.select_related("department", "by")
    return qs if ids is None else qs.filter(department_id__in=ids)


def overdue_orders(*, now=None) -> QuerySet[SupervisionOrder]:
    return SupervisionOrder.objects.filter(status="open", due__lt=now or timezone.now())


def subject_history(*, kind: str, ref: str) -> Q:
    return Q(subject_kind=kind, subject_ref=ref)
