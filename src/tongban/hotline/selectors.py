"""Reads of the hotline: permission-checked lookups ('not found' for missing and forbidden alike),
queues, clocks, the timeline, the caller as a viewer may see them, and helpers for the pages."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import addresses, workdays
from tongban.core.errors import NotFound
from tongban.core.identifiers import validate_phone
from tongban.core.masking import mask_name, mask_phone
from tongban.core.models import Department, Region
from tongban.core.models.regions import DepartmentKind
from tongban.core.permissions import Perm, has_perm

from . import access, clocks, dispatch, personal_data
from .models import (
    AssignmentRole,
    AssignmentStatus,
    Callback,
    CallbackStatus,
    Decision,
    MissedCall,
    MissedCallStatus,
    Satisfaction,
    Subject,
    Ticket,
    TicketAssignment,
    TicketEvent,
    TicketExtension,
    TicketReturn,
)
from .states import CLOSING_TRIAGE, OPEN_STATES, TicketAction, TicketStatus
from .states import TicketAction as A
from .states import TicketStatus as S
from .title_search import INDEXED, WordPlan, title_search, word_plan

PAGE_SIZE = 20
# A count past the cap shows as "10000+" (the database stops reading there). A word search's
# counts stop at 1,000: each of them reads about cap ÷ share titles (a word in 10 % of them:
# 10,000 titles for 1,000), and "more than 1,000" says as well as "more than 10,000" that the
# search is too wide (see title_search.py).
COUNT_CAP = 10_000
WORD_COUNT_CAP = 1_000
TICKET_NO = re.compile(r"12345-\d{8}-\d{6}")
RELATED = ("subject", "department", "street", "region")


def _not_found() -> NotFound:
    return NotFound(_("没有找到该工单。"))


def ticket_for(user, ticket_no: str, *, related: bool = True) -> Ticket:
    """The ticket if ``user`` may see it; 'not found' for missing and forbidden alike.
    ``related=False`` reads only what the check needs (before an action, which reads the row
    again under its lock)."""
    if not isinstance(ticket_no, str) or len(ticket_no) > 32:
        raise _not_found()
    qs = Ticket.objects.filter(ticket_no=ticket_no)
    if related:
        qs = qs.select_related(*RELATED, "suggested_department", "suggested_subject")
    else:
        qs = qs.only("id", "ticket_no", "caller_user_id", "created_by_id", "department_id")
    ticket = qs.first()
    if ticket is None or not access.can_view(user, ticket):
        raise _not_found()
    return ticket


def current_version(ticket: Ticket) -> int:
    return Ticket.objects.filter(pk=ticket.pk).values_list("version", flat=True).first() or 0


# --------------------------------------------------------------------------- clock, caller


def ticket_clock(ticket: Ticket, *, now: dt.datetime | None = None) -> clocks.TicketClock:
    """Sign and handle dues, time left, and the card (blue/yellow/red), from the stored dues."""
    return clocks.compute(ticket, now=now)


def due_group(ticket: Ticket, now: dt.datetime | None = None) -> str:
    """已超期 ``overdue`` / 今日到期 ``today`` / 即将到期 ``soon`` (within 2 working days) /
    ``other``: how staff queues group their lists."""
    if ticket.handle_due is None or ticket.replied_at is not None:
        return "other"
    now = now or timezone.now()
    if ticket.handle_due < now:
        return "overdue"
    today = workdays.business_date(now)
    due_day = workdays.business_date(ticket.handle_due)
    if due_day == today:
        return "today"
    try:
        soon = workdays.add_workdays(today, 2)
    except Exception:  # a year the calendar does not know: treat as not soon
        return "other"
    return "soon" if due_day <= soon else "other"


@dataclass(frozen=True)
class CallerView:
    name: str
    phone: str
    hidden: bool
    note: str = ""
    # The viewer may see the number in full through the logged reveal flow (「查看完整信息」).
    can_reveal: bool = False


def caller_shown(ticket: Ticket, viewer) -> CallerView:
    """The caller as ``viewer`` may see them. Handlers never see who reported a 举报, nor an
    anonymous or confidential caller; the centre and supervisors do. The number is masked for
    all staff: whoever needs it to reach the caller (operators, the callback team, handlers of
    the unit) reveals it through the logged flow; the caller sees their own number."""
    if not access.sees_caller(viewer, ticket):
        if ticket.ticket_type == "report":
            note = _("举报人信息已依法保护，不向承办单位提供。")
        elif ticket.confidential:
            note = _("来电人要求保密，信息不向承办单位提供。")
        else:
            note = _("匿名反映。")
        return CallerView(name=str(_("（已保护）")), phone="", hidden=True, note=str(note))
    own = ticket.caller_user_id is not None and getattr(viewer, "pk", None) == ticket.caller_user_id
    contact = own or personal_data.may_contact_caller(viewer, ticket)
    name = ticket.caller_name or (str(_("匿名")) if ticket.anonymous else "")
    phone = ticket.caller_phone if own else mask_phone(ticket.caller_phone)
    if not contact and ticket.caller_name:
        name = mask_name(ticket.caller_name)
    notes = []
    if ticket.anonymous:
        notes.append(str(_("匿名举报：不得向承办单位透露来电人信息。")))
    if ticket.confidential:
        notes.append(str(_("来电人要求保密（GB/T 33358）：不得向承办单位透露来电人信息。")))
    return CallerView(
        name=name,
        phone=phone,
        hidden=False,
        note=" ".join(notes),
        can_reveal=not own and contact and bool(ticket.caller_phone),
    )


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    action: str
    label: str
    actor: str
    from_state: str
    to_state: str
    reason: str
    occurred_at: dt.datetime
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def to_label(self) -> str:
        return str(TicketStatus(self.to_state).label) if self.to_state in S.values else ""


PUBLIC_ACTIONS = frozenset(
    {A.CREATE, A.DISPATCH, A.SIGN, A.REPLY, A.CALLBACK, A.REOPEN, *CLOSING_TRIAGE}
)
PUBLIC_REASON = frozenset({A.REPLY, *CLOSING_TRIAGE})
PUBLIC_LABELS = {
    A.CREATE: _("诉求已登记"),
    A.DISPATCH: _("已转交承办单位办理"),
    A.SIGN: _("承办单位已签收"),
    A.REPLY: _("承办单位已答复"),
    A.CALLBACK: _("热线已回访，工单办结"),
    A.REOPEN: _("已发回承办单位重新办理"),
}


def ticket_events(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))


def ticket_timeline(ticket: Ticket, viewer, *, events: list[TicketEvent] | None = None):
    """The history as ``viewer`` may see it. For the public (``viewer`` None, or the citizen
    who filed it): the steps a caller understands, no staff names, no internal notes."""
    events = ticket_events(ticket) if events is None else events
    staff = viewer is not None and (access.sees_all(viewer) or access.is_handler(viewer))
    out = []
    for e in events:
        label = TicketAction(e.action).label if e.action in TicketAction.values else e.action
        if staff:
            out.append(
                TimelineEntry(
                    e.seq,
                    e.action,
                    str(label),
                    e.actor_label or str(_("系统")),
                    e.from_state,
                    e.to_state,
                    e.reason,
                    e.occurred_at,
                    e.payload,
                )
            )
        elif e.action in PUBLIC_ACTIONS:
            out.append(
                TimelineEntry(
                    e.seq,
                    e.action,
                    str(PUBLIC_LABELS.get(e.action, label)),
                    "",
                    e.from_state,
                    e.to_state,
                    e.reason if e.action in PUBLIC_REASON else "",
                    e.occurred_at,
                    {},
                )
            )
    return out


def ticket_assignments(ticket: Ticket) -> list[TicketAssignment]:
    return list(
        TicketAssignment.objects.filter(ticket=ticket)
        .select_related("department", "signed_by", "dispatched_by")
        .order_by("id")
    )


def ticket_pending_return(ticket: Ticket) -> TicketReturn | None:
    return (
        TicketReturn.objects.filter(assignment__ticket=ticket, decision=Decision.PENDING)
        .select_related("assignment__department", "suggested_department", "requested_by")
        .order_by("-id")
        .first()
    )


def ticket_pending_extension(ticket: Ticket) -> TicketExtension | None:
    return (
        TicketExtension.objects.filter(assignment__ticket=ticket, decision=Decision.PENDING)
        .select_related("assignment__department", "requested_by")
        .order_by("-id")
        .first()
    )


# --------------------------------------------------------------------------- actions


def _lead(ticket: Ticket) -> TicketAssignment | None:
    return (
        TicketAssignment.objects.filter(ticket=ticket, role=AssignmentRole.LEAD)
        .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN])
        .order_by("-id")
        .first()
    )


def ticket_actions(user, ticket: Ticket, *, now: dt.datetime | None = None) -> set[str]:
    """The ``TicketAction`` slugs ``user`` may take now, as the services would judge them (for
    showing buttons; the services check again under the row lock)."""
    now = now or timezone.now()
    status = ticket.status
    out: set[str] = set()
    dispatcher = has_perm(user, Perm.TICKET_DISPATCH)
    arbiter = has_perm(user, Perm.TICKET_ARBITRATE)
    caller = has_perm(user, Perm.TICKET_CALLBACK)
    urger = dispatcher or caller or has_perm(user, Perm.SUPERVISION_URGE)
    if status == S.RECEIVED:
        if dispatcher:
            out.add(A.DISPATCH)
        if has_perm(user, Perm.TICKET_CREATE) and ticket.dispatch_count == 0:
            out.update(CLOSING_TRIAGE)
    if status == S.RETURN_REQUESTED and (dispatcher or arbiter):
        out.update({A.ACCEPT_RETURN, A.REJECT_RETURN})
    if status in (S.DISPATCHED, S.HANDLING):
        if urger:
            out.add(A.URGE)
        lead = _lead(ticket) if access.is_handler(user) else None
        if lead is not None and access.in_unit(user, lead.department_id):
            if status == S.DISPATCHED:
                out.add(A.SIGN)
            else:
                out.add(A.REPLY)
                pending = ticket_pending_extension(ticket) is not None
                if not pending and ticket.handle_due and now <= ticket.handle_due:
                    out.add(A.REQUEST_EXTENSION)
            returned = TicketReturn.objects.filter(
                assignment__ticket=ticket, assignment__department_id=lead.department_id
            ).count()
            if not lead.by_centre_decision and now <= lead.return_due and returned < 2:
                out.add(A.REQUEST_RETURN)
        if status == S.HANDLING and arbiter and ticket_pending_extension(ticket) is not None:
            out.update({A.APPROVE_EXTENSION, A.REFUSE_EXTENSION})
    if (
        status in (S.DISPATCHED, S.HANDLING, S.RETURN_REQUESTED)
        and not ticket.escalated
        and (arbiter or has_perm(user, Perm.SUPERVISION_URGE))
    ):
        out.add(A.ESCALATE)
    if caller:
        if status == S.REPLIED:
            out.update({A.CALLBACK, A.REOPEN})
        elif status == S.CLOSED and ticket.dispatch_count:
            unsolved = ticket.callbacks.filter(status=CallbackStatus.DONE, solved=False).exists()
            if ticket.satisfaction == Satisfaction.DISSATISFIED or unsolved:
                out.add(A.REOPEN)
    return out


# --------------------------------------------------------------------------- lists


def _looks_like_phone(q: str) -> str | None:
    digits = re.sub(r"[\s-]", "", q)
    if digits.isdigit() and len(digits) >= 7:
        try:
            return validate_phone(q)
        except Exception:
            return None
    return None


def apply_filters(
    qs: QuerySet[Ticket], filters: dict[str, Any] | None, *, word_index: bool = True
) -> QuerySet[Ticket]:
    """status, department (code), type, source, subject (code, with its children), urgency,
    street (code), q (a ticket number, a phone number, or words of the title: through the gram
    index when ``word_index``, see ``title_search``)."""
    f = filters or {}
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("department"):
        qs = qs.filter(department__code=f["department"])
    if f.get("type"):
        qs = qs.filter(ticket_type=f["type"])
    if f.get("source"):
        qs = qs.filter(source=f["source"])
    if f.get("urgency"):
        qs = qs.filter(urgency=f["urgency"])
    if f.get("street"):
        qs = qs.filter(street__code=f["street"])
    if f.get("subject"):
        code = str(f["subject"])
        qs = qs.filter(Q(subject__code=code) | Q(subject__code__startswith=code + "."))
    q = (f.get("q") or "").strip()[:64]
    if q:
        if TICKET_NO.fullmatch(q):
            qs = qs.filter(ticket_no=q)
        elif q.startswith("12345-"):
            qs = qs.filter(ticket_no__startswith=q)
        elif (phone := _looks_like_phone(q)) is not None:
            qs = qs.filter(caller_phone=phone)
        else:
            qs = title_search(qs, q, index=word_index)
    return qs


def search_word(filters: dict[str, Any] | None) -> str:
    """The words of the title ``q`` searches for ("" for a ticket number, a phone, nothing)."""
    q = ((filters or {}).get("q") or "").strip()[:64]
    if not q or TICKET_NO.fullmatch(q) or q.startswith("12345-") or _looks_like_phone(q):
        return ""
    return q


def count_cap(filters: dict[str, Any] | None) -> int:
    """Where the counts of a list with ``filters`` stop: WORD_COUNT_CAP for a word search."""
    return WORD_COUNT_CAP if search_word(filters) else COUNT_CAP


def search_plan(filters: dict[str, Any] | None) -> WordPlan:
    """How a word search of ``filters`` reads the titles, for its page and its capped counts
    (``title_search.word_plan``); the gram index when there is no word."""
    word = search_word(filters)
    return word_plan(word, cap=WORD_COUNT_CAP) if word else INDEXED


# What a ticket's summary shows (the API's lists read only these columns).
SUMMARY_FIELDS = (
    "id",
    "ticket_no",
    "status",
    "version",
    "source",
    "ticket_type",
    "subject_id",
    "title",
    "urgency",
    "hazard",
    "department_id",
    "street_id",
    "locality_unresolved",
    "created_at",
    "dispatched_at",
    "sign_due",
    "signed_at",
    "handle_due",
    "extended_from",
    "replied_at",
    "closed_at",
    "dispatch_count",
    "reopen_count",
    "auto_dispatched",
    "escalated",
)


def tickets_for_user(
    user,
    filters: dict[str, Any] | None = None,
    *,
    summary: bool = False,
    word_index: bool = True,
    scoped: bool = True,
) -> QuerySet[Ticket]:
    """Exactly the tickets ``access.can_view`` lets ``user`` open, filtered, newest first.
    ``summary``: only the summary's columns, no joins (names come from the dispatch snapshot).
    ``word_index``: whether a word of ``q`` is searched through the gram index (``search_plan``).
    ``scoped=False`` leaves out the visibility filter, for a caller whose own filter implies it."""
    qs = (
        Ticket.objects.only(*SUMMARY_FIELDS) if summary else Ticket.objects.select_related(*RELATED)
    )
    where = access.visible_filter(user) if scoped else None
    if where is not None:
        qs = qs.filter(where)
    qs = apply_filters(qs, filters, word_index=word_index)
    if (filters or {}).get("q") and TICKET_NO.fullmatch(str(filters["q"]).strip()):
        return qs  # one ticket at most: nothing to order
    return qs.order_by("-created_at", "-id")


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str
    count: int | None  # at most the cap (``count_cap``); ``capped``: there are more
    capped: bool = False


@dataclass
class QueuePage:
    tab: str
    tabs: list[Tab]
    items: list[Ticket]
    total: int
    total_capped: bool
    page: int
    pages: int
    page_size: int = PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def callbacks_due_q() -> Q:
    """The tickets awaiting a callback (待回访): replied ones, and the tickets merged into a
    replied one whose own callback is pending (并单: every caller is called back)."""
    return _callbacks_replied_q() | _callbacks_merged_q()


def _callbacks_replied_q() -> Q:
    return Q(status=S.REPLIED)


def _callbacks_merged_q() -> Q:
    merged_pending = Callback.objects.filter(
        status=CallbackStatus.PENDING, ticket__status=S.MERGED
    ).values("ticket_id")
    return Q(status=S.MERGED, pk__in=merged_pending)


@dataclass(frozen=True)
class TabSpec:
    """A queue tab: its filter, whether its count is shown, ``own``: the filter keeps to the
    user's unit (``department_id``), which ``access.can_view`` lets a handler see, so the
    visibility semi-join over the unit's assignments is not needed; ``parts``: disjoint filters
    whose counts add up to the tab's (each read from its own index, where the OR of them would
    be one pass over the table)."""

    slug: str
    label: Any
    where: Q
    counted: bool
    own: bool = False
    parts: tuple[Q, ...] = ()


def _tabs_for(user) -> list[TabSpec]:
    """The tabs of the user's role."""
    now = timezone.now()
    open_q = Q(status__in=list(OPEN_STATES))
    overdue = Q(status__in=[S.DISPATCHED, S.HANDLING, S.RETURN_REQUESTED], handle_due__lt=now)
    pending_ext = Exists(
        TicketExtension.objects.filter(assignment__ticket=OuterRef("pk"), decision=Decision.PENDING)
    )
    callbacks = (_callbacks_replied_q(), _callbacks_merged_q())
    if access.is_centre(user):
        return [
            TabSpec("intake", _("待派单"), Q(status=S.RECEIVED), True),
            TabSpec("returns", _("退单审核"), Q(status=S.RETURN_REQUESTED), True),
            TabSpec("extensions", _("延期审核"), Q(pending_ext, status=S.HANDLING), True),
            TabSpec("callbacks", _("待回访"), callbacks[0] | callbacks[1], True, parts=callbacks),
            TabSpec("overdue", _("已超期"), overdue, True),
            TabSpec("escalated", _("已提级督办"), Q(open_q, escalated=True), True),
            TabSpec("open", _("在办"), open_q, False),
            TabSpec("closed", _("已办结"), Q(status=S.CLOSED), False),
            TabSpec("all", _("全部"), Q(), False),
        ]
    if access.sees_all(user):  # supervisors
        return [
            TabSpec("overdue", _("已超期"), overdue, True),
            TabSpec("escalated", _("已提级督办"), Q(open_q, escalated=True), True),
            TabSpec("open", _("在办"), open_q, False),
            TabSpec("closed", _("已办结"), Q(status=S.CLOSED), False),
            TabSpec("all", _("全部"), Q(), False),
        ]
    dept = access.department_id_of(user) if access.is_handler(user) else None
    if dept is not None:
        mine = Q(department_id=dept)
        replied = Q(mine, status__in=[S.REPLIED, S.CLOSED])
        return [
            TabSpec("sign", _("待签收"), Q(mine, status=S.DISPATCHED), True, own=True),
            TabSpec("handling", _("办理中"), Q(mine, status=S.HANDLING), True, own=True),
            TabSpec("returns", _("退单审核中"), Q(mine, status=S.RETURN_REQUESTED), True, own=True),
            TabSpec("overdue", _("已超期"), Q(mine, overdue), True, own=True),
            TabSpec("replied", _("已答复"), replied, False, own=True),
            TabSpec("all", _("全部"), Q(), False),
        ]
    return [TabSpec("all", _("全部"), Q(), False)]


