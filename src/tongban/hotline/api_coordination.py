"""The hotline API's joint-handling (联动) and merging (并单) operations.

Ticket actions (``POST /api/v1/tickets/{no}/actions/{action}``, the body ``TicketActionIn``):

- ``joint`` — the centre fixes the lead (``lead``) and co-handlers (``co``), or invites more
  co-handlers to a dispatched ticket;
- ``co-sign`` / ``co-reply`` (``reply``) — a co-handler signs for its part and answers the lead;
- ``release`` (``department``, ``reason``) — 解除协办: the centre, or the lead unit once the
  co-handler's limit has passed, releases a co-handler that has not replied;
- ``meeting`` (``held_on``, ``participants``, ``decision``, ``follow_up``, ``follow_up_due``,
  ``other_participants``) — 协调会议 on an unresolved joint ticket;
- ``merge`` (``into``, ``override_street``, ``note``) / ``split`` (``reason``).

Merge suggestions (the operator's list of repeats, 并单建议), ``ticket.dispatch`` only — the
same permission as the console's 并单建议 page:

- ``GET /api/v1/merge-suggestions?status=pending|confirmed|dismissed&limit&offset``;
- ``POST /api/v1/merge-suggestions/{id}/confirm`` (``expected_version`` of the repeat,
  ``override_street``, ``reason``) — the same ``merge_confirm`` as the ``merge`` action;
- ``POST /api/v1/merge-suggestions/{id}/dismiss`` (``note``) — not a repeat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from tongban.core.access import rule
from tongban.core.errors import (
    CoreErrorCode,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tongban.core.permissions import Perm, has_perm

from . import coordination
from .models import MergeSuggestion, Ticket
from .services import joint, merging
from .states import TicketAction


def _invalid(message, field: str) -> ValidationFailed:
    return ValidationFailed(CoreErrorCode.INVALID_INPUT, message, field=field)


# The services' field names that the API spells differently (the error names the body's field).
API_FIELDS = {
    "lead_code": "lead",
    "co_codes": "co",
    "department_code": "department",
    "participant_codes": "participants",
    "into_no": "into",
    "content": "reply",
}


def _api_fields(run: Callable[..., Ticket]) -> Callable[..., Ticket]:
    def wrapped(*args, **kwargs) -> Ticket:
        try:
            return run(*args, **kwargs)
        except DomainError as exc:
            exc.field = API_FIELDS.get(exc.field or "", exc.field)
            raise

    return wrapped


def _merge(no: str, b, *, actor, expected_version=None) -> Ticket:
    into = (b.into or "").strip()
    if not into:
        raise _invalid(_("并入工单：请填写要并入的工单编号。"), "into")
    return merging.merge_confirm(
        actor=actor,
        ticket_no=no,
        into_no=into,
        override_street=b.override_street,
        reason=b.note,
        expected_version=expected_version,
    )


def _meeting(no: str, b, *, actor, expected_version=None) -> Ticket:
    joint.coordination_meeting_record(
        no,
        actor=actor,
        held_on=b.held_on or "",
        participant_codes=[c[:32] for c in b.participants],
        other_participants=b.other_participants,
        decision=b.decision,
        follow_up=b.follow_up,
        follow_up_due=b.follow_up_due or None,
        expected_version=expected_version,
    )
    return Ticket.objects.get(ticket_no=no)


_ACTIONS: dict[str, Callable[..., Ticket]] = {
    "joint": lambda no, b, **kw: joint.ticket_joint_dispatch(
        no, lead_code=b.lead or "", co_codes=[c[:32] for c in b.co], note=b.note, **kw
    ),
    "co-sign": lambda no, b, *, expected_version=None, **kw: joint.ticket_co_sign(no, **kw),
    "co-reply": lambda no, b, *, expected_version=None, **kw: joint.ticket_co_reply(
        no, content=b.reply, **kw
    ),
    "release": lambda no, b, **kw: joint.ticket_co_release(
        no, department_code=b.department or "", reason=b.reason, **kw
    ),
    "meeting": _meeting,
    "merge": _merge,
    "split": lambda no, b, *, actor, expected_version=None: merging.merge_split(
        actor=actor, ticket_no=no, reason=b.reason, expected_version=expected_version
    ),
}

ACTIONS = {name: _api_fields(run) for name, run in _ACTIONS.items()}

API_NAME = {
    TicketAction.JOINT_DISPATCH: "joint",
    TicketAction.CO_SIGN: "co-sign",
    TicketAction.CO_REPLY: "co-reply",
    TicketAction.CO_RELEASE: "release",
    TicketAction.COORDINATE: "meeting",
    TicketAction.MERGE: "merge",
    TicketAction.SPLIT: "split",
}


# ---------------------------------------------------------------- merge suggestions


class SuggestedTicketOut(Schema):
    ticket_no: str
    title: str
    status: str
    street: str | None
    subject: str | None
    created_at: dt.datetime


class MergeSuggestionOut(Schema):
    id: int
    ticket: SuggestedTicketOut = Field(description="The newer ticket, the suspected repeat.")
    target: SuggestedTicketOut = Field(description="The open ticket it would be merged into.")
    rule: str = Field(description="place (same street and subject) or text (similar words)")
    rule_label: str
    score: float
    found_by: str = Field(description="intake or sweep")
    found_at: dt.datetime
    status: str
    status_label: str
    streets_differ: bool = Field(description="Confirming needs override_street.")
    decided_at: dt.datetime | None


class MergeSuggestionListOut(Schema):
    count: int
    items: list[MergeSuggestionOut]


class MergeSuggestionQuery(Schema):
    status: str = Field("pending", pattern="^(pending|confirmed|dismissed)$")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class MergeConfirmIn(Schema):
    model_config = ConfigDict(extra="forbid")

    expected_version: int | None = Field(None, ge=1, description="The repeat's version.")
    override_street: bool = Field(False, description="Confirm a merge across two streets.")
    reason: str = Field("", max_length=500)


class MergeDismissIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=500)


def _side(t: Ticket) -> dict:
    return {
        "ticket_no": t.ticket_no,
        "title": t.title,
        "status": t.status,
        "street": t.street.name if t.street_id else None,
        "subject": t.subject.name if t.subject_id else None,
        "created_at": t.created_at,
    }


def _suggestion(s: MergeSuggestion) -> dict:
    return {
        "id": s.pk,
        "ticket": _side(s.ticket),
        "target": _side(s.target),
        "rule": s.rule,
        "rule_label": str(s.get_rule_display()),
        "score": round(float(s.score), 4),
        "found_by": s.found_by,
        "found_at": s.found_at,
        "status": s.status,
        "status_label": str(s.get_status_display()),
        "streets_differ": bool(
            s.ticket.street_id and s.target.street_id and s.ticket.street_id != s.target.street_id
        ),
        "decided_at": s.decided_at,
    }


def _dispatcher(request: HttpRequest):
    user = request.auth if hasattr(request.auth, "pk") else request.user
    if not has_perm(user, Perm.TICKET_DISPATCH):
        raise PermissionDenied(_("只有热线中心的派单人员可以处理并单建议。"))
    return user


def _pending(suggestion_id: int) -> MergeSuggestion:
    row = coordination.merge_suggestions("pending").filter(pk=suggestion_id).first()
    if row is None:
        raise NotFound(
            _("没有找到待确认的并单建议 %(id)s（可能已被处理）。") % {"id": suggestion_id}
        )
    return row


def install(router: Router, *, error_schema, ticket_schema, ticket_answer) -> None:
    """Add the merge-suggestion operations to the hotline router (``api.py`` calls this with
    its error and ticket schemas, so each OpenAPI component is defined once)."""
    errors = {400: error_schema, 403: error_schema, 404: error_schema, 422: error_schema}

    @rule("perm:ticket.dispatch")
    @router.get(
        "/merge-suggestions",
        response={200: MergeSuggestionListOut, **errors},
        summary="Merge suggestions (并单建议), newest first; ticket.dispatch only.",
    )
    def merge_suggestion_list(request: HttpRequest, query: Query[MergeSuggestionQuery]):
        _dispatcher(request)
        qs = coordination.merge_suggestions(query.status)
        count = qs.count()
        rows = qs[query.offset : query.offset + query.limit]
        return {"count": count, "items": [_suggestion(s) for s in rows]}

    @rule("perm:ticket.dispatch")
    @router.post(
        "/merge-suggestions/{suggestion_id}/confirm",
        response={200: ticket_schema, 409: error_schema, **errors},
        summary="Confirm a merge suggestion: the repeat joins the target's group (并单).",
    )
    def merge_suggestion_confirm(
        request: HttpRequest, suggestion_id: int, body: MergeConfirmIn | None = None
    ):
        user = _dispatcher(request)
        body = body or MergeConfirmIn()
        s = _pending(suggestion_id)
        merged = merging.merge_confirm(
            actor=user,
            ticket_no=s.ticket.ticket_no,
            into_no=s.target.ticket_no,
            override_street=body.override_street,
            reason=body.reason,
            expected_version=body.expected_version,
        )
        return ticket_answer(merged)

    @rule("perm:ticket.dispatch")
    @router.post(
        "/merge-suggestions/{suggestion_id}/dismiss",
        response={200: MergeSuggestionOut, 409: error_schema, **errors},
        summary="Dismiss a merge suggestion: the two tickets are not repeats (不是重复件).",
    )
    def merge_suggestion_dismiss(
        request: HttpRequest, suggestion_id: int, body: MergeDismissIn | None = None
    ):
        user = _dispatcher(request)
        body = body or MergeDismissIn()
        _pending(suggestion_id)
        row = merging.merge_dismiss(actor=user, suggestion_id=suggestion_id, note=body.note)
        return _suggestion(coordination.merge_suggestions("dismissed").get(pk=row.pk))
