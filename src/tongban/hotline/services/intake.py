"""Intake (受理): a new ticket from any channel, triage at intake (国办函〔2025〕66号 (二)), and
the missed-call list (漏接回拨)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tongban.core import addresses, workdays
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.identifiers import validate_phone
from tongban.core.permissions import Perm, has_perm, is_staff_member

from .. import access, dispatch, suggestions
from ..errors import TicketErrorCode
from ..models import (
    Article,
    Hazard,
    MissedCall,
    MissedCallStatus,
    Source,
    Ticket,
    TicketType,
    Urgency,
)
from ..states import CLOSING_TRIAGE, TriageOutcome
from ..states import TicketAction as A
from ..states import TicketStatus as S
from . import attachments as attachment_files
from .common import (
    advance_new,
    append,
    choice,
    invalid,
    next_ticket_no,
    now,
    require_text,
    transition,
)
from .dispatching import assign, subject_by_code
from .merging import merge_suggest_on_intake

TITLE_MAX = 128
CONTENT_MAX = 5000
CITIZEN_SOURCES = frozenset({Source.WEB, Source.MOBILE, Source.MINI})
ACTION_OF_OUTCOME = {outcome: action for action, outcome in CLOSING_TRIAGE.items()}
AUTO_LABEL = _("系统（秒派）")


def _coordinate(value, *, field: str, label, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise invalid(_("%(label)s：应为数字。"), field, label=label) from None
    if not (-bound <= number <= bound):
        raise invalid(_("%(label)s：应在 -%(b)d 到 %(b)d 之间。"), field, label=label, b=bound)
    return number


def _check_creator(actor, source: str, caller_user) -> None:
    """Operators file tickets from any channel; grid workers their grid events; a signed-in
    citizen their own online request. ``None`` is the system (Open311, imports)."""
    if actor is None or has_perm(actor, Perm.TICKET_CREATE):
        return
    if source == Source.GRID and has_perm(actor, Perm.GRID_REPORT):
        return
    if (
        source in CITIZEN_SOURCES
        and getattr(actor, "is_authenticated", False)
        and not is_staff_member(actor)
        and (caller_user is None or caller_user.pk == actor.pk)
    ):
        return
    raise PermissionDenied(_("您不能登记此来源的工单。"))


def _existing(actor, key: str) -> Ticket | None:
    # The ``exclude`` repeats the condition of the partial unique index ticket_idempotency, so
    # that SQLite uses it (it cannot prove key = 'x' implies key <> ''); without it the lookup
    # scanned every ticket of the operator (docs/performance.md, "Profiles").
    qs = Ticket.objects.filter(idempotency_key=key).exclude(idempotency_key="")
    qs = (
        qs.filter(created_by_id=actor.pk)
        if getattr(actor, "pk", None)
        else qs.filter(created_by__isnull=True)
    )
    return qs.first()


def ticket_create(
    *,
    actor,
    source: str,
    ticket_type: str,
    title: str,
    content: str,
    caller_name: str = "",
    caller_phone: str = "",
    anonymous: bool = False,
    confidential: bool = False,
    address: str = "",
    latitude=None,
    longitude=None,
    urgency: str = Urgency.NORMAL,
    hazard: str = "",
    subject_code: str | None = None,
    attachments=(),
    idempotency_key: str = "",
    caller_user=None,
    auto_dispatch: bool = True,
    triage: str = TriageOutcome.PROCEDURE,
    triage_note: str = "",
    article_id: int | None = None,
    open311_token: str = "",
    channel_info: dict[str, Any] | None = None,
) -> Ticket:
    """登记工单. Validates everything first (nothing is written on bad input), numbers the ticket
    ``12345-YYYYMMDD-NNNNNN``, resolves the address to its street/community (or flags it for a
    person), stores the dispatch suggestion, and then either closes it at intake (a triage
    outcome other than procedure), dispatches it at once (秒派: the suggestion's confidence
    reaches ``TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE``; never a consultation, never with
    ``auto_dispatch=False``), or leaves it for the operator to dispatch.

    The same ``idempotency_key`` from the same actor answers the ticket created the first time.
    """
    key = (idempotency_key or "").strip()[:64]
    if key:
        existing = _existing(actor, key)
        if existing is not None:
            return existing
    source = choice(source, Source, field="source", label=_("来源"))
    _check_creator(actor, source, caller_user)
    if (
        caller_user is None
        and source in CITIZEN_SOURCES
        and getattr(actor, "pk", None)
        and not access.is_centre(actor)
        and not has_perm(actor, Perm.GRID_REPORT)
    ):
        caller_user = actor  # a signed-in citizen files for themselves
    ticket_type = choice(ticket_type, TicketType, field="ticket_type", label=_("诉求类型"))
    urgency = choice(urgency or Urgency.NORMAL, Urgency, field="urgency", label=_("紧急程度"))
    hazard = choice(hazard or "", Hazard, field="hazard", label=_("险情类别"))
    triage = choice(
        triage or TriageOutcome.PROCEDURE, TriageOutcome, field="triage", label=_("分办结果")
    )
    content = require_text(
        content,
        code=TicketErrorCode.CONTENT_REQUIRED,
        field="content",
        label=_("诉求内容"),
        max_length=CONTENT_MAX,
    )
    title = (title or "").strip() or content.splitlines()[0][:30]
    if len(title) > TITLE_MAX:
        raise invalid(_("标题：不能超过 %(n)d 个字。"), "title", n=TITLE_MAX)
    if anonymous and ticket_type != TicketType.REPORT:
        raise ValidationFailed(
            TicketErrorCode.ANONYMOUS_NOT_ALLOWED,
            _("匿名：只有举报可以匿名反映，其他诉求请留下姓名和联系电话以便回复。"),
            field="anonymous",
        )
    caller_name = (caller_name or "").strip()
    if len(caller_name) > 64:
        raise invalid(_("来电人：不能超过 64 个字。"), "caller_name")
    phone = (caller_phone or "").strip()
    if phone:
        phone = validate_phone(phone, field="caller_phone")
    elif source == Source.PHONE and not anonymous:
        raise ValidationFailed(
            TicketErrorCode.INVALID_INPUT,
            _("联系电话：电话来件请登记来电号码。"),
            field="caller_phone",
        )
    address = (address or "").strip()
    if len(address) > 200:
        raise invalid(_("事发地址：不能超过 200 个字。"), "address")
    lat = _coordinate(latitude, field="latitude", label=_("纬度"), bound=90)
    lon = _coordinate(longitude, field="longitude", label=_("经度"), bound=180)
    subject = subject_by_code(subject_code) if subject_code else None
    triage_note = (triage_note or "").strip()
    if triage != TriageOutcome.PROCEDURE:
        if actor is None or not has_perm(actor, Perm.TICKET_CREATE):
            raise PermissionDenied(_("只有热线话务员可以在受理时直接办结。"))
        triage_note = require_text(
            triage_note,
            code=TicketErrorCode.REASON_REQUIRED,
            field="triage_note",
            label=_("办结说明"),
        )
        if article_id is not None and not Article.objects.filter(pk=article_id).exists():
            raise invalid(_("知识条目：没有编号为 %(id)s 的条目。"), "article_id", id=article_id)
    uploads = attachment_files.check(attachments)

    match = addresses.resolve_address(address) if address else None
    at = now()
    ticket = Ticket(
        source=source,
        ticket_type=ticket_type,
        subject=subject,
        title=title,
        content=content,
        caller_name=caller_name,
        caller_phone=phone,
        anonymous=bool(anonymous),
        confidential=bool(confidential),
        caller_user=caller_user,
        address=address,
        region=match.region if match else None,
        street=match.street if match else None,
        locality_unresolved=bool(address) and match is None,
        latitude=lat,
        longitude=lon,
        urgency=urgency,
        hazard=hazard,
        created_at=at,
        idempotency_key=key,
        open311_token=(open311_token or "")[:40],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    # The classifier scores every ticket when a model is active (its suggestion row measures
    # the model's accuracy); the catalogue's rules and the operator's subject still come first.
    scored = suggestions.score_ticket(ticket)
    suggestion = dispatch.dispatch_suggest(ticket)
    by_model = (
        scored is not None
        and scored.top is not None
        and subject is None
        and not suggestion.rule
        and suggestion.subject == scored.top.subject
    )
    ticket.suggested_subject = suggestion.subject
    ticket.suggested_department = suggestion.department or suggestion.locality_unit
    ticket.suggestion_confidence = suggestion.confidence if suggestion.has_target else None
    payload: dict[str, Any] = {
        "source": source,
        "type": ticket_type,
        "urgency": urgency,
        "hazard": hazard,
        "subject": subject.code if subject else None,
        "region": match.region.code if match else None,
        "street": match.street.code if match else None,
        "locality_unresolved": ticket.locality_unresolved,
        "anonymous": ticket.anonymous,
        "confidential": ticket.confidential,
        "attachments": len(uploads),
    }
    if suggestion.has_target:
        payload["suggestion"] = {
            "department": ticket.suggested_department.code,
            "to_locality": suggestion.to_locality,
            "subject": suggestion.subject.code if suggestion.subject else None,
            "confidence": suggestion.confidence,
            "rule": suggestion.rule,
            "classifier": by_model,
        }
    if channel_info:
        payload["channel"] = channel_info
    try:
        with transaction.atomic():
            ticket.ticket_no = next_ticket_no(workdays.business_date(at))
            ticket.save(force_insert=True)
            if uploads:
                attachment_files.save(ticket, uploads)
            append(
                ticket,
                actor=actor,
                action=A.CREATE,
                from_state="",
                to_state=S.RECEIVED,
                payload=payload,
                new_stream=True,
            )
            if triage != TriageOutcome.PROCEDURE:
                ticket = _close(ticket, actor, triage, triage_note, article_id, None)
            elif (
                auto_dispatch
                and ticket_type != TicketType.CONSULTATION
                and suggestion.has_target
                and suggestion.confidence >= dispatch.auto_dispatch_confidence()
            ):
                ticket = _auto_dispatch(ticket, suggestion, scored if by_model else None) or ticket
            if scored is not None:
                suggestions.record(
                    ticket, scored, auto_dispatched=by_model and ticket.auto_dispatched
                )
        if ticket.status != S.CLOSED and settings.TONGBAN_HOTLINE_MERGE_ON_INTAKE:
            # [G] 并单: suggestions for a repeated ticket, once it is committed
            def suggest_merges(ticket=ticket) -> None:
                merge_suggest_on_intake(ticket)

            transaction.on_commit(suggest_merges, robust=True)
    except IntegrityError:
        if key:  # a concurrent retry with the same key won
            existing = _existing(actor, key)
            if existing is not None:
                return existing
        raise
    return ticket


def _auto_dispatch(
    ticket: Ticket, suggestion: dispatch.Suggestion, scored: suggestions.Scored | None
) -> Ticket | None:
    """秒派, when the suggestion passes the level check; otherwise the operator decides.
    ``scored``: the classifier's answer when the suggestion is the classifier's (its
    confidence decided), recorded in the event."""
    probe = ticket
    if suggestion.subject is not None and ticket.subject_id is None:
        probe = Ticket(subject=suggestion.subject, region=ticket.region, street=ticket.street)
    try:
        target = dispatch.resolve_target(
            probe,
            department=suggestion.department,
            to_locality=suggestion.to_locality,
            field="department_code",
        )
    except dispatch.DispatchRefused:
        return None

    def apply(t: Ticket) -> dict[str, Any]:
        if suggestion.subject is not None and t.subject_id is None:
            t.subject = suggestion.subject
        t.auto_dispatched = True
        payload = assign(t, actor=None, target=target, at=now())
        payload.update(auto=True, rule=suggestion.rule, confidence=suggestion.confidence)
        if scored is not None:
            payload["classifier"] = {
                "model": scored.model_name,
                "subject": suggestion.subject.code if suggestion.subject else None,
                "candidates": [c.as_json() for c in scored.candidates],
            }
        return payload

    return advance_new(
        ticket,
        actor=None,
        action=A.DISPATCH,
        reason="；".join(suggestion.reasons),
        apply=apply,
        actor_label=str(AUTO_LABEL),
    )


def _close(ticket, actor, outcome, note, article_id, expected_version) -> Ticket:
    """Close at intake: ``ticket`` is a number, or a ticket created in this transaction."""

    def apply(t: Ticket) -> dict[str, Any]:
        t.triage = outcome
        t.triage_note = note
        t.closed_at = now()
        suggestions.record_conclusion(t, at=t.closed_at)
        return {"outcome": outcome, "article": article_id}

    action = ACTION_OF_OUTCOME[outcome]
    if isinstance(ticket, Ticket):
        return advance_new(ticket, actor=actor, action=action, reason=note, apply=apply)
    return transition(
        ticket,
        actor=actor,
        action=action,
        expected_version=expected_version,
        reason=note,
        apply=apply,
    )


def ticket_close_at_intake(
    ticket_no: str,
    *,
    actor,
    outcome: str,
    note: str,
    article_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Close at intake: answered directly (直接办结, from the knowledge base), transferred to
    110/119/120/122, told the legal route, explained and closed, or referred to the police."""
    access.require_any(actor, (Perm.TICKET_CREATE,), _("只有热线话务员可以在受理时办结工单。"))
    choice(outcome, TriageOutcome, field="outcome", label=_("分办结果"))
    if outcome == TriageOutcome.PROCEDURE:
        raise invalid(_("分办结果：按程序办理的工单请派单，不能在受理时办结。"), "outcome")
    note = require_text(
        note, code=TicketErrorCode.REASON_REQUIRED, field="note", label=_("办结说明")
    )
    if article_id is not None and not Article.objects.filter(pk=article_id).exists():
        raise invalid(_("知识条目：没有编号为 %(id)s 的条目。"), "article_id", id=article_id)
    return _close(ticket_no, actor, outcome, note, article_id, expected_version)


