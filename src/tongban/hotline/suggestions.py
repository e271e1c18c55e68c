"""The dispatch classifier in the product ([D] 智能派单): from the active model to suggestions.

- ``score`` asks the active model (``classifier.registry``) for the three most likely subjects
  of a message, each with its calibrated confidence and the unit the dispatch catalogue sends it
  to: the catalogue's rules and entries decide (a functional department, or 属地 — the street or
  community owning the address); the model only names the subject. Without an active model it
  answers ``None`` and nothing else changes.
- ``classify`` is the hook ``dispatch.dispatch_suggest`` consults after the rules and the
  catalogue (installed at start-up by ``HotlineConfig.ready``).
- ``record``, ``record_undo`` and ``record_conclusion`` keep one ``DispatchSuggestion`` per
  registered ticket up to date (called by the ticket services inside their transaction), so
  the platform measures its own accuracy (``dispatch_quality``).

A broken or missing model never stops intake: every call to it is guarded and logged.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db import transaction

from tongban.core.models import Department, Region

from . import dispatch
from .classifier import registry
from .models import ClassifierModel, ClassifierStatus, DispatchSuggestion, Subject, Ticket
from .states import TicketStatus

logger = logging.getLogger("tongban.hotline.suggestions")

TOP_K = 3
CACHE_SIZE = 128
TEXT_MAX = 5000


@dataclass(frozen=True)
class Candidate:
    """One suggested subject and where the catalogue sends it."""

    subject: Subject
    confidence: float
    department: Department | None  # the functional department (catalogue entry or rule)
    to_locality: bool  # the unit owning the address handles it (属地)
    locality_unit: Department | None  # that unit, when the address is known

    @property
    def unit(self) -> Department | None:
        return self.department or self.locality_unit

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)

    def as_json(self) -> dict:
        unit = self.unit
        return {
            "subject": self.subject.code,
            "confidence": round(float(self.confidence), 4),
            "department": unit.code if unit is not None else None,
            "locality": self.to_locality,
        }


@dataclass(frozen=True)
class Scored:
    """What the active model said about one message."""

    model_id: int | None
    model_name: str
    candidates: tuple[Candidate, ...]
    unmapped: int = 0  # labels among the model's best that are no active subject

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


# --------------------------------------------------------------------------- the active model

_lock = threading.Lock()
_row: tuple[object, int | None, str] | None = None  # (the loaded classifier, row pk, name)
_cache: OrderedDict[tuple, tuple[tuple[str, float], ...]] = OrderedDict()


def _active():
    """(classifier, row pk, row name) of the active model, or None."""
    global _row
    try:
        model = registry.active()
    except Exception:  # a missing or tampered model file: no suggestions, intake goes on
        logger.exception("the active dispatch classifier could not be loaded")
        return None
    if model is None:
        return None
    row = _row
    if row is None or row[0] is not model:
        found = (
            ClassifierModel.objects.filter(status=ClassifierStatus.ACTIVE)
            .values_list("pk", "name")
            .first()
        )
        pk, name = found if found else (None, str(model.manifest.get("name", "")))
        with _lock:
            _cache.clear()  # scores of the model before
            row = _row = (model, pk, name)
    return model, row[1], row[2]


def model_active() -> bool:
    """Whether a dispatch classifier is active (and loads)."""
    return _active() is not None


def invalidate() -> None:
    """Forget the cached scores and the active row (after a model is activated)."""
    global _row
    with _lock:
        _cache.clear()
        _row = None


def _top(model, title: str, text: str) -> tuple[tuple[str, float], ...]:
    key = (title, text)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    # a few more than shown, in case some labels are no (longer an active) subject
    answer = tuple(model.top_k(title, text, k=TOP_K + 3))
    with _lock:
        _cache[key] = answer
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return answer


# --------------------------------------------------------------------------- routing


_routing: contextvars.ContextVar[bool] = contextvars.ContextVar("suggestion_routing", default=False)


def _route(subject: Subject, probe: Ticket) -> dispatch.Suggestion:
    """Where the dispatch catalogue (rules first, then the subject's entry) sends a ticket of
    ``subject``. The classifier hook is off meanwhile (the probe has a subject: the catalogue
    answers, or nobody does)."""
    probe.subject = subject
    token = _routing.set(True)
    try:
        return dispatch.dispatch_suggest(probe)
    finally:
        _routing.reset(token)


def title_of(title: str, content: str) -> str:
    """The title a ticket is registered with (``ticket_create``: the first line of the content
    when none is given), so the live panel shows the confidence registration will compute."""
    title = (title or "").strip()
    if not title and content.strip():
        title = content.strip().splitlines()[0][:30]
    return title[:TEXT_MAX]


def score(
    title: str,
    content: str,
    *,
    ticket_type: str = "",
    region: Region | None = None,
    street: Region | None = None,
) -> Scored | None:
    """The active model's three best subjects for a message, each with the unit the catalogue
    maps it to; ``None`` without an active model (or when it fails)."""
    active = _active()
    if active is None:
        return None
    model, model_id, name = active
    content = (content or "")[:TEXT_MAX]
    title = title_of(title, content)
    try:
        labels = _top(model, title, content)
    except Exception:
        logger.exception("the dispatch classifier failed on a message")
        return None
    snap = dispatch.snapshot()
    out: list[Candidate] = []
    unmapped = 0
    for label, confidence in labels:
        subject = snap.subject_by_code.get(str(label))
        if subject is None or not subject.active:
            unmapped += 1
            continue
        probe = Ticket(
            title=title, content=content, ticket_type=ticket_type, region=region, street=street
        )
        routed = _route(subject, probe)
        out.append(
            Candidate(
                subject=subject,
                confidence=float(confidence),
                department=routed.department,
                to_locality=routed.to_locality,
                locality_unit=routed.locality_unit if routed.to_locality else None,
            )
        )
        if len(out) == TOP_K:
            break
    return Scored(model_id, name, tuple(out), unmapped)


def score_ticket(ticket: Ticket) -> Scored | None:
    region = ticket.region if ticket.region_id else None
    street = ticket.street if ticket.street_id else None
    return score(
        ticket.title,
        ticket.content,
        ticket_type=ticket.ticket_type,
        region=region,
        street=street,
    )


def classify(ticket: Ticket):
    """The hook of ``dispatch.dispatch_suggest``: ``(subject, department, confidence)`` of the
    model's best subject, or None. The department is named only when the catalogue's rules send
    the subject to a functional department alone; otherwise the catalogue's entry decides
    (including 属地 and the level check)."""
    if _routing.get():
        return None
    scored = score_ticket(ticket)
    top = scored.top if scored is not None else None
    if top is None:
        return None
    department = top.department if not top.to_locality else None
    return top.subject, department, top.confidence


def install() -> None:
    """Register ``classify`` with the dispatch module (``HotlineConfig.ready``)."""
    dispatch.register_classifier(classify)


# --------------------------------------------------------------------------- the record


def record(ticket: Ticket, scored: Scored, *, auto_dispatched: bool) -> DispatchSuggestion:
    """The ticket's suggestion row (in the transaction that registered it; a ticket closed at
    intake is concluded at once)."""
    top = scored.top
    concluded = ticket.status == TicketStatus.CLOSED
    return DispatchSuggestion.objects.create(
        ticket=ticket,
        model_id=scored.model_id,
        candidates=[c.as_json() for c in scored.candidates],
        top_subject=top.subject if top else None,
        confidence=top.confidence if top else 0.0,
        auto_dispatched=auto_dispatched,
        final_subject_id=ticket.subject_id if concluded else None,
        concluded_at=ticket.closed_at if concluded else None,
    )


def record_undo(ticket: Ticket, *, actor, at: dt.datetime) -> int:
    """The ticket's automatic dispatch was undone by ``actor``."""
    return DispatchSuggestion.objects.filter(ticket=ticket, undone_at__isnull=True).update(
        undone_at=at, undone_by=actor if getattr(actor, "pk", None) else None
    )


