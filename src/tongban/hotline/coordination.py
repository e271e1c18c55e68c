"""Reads for joint tickets (联动) and merging (并单): the joint-ticket list and its tabs, a
ticket's joint panel (lead, co-handlers with their own limits and replies, meetings), the merge
suggestions list and a ticket's merge group. Writes are in ``services.joint`` and
``services.merging``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.permissions import Perm, has_perm

from . import access
from .models import (
    AssignmentRole,
    AssignmentStatus,
    CallbackStatus,
    CoordinationMeeting,
    CoReply,
    MergeRule,
    MergeSuggestion,
    SuggestionStatus,
    Ticket,
    TicketAssignment,
)
from .states import JOINT_STATES, OPEN_STATES
from .states import TicketAction as A
from .states import TicketStatus as S

ACTIVE = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED, AssignmentStatus.REPLIED)
PAGE = 50


# --------------------------------------------------------------------------- joint tickets


@dataclass
class CoRow:
    """One co-handler as the pages show it."""

    assignment: TicketAssignment
    reply: CoReply | None
    overdue: bool  # past its own limit without a reply
    late: bool  # replied after its limit

    @property
    def released(self) -> bool:
        return self.assignment.status == AssignmentStatus.RELEASED

    @property
    def state_label(self):
        if self.released:
            return _("已解除协办")
        if self.reply is not None:
            return _("已答复（超期）") if self.late else _("已按期答复")
        if self.overdue:
            return _("已超期未答复")
        if self.assignment.status == AssignmentStatus.SIGNED:
            return _("办理中")
        return _("待签收")

    @property
    def state_slug(self) -> str:
        if self.released:
            return "released"
        if self.reply is not None:
            return "late" if self.late else "done"
        return "overdue" if self.overdue else "open"


@dataclass
class JointView:
    lead: TicketAssignment | None
    co: list[CoRow] = field(default_factory=list)
    meetings: list[CoordinationMeeting] = field(default_factory=list)

    @property
    def waiting(self) -> list[CoRow]:
        """The co-handlers the lead's final reply still waits for (neither replied nor
        released), overdue ones included."""
        return [r for r in self.co if r.reply is None and not r.released]


def _co_rows(assignments, at: dt.datetime, replies: dict[int, CoReply]) -> list[CoRow]:
    rows = []
    for a in assignments:
        reply = replies.get(a.pk)
        rows.append(
            CoRow(
                assignment=a,
                reply=reply,
                overdue=reply is None
                and a.status != AssignmentStatus.RELEASED
                and at > a.handle_due,
                late=bool(reply and reply.late),
            )
        )
    return rows


def joint_view(ticket: Ticket) -> JointView | None:
    """The ticket's lead, co-handlers of the current round and meetings; None when the ticket
    has never been joint."""
    rows = list(
        TicketAssignment.objects.filter(ticket=ticket, round=ticket.dispatch_count)
        .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN])
        .select_related("department")
        .order_by("id")
    )
    co = [a for a in rows if a.role == AssignmentRole.CO]
    meetings = list(
        CoordinationMeeting.objects.filter(ticket=ticket)
        .prefetch_related("participants")
        .select_related("recorded_by")
    )
    if not co and not meetings:
        return None
    lead = next((a for a in rows if a.role == AssignmentRole.LEAD), None)
    replies = {
        r.assignment_id: r
        for r in CoReply.objects.filter(ticket=ticket).select_related("replied_by")
    }
    return JointView(lead=lead, co=_co_rows(co, timezone.now(), replies), meetings=meetings)


def _joint_q() -> Exists:
    return Exists(
        TicketAssignment.objects.filter(
            ticket=OuterRef("pk"),
            role=AssignmentRole.CO,
            status__in=(*ACTIVE, AssignmentStatus.RELEASED),
        )
    )


JOINT_TABS = ("awaiting", "co_overdue", "lead", "meeting", "closed", "all")


def joint_tabs():
    return [
        ("awaiting", _("待协办答复")),
        ("co_overdue", _("协办超期")),
        ("lead", _("待主办答复")),
        ("meeting", _("已开协调会")),
        ("closed", _("已答复或办结")),
        ("all", _("全部")),
    ]


def joint_tickets(user, tab: str = "awaiting") -> QuerySet[Ticket]:
    """Joint tickets as ``user`` may see them (the centre and supervisors: all; a unit: those it
    leads or co-handles), filtered by tab, newest first, with their assignments prefetched."""
    now = timezone.now()
    qs = Ticket.objects.filter(_joint_q())
    if not access.sees_all(user):
        dept = access.department_id_of(user) if access.is_handler(user) else None
        if dept is None:
            return Ticket.objects.none()
        qs = qs.filter(
            Exists(TicketAssignment.objects.filter(ticket=OuterRef("pk"), department_id=dept))
        )
    open_co = TicketAssignment.objects.filter(
        ticket=OuterRef("pk"),
        role=AssignmentRole.CO,
        status__in=(AssignmentStatus.PENDING, AssignmentStatus.SIGNED),
    )
    open_q = Q(status__in=list(OPEN_STATES))
    if tab == "awaiting":
        qs = qs.filter(open_q, Exists(open_co.filter(handle_due__gte=now)))
    elif tab == "co_overdue":
        qs = qs.filter(
            Exists(open_co.filter(handle_due__lt=now)) & open_q
            | Exists(CoReply.objects.filter(ticket=OuterRef("pk"), late=True))
        )
    elif tab == "lead":
        qs = qs.filter(open_q).exclude(Exists(open_co))  # every co-handler replied or released
    elif tab == "meeting":
        qs = qs.filter(Exists(CoordinationMeeting.objects.filter(ticket=OuterRef("pk"))))
    elif tab == "closed":
        qs = qs.filter(status__in=[S.REPLIED, S.CLOSED])
    current = TicketAssignment.objects.exclude(
        status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN]
    ).select_related("department")
    return (
        qs.select_related("department")
        .prefetch_related(
            Prefetch("assignments", queryset=current.order_by("id"), to_attr="current_units"),
            Prefetch("co_replies", queryset=CoReply.objects.all(), to_attr="co_reply_rows"),
        )
        .order_by("-created_at", "-pk")
    )


def joint_rows(tickets) -> list[dict]:
    """A list page's rows: each ticket with its lead and co-handlers (from the prefetch)."""
    now = timezone.now()
    out = []
    for t in tickets:
        units = [a for a in t.current_units if a.round == t.dispatch_count]
        replies = {r.assignment_id: r for r in t.co_reply_rows}
        lead = next((a for a in units if a.role == AssignmentRole.LEAD), None)
        co = _co_rows([a for a in units if a.role == AssignmentRole.CO], now, replies)
        out.append({"ticket": t, "lead": lead, "co": co})
    return out


