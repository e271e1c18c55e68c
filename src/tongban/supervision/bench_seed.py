"""Bulk test data for the data-scale benchmark (``tongban bench seed``): a year of cases and
tickets on top of the demo district, generated fast and deterministically.

Rows are written the way the services leave them — the case or ticket, its review tasks or
assignments and callbacks, and its hash-chained events with the stream's chain head (so
``verify_chain`` accepts them) — but in bulk: COPY on PostgreSQL (psycopg), executemany on
SQLite, in chunks of one transaction each. Distributions:

- cases: items by popularity (Zipf over the published items, s = 1.1), the item's department,
  created on working days only (09:00–17:30, weekday volume), a third at the window and the rest
  online; states by age (older cases are mostly archived or delivered, recent ones submitted,
  in correction or in review); clocks from the working-day calendar; 5–10 events per case;
- tickets: every day of the year (weekends at 60 %), 07:00–23:00 with a daytime peak; subjects
  by popularity, the subject's owner from the published dispatch catalogue (else the street of
  the address), source phone 70 % / web 12 % / app 8 % / grid 7 % / Open311 3 %, types weighted
  as a city hotline's (complaint and help first); states by age; 2–5 events per ticket.

Test data, not domain behaviour: this module writes rows without the services on purpose
(millions of rows in minutes), and only ever into a database it is told to fill.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models.fields import NOT_PROVIDED

from tongban.cases.models import Case, CaseEvent, CaseNumberCounter, ReviewTask
from tongban.catalog.models import ServiceItemVersion
from tongban.core import workdays
from tongban.core.errors import CalendarNotCovered
from tongban.core.events import GENESIS_HASH
from tongban.core.models import Department, EventChainHead, Person, Region, User
from tongban.hotline.models import (
    Callback,
    DispatchEntry,
    Subject,
    Ticket,
    TicketAssignment,
    TicketEvent,
    TicketNumberCounter,
)

SH = ZoneInfo("Asia/Shanghai")
CHUNK = 5000
DEMO_SIZE = 100_000  # more cases or tickets than this: the database was seeded before

TICKET_SOURCES = (("phone", 70), ("web", 12), ("app", 8), ("grid", 7), ("open311", 3))
TICKET_TYPES = (
    ("complaint", 38),
    ("help", 27),
    ("consultation", 18),
    ("report", 7),
    ("suggestion", 8),
    ("praise", 2),
)
WORDS = ["噪音", "路灯", "垃圾清运", "占道经营", "漏水", "停车", "违建", "油烟", "养犬", "绿化"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"


class SeedRefused(Exception):
    pass


def _weights(pairs) -> tuple[list, list[float]]:
    pairs = list(pairs)
    values = [v for v, _w in pairs]
    return values, list(itertools.accumulate(w for _v, w in pairs))


def _zipf(values: list, s: float = 1.1) -> tuple[list, list[float]]:
    return _weights((v, 1 / (rank**s)) for rank, v in enumerate(values, start=1))


def _pick(rng: random.Random, table: tuple[list, list[float]]):
    values, cum = table
    return values[bisect.bisect(cum, rng.random() * cum[-1])]


def _digest(stream, seq, occurred, actor_id, label, action, frm, to, reason, payload, prev):
    """What core.events.event_digest computes for such an event."""
    body = {
        "stream": stream,
        "seq": seq,
        "occurred_at": occurred.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor_id,
        "actor_label": label,
        "action": action,
        "from": frm,
        "to": to,
        "reason": reason,
        "payload": payload,
        "prev": prev,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- writing rows


class Writer:
    """Rows (dicts of attnames) → COPY text on PostgreSQL, executemany on SQLite."""

    def __init__(self, model):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.plan = [(f.attname, self._default(f), self._converter(f)) for f in self.fields]
        self.postgres = connection.vendor == "postgresql"

    @staticmethod
    def _default(f):
        if f.default is not NOT_PROVIDED:
            return f.get_default()
        return None if f.null else ""

    def _converter(self, f) -> Callable:
        kind = f.get_internal_type()
        pg = connection.vendor == "postgresql"
        if kind == "JSONField":
            # most payloads, answers and form data are empty: skip the encoder for them
            return lambda v: (
                None if v is None else ("{}" if v == {} else json.dumps(v, ensure_ascii=False))
            )
        if kind == "BooleanField":
            return lambda v: None if v is None else (("t" if v else "f") if pg else int(v))
        if kind == "DateTimeField":
            return lambda v: None if v is None else v.isoformat()
        if kind == "DateField":
            return lambda v: None if v is None else v.isoformat()
        return lambda v: v

    def write(self, rows: list[dict]) -> None:
        if not rows:
            return
        values = [[conv(row.get(name, dflt)) for name, dflt, conv in self.plan] for row in rows]
        with connection.cursor() as cursor:
            if self.postgres:
                sql = f"COPY {self.table} ({self.columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.plan))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})",  # noqa: S608 - model names
                    values,
                )


# ---------------------------------------------------------------- the world the rows refer to


@dataclass
class World:
    region_code: str
    versions: tuple[list, list[float]]  # (version id, department id, legal, promised)
    persons: list[tuple[int, int | None]]  # (person id, user id)
    clerk: tuple[int, str]
    reviewers: dict[int, tuple[int, str]]
    approvers: dict[int, tuple[int, str]]
    subjects: tuple[list, list[float]]  # (subject id, department id or None, word)
    streets: list[tuple[int, str, list[tuple[int, str]]]]  # (id, name, [(community id, name)])
    street_units: dict[int, int]  # street region id → its office (department id)
    operator: tuple[int, str]
    handlers: dict[int, tuple[int, str]]
    phones: list[tuple[str, str | None]] = field(default_factory=list)  # (stored, index)


def load_world(rng: random.Random) -> World:
    district = Region.objects.filter(level="district").order_by("code").first()
    versions = list(
        ServiceItemVersion.objects.filter(status="published")
        .order_by("item_id")
        .values_list("pk", "item__department_id", "legal_limit_days", "promised_limit_days")
    )
    persons = list(Person.objects.order_by("pk").values_list("pk", "user_id")[:5000])
    subjects = list(
        Subject.objects.filter(children__isnull=True).order_by("code").values_list("pk", "name")
    )
    if district is None or not versions or not persons or not subjects:
        raise SeedRefused(
            "the demo district is missing (regions, published items, people, hotline subjects): "
            "run `tongban demo load` first"
        )
    owners = dict(
        DispatchEntry.objects.filter(catalogue__status="published").values_list(
            "subject_id", "department_id"
        )
    )
    staff = [
        (
            user.pk,
            str(user),
            user.staff.department_id,
            set(user.groups.values_list("name", flat=True)),
        )
        for user in User.objects.filter(is_active=True, staff__isnull=False)
        .select_related("staff")
        .order_by("pk")
    ]
    if not staff:
        raise SeedRefused("no staff accounts: run `tongban demo load` first")

    def first(role: str, department_id=None):
        for pk, label, dept, roles in staff:
            if role in roles and (department_id is None or dept == department_id):
                return pk, label
        return None

    admin = (staff[0][0], staff[0][1])
    clerk = first("window_clerk") or admin
    reviewers, approvers, handlers = {}, {}, {}
    for _v, dept, _l, _p in versions:
        reviewers[dept] = first("reviewer", dept) or first("reviewer") or admin
        approvers[dept] = first("approver", dept) or first("approver") or admin
    streets = []
    street_units = {}
    offices = {d.code: d.pk for d in Department.objects.all()}
    for street in Region.objects.filter(parent=district).order_by("code"):
        communities = [
            (c.pk, c.name) for c in Region.objects.filter(parent=street).order_by("code")
        ]
        streets.append((street.pk, street.name, communities or [(street.pk, street.name)]))
        unit = offices.get(f"yx-street-{street.code}")
        if unit:
            street_units[street.pk] = unit
    units = set(owners.values()) | set(street_units.values())
    for unit in units:
        if unit:
            handlers[unit] = first("handler", unit) or first("handler") or admin
    operator = first("hotline_operator") or admin
    rng.shuffle(subjects)
    subject_rows = [(pk, owners.get(pk), name) for pk, name in subjects]
    rng.shuffle(versions)
    return World(
        region_code=district.code,
        versions=_zipf(versions),
        persons=persons,
        clerk=clerk,
        reviewers=reviewers,
        approvers=approvers,
        subjects=_zipf(subject_rows, 0.9),
        streets=streets,
        street_units=street_units,
        operator=operator,
        handlers=handlers,
        phones=_phones(rng, 5000),
    )


def _phones(rng: random.Random, count: int) -> list[tuple[str, str | None]]:
    """Caller phones as the model's fields store them (encrypted, with their blind index, where
    the model has them): a pool that repeat callers share."""
    fields = {f.attname: f for f in Ticket._meta.concrete_fields}
    phone_field, index_field = fields["caller_phone"], fields.get("caller_phone_index")
    out = []
    for _ in range(count):
        plain = f"13{rng.randrange(10**9):09d}"
        probe = Ticket(caller_phone=plain)
        index = index_field.pre_save(probe, add=True) if index_field is not None else None
        out.append((phone_field.get_db_prep_save(plain, connection), index))
    return out


# ---------------------------------------------------------------- time


def _days(rng: random.Random, end: dt.date, *, working_only: bool) -> tuple[list, list[float]]:
    """The year's days with relative volume (Mondays busiest, weekends light or closed)."""
    pairs = []
    for n in range(365, 0, -1):
        day = end - dt.timedelta(days=n)
        if working_only:
            if workdays.is_workday(day):
                pairs.append((day, 1.25 if day.weekday() == 0 else 1.0))
        else:
            pairs.append((day, 0.6 if day.weekday() >= 5 else 1.0))
    return _weights(pairs)