# --------------------------------------------------------------------------- missed calls


def missed_call_record(*, phone: str, called_at: dt.datetime | None = None) -> MissedCall:
    """漏接来电, kept for a call-back (the telephony system calls this)."""
    number = validate_phone(phone, field="phone")
    return MissedCall.objects.create(phone=number, called_at=called_at or now())


def missed_call_resolve(
    call_id: int, *, actor, outcome: str, ticket_no: str | None = None, note: str = ""
) -> MissedCall:
    """Record a call-back: reached (``called_back``, optionally the ticket it became) or not
    (``unreachable``; the call stays on the list until someone reaches the caller)."""
    access.require_any(actor, (Perm.TICKET_CREATE,), _("只有热线话务员可以处理漏接来电。"))
    if outcome not in (MissedCallStatus.CALLED_BACK, MissedCallStatus.UNREACHABLE):
        raise invalid(
            _("回拨结果：应为 called_back（已回拨）或 unreachable（无法接通）。"), "outcome"
        )
    note = (note or "").strip()
    if len(note) > 200:
        raise invalid(_("备注：不能超过 200 个字。"), "note")
    with transaction.atomic():
        call = MissedCall.objects.select_for_update().filter(pk=call_id).first()
        if call is None:
            raise NotFound(_("没有找到该漏接来电。"))
        if call.status == MissedCallStatus.CALLED_BACK:
            raise invalid(_("该来电已回拨。"), "outcome")
        ticket = None
        if ticket_no:
            ticket = Ticket.objects.filter(ticket_no=ticket_no).first()
            if ticket is None:
                raise invalid(_("工单编号：没有找到工单 %(no)s。"), "ticket_no", no=ticket_no[:40])
        call.attempts += 1
        call.status = outcome
        call.handled_at = now()
        call.handled_by = actor
        call.ticket = ticket
        call.note = note
        call.save()
    return call