WORK_TABS = frozenset({"sign", "handling", "returns", "overdue", "extensions", "escalated"})


def _capped(qs: QuerySet, cap: int) -> QuerySet:
    """``qs`` as rows of a constant, at most ``cap + 1`` of them: counted, they say how many
    there are up to the cap and whether there are more. No ORDER BY, so that the database stops
    reading at the cap (and an index alone can answer)."""
    return qs.order_by().values(one=Value(1))[: cap + 1]


def count_in_one_statement(parts: dict[str, QuerySet]) -> dict[str, int]:
    """The number of rows of each ``_capped`` queryset, all in one statement (a scalar subquery
    each). A part the ORM knows to be empty (a filter on an empty list) is not sent: 0."""
    selects: list[str] = []
    params: list[Any] = []
    names: list[str] = []
    out: dict[str, int] = {}
    for key, qs in parts.items():
        try:
            sql, part_params = qs.query.get_compiler(using=qs.db).as_sql()
        except EmptyResultSet:
            out[key] = 0
            continue
        alias = f"t{len(selects)}"
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS {alias})")  # noqa: S608 - the ORM's SQL
        params.extend(part_params)
        names.append(key)
    if selects:
        with connections[next(iter(parts.values())).db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(selects), params)
            out.update(zip(names, (int(v or 0) for v in cursor.fetchone()), strict=True))
    return out


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(the number of rows of ``qs`` up to ``cap``, whether there are more)."""
    n = count_in_one_statement({"n": _capped(qs, cap)})["n"]
    return min(n, cap), n > cap


def ticket_queue(
    user, *, tab: str = "", filters: dict[str, Any] | None = None, page: int = 1
) -> QueuePage:
    """A staff work basket: tabs by state for the user's role (with counts for the work tabs,
    each up to ``count_cap``), the tab's tickets filtered and paged. Work tabs are ordered by
    due, the others newest first. Every count of the page is read in one statement."""
    specs = _tabs_for(user)
    chosen = next((s for s in specs if s.slug == tab), specs[0])
    plan = search_plan(filters)
    cap = count_cap(filters)

    def base(spec: TabSpec, *, index: bool) -> QuerySet[Ticket]:
        return tickets_for_user(user, filters, word_index=index, scoped=not spec.own)

    parts: dict[str, QuerySet] = {}
    for spec in specs:
        if spec.counted:
            for n, where in enumerate(spec.parts or (spec.where,)):
                in_tab = base(spec, index=plan.count_index).filter(where)
                parts[f"{spec.slug}.{n}"] = _capped(in_tab, cap)
    if not chosen.counted:
        in_tab = base(chosen, index=plan.count_index).filter(chosen.where)
        parts["total"] = _capped(in_tab, cap)
    counts = count_in_one_statement(parts)
    tab_counts = {
        s.slug: sum(counts[f"{s.slug}.{n}"] for n in range(len(s.parts) or 1))
        for s in specs
        if s.counted
    }
    out_tabs = [
        Tab(s.slug, str(s.label), min(tab_counts[s.slug], cap), tab_counts[s.slug] > cap)
        if s.counted
        else Tab(s.slug, str(s.label), None)
        for s in specs
    ]
    total = tab_counts[chosen.slug] if chosen.counted else counts["total"]
    capped = total > cap
    total = min(total, cap)
    qs = base(chosen, index=plan.page_index).filter(chosen.where)
    if chosen.slug in WORK_TABS:
        qs = qs.order_by("handle_due", "created_at", "id")
    elif chosen.slug in ("intake", "callbacks"):
        qs = qs.order_by("created_at", "id")
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, int(page or 1)), pages)
    items = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return QueuePage(chosen.slug, out_tabs, items, total, capped, page, pages)


# --------------------------------------------------------------------------- intake helpers


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[\s\W_]+", "", text or "")
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similar_open_tickets(
    *, text: str, address: str = "", phone: str = "", limit: int = 5, days: int = 30
) -> list[Ticket]:
    """Possible duplicates among open tickets of the last ``days`` days: the same caller, the
    same place, or much the same words (the share of the text's character bigrams found in the
    other ticket), best first."""
    since = timezone.now() - dt.timedelta(days=days)
    base = Ticket.objects.filter(status__in=list(OPEN_STATES), created_at__gte=since)
    where = Q(pk__in=[])
    number = _looks_like_phone(phone) if phone else None
    if number:
        where |= Q(caller_phone=number)
    match = addresses.resolve_address(address) if address else None
    if address:
        where |= Q(address=address.strip())
    if match is not None:
        where |= Q(region_id=match.region.pk)
    candidates = list(base.filter(where).select_related(*RELATED).order_by("-created_at")[:300])
    if len(candidates) < 300 and text:
        seen = {t.pk for t in candidates}
        candidates += [
            t
            for t in base.select_related(*RELATED).order_by("-created_at")[:300]
            if t.pk not in seen
        ]
    grams = _bigrams(text)
    scored = []
    for t in candidates:
        score = 0.0
        if number and t.caller_phone == number:
            score += 0.5
        if address and t.address == address.strip():
            score += 0.3
        elif match is not None and t.region_id == match.region.pk:
            score += 0.1
        if grams:
            other = _bigrams(f"{t.title}{t.content}")
            score += len(grams & other) / len(grams)  # how much of what was said recurs
        if score >= 0.3:
            scored.append((score, t.created_at, t))
    scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
    return [t for _s, _c, t in scored[:limit]]


def locality_preview(address: str) -> tuple[Region | None, Region | None]:
    """(region, street) the address resolves to, as ticket_create would store them."""
    match = addresses.resolve_address(address) if address else None
    return (match.region, match.street) if match else (None, None)


def subjects_search(q: str, *, limit: int = 20) -> list[Subject]:
    """Active leaf subjects matching a code, name or keyword (all leaves for an empty query)."""
    qs = Subject.objects.filter(active=True, level=3).select_related("parent__parent")
    q = (q or "").strip()[:32]
    if q:
        qs = qs.filter(
            Q(code__startswith=q)
            | Q(name__icontains=q)
            | Q(keywords__icontains=q)
            | Q(parent__name__icontains=q)
        )
    return list(qs.order_by("code")[:limit])


def subject_by_code(code: str) -> Subject | None:
    return Subject.objects.filter(code=code, active=True).select_related("parent__parent").first()


def subject_tree() -> list[Subject]:
    """Every active subject in code order (level tells the depth)."""
    return list(Subject.objects.filter(active=True).order_by("code"))


def dispatch_units() -> list[Department]:
    """The units a ticket can be dispatched to (every active unit but the hotline centre)."""
    return list(
        Department.objects.filter(is_active=True)
        .exclude(kind=DepartmentKind.HOTLINE_CENTRE)
        .select_related("region")
        .order_by("region__code", "code")
    )


def dispatch_suggestion(ticket: Ticket) -> dispatch.Suggestion:
    """Where the catalogue, the rules and the classifier would send the ticket."""
    return dispatch.dispatch_suggest(ticket)


@dataclass
class MissedCallPage:
    items: list[MissedCall]
    total: int
    page: int
    pages: int


def missed_calls(*, status: str = "open", page: int = 1) -> MissedCallPage:
    """漏接来电 for call-backs: ``open`` (pending and not yet reached), or one status."""
    qs = MissedCall.objects.all()
    if status == "open":
        qs = qs.filter(status__in=[MissedCallStatus.PENDING, MissedCallStatus.UNREACHABLE])
        qs = qs.order_by("called_at", "id")
    else:
        qs = qs.filter(status=status).order_by("-called_at", "-id")
    total = qs.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, int(page or 1)), pages)
    return MissedCallPage(list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]), total, page, pages)


# --------------------------------------------------------------------------- citizens


def ticket_lookup(*, ticket_no: str, phone: str) -> Ticket:
    """A caller's own ticket by number and phone; one 'not found' for every mismatch."""
    try:
        number = validate_phone(phone)
    except Exception:
        raise _not_found() from None
    ticket = (
        Ticket.objects.select_related(*RELATED)
        .filter(ticket_no=(ticket_no or "").strip()[:32], caller_phone=number)
        .first()
    )
    if ticket is None:
        raise _not_found()
    return ticket


def ticket_public(*, ticket_no: str) -> Ticket:
    """A ticket by number alone, for a page the caller already unlocked (number and phone
    matched earlier in this browser, or they filed it): show it through ``ticket_timeline(ticket,
    None)`` and never with the caller's details. 'Not found' when missing."""
    ticket = (
        Ticket.objects.select_related(*RELATED)
        .filter(ticket_no=(ticket_no or "").strip()[:32])
        .first()
    )
    if ticket is None:
        raise _not_found()
    return ticket


def tickets_of_caller(user) -> QuerySet[Ticket]:
    if not getattr(user, "is_authenticated", False):
        return Ticket.objects.none()
    return (
        Ticket.objects.select_related(*RELATED)
        .filter(caller_user=user)
        .order_by("-created_at", "-id")
    )