def coordination_actions(user, ticket: Ticket) -> set[str]:
    """The joint and merge ``TicketAction`` slugs ``user`` may take on ``ticket`` now (for the
    API's ``allowed_actions``; the services check again under the row lock)."""
    dispatcher = has_perm(user, Perm.TICKET_DISPATCH)
    centre = dispatcher or has_perm(user, Perm.TICKET_ARBITRATE)
    status = ticket.status
    out: set[str] = set()
    if centre and status in (S.RECEIVED, S.DISPATCHED, S.HANDLING) and not ticket.merged_into_id:
        out.add(A.JOINT_DISPATCH)
    if dispatcher and status in (S.RECEIVED, S.DISPATCHED, S.HANDLING):
        out.add(A.MERGE)
    if dispatcher and status == S.MERGED:
        out.add(A.SPLIT)
    if (
        status == S.MERGED
        and has_perm(user, Perm.TICKET_CALLBACK)
        and ticket.callbacks.filter(status=CallbackStatus.PENDING).exists()
    ):
        out.add(A.CALLBACK)
    if status not in JOINT_STATES:
        return out
    view = joint_view(ticket)
    if view is None or not view.co:
        return out
    if has_perm(user, Perm.TICKET_ARBITRATE):
        out.add(A.COORDINATE)
    dept = access.department_id_of(user) if access.is_handler(user) else None
    mine = next((r for r in view.waiting if r.assignment.department_id == dept), None)
    if mine is not None:
        out.add(A.CO_REPLY)
        if mine.assignment.status == AssignmentStatus.PENDING:
            out.add(A.CO_SIGN)
    lead = view.lead is not None and dept is not None and view.lead.department_id == dept
    if view.waiting and (centre or (lead and any(r.overdue for r in view.waiting))):
        out.add(A.CO_RELEASE)
    return out


# --------------------------------------------------------------------------- merging

SUGGESTION_TABS = ("pending", "confirmed", "dismissed")


def suggestion_tabs():
    return [
        ("pending", _("待确认")),
        ("confirmed", _("已并单")),
        ("dismissed", _("不是重复件")),
    ]


def merge_suggestions(tab: str = "pending") -> QuerySet[MergeSuggestion]:
    status = {
        "pending": [SuggestionStatus.PENDING],
        "confirmed": [SuggestionStatus.CONFIRMED, SuggestionStatus.SPLIT],
        "dismissed": [SuggestionStatus.DISMISSED],
    }.get(tab, [SuggestionStatus.PENDING])
    related = (
        "ticket__street",
        "ticket__subject",
        "target__street",
        "target__subject",
        "decided_by",
    )
    return (
        MergeSuggestion.objects.filter(status__in=status)
        .select_related(*related)
        .order_by("-found_at", "-pk")
    )


def pending_suggestion_count() -> int:
    return MergeSuggestion.objects.filter(status=SuggestionStatus.PENDING).count()


@dataclass
class MergeView:
    primary: Ticket | None  # the ticket this one is merged into
    group: list[Ticket]  # the tickets merged into this one
    suggestions: list[MergeSuggestion]  # pending suggestions where this ticket is the repeat


def merge_view(ticket: Ticket) -> MergeView:
    primary = (
        Ticket.objects.select_related("street").filter(pk=ticket.merged_into_id).first()
        if ticket.merged_into_id
        else None
    )
    group = list(
        Ticket.objects.filter(merged_into=ticket)
        .select_related("street")
        .prefetch_related("callbacks")
        .order_by("created_at", "pk")
    )
    suggestions = list(
        MergeSuggestion.objects.filter(ticket=ticket, status=SuggestionStatus.PENDING)
        .select_related("target__street", "target__subject")
        .order_by("-score")
    )
    return MergeView(primary=primary, group=group, suggestions=suggestions)


def tickets_by_id(ids: list[int]) -> dict[int, Ticket]:
    return {t.pk: t for t in Ticket.objects.filter(pk__in=ids).select_related("street")}


def rule_label(rule: str):
    return MergeRule(rule).label
