"""Clones of the demo's template tickets: most of the 20,000.

A clone is its template's whole record — the ticket, its dispatches, returns, extensions,
callbacks and events — under a new number, with new words, a new caller and a new address in
the same community (checked: the address resolves to the template's region), moved in time:

- a *closed* template by whole weeks, only where every day it touches keeps its kind (working
  day or not), so that every due computed in working days stays right;
- an *open* one stays on its day (it is anchored to now);
- both by up to a few hours more: every moment keeps its date, what a unit's handler did in
  working hours stays in them; a due at the end of a day (one in working days) keeps its day,
  a due in hours moves with the moments.

The events are re-hashed into the clone's own chain (``core.events.event_digest``) with a
chain head, so ``chain_verify`` passes. Rows are inserted in bulk with explicit ids.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from tongban.core import addresses, workdays
from tongban.core.errors import DomainError
from tongban.core.events import GENESIS_HASH, event_digest
from tongban.core.models import EventChainHead, Person

from ..models import (
    Callback,
    Ticket,
    TicketAssignment,
    TicketEvent,
    TicketExtension,
    TicketNumberCounter,
    TicketReturn,
)
from . import phrases, writer

TZ = workdays.BUSINESS_TZ
PREFIX = "demo-clone-"
BATCH = 400  # clones per transaction
JITTER = 150  # minutes, at most, either way
# What a unit's handler does: in working hours, and kept there when a clone moves.
HANDLER_ACTIONS = {"sign", "reply", "request_return", "request_extension"}
WORKING = (8 * 60, 18 * 60 - 1)  # minutes of the day
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_ENCODER = DjangoJSONEncoder()


def caller_phone(rng: random.Random) -> str:
    return writer.phone(rng)


def _minute_of_day(value: dt.datetime) -> int:
    local = value.astimezone(TZ)
    return local.hour * 60 + local.minute


def _end_of_day(value: dt.datetime) -> bool:
    local = value.astimezone(TZ)
    return (local.hour, local.minute, local.second) == (23, 59, 59) and local.microsecond >= 999000


def _converter(field: models.Field):
    """How a new value of ``field`` is made ready for the database (plain values as they are;
    aware datetimes straight through the backend's adapter)."""
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if isinstance(field, (models.CharField, models.TextField, models.IntegerField)) or (
        field.attname != field.name  # a foreign key's id column
    ):
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, connection)