def _due(start: dt.date, n: int) -> dt.date:
    """``n`` working days after ``start``; past the calendar's last year (a deadline of a recent
    case may fall there), Monday to Friday only — test data, so the approximation is stated."""
    try:
        return workdays.add_workdays(start, n)
    except CalendarNotCovered:
        day = start
        while n > 0:
            day += dt.timedelta(days=1)
            n -= day.weekday() < 5
        return day


def _at(day: dt.date, seconds: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), SH) + dt.timedelta(seconds=seconds)


# ---------------------------------------------------------------- the generator


class Generator:
    def __init__(self, world: World, seed: int, today: dt.date):
        self.w = world
        self.rng = random.Random(seed)  # noqa: S311 - test data, deterministic
        self.today = today
        self.case_days = _days(self.rng, today, working_only=True)
        self.ticket_days = _days(self.rng, today, working_only=False)
        self.sources = _weights(TICKET_SOURCES)
        self.types = _weights(TICKET_TYPES)
        self.ids = {
            name: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
            for name, model in MODELS.items()
        }
        self.case_counters = {
            c.day: c.last for c in CaseNumberCounter.objects.filter(region_code=world.region_code)
        }
        self.ticket_counters = {c.day: c.last for c in TicketNumberCounter.objects.all()}

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    # ------------------------------------------------------------ events

    def _events(self, out, kind, stream, owner_key, owner_id, events) -> None:
        prev = GENESIS_HASH
        rows = out[f"{kind}_event"]
        for seq, (action, actor, frm, to, reason, payload, when) in enumerate(events, start=1):
            digest = _digest(
                stream, seq, when, actor[0], actor[1], action, frm, to, reason, payload, prev
            )
            rows.append(
                {
                    "id": self.next_id(f"{kind}_event"),
                    "stream": stream,
                    "seq": seq,
                    "occurred_at": when,
                    "actor_id": actor[0],
                    "actor_label": actor[1],
                    "action": action,
                    "from_state": frm,
                    "to_state": to,
                    "reason": reason,
                    "payload": payload,
                    "prev_hash": prev,
                    "hash": digest,
                    owner_key: owner_id,
                }
            )
            prev = digest
        table = "cases.caseevent" if kind == "case" else "hotline.ticketevent"
        out["head"].append(
            {
                "id": self.next_id("head"),
                "table": table,
                "stream": stream,
                "seq": len(events),
                "hash": prev,
            }
        )

    # ------------------------------------------------------------ cases

    def case(self, out) -> None:
        rng, w = self.rng, self.w
        day = _pick(rng, self.case_days)
        created = _at(day, rng.randrange(9 * 3600, 17 * 3600 + 1800))
        self.case_counters[day] = number = self.case_counters.get(day, 0) + 1
        case_no = f"{w.region_code}-{day:%Y%m%d}-{number:05d}"
        version_id, dept, legal, promised = _pick(rng, w.versions)
        person_id, user_id = w.persons[rng.randrange(len(w.persons))]
        window = rng.random() < 0.33
        channel = "window" if window else "web"
        applicant = (user_id, "") if user_id and not window else w.clerk
        reviewer, approver = w.reviewers[dept], w.approvers[dept]
        age = (self.today - day).days
        roll = rng.random()
        if age > 40:
            state = (
                "archived"
                if roll < 0.62
                else "delivered"
                if roll < 0.80
                else "issued"
                if roll < 0.84
                else "denied"
                if roll < 0.87
                else "not_accepted"
                if roll < 0.91
                else "withdrawn"
                if roll < 0.94
                else "approved"
            )
        elif age > 10:
            state = (
                "in_review"
                if roll < 0.20
                else "delivered"
                if roll < 0.55
                else "approved"
                if roll < 0.70
                else "correction_requested"
                if roll < 0.75
                else "suspended"
                if roll < 0.78
                else "archived"
            )
        else:
            state = (
                "submitted"
                if roll < 0.30
                else "in_review"
                if roll < 0.75
                else "correction_requested"
                if roll < 0.82
                else "approved"
                if roll < 0.92
                else "draft"
            )
        cid = self.next_id("case")
        c = {
            "id": cid,
            "case_no": case_no,
            "item_version_id": version_id,
            "department_id": dept,
            "applicant_id": person_id,
            "channel": channel,
            "answers": {},
            "form_data": {},
            "status": "draft",
            "created_by_id": applicant[0],
            "created_at": created,
        }
        events = []
        at = created

        def event(action, actor, frm, to, reason="", payload=None):
            events.append((action, actor, frm, to, reason, payload or {}, at))

        event("create", applicant, "", "draft", payload={"channel": channel})
        stream = f"case:{case_no}"
        if state == "draft":
            return self._case_done(out, c, stream, events)
        at += dt.timedelta(minutes=rng.randrange(5, 90))
        c.update(status="submitted", received_at=at)
        event("submit", applicant, "draft", "submitted")
        if state == "submitted":
            return self._case_done(out, c, stream, events)
        if state == "withdrawn":
            at += dt.timedelta(hours=rng.randrange(1, 30))
            c.update(status="withdrawn")
            event("withdraw", applicant, "submitted", "withdrawn", "不再需要办理")
            return self._case_done(out, c, stream, events)
        if state == "not_accepted":
            at += dt.timedelta(hours=rng.randrange(1, 30))
            c.update(status="not_accepted", decision_reason="不属于本部门职权范围")
            event("refuse", w.clerk, "submitted", "not_accepted", c["decision_reason"])
            return self._case_done(out, c, stream, events)
        if state == "correction_requested" or rng.random() < 0.06:
            at += dt.timedelta(hours=rng.randrange(1, 20))
            event(
                "request_correction",
                w.clerk,
                "submitted",
                "correction_requested",
                "请补充材料",
                {"missing": ["身份证明"]},
            )
            c["status"] = "correction_requested"
            if state == "correction_requested":
                return self._case_done(out, c, stream, events)
            at += dt.timedelta(days=rng.randrange(1, 4))
            event("resubmit", applicant, "correction_requested", "submitted")
        at += dt.timedelta(hours=rng.randrange(1, 24))
        accepted_on = workdays.business_date(at)
        c.update(
            status="in_review",
            accepted_on=accepted_on,
            legal_due=_due(accepted_on, legal),
            promised_due=_due(accepted_on, promised),
        )
        event(
            "accept",
            w.clerk,
            "submitted",
            "in_review",
            payload={"accepted_on": accepted_on.isoformat(), "deemed": False},
        )
        task = {
            "id": self.next_id("task"),
            "case_id": cid,
            "step": "handle",
            "step_name": "承办",
            "role": "reviewer",
            "department_id": dept,
            "status": "open",
            "created_at": at,
            "mode": "single",
        }
        out["task"].append(task)
        if state == "in_review":
            if rng.random() < 0.5:
                at += dt.timedelta(hours=rng.randrange(1, 8))
                task.update(status="claimed", assignee_id=reviewer[0])
                event("claim", reviewer, "in_review", "in_review", payload={"step": "handle"})
            return self._case_done(out, c, stream, events)
        if state == "suspended":
            at += dt.timedelta(days=rng.randrange(1, 5))
            c["status"] = "suspended"
            event(
                "suspend",
                reviewer,
                "in_review",
                "suspended",
                "现场核查",
                {"kind": "inspection", "expected_days": 10},
            )
            return self._case_done(out, c, stream, events)
        at += dt.timedelta(hours=rng.randrange(2, 60))
        task.update(status="done", assignee_id=reviewer[0], completed_at=at, opinion="同意")
        event("claim", reviewer, "in_review", "in_review", payload={"step": "handle"})
        event("complete_step", reviewer, "in_review", "in_review", "同意", {"step": "handle"})
        at += dt.timedelta(hours=rng.randrange(1, 30))
        out["task"].append(
            {
                "id": self.next_id("task"),
                "case_id": cid,
                "step": "decide",
                "step_name": "批准",
                "role": "approver",
                "department_id": dept,
                "status": "done",
                "assignee_id": approver[0],
                "created_at": at,
                "completed_at": at,
                "opinion": "准予",
                "mode": "single",
            }
        )
        approve = state != "denied"
        c.update(
            status="approved" if approve else "denied",
            decided_at=at,
            decision_reason="" if approve else "不符合法定条件",
        )
        event(
            "approve" if approve else "deny",
            approver,
            "in_review",
            c["status"],
            c["decision_reason"],
        )
        if state in ("issued", "delivered", "archived"):
            at += dt.timedelta(hours=rng.randrange(1, 48))
            c["status"] = "issued"
            event("issue", approver, "approved", "issued")
        if state in ("delivered", "archived"):
            at += dt.timedelta(days=rng.randrange(0, 4), hours=rng.randrange(1, 8))
            method = "electronic" if rng.random() < 0.6 else "window"
            c.update(status="delivered", delivery_method=method)
            event("deliver", w.clerk, "issued", "delivered", payload={"method": method})
        if state == "archived":
            at += dt.timedelta(days=rng.randrange(1, 20))
            c["status"] = "archived"
            event("archive", w.clerk, "delivered", "archived")
        return self._case_done(out, c, stream, events)

    def _case_done(self, out, c, stream, events) -> None:
        c["version"] = len(events)
        out["case"].append(c)
        self._events(out, "case", stream, "case_id", c["id"], events)

    # ------------------------------------------------------------ tickets

    def ticket(self, out) -> None:
        rng, w = self.rng, self.w
        day = _pick(rng, self.ticket_days)
        seconds = int(min(max(rng.gauss(14 * 3600, 3.5 * 3600), 7 * 3600), 23 * 3600))
        created = _at(day, seconds)
        self.ticket_counters[day] = number = self.ticket_counters.get(day, 0) + 1
        ticket_no = f"12345-{day:%Y%m%d}-{number:06d}"
        subject_id, owner, name = _pick(rng, w.subjects)
        street_id, street_name, communities = w.streets[rng.randrange(len(w.streets))]
        community_id, community_name = communities[rng.randrange(len(communities))]
        unit = owner or w.street_units.get(street_id)
        kind = _pick(rng, self.types)
        source = _pick(rng, self.sources)
        word = WORDS[rng.randrange(len(WORDS))]
        phone, index = w.phones[rng.randrange(len(w.phones))]
        age = (self.today - day).days
        roll = rng.random()
        if kind == "consultation" and roll < 0.7:
            state = "intake"
        elif age >= 20:
            state = "closed" if roll < 0.93 else "replied"
        elif age >= 3:
            state = "replied" if roll < 0.3 else "handling" if roll < 0.6 else "closed"
        else:
            state = "received" if roll < 0.1 else "dispatched" if roll < 0.45 else "handling"
        if unit is None:
            state = "intake"
        tid = self.next_id("ticket")
        t = {
            "id": tid,
            "ticket_no": ticket_no,
            "source": source,
            "ticket_type": kind,
            "subject_id": subject_id,
            "title": f"{community_name}{word}问题",
            "content": f"反映{street_name}{community_name}附近{name}（{word}），希望尽快处理。",
            "caller_name": SURNAMES[rng.randrange(len(SURNAMES))] + rng.choice("先生女士"),
            "caller_phone": phone,
            "caller_phone_index": index,
            "address": f"云溪区{street_name}{community_name}{rng.randrange(1, 200)}号",
            "region_id": community_id,
            "street_id": street_id,
            "status": "received",
            "created_at": created,
            "created_by_id": w.operator[0],
        }
        events = []
        at = created

        def event(action, actor, frm, to, reason="", payload=None):
            events.append((action, actor, frm, to, reason, payload or {}, at))

        event("create", w.operator, "", "received", payload={"source": source, "type": kind})
        if state == "intake":
            at += dt.timedelta(minutes=rng.randrange(3, 15))
            t.update(
                status="closed", triage="direct_answer", triage_note="已按知识库解答", closed_at=at
            )
            event("direct_answer", w.operator, "received", "closed", "已按知识库解答")
        elif state != "received":
            at += dt.timedelta(minutes=rng.randrange(2, 40))
            sign_due = at + dt.timedelta(days=1)
            handle_due = at + dt.timedelta(days=15 if kind in ("complaint", "report") else 5)
            t.update(
                status="dispatched",
                department_id=unit,
                dispatch_count=1,
                dispatched_at=at,
                sign_due=sign_due,
                handle_due=handle_due,
                auto_dispatched=rng.random() < 0.4,
            )
            assignment = {
                "id": self.next_id("assignment"),
                "ticket_id": tid,
                "department_id": unit,
                "role": "lead",
                "status": "pending",
                "round": 1,
                "dispatched_at": at,
                "dispatched_by_id": w.operator[0],
                "sign_due": sign_due,
                "return_due": sign_due,
                "handle_due": handle_due,
            }
            out["assignment"].append(assignment)
            event("dispatch", w.operator, "received", "dispatched", payload={"department": unit})
            handler = w.handlers.get(unit, w.operator)
            if state in ("handling", "replied", "closed"):
                at += dt.timedelta(hours=rng.randrange(1, 20))
                t.update(status="handling", signed_at=at)
                assignment.update(status="signed", signed_at=at, signed_by_id=handler[0])
                event("sign", handler, "dispatched", "handling", payload={"department": unit})
            if state in ("replied", "closed"):
                at += dt.timedelta(hours=rng.randrange(4, 100))
                t.update(
                    status="replied",
                    replied_at=at,
                    reply=f"已现场核实并处理{word}问题。",
                    solved=True,
                )
                assignment.update(status="replied", replied_at=at)
                event("reply", handler, "handling", "replied", t["reply"], {"solved": True})
                callback = {
                    "id": self.next_id("callback"),
                    "ticket_id": tid,
                    "due": at + dt.timedelta(days=1),
                }
                out["callback"].append(callback)
                if state == "closed":
                    at += dt.timedelta(hours=rng.randrange(2, 30))
                    satisfaction = (
                        "satisfied"
                        if rng.random() < 0.86
                        else "basic"
                        if rng.random() < 0.7
                        else "dissatisfied"
                    )
                    t.update(status="closed", closed_at=at, satisfaction=satisfaction)
                    callback.update(
                        status="done",
                        attempts=1,
                        satisfaction=satisfaction,
                        solved=True,
                        done_at=at,
                        done_by_id=w.operator[0],
                    )
                    event(
                        "callback",
                        w.operator,
                        "replied",
                        "closed",
                        payload={"satisfaction": satisfaction},
                    )
        t["version"] = len(events)
        out["ticket"].append(t)
        self._events(out, "ticket", f"ticket:{ticket_no}", "ticket_id", tid, events)