def record_conclusion(ticket: Ticket, *, at: dt.datetime) -> int:
    """The ticket concluded: its subject now is the final one the suggestion is judged by (a
    reopened ticket concluding again overwrites it)."""
    return DispatchSuggestion.objects.filter(ticket=ticket).update(
        final_subject_id=ticket.subject_id, concluded_at=at
    )


def record_history(tickets: list[Ticket]) -> int:
    """Score past tickets as if at their registration (the demo's history for the
    dispatch-quality page): one suggestion each, dated when the ticket was registered, concluded
    when the ticket is closed; none counts as an automatic dispatch. Answers how many."""
    rows = []
    for ticket in tickets:
        scored = score_ticket(ticket)
        if scored is None:
            return 0
        top = scored.top
        closed = ticket.status == TicketStatus.CLOSED
        rows.append(
            DispatchSuggestion(
                ticket=ticket,
                model_id=scored.model_id,
                candidates=[c.as_json() for c in scored.candidates],
                top_subject=top.subject if top else None,
                confidence=top.confidence if top else 0.0,
                final_subject_id=ticket.subject_id if closed else None,
                concluded_at=ticket.closed_at if closed else None,
            )
        )
    with transaction.atomic():
        made = DispatchSuggestion.objects.bulk_create(rows)
        for row, ticket in zip(made, tickets, strict=True):  # auto_now_add: set afterwards
            DispatchSuggestion.objects.filter(pk=row.pk).update(created_at=ticket.created_at)
    return len(made)
