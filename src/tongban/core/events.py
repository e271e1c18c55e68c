"""The append-only, hash-chained event log used by every history (case, ticket, audit).

``event_append`` is the only way to write an event; ``chain_verify`` re-reads every chain and
reports each broken link: an edited event (its hash no longer matches its content), a deleted
event (a gap in the numbering or a predecessor hash that does not match), or a deleted newest
event (the stream's head names an event that is gone).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import ChainedEvent, EventChainHead

GENESIS_HASH = "0" * 64


def _canonical_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    """JSON-native form of the payload, exactly as the database will give it back."""
    return json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def event_digest(event: ChainedEvent) -> str:
    occurred = event.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {
        "stream": event.stream,
        "seq": event.seq,
        "occurred_at": occurred,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "reason": event.reason,
        "payload": event.payload,
        "prev": event.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _table(model: type[ChainedEvent]) -> str:
    return model._meta.label_lower


def event_append(
    *,
    model: type[ChainedEvent],
    stream: str,
    action: str,
    actor=None,
    actor_label: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
    new_stream: bool = False,
    **extra: Any,
) -> ChainedEvent:
    """Append one event to ``stream``; ``extra`` fills a subclass's own fields (e.g. a case FK).

    One read of the stream's head (locked), one insert and one update of the head. With
    ``new_stream`` the caller vouches that this is the stream's first event (its subject was
    created in the same transaction): the head is inserted with the event and never read, and
    an existing head makes the insert fail rather than fork the chain.

    No savepoint of its own: a failure here is a database error that fails the caller's
    transaction as a whole, and outside one the append is its own transaction.
    """
    table = _table(model)
    with transaction.atomic(savepoint=False):
        if new_stream:
            head = EventChainHead(table=table, stream=stream, seq=0, hash=GENESIS_HASH)
        else:
            head = (
                EventChainHead.objects.select_for_update()
                .filter(table=table, stream=stream)
                .order_by()
                .first()
            )
            if head is None:  # the stream's first event, racing another first one safely
                head, _ = EventChainHead.objects.select_for_update().get_or_create(
                    table=table, stream=stream, defaults={"hash": GENESIS_HASH}
                )
        event = model(
            stream=stream,
            seq=head.seq + 1,
            occurred_at=occurred_at or timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=actor_label or (str(actor) if getattr(actor, "pk", None) else ""),
            action=action,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            payload=_canonical_payload(payload),
            prev_hash=head.hash,
            **extra,
        )
        event.hash = event_digest(event)
        event.save(force_insert=True)
        head.seq = event.seq
        head.hash = event.hash
        if new_stream:
            head.save(force_insert=True)
        else:
            head.save(update_fields=["seq", "hash"])
    return event


def chained_event_models() -> list[type[ChainedEvent]]:
    return [m for m in apps.get_models() if issubclass(m, ChainedEvent)]


@dataclass(frozen=True)
class ChainProblem:
    table: str
    stream: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.table} {self.stream}" + (f" #{self.seq}" if self.seq else "")
        return f"{where}: {self.problem}"


@dataclass
class ChainReport:
    events: int = 0
    streams: int = 0
    problems: list[ChainProblem] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _verify_table(model: type[ChainedEvent], report: ChainReport) -> Iterator[ChainProblem]:
    table = _table(model)
    heads = {h.stream: h for h in EventChainHead.objects.filter(table=table)}
    seen: set[str] = set()
    stream = None
    expected_seq, prev_hash = 1, GENESIS_HASH

    def close(name: str, last_seq: int, last_hash: str) -> Iterator[ChainProblem]:
        head = heads.get(name)
        if head is None:
            yield ChainProblem(table, name, None, "no chain head for this stream")
        elif head.seq != last_seq or head.hash != last_hash:
            yield ChainProblem(
                table,
                name,
                head.seq,
                f"head says event #{head.seq} is the newest but the chain ends at #{last_seq}"
                " (the newest event was deleted or altered)",
            )

    for event in model.objects.order_by("stream", "seq").iterator(chunk_size=2000):
        if event.stream != stream:
            if stream is not None:
                yield from close(stream, expected_seq - 1, prev_hash)
            stream = event.stream
            seen.add(stream)
            report.streams += 1
            expected_seq, prev_hash = 1, GENESIS_HASH
        report.events += 1
        if event.seq > expected_seq:
            missing = (
                f"event #{expected_seq} is missing"
                if event.seq == expected_seq + 1
                else f"events #{expected_seq}–#{event.seq - 1} are missing"
            )
            yield ChainProblem(table, stream, event.seq, f"{missing} (deleted)")
        elif event.seq < expected_seq:
            yield ChainProblem(table, stream, event.seq, f"event #{event.seq} appears twice")
        elif event.prev_hash != prev_hash:
            yield ChainProblem(
                table, stream, event.seq, "previous-hash link broken (an earlier event changed)"
            )
        if event_digest(event) != event.hash:
            yield ChainProblem(table, stream, event.seq, "content does not match its hash (edited)")
        expected_seq, prev_hash = event.seq + 1, event.hash
    if stream is not None:
        yield from close(stream, expected_seq - 1, prev_hash)
    for name, head in heads.items():
        if name not in seen and head.seq:
            yield ChainProblem(table, name, None, f"all {head.seq} events of the stream are gone")


def chain_verify(models: list[type[ChainedEvent]] | None = None) -> ChainReport:
    report = ChainReport(problems=[])
    for model in models or chained_event_models():
        report.problems.extend(_verify_table(model, report))
    return report