MODELS = {
    "case": Case,
    "task": ReviewTask,
    "case_event": CaseEvent,
    "ticket": Ticket,
    "assignment": TicketAssignment,
    "callback": Callback,
    "ticket_event": TicketEvent,
    "head": EventChainHead,
}


def _foreign_key_triggers(on: bool) -> bool:
    """PostgreSQL checks foreign keys row by row with triggers; a superuser may switch them off
    for a bulk load whose rows are consistent by construction. False where not allowed."""
    from django.db import DatabaseError

    if connection.vendor != "postgresql":
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET session_replication_role = {'DEFAULT' if on else 'replica'}")
    except DatabaseError:
        return False
    return True


def existing_rows() -> tuple[int, int]:
    return Case.objects.count(), Ticket.objects.count()


def seed(*, cases: int, tickets: int, seed: int, append: bool, progress) -> dict[str, int]:
    """Generate and write; ``progress(kind, n)`` is told of every written chunk."""
    have_cases, have_tickets = existing_rows()
    if (have_cases > DEMO_SIZE or have_tickets > DEMO_SIZE) and not append:
        raise SeedRefused(
            f"the database already holds {have_cases:,} cases and {have_tickets:,} tickets: "
            "add --append to add more"
        )
    rng_seed = seed
    world = load_world(random.Random(rng_seed))  # noqa: S311 - test data
    today = workdays.business_date(dt.datetime.now(SH))
    gen = Generator(world, rng_seed + 1, today)
    writers = {name: Writer(model) for name, model in MODELS.items()}
    fast = _foreign_key_triggers(False)
    written = dict.fromkeys(MODELS, 0)
    try:
        for kind, total, make in (("case", cases, gen.case), ("ticket", tickets, gen.ticket)):
            done = 0
            while done < total:
                count = min(CHUNK, total - done)
                out: dict[str, list[dict]] = {name: [] for name in MODELS}
                for _ in range(count):
                    make(out)
                with transaction.atomic():
                    for name in MODELS:
                        writers[name].write(out[name])
                        written[name] += len(out[name])
                done += count
                progress(kind, count)
    finally:
        if fast:
            _foreign_key_triggers(True)
    _counters(gen)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(MODELS.values())):
            cursor.execute(sql)
        cursor.execute("ANALYZE")
    return written


def _counters(gen: Generator) -> None:
    with transaction.atomic():
        for day, last in gen.case_counters.items():
            CaseNumberCounter.objects.update_or_create(
                region_code=gen.w.region_code, day=day, defaults={"last": last}
            )
        for day, last in gen.ticket_counters.items():
            TicketNumberCounter.objects.update_or_create(day=day, defaults={"last": last})


__all__ = ["SeedRefused", "existing_rows", "seed"]
