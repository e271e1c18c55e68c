"""The hotline's REST API (/api/v1/tickets …).

Thin: authenticate (session or bearer) → validate the schema → look the ticket up for the caller
(404 for missing and forbidden alike) → call one service, which checks the permission and the
state under the row lock. Actions answer the ticket's summary (lean); GET the ticket for its
clock, caller, assignments and timeline.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tongban.core.access import rule
from tongban.core.errors import CoreErrorCode, DomainError, NotFound, ValidationFailed
from tongban.core.permissions import Perm, has_perm

from . import access, api_coordination, coordination, dispatch, selectors, services
from .models import Source, Ticket, TicketType
from .states import TicketAction, TicketStatus

router = Router(tags=["hotline"])

IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,64}")


# ---------------------------------------------------------------- schemas


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class RefOut(Schema):
    code: str
    name: str


class TicketOut(Schema):
    ticket_no: str
    status: str
    status_label: str
    version: int = Field(description="Send it back as `expected_version` to act on this state.")
    source: str
    ticket_type: str
    ticket_type_label: str
    subject: RefOut | None
    title: str
    urgency: str
    hazard: str
    department: RefOut | None = Field(description="The current lead unit.")
    street: RefOut | None
    locality_unresolved: bool
    created_at: dt.datetime
    dispatched_at: dt.datetime | None
    sign_due: dt.datetime | None
    handle_due: dt.datetime | None
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    dispatch_count: int
    reopen_count: int
    auto_dispatched: bool
    escalated: bool
    card: str = Field(description='"", "blue", "yellow" or "red".')


class TicketListOut(Schema):
    items: list[TicketOut]
    count: int
    count_capped: bool = Field(
        description="More than `count` match (a count stops at 10,000, at 1,000 for a search by "
        "title words); narrow the filters."
    )


class TicketClockOut(Schema):
    dispatched_at: dt.datetime | None
    sign_due: dt.datetime | None
    signed_at: dt.datetime | None
    handle_due: dt.datetime | None
    original_handle_due: dt.datetime | None = Field(description="Before an approved extension.")
    replied_at: dt.datetime | None
    running: bool
    remaining_seconds: int | None
    sign_overdue: bool
    overdue: bool
    card: str
    card_label: str


class CallerOut(Schema):
    name: str
    phone: str
    hidden: bool = Field(description="The caller's identity is protected from this viewer.")
    note: str


class SuggestionOut(Schema):
    department: RefOut | None
    subject: RefOut | None
    confidence: float | None


class AssignmentOut(Schema):
    department: RefOut
    role: str
    status: str
    status_label: str
    round: int
    dispatched_at: dt.datetime
    by_centre_decision: bool
    sign_due: dt.datetime
    return_due: dt.datetime
    handle_due: dt.datetime
    signed_at: dt.datetime | None
    replied_at: dt.datetime | None


class TicketEventOut(Schema):
    seq: int
    action: str
    action_label: str
    actor: str
    from_state: str
    to_state: str
    reason: str
    occurred_at: dt.datetime
    payload: dict[str, Any]


class TicketDetailOut(TicketOut):
    content: str
    address: str
    region: RefOut | None
    latitude: float | None
    longitude: float | None
    anonymous: bool
    confidential: bool
    caller: CallerOut
    triage: str
    triage_note: str
    reply: str
    solved: bool | None
    satisfaction: str
    suggestion: SuggestionOut
    clock: TicketClockOut
    assignments: list[AssignmentOut]
    allowed_actions: list[str]
    timeline: list[TicketEventOut]


class TicketCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(
        None,
        max_length=16,
        description="Default: phone for operators, grid for grid workers, else web.",
    )
    ticket_type: str = Field(..., max_length=16, description=", ".join(TicketType.values))
    title: str = Field("", max_length=200)
    content: str = Field("", max_length=10000)
    caller_name: str = Field("", max_length=100)
    caller_phone: str = Field("", max_length=32)
    anonymous: bool = False
    confidential: bool = False
    address: str = Field("", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    urgency: str = Field("normal", max_length=16)
    hazard: str = Field("", max_length=16)
    subject: str | None = Field(None, max_length=16, description="A subject code.")
    auto_dispatch: bool = Field(True, description="Allow 秒派 when the suggestion is certain.")
    triage: str = Field("procedure", max_length=24, description="Close at intake otherwise.")
    triage_note: str = Field("", max_length=4000)
    article_id: int | None = Field(None, ge=1)


class TicketActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    expected_version: int | None = Field(None, ge=1)
    department: str | None = Field(None, max_length=32, description="dispatch, reopen")
    to_locality: bool = Field(False, description="dispatch, reopen: the street owning the address")
    subject: str | None = Field(None, max_length=16, description="dispatch")
    note: str = Field("", max_length=4000)
    reason: str = Field("", max_length=4000)
    explanation: str = Field("", max_length=4000, description="return")
    suggested_department: str | None = Field(None, max_length=32, description="return")
    accept: bool | None = Field(None, description="return-decision")
    redispatch_department: str | None = Field(None, max_length=32)
    redispatch_to_locality: bool = False
    new_due: str | None = Field(None, max_length=32, description="extension: YYYY-MM-DD")
    approve: bool | None = Field(None, description="extension-decision")
    reply: str = Field("", max_length=4000)
    solved: bool | None = None
    reached: bool | None = Field(None, description="callback")
    satisfaction: str = Field("", max_length=16)
    outcome: str = Field("", max_length=24, description="close-at-intake")
    article_id: int | None = Field(None, ge=1)
    # [G] joint tickets and merging (api_coordination.py)
    lead: str | None = Field(None, max_length=32, description="joint: the lead unit's code")
    co: list[str] = Field(default_factory=list, max_length=20, description="joint: co-handlers")
    into: str | None = Field(None, max_length=32, description="merge: the ticket to merge into")
    override_street: bool = Field(False, description="merge: confirm tickets of two streets")
    held_on: str | None = Field(None, max_length=32, description="meeting: YYYY-MM-DD")
    participants: list[str] = Field(
        default_factory=list, max_length=30, description="meeting: the units' codes"
    )
    other_participants: str = Field("", max_length=200, description="meeting")
    decision: str = Field("", max_length=4000, description="meeting")
    follow_up: str = Field("", max_length=4000, description="meeting")
    follow_up_due: str | None = Field(None, max_length=32, description="meeting: YYYY-MM-DD")


class TicketListQuery(Schema):
    status: str | None = Field(None, max_length=24)
    department: str | None = Field(None, max_length=32)
    q: str | None = Field(None, max_length=64, description="A ticket number, phone or title words")
    type: str | None = Field(None, max_length=16)
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


# ---------------------------------------------------------------- building the answers


def _ref(obj) -> dict[str, str] | None:
    if obj is None:
        return None
    return {"code": obj.code, "name": obj.name}


def _cached_ref(table: dict, pk: int | None, load) -> dict[str, str] | None:
    """Subjects, units and regions from the dispatch snapshot in memory (no query); ``load``
    reads the row when it is not there (an inactive unit)."""
    if pk is None:
        return None
    return _ref(table.get(pk) or load())


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _ticket(t: Ticket) -> dict[str, Any]:
    clock = selectors.ticket_clock(t)
    snap = dispatch.snapshot()
    return {
        "ticket_no": t.ticket_no,
        "status": t.status,
        "status_label": _label(TicketStatus, t.status),
        "version": t.version,
        "source": t.source,
        "ticket_type": t.ticket_type,
        "ticket_type_label": _label(TicketType, t.ticket_type),
        "subject": _cached_ref(snap.subjects, t.subject_id, lambda: t.subject),
        "title": t.title,
        "urgency": t.urgency,
        "hazard": t.hazard,
        "department": _cached_ref(snap.departments, t.department_id, lambda: t.department),
        "street": _cached_ref(snap.regions, t.street_id, lambda: t.street),
        "locality_unresolved": t.locality_unresolved,
        "created_at": t.created_at,
        "dispatched_at": t.dispatched_at,
        "sign_due": t.sign_due,
        "handle_due": t.handle_due,
        "replied_at": t.replied_at,
        "closed_at": t.closed_at,
        "dispatch_count": t.dispatch_count,
        "reopen_count": t.reopen_count,
        "auto_dispatched": t.auto_dispatched,
        "escalated": t.escalated,
        "card": clock.card,
    }


def _detail(t: Ticket, user) -> dict[str, Any]:
    clock = selectors.ticket_clock(t)
    caller = selectors.caller_shown(t, user)
    events = selectors.ticket_events(t)
    return {
        **_ticket(t),
        "content": t.content,
        "address": t.address,
        "region": _ref(t.region) if t.region_id else None,
        "latitude": float(t.latitude) if t.latitude is not None else None,
        "longitude": float(t.longitude) if t.longitude is not None else None,
        "anonymous": t.anonymous,
        "confidential": t.confidential,
        "caller": caller.__dict__,
        "triage": t.triage,
        "triage_note": t.triage_note,
        "reply": t.reply,
        "solved": t.solved,
        "satisfaction": t.satisfaction,
        "suggestion": {
            "department": _ref(t.suggested_department) if t.suggested_department_id else None,
            "subject": _ref(t.suggested_subject) if t.suggested_subject_id else None,
            "confidence": t.suggestion_confidence,
        },
        "clock": {
            "dispatched_at": clock.dispatched_at,
            "sign_due": clock.sign_due,
            "signed_at": clock.signed_at,
            "handle_due": clock.handle_due,
            "original_handle_due": clock.original_handle_due,
            "replied_at": clock.replied_at,
            "running": clock.running,
            "remaining_seconds": int(clock.remaining.total_seconds())
            if clock.remaining is not None
            else None,
            "sign_overdue": clock.sign_overdue,
            "overdue": clock.overdue,
            "card": clock.card,
            "card_label": clock.card_label,
        },
        "assignments": [
            {
                "department": _ref(a.department),
                "role": a.role,
                "status": a.status,
                "status_label": a.get_status_display(),
                "round": a.round,
                "dispatched_at": a.dispatched_at,
                "by_centre_decision": a.by_centre_decision,
                "sign_due": a.sign_due,
                "return_due": a.return_due,
                "handle_due": a.handle_due,
                "signed_at": a.signed_at,
                "replied_at": a.replied_at,
            }
            for a in selectors.ticket_assignments(t)
        ]
        if access.sees_all(user) or access.is_handler(user)
        else [],
        "allowed_actions": sorted(
            {
                API_NAME.get(a, a)
                for a in selectors.ticket_actions(user, t)
                | coordination.coordination_actions(user, t)
            }
        ),
        "timeline": [
            {
                "seq": e.seq,
                "action": e.action,
                "action_label": e.label,
                "actor": e.actor,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "reason": e.reason,
                "occurred_at": e.occurred_at,
                "payload": e.payload,
            }
            for e in selectors.ticket_timeline(t, user, events=events)
        ],
    }


# ---------------------------------------------------------------- helpers


def _user(request: HttpRequest):
    return request.auth if hasattr(request.auth, "pk") else request.user


def _invalid(message, field: str, **params) -> ValidationFailed:
    return ValidationFailed(CoreErrorCode.INVALID_INPUT, message, field=field, **params)


def _idempotency_key(request: HttpRequest) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return ""
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise _invalid(
            _("Idempotency-Key：应为 1 到 64 个可见 ASCII 字符（例如一个 UUID）。"),
            IDEMPOTENCY_HEADER,
        )
    return key


def _default_source(user) -> str:
    if has_perm(user, Perm.TICKET_CREATE):
        return Source.PHONE
    if has_perm(user, Perm.GRID_REPORT):
        return Source.GRID
    return Source.WEB


# ---------------------------------------------------------------- endpoints


@rule("login")
@router.post(
    "/tickets",
    response={200: TicketOut, 201: TicketOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="File a ticket (登记工单); send `Idempotency-Key` to retry safely",
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": IDEMPOTENCY_HEADER,
                "required": False,
                "schema": {"type": "string", "maxLength": 64},
                "description": "A retried request with the same key answers 200 with the same "
                "ticket instead of filing a second one.",
            }
        ]
    },
)
def ticket_create(request: HttpRequest, body: TicketCreateIn):
    user = _user(request)
    key = _idempotency_key(request)
    if key:
        existing = Ticket.objects.filter(created_by_id=user.pk, idempotency_key=key).first()
        if existing is not None:
            if existing.content != (body.content or "").strip():
                raise ValidationFailed(
                    CoreErrorCode.DUPLICATE,
                    _("Idempotency-Key：该键已用于另一工单（%(no)s），请换一个新键。"),
                    field=IDEMPOTENCY_HEADER,
                    no=existing.ticket_no,
                )
            return Status(200, _ticket(existing))
    ticket = services.ticket_create(
        actor=user,
        source=body.source or _default_source(user),
        ticket_type=body.ticket_type,
        title=body.title,
        content=body.content,
        caller_name=body.caller_name,
        caller_phone=body.caller_phone,
        anonymous=body.anonymous,
        confidential=body.confidential,
        address=body.address,
        latitude=body.latitude,
        longitude=body.longitude,
        urgency=body.urgency,
        hazard=body.hazard,
        subject_code=body.subject or None,
        idempotency_key=key,
        auto_dispatch=body.auto_dispatch,
        triage=body.triage,
        triage_note=body.triage_note,
        article_id=body.article_id,
    )
    return Status(201, _ticket(ticket))


@rule("applicant|staff")
@router.get(
    "/tickets",
    response={200: TicketListOut, 422: ErrorOut},
    summary="Tickets the caller may see, newest first (filters: status, department, q, type)",
)
def ticket_list(request: HttpRequest, query: Query[TicketListQuery]):
    user = _user(request)
    if query.status and query.status not in TicketStatus.values:
        raise _invalid(
            _("状态：不是可选值，可选：%(values)s。"),
            "status",
            values="、".join(TicketStatus.values),
        )
    if query.type and query.type not in TicketType.values:
        raise _invalid(
            _("诉求类型：不是可选值，可选：%(values)s。"),
            "type",
            values="、".join(TicketType.values),
        )
    filters = {
        "status": query.status,
        "department": query.department,
        "q": query.q,
        "type": query.type,
    }
    plan = selectors.search_plan(filters)  # a frequent word: no gram index (title_search.py)
    qs = selectors.tickets_for_user(user, filters, summary=True, word_index=plan.page_index)
    items = list(qs[query.offset : query.offset + query.limit])
    if query.offset == 0 and len(items) < query.limit:
        count, capped = len(items), False
    else:  # no sort before the cap
        count, capped = selectors.capped_count(
            selectors.tickets_for_user(user, filters, summary=True, word_index=plan.count_index),
            selectors.count_cap(filters),
        )
    return {"items": [_ticket(t) for t in items], "count": count, "count_capped": capped}


@rule("owner|staff")
@router.get(
    "/tickets/{ticket_no}",
    response={200: TicketDetailOut, 404: ErrorOut},
    summary="A ticket: state, clock, caller (as the viewer may see them), assignments, timeline",
)
def ticket_detail(request: HttpRequest, ticket_no: str):
    user = _user(request)
    return _detail(selectors.ticket_for(user, ticket_no), user)


def _bool(value: bool | None, field: str, label) -> bool:
    if value is None:
        raise _invalid(_("%(label)s：请填写 true 或 false。"), field, label=label)
    return value


ACTIONS: dict[str, Callable[..., Ticket]] = {
    "dispatch": lambda no, b, **kw: services.ticket_dispatch(
        no,
        department_code=b.department,
        to_locality=b.to_locality,
        subject_code=b.subject,
        note=b.note,
        **kw,
    ),
    "sign": lambda no, b, **kw: services.ticket_sign(no, **kw),
    "return": lambda no, b, **kw: services.ticket_return_request(
        no,
        reason=b.reason,
        explanation=b.explanation,
        suggested_department_code=b.suggested_department,
        **kw,
    ),
    "return-decision": lambda no, b, **kw: services.ticket_return_decide(
        no,
        accept=_bool(b.accept, "accept", _("是否同意退单")),
        note=b.note,
        redispatch_department_code=b.redispatch_department,
        redispatch_to_locality=b.redispatch_to_locality,
        **kw,
    ),
    "extension": lambda no, b, **kw: services.ticket_extension_request(
        no, reason=b.reason, new_due=b.new_due or "", **kw
    ),
    "extension-decision": lambda no, b, **kw: services.ticket_extension_decide(
        no, approve=_bool(b.approve, "approve", _("是否同意延期")), note=b.note, **kw
    ),
    "reply": lambda no, b, **kw: services.ticket_reply(
        no, reply=b.reply, solved=_bool(b.solved, "solved", _("是否解决")), **kw
    ),
    "callback": lambda no, b, **kw: services.ticket_callback(
        no,
        reached=_bool(b.reached, "reached", _("是否联系上来电人")),
        satisfaction=b.satisfaction,
        solved=b.solved,
        note=b.note,
        **kw,
    ),
    "reopen": lambda no, b, **kw: services.ticket_reopen(
        no, reason=b.reason, department_code=b.department, to_locality=b.to_locality, **kw
    ),
    "urge": lambda no, b, *, expected_version=None, **kw: services.ticket_urge(
        no, note=b.note, **kw
    ),
    "escalate": lambda no, b, *, expected_version=None, **kw: services.ticket_escalate(
        no, reason=b.reason, **kw
    ),
    "close-at-intake": lambda no, b, **kw: services.ticket_close_at_intake(
        no, outcome=b.outcome, note=b.note, article_id=b.article_id, **kw
    ),
}


ACTIONS.update(api_coordination.ACTIONS)  # [G] joint, co-sign, co-reply, release, meeting …

# The API's name for each state-machine action (allowed_actions speaks the API's names).
API_NAME = {
    TicketAction.DISPATCH: "dispatch",
    TicketAction.SIGN: "sign",
    TicketAction.REQUEST_RETURN: "return",
    TicketAction.ACCEPT_RETURN: "return-decision",
    TicketAction.REJECT_RETURN: "return-decision",
    TicketAction.REQUEST_EXTENSION: "extension",
    TicketAction.APPROVE_EXTENSION: "extension-decision",
    TicketAction.REFUSE_EXTENSION: "extension-decision",
    TicketAction.REPLY: "reply",
    TicketAction.CALLBACK: "callback",
    TicketAction.REOPEN: "reopen",
    TicketAction.URGE: "urge",
    TicketAction.ESCALATE: "escalate",
    **api_coordination.API_NAME,
    **{
        a: "close-at-intake"
        for a in (
            TicketAction.DIRECT_ANSWER,
            TicketAction.EMERGENCY_TRANSFER,
            TicketAction.LEGAL_ROUTE,
            TicketAction.EXPLAIN_CLOSE,
            TicketAction.POLICE_REFERRAL,
        )
    },
}


@rule("owner|staff")
@router.post(
    "/tickets/{ticket_no}/actions/{action}",
    response={
        200: TicketOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="A ticket action: " + ", ".join(ACTIONS) + ". Answers the ticket's summary.",
)
def ticket_action(
    request: HttpRequest, ticket_no: str, action: str, body: TicketActionIn | None = None
):
    user = _user(request)
    run = ACTIONS.get(action)
    if run is None:
        raise NotFound(
            _("没有名为“%(action)s”的工单操作；可用的操作：%(actions)s。")
            % {"action": action[:40], "actions": ", ".join(ACTIONS)}
        )
    body = body or TicketActionIn()
    try:
        updated = run(ticket_no, body, actor=user, expected_version=body.expected_version)
    except DomainError:
        # Whatever refused it, a ticket the caller may not see answers 'not found' (missing
        # and forbidden alike): checked only on refusal, so the usual request saves a query.
        if not access.sees_all(user):
            selectors.ticket_for(user, ticket_no, related=False)
        raise
    return _ticket(updated)  # the locked row, read with its subject, unit and street


api_coordination.install(
    router, error_schema=ErrorOut, ticket_schema=TicketOut, ticket_answer=lambda t: _ticket(t)
)