class Inserter:
    """Multi-row inserts with explicit ids: a template row's values are prepared for the
    database once, then copied with the changed columns prepared again."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = model._meta.concrete_fields
        qn = connection.ops.quote_name
        # Table and column names come from the model, quoted; the values are parameters.
        columns = ", ".join(qn(f.column) for f in self.fields)
        self.head = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
        self.copy = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
        self.marks = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        # Rows per statement: well inside SQLite's and PostgreSQL's limits on parameters.
        self.per_statement = max(1, min(500, 30_000 // len(self.fields)))
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.convert = {f.attname: _converter(f) for f in self.fields}
        self.datetimes = [f.attname for f in self.fields if isinstance(f, models.DateTimeField)]
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        self.next_id = (last or 0) + 1
        self.rows: list[tuple] = []

    def prepare(self, obj) -> list:
        return [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in self.fields]

    def add(self, prepared: list, **changes) -> int:
        row = list(prepared)
        pk = self.next_id
        self.next_id += 1
        row[self.index["id"]] = pk
        for attname, value in changes.items():
            row[self.index[attname]] = self.convert[attname](value)
        self.rows.append(tuple(row))
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # COPY: several times faster than INSERT
                with cursor.cursor.copy(self.copy) as copy:
                    for row in self.rows:
                        copy.write_row(row)
                self.rows = []
                return
            for start in range(0, len(self.rows), self.per_statement):
                chunk = self.rows[start : start + self.per_statement]
                sql = self.head + ", ".join([self.marks] * len(chunk))
                cursor.execute(sql, [value for row in chunk for value in row])
        self.rows = []


class Template:
    """One template ticket and everything that hangs off it, read once."""

    def __init__(self, plan, ticket: Ticket, related: dict):
        self.plan = plan
        self.ticket = ticket
        self.events: list[TicketEvent] = related["events"].get(ticket.pk, [])
        self.assignments: list[TicketAssignment] = related["assignments"].get(ticket.pk, [])
        self.returns = [r for a in self.assignments for r in related["returns"].get(a.pk, [])]
        self.extensions = [e for a in self.assignments for e in related["extensions"].get(a.pk, [])]
        self.callbacks: list[Callback] = related["callbacks"].get(ticket.pk, [])
        region = ticket.region
        self.community = region.code if region and region.level == "community" else None
        # What the words are (from the row, not the plan: a resumed load may plan anew).
        self.open = ticket.status in OPEN
        self.leaf = ticket.subject.name if ticket.subject_id else None
        self.intake = None
        if ticket.triage in phrases.INTAKE:
            leaf = self.leaf or ""
            entries = [i for i, e in enumerate(phrases.INTAKE[ticket.triage]) if e[0] == leaf]
            self.intake = (ticket.triage, entries or [0])
        self.street = ticket.street.code if ticket.street_id else None
        self.moments: list[dt.datetime] = []
        self.dues: list[dt.datetime] = []
        for obj in [ticket, *self.assignments, *self.returns, *self.extensions, *self.callbacks]:
            for attname in _datetime_attnames(type(obj)):
                value = getattr(obj, attname)
                if value is None:
                    continue
                (self.dues if _is_due(attname) else self.moments).append(value)
        self.moments.extend(e.occurred_at for e in self.events)
        self.office_moments = [
            e.occurred_at
            for e in self.events
            if e.action in HANDLER_ACTIONS or (e.action == "create" and ticket.source == "grid")
        ]

    def days(self) -> list[dt.date]:
        dates = [v.astimezone(TZ).date() for v in self.moments + self.dues]
        first, last = min(dates), max(dates)
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


OPEN = {"received", "dispatched", "return_requested", "handling", "replied"}
_DUE_NAMES = {"sign_due", "handle_due", "return_due", "due", "requested_due", "extended_from"}


def _is_due(attname: str) -> bool:
    return attname in _DUE_NAMES


def _datetime_attnames(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]


class Shift:
    """Whole days plus some minutes; a due at the end of a day moves by whole days only."""

    def __init__(self, days: int, minutes: int):
        self.days = dt.timedelta(days=days)
        self.all = dt.timedelta(days=days, minutes=minutes)

    def __call__(self, value):
        if value is None:
            return None
        return value + (self.days if _end_of_day(value) else self.all)

    def payload(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.payload(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.payload(v) for v in value]
        if isinstance(value, str) and _ISO.match(value):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            if moment.tzinfo is None:
                return value
            return _ENCODER.default(self(moment))
        return value


class Calendar:
    """Working-day flags over the window, for checking a move by whole weeks."""

    def __init__(self, first: dt.date, last: dt.date):
        self.flags: dict[dt.date, bool | None] = {}
        day = first
        while day <= last:
            try:
                self.flags[day] = workdays.is_workday(day)
            except DomainError:
                self.flags[day] = None  # a year the calendar does not know
            day += dt.timedelta(days=1)

    def same(self, days: list[dt.date], shift: int) -> bool:
        delta = dt.timedelta(days=shift)
        for day in days:
            a = self.flags.get(day)
            b = self.flags.get(day + delta)
            if a is None or b is None or a != b:
                return False
        return True


def _groups(plans) -> list[list]:
    """Templates cloned together: a merged repeat goes with the ticket it was merged into."""
    by_key = {p.key: p for p in plans}
    groups = []
    for plan in plans:
        if plan.merge_into:
            continue
        group = [plan]
        if plan.partner and plan.partner in by_key:
            group.append(by_key[plan.partner])
        groups.append(group)
    return groups


def clone_all(plans, *, now: dt.datetime, seed: int, window_days: int) -> int:
    """Clone the templates as their plans ask; answers how many clones were made."""
    wanted: list[tuple[list, list[str]]] = []
    index = 0
    for group in _groups(plans):
        for _n in range(group[0].clones):
            index += 1
            keys = [f"{PREFIX}{index:06d}"] + [f"{PREFIX}{index:06d}m" for _p in group[1:]]
            wanted.append((group, keys))
    if not wanted:
        return 0
    have = set(
        Ticket.objects.filter(idempotency_key__startswith=PREFIX).values_list(
            "idempotency_key", flat=True
        )
    )
    wanted = [(g, keys) for g, keys in wanted if keys[0] not in have]
    if not wanted:
        return 0
    cloner = Cloner(plans, now=now, seed=seed, window_days=window_days)
    made = 0
    for start in range(0, len(wanted), BATCH):
        with transaction.atomic():
            for group, keys in wanted[start : start + BATCH]:
                made += cloner.clone(group, keys)
            cloner.flush()
    return made


class Cloner:
    def __init__(self, plans, *, now: dt.datetime, seed: int, window_days: int):
        self.now = now
        self.seed = seed
        today = workdays.business_date(now)
        self.first_day = today - dt.timedelta(days=window_days)
        self.calendar = Calendar(
            self.first_day - dt.timedelta(days=60), today + dt.timedelta(days=60)
        )
        keys = [p.key for p in plans]
        tickets = {
            t.idempotency_key: t
            for t in Ticket.objects.filter(idempotency_key__in=keys).select_related(
                "region", "street"
            )
        }
        ids = [t.pk for t in tickets.values()]
        related: dict[str, dict[int, list]] = {
            "events": defaultdict(list),
            "assignments": defaultdict(list),
            "returns": defaultdict(list),
            "extensions": defaultdict(list),
            "callbacks": defaultdict(list),
        }
        for e in TicketEvent.objects.filter(ticket_id__in=ids).order_by("ticket_id", "seq"):
            related["events"][e.ticket_id].append(e)
        for a in TicketAssignment.objects.filter(ticket_id__in=ids).order_by("pk"):
            related["assignments"][a.ticket_id].append(a)
        for r in TicketReturn.objects.filter(assignment__ticket_id__in=ids).order_by("pk"):
            related["returns"][r.assignment_id].append(r)
        for x in TicketExtension.objects.filter(assignment__ticket_id__in=ids).order_by("pk"):
            related["extensions"][x.assignment_id].append(x)
        for c in Callback.objects.filter(ticket_id__in=ids).order_by("pk"):
            related["callbacks"][c.ticket_id].append(c)
        self.templates = {
            p.key: Template(p, tickets[p.key], related) for p in plans if p.key in tickets
        }
        self.ins = {
            m: Inserter(m)
            for m in (
                Ticket,
                TicketEvent,
                EventChainHead,
                TicketAssignment,
                TicketReturn,
                TicketExtension,
                Callback,
            )
        }
        self.prepared: dict[tuple[type, int], list] = {}
        self.citizens = list(
            Person.objects.filter(user__isnull=False, user__is_active=True)
            .select_related("user")
            .order_by("pk")
        )
        self.counters: dict[dt.date, int] = dict(
            TicketNumberCounter.objects.values_list("day", "last")
        )
        self.touched: set[dt.date] = set()
        self.moves: dict[tuple, tuple] = {}

    def _prep(self, obj) -> list:
        key = (type(obj), obj.pk)
        if key not in self.prepared:
            self.prepared[key] = self.ins[type(obj)].prepare(obj)
        return self.prepared[key]

    # -- when ---------------------------------------------------------------------------------

    def _moves(self, templates: list[Template]) -> tuple[list[int], int, int, dt.datetime]:
        """The whole weeks a group may move by, the bounds of its minutes, its last moment."""
        key = tuple(t.ticket.pk for t in templates)
        if key not in self.moves:
            moments = [m for t in templates for m in t.moments]
            first, last = min(moments), max(moments)
            weeks = [0]
            if not any(t.open for t in templates):
                days = sorted({d for t in templates for d in t.days()})
                start = (self.first_day - first.astimezone(TZ).date()).days
                end = (self.now - last).days - 1
                weeks = [
                    k
                    for k in range(start // 7 + 1, end // 7 + 1)
                    if self.calendar.same(days, 7 * k)
                ] or [0]
            # Every moment keeps its date; what happened in working hours stays in them.
            minutes = [_minute_of_day(m) for m in moments]
            lo = max(-JITTER, -min(minutes))
            hi = min(JITTER, 24 * 60 - 1 - max(minutes))
            for m in (m for t in templates for m in t.office_moments):
                minute = _minute_of_day(m)
                if WORKING[0] <= minute <= WORKING[1]:
                    lo = max(lo, WORKING[0] - minute)
                    hi = min(hi, WORKING[1] - minute)
            self.moves[key] = (weeks, lo, hi, last)
        return self.moves[key]

    def _shift(self, templates: list[Template], rng: random.Random) -> Shift:
        weeks, lo, hi, last = self._moves(templates)
        week = rng.choice(weeks)
        room = (self.now - (last + dt.timedelta(days=7 * week))).total_seconds() // 60 - 2
        hi = int(min(hi, room))
        jitter = rng.randint(lo, hi) if hi >= lo else 0
        return Shift(7 * week, jitter)

    # -- one group ----------------------------------------------------------------------------

    def clone(self, group, keys: list[str]) -> int:
        templates = [self.templates.get(p.key) for p in group]
        if any(t is None for t in templates):
            return 0
        rng = writer.seeded(f"{self.seed}-{keys[0]}")
        shift = self._shift(templates, rng)
        first_slots = None
        ids: dict[str, int] = {}
        pks = {t.plan.key: t.ticket.pk for t in templates}
        for template, key in zip(templates, keys, strict=True):
            words, first_slots = self._words(template, rng, first_slots)
            into = None  # the clone of the ticket its template was merged into
            if template.ticket.merged_into_id == pks.get(template.plan.merge_into):
                into = ids.get(template.plan.merge_into)
            ids[template.plan.key] = self._clone_one(template, key, shift, words, into)
        return len(templates)

    def _words(self, t: Template, rng: random.Random, slots) -> tuple[dict, Any]:
        """New words, address and caller for a clone of ``t`` (the address resolves as the
        template's did)."""
        ticket = t.ticket
        for _attempt in range(30):
            spot = writer.place(rng, community=t.community, street=t.street)
            match = addresses.resolve_address(spot.address) if spot.address else None
            if (match.region.pk if match else None) == ticket.region_id and (
                (match.street.pk if match else None) == ticket.street_id
            ):
                break
        else:
            spot = None
        words: dict[str, Any] = {}
        if spot is not None:
            words["address"] = spot.address
            if slots is None:
                slots = spot.slots
        if t.intake is not None:
            outcome, indexes = t.intake
            entry = phrases.INTAKE[outcome][rng.choice(indexes)]
            use = slots if slots is not None else writer.Slots(rng, t.community, t.street)
            words["title"] = writer.fill(entry[1], use)[:120]
            words["content"] = writer.fill(entry[2], use)
        elif (
            slots is not None
            and t.leaf in writer.TEXTS
            and writer.variants_for(t.leaf, ticket.ticket_type)
        ):
            words["title"], words["content"] = writer.words(rng, t.leaf, ticket.ticket_type, slots)
        if ticket.caller_user_id and self.citizens:
            person = rng.choice(self.citizens)
            words.update(
                caller_user=person.user,
                caller_name=person.name,
                caller_phone=person.phone,
            )
        elif ticket.caller_phone and not ticket.anonymous:
            words["caller_name"], words["caller_phone"] = writer.caller(rng)
        if ticket.latitude is not None:
            words["latitude"], words["longitude"] = writer.coordinates(rng)
        if ticket.open311_token:
            words["open311_token"] = f"demo{rng.getrandbits(64):016x}"
        return words, slots

    def _number(self, created: dt.datetime) -> str:
        day = workdays.business_date(created)
        self.counters[day] = self.counters.get(day, 0) + 1
        self.touched.add(day)
        return f"12345-{day:%Y%m%d}-{self.counters[day]:06d}"

    def _clone_one(self, t: Template, key: str, shift: Shift, words: dict, into) -> int:
        ticket = t.ticket
        created = shift(ticket.created_at)
        ticket_no = self._number(created)
        changes: dict[str, Any] = {a: shift(getattr(ticket, a)) for a in self.ins[Ticket].datetimes}
        changes.update(ticket_no=ticket_no, idempotency_key=key)
        user = words.pop("caller_user", None)
        if user is not None:
            changes["caller_user_id"] = user.pk
            if ticket.created_by_id == ticket.caller_user_id:
                changes["created_by_id"] = user.pk
        if into is not None:
            changes["merged_into_id"] = into
        changes.update(words)
        ticket_id = self.ins[Ticket].add(self._prep(ticket), **changes)
        stream = f"ticket:{ticket_no}"
        prev = GENESIS_HASH
        for event in t.events:
            actor_id, label = event.actor_id, event.actor_label
            if user is not None and event.actor_id == ticket.caller_user_id and event.actor_id:
                actor_id, label = user.pk, str(user)
            view = SimpleNamespace(
                stream=stream,
                seq=event.seq,
                occurred_at=shift(event.occurred_at),
                actor_id=actor_id,
                actor_label=label,
                action=event.action,
                from_state=event.from_state,
                to_state=event.to_state,
                reason=event.reason,
                payload=shift.payload(event.payload),
                prev_hash=prev,
            )
            digest = event_digest(view)
            self.ins[TicketEvent].add(
                self._prep(event),
                ticket_id=ticket_id,
                stream=stream,
                occurred_at=view.occurred_at,
                actor_id=actor_id,
                actor_label=label,
                payload=view.payload,
                prev_hash=prev,
                hash=digest,
            )
            prev = digest
        heads = self.ins[EventChainHead]
        heads.rows.append(
            (heads.next_id, TicketEvent._meta.label_lower, stream, len(t.events), prev)
        )
        heads.next_id += 1
        assignment_ids = {}
        for a in t.assignments:
            moved = {n: shift(getattr(a, n)) for n in self.ins[TicketAssignment].datetimes}
            assignment_ids[a.pk] = self.ins[TicketAssignment].add(
                self._prep(a), ticket_id=ticket_id, **moved
            )
        for model, rows in ((TicketReturn, t.returns), (TicketExtension, t.extensions)):
            for row in rows:
                moved = {n: shift(getattr(row, n)) for n in self.ins[model].datetimes}
                self.ins[model].add(
                    self._prep(row), assignment_id=assignment_ids[row.assignment_id], **moved
                )
        for c in t.callbacks:
            moved = {n: shift(getattr(c, n)) for n in self.ins[Callback].datetimes}
            self.ins[Callback].add(self._prep(c), ticket_id=ticket_id, **moved)
        return ticket_id

    # -- writing ------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the batch: its rows, the day counters it moved and the id sequences (so an
        interrupted load resumes cleanly and later inserts get fresh ids)."""
        for model in (
            Ticket,
            TicketEvent,
            EventChainHead,
            TicketAssignment,
            TicketReturn,
            TicketExtension,
            Callback,
        ):
            self.ins[model].flush()
        for day in sorted(self.touched):
            TicketNumberCounter.objects.update_or_create(
                day=day, defaults={"last": self.counters[day]}
            )
        self.touched.clear()
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.ins))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
