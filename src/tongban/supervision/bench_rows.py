"""The rows of ``tongban bench seed`` (supervision/bench_seed.py): cases, review tasks, tickets,
assignments, callbacks and their hash-chained events with the chain heads, generated as tuples
of the database's text and written in bulk — COPY text built in large buffers on PostgreSQL,
executemany on SQLite.

Times are whole UTC epoch seconds formatted from tables; the canonical JSON of each event's
hash is assembled from pieces encoded once per (action, actor, states, reason) — ``_digest`` is
the reference it must equal (tests/perf checks it). Test data, not domain behaviour.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection

from tongban.cases.models import Case, CaseEvent, CaseNumberCounter, ReviewTask
from tongban.core import workdays
from tongban.core.errors import CalendarNotCovered
from tongban.core.events import GENESIS_HASH
from tongban.core.models import EventChainHead
from tongban.hotline.models import (
    Callback,
    Ticket,
    TicketAssignment,
    TicketEvent,
    TicketNumberCounter,
)

from .bench_copy import DAY, HOUR, Clock, Table, _json, local_date, local_midnight

SH = ZoneInfo("Asia/Shanghai")
CHUNK = 20_000  # cases or tickets per transaction


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
    """What core.events.event_digest computes for such an event (the reference the fast path in
    ``Generator._chain`` must equal)."""
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
    return hashlib.sha256(_json(body).encode()).hexdigest()


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


# ---------------------------------------------------------------- the generator


def _cols(names: str) -> tuple[str, ...]:
    return tuple(names.split())


# The columns the generator sets, in the order of its row tuples (the rest get defaults).
COLUMNS = {
    "case": _cols(
        "id case_no item_version_id department_id applicant_id channel status "
        "created_by_id created_at received_at accepted_on legal_due promised_due "
        "decided_at decision_reason delivery_method version"
    ),
    "task": _cols(
        "id case_id step step_name role department_id status created_at mode "
        "assignee_id completed_at opinion"
    ),
    "event": _cols(
        "id stream seq occurred_at actor_id actor_label action from_state to_state "
        "reason payload prev_hash hash"
    ),
    "ticket": _cols(
        "id ticket_no source ticket_type subject_id title content caller_name "
        "caller_phone address region_id street_id status created_at created_by_id "
        "triage triage_note closed_at department_id dispatch_count dispatched_at "
        "sign_due handle_due auto_dispatched signed_at replied_at reply solved "
        "satisfaction version"
    ),
    "assignment": _cols(
        "id ticket_id department_id role status round dispatched_at dispatched_by_id "
        "sign_due return_due handle_due signed_at signed_by_id replied_at"
    ),
    "callback": _cols("id ticket_id due status attempts satisfaction solved done_at done_by_id"),
    "head": _cols("id table stream seq hash"),
}

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


def _tables() -> dict[str, Table]:
    ticket_columns = COLUMNS["ticket"]
    if "caller_phone_index" in {f.attname for f in Ticket._meta.concrete_fields}:
        ticket_columns += ("caller_phone_index",)
    columns = {
        **COLUMNS,
        "case_event": COLUMNS["event"] + ("case_id",),
        "ticket_event": COLUMNS["event"] + ("ticket_id",),
        "ticket": ticket_columns,
    }
    return {name: Table(model, columns[name]) for name, model in MODELS.items()}


class Generator:
    """Rows as tuples of the database's text, appended to ``tables[name].rows``."""

    def __init__(self, world: World, seed: int, today: dt.date, tables: dict[str, Table]):
        self.w = world
        self.rng = random.Random(seed)  # noqa: S311 - test data, deterministic
        self.today = today
        self.tables = tables
        postgres = connection.vendor == "postgresql"
        self.clock = Clock(postgres)
        self.N = "\\N" if postgres else None
        self.T, self.F = ("t", "f") if postgres else (1, 0)
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
        self.specs: dict[tuple, tuple] = {}
        self.dues: dict[tuple[dt.date, int], str] = {}
        ticket = tables["ticket"].defaults
        self.ticket_defaults = {k: ticket[k] for k in ("triage", "triage_note", "reply")}
        self.ticket_defaults["solved"] = ticket["solved"]
        self.ticket_defaults["satisfaction"] = ticket["satisfaction"]
        self.ticket_defaults["auto_dispatched"] = ticket["auto_dispatched"]
        self.ticket_defaults["dispatch_count"] = ticket["dispatch_count"]
        callback = tables["callback"].defaults
        self.callback_defaults = {
            k: callback[k] for k in ("status", "attempts", "satisfaction", "solved")
        }
        case = tables["case"].defaults
        self.case_defaults = {k: case[k] for k in ("decision_reason", "delivery_method")}
        task = tables["task"].defaults
        self.task_opinion = task["opinion"]
        self.day_case_no: dict[dt.date, str] = {}
        self.day_ticket_no: dict[dt.date, str] = {}
        self.with_phone_index = "caller_phone_index" in tables["ticket"].index

    def _spec(self, action, actor, frm, to, reason) -> tuple:
        """The event's constant parts, encoded once: the hash body's head (keys before
        occurred_at), its reason and to-state in JSON, and the row's text columns."""
        key = (action, actor, frm, to, reason)
        spec = self.specs.get(key)
        if spec is None:
            actor_id, label = actor
            head = (
                '{"action":' + _json(action) + ',"actor":' + _json(actor_id)
                + ',"actor_label":' + _json(label) + ',"from":' + _json(frm)
                + ',"occurred_at":"'
            )  # fmt: skip
            row_actor = self.N if actor_id is None else actor_id
            spec = (head, _json(reason), _json(to), row_actor, label, action, frm, to, reason)
            self.specs[key] = spec
        return spec

    def _due(self, start: dt.date, n: int) -> str:
        key = (start, n)
        text = self.dues.get(key)
        if text is None:
            text = self.dues[key] = _due(start, n).isoformat()
        return text

    def _chain(self, kind: str, stream: str, owner_id: int, events: list) -> str:
        """Append the events with their hash chain and the stream's head; the last hash."""
        prev = GENESIS_HASH
        rows = self.tables[kind + "_event"].rows
        key = kind + "_event"
        ids = self.ids
        iso, db = self.clock.iso, self.clock.db
        stream_json = '"' + stream + '"'
        sha256 = hashlib.sha256
        seq = 0
        for spec, payload, at in events:
            seq += 1
            head, reason_json, to_json, actor_id, label, action, frm, to, reason = spec
            body = (
                f'{head}{iso(at)}","payload":{payload},"prev":"{prev}","reason":{reason_json},'
                f'"seq":{seq},"stream":{stream_json},"to":{to_json}}}'
            )
            digest = sha256(body.encode()).hexdigest()
            ids[key] += 1
            rows.append(
                (
                    ids[key],
                    stream,
                    seq,
                    db(at),
                    actor_id,
                    label,
                    action,
                    frm,
                    to,
                    reason,
                    payload,
                    prev,
                    digest,
                    owner_id,
                )
            )
            prev = digest
        ids["head"] += 1
        table = "cases.caseevent" if kind == "case" else "hotline.ticketevent"
        self.tables["head"].rows.append((ids["head"], table, stream, seq, prev))
        return prev

    # ------------------------------------------------------------ cases

    def case(self) -> None:
        rng, w, N, db = self.rng, self.w, self.N, self.clock.db
        spec = self._spec
        day = _pick(rng, self.case_days)
        created = local_midnight(day) + rng.randrange(9 * HOUR, 17 * HOUR + 1800)
        self.case_counters[day] = number = self.case_counters.get(day, 0) + 1
        prefix = self.day_case_no.get(day)
        if prefix is None:
            prefix = self.day_case_no[day] = f"{w.region_code}-{day:%Y%m%d}-"
        case_no = f"{prefix}{number:05d}"
        version_id, dept, legal, promised = _pick(rng, w.versions)
        person_id, user_id = w.persons[rng.randrange(len(w.persons))]
        window = rng.random() < 0.33
        channel = "window" if window else "web"
        applicant = (user_id, "") if user_id and not window else w.clerk
        reviewer, approver = w.reviewers[dept], w.approvers[dept]
        age = (self.today - day).days
        state = _case_state(age, rng.random())
        self.ids["case"] += 1
        cid = self.ids["case"]
        status = "draft"
        received_at = accepted_on = legal_due = promised_due = decided_at = N
        reason = self.case_defaults["decision_reason"]
        delivery = self.case_defaults["delivery_method"]
        at = created
        events = [(spec("create", applicant, "", "draft", ""), f'{{"channel":"{channel}"}}', at)]
        tasks = self.tables["task"].rows
        while True:  # one pass: `break` where the case's state is reached
            if state == "draft":
                break
            at += rng.randrange(5, 90) * 60
            status, received_at = "submitted", db(at)
            events.append((spec("submit", applicant, "draft", "submitted", ""), "{}", at))
            if state == "submitted":
                break
            if state == "withdrawn":
                at += rng.randrange(1, 30) * HOUR
                status = "withdrawn"
                events.append(
                    (
                        spec("withdraw", applicant, "submitted", "withdrawn", "不再需要办理"),
                        "{}",
                        at,
                    )
                )
                break
            if state == "not_accepted":
                at += rng.randrange(1, 30) * HOUR
                status, reason = "not_accepted", "不属于本部门职权范围"
                events.append(
                    (spec("refuse", w.clerk, "submitted", "not_accepted", reason), "{}", at)
                )
                break
            if state == "correction_requested" or rng.random() < 0.06:
                at += rng.randrange(1, 20) * HOUR
                events.append(
                    (
                        spec(
                            "request_correction",
                            w.clerk,
                            "submitted",
                            "correction_requested",
                            "请补充材料",
                        ),
                        '{"missing":["身份证明"]}',
                        at,
                    )
                )
                status = "correction_requested"
                if state == "correction_requested":
                    break
                at += rng.randrange(1, 4) * DAY
                events.append(
                    (spec("resubmit", applicant, "correction_requested", "submitted", ""), "{}", at)
                )
            at += rng.randrange(1, 24) * HOUR
            accepted = local_date(at)
            status, accepted_on = "in_review", accepted.isoformat()
            legal_due, promised_due = self._due(accepted, legal), self._due(accepted, promised)
            events.append(
                (
                    spec("accept", w.clerk, "submitted", "in_review", ""),
                    f'{{"accepted_on":"{accepted_on}","deemed":false}}',
                    at,
                )
            )
            self.ids["task"] += 1
            task_id, task_at = self.ids["task"], db(at)
            if state == "in_review":
                if rng.random() < 0.5:
                    at += rng.randrange(1, 8) * HOUR
                    task = ("claimed", reviewer[0])
                    events.append(
                        (
                            spec("claim", reviewer, "in_review", "in_review", ""),
                            '{"step":"handle"}',
                            at,
                        )
                    )
                else:
                    task = ("open", N)
                tasks.append(
                    (
                        task_id,
                        cid,
                        "handle",
                        "承办",
                        "reviewer",
                        dept,
                        task[0],
                        task_at,
                        "single",
                        task[1],
                        N,
                        self.task_opinion,
                    )
                )
                break
            if state == "suspended":
                tasks.append(
                    (
                        task_id,
                        cid,
                        "handle",
                        "承办",
                        "reviewer",
                        dept,
                        "open",
                        task_at,
                        "single",
                        N,
                        N,
                        self.task_opinion,
                    )
                )
                at += rng.randrange(1, 5) * DAY
                status = "suspended"
                events.append(
                    (
                        spec("suspend", reviewer, "in_review", "suspended", "现场核查"),
                        '{"expected_days":10,"kind":"inspection"}',
                        at,
                    )
                )
                break
            at += rng.randrange(2, 60) * HOUR
            tasks.append(
                (
                    task_id,
                    cid,
                    "handle",
                    "承办",
                    "reviewer",
                    dept,
                    "done",
                    task_at,
                    "single",
                    reviewer[0],
                    db(at),
                    "同意",
                )
            )
            events.append(
                (spec("claim", reviewer, "in_review", "in_review", ""), '{"step":"handle"}', at)
            )
            events.append(
                (
                    spec("complete_step", reviewer, "in_review", "in_review", "同意"),
                    '{"step":"handle"}',
                    at,
                )
            )
            at += rng.randrange(1, 30) * HOUR
            self.ids["task"] += 1
            decided_at = db(at)
            tasks.append(
                (
                    self.ids["task"],
                    cid,
                    "decide",
                    "批准",
                    "approver",
                    dept,
                    "done",
                    decided_at,
                    "single",
                    approver[0],
                    decided_at,
                    "准予",
                )
            )
            approve = state != "denied"
            status = "approved" if approve else "denied"
            reason = reason if approve else "不符合法定条件"
            events.append(
                (
                    spec(
                        "approve" if approve else "deny",
                        approver,
                        "in_review",
                        status,
                        "" if approve else reason,
                    ),
                    "{}",
                    at,
                )
            )
            if state in ("issued", "delivered", "archived"):
                at += rng.randrange(1, 48) * HOUR
                status = "issued"
                events.append((spec("issue", approver, "approved", "issued", ""), "{}", at))
            if state in ("delivered", "archived"):
                at += rng.randrange(0, 4) * DAY + rng.randrange(1, 8) * HOUR
                delivery = "electronic" if rng.random() < 0.6 else "window"
                status = "delivered"
                events.append(
                    (
                        spec("deliver", w.clerk, "issued", "delivered", ""),
                        f'{{"method":"{delivery}"}}',
                        at,
                    )
                )
            if state == "archived":
                at += rng.randrange(1, 20) * DAY
                status = "archived"
                events.append((spec("archive", w.clerk, "delivered", "archived", ""), "{}", at))
            break
        self.tables["case"].rows.append(
            (
                cid,
                case_no,
                version_id,
                dept,
                person_id,
                channel,
                status,
                applicant[0] if applicant[0] is not None else N,
                db(created),
                received_at,
                accepted_on,
                legal_due,
                promised_due,
                decided_at,
                reason,
                delivery,
                len(events),
            )
        )
        self._chain("case", f"case:{case_no}", cid, events)

    # ------------------------------------------------------------ tickets

    def ticket(self) -> None:
        rng, w, N, db = self.rng, self.w, self.N, self.clock.db
        spec, d = self._spec, self.ticket_defaults
        day = _pick(rng, self.ticket_days)
        seconds = int(min(max(rng.gauss(14 * HOUR, 3.5 * HOUR), 7 * HOUR), 23 * HOUR))
        created = local_midnight(day) + seconds
        self.ticket_counters[day] = number = self.ticket_counters.get(day, 0) + 1
        prefix = self.day_ticket_no.get(day)
        if prefix is None:
            prefix = self.day_ticket_no[day] = f"12345-{day:%Y%m%d}-"
        ticket_no = f"{prefix}{number:06d}"
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
        self.ids["ticket"] += 1
        tid = self.ids["ticket"]
        operator = w.operator
        status = "received"
        triage, triage_note, reply = d["triage"], d["triage_note"], d["reply"]
        solved, satisfaction = d["solved"], d["satisfaction"]
        closed_at = dispatched_at = sign_due = handle_due = signed_at = replied_at = N
        department, dispatch_count, auto = N, d["dispatch_count"], d["auto_dispatched"]
        at = created
        events = [
            (
                spec("create", operator, "", "received", ""),
                f'{{"source":"{source}","type":"{kind}"}}',
                at,
            )
        ]
        if state == "intake":
            at += rng.randrange(3, 15) * 60
            status, triage, triage_note, closed_at = (
                "closed",
                "direct_answer",
                "已按知识库解答",
                db(at),
            )
            events.append(
                (spec("direct_answer", operator, "received", "closed", "已按知识库解答"), "{}", at)
            )
        elif state != "received":
            at += rng.randrange(2, 40) * 60
            sign = at + DAY
            handle = at + (15 if kind in ("complaint", "report") else 5) * DAY
            status, department, dispatch_count = "dispatched", unit, 1
            dispatched_at, sign_due, handle_due = db(at), db(sign), db(handle)
            auto = self.T if rng.random() < 0.4 else self.F
            self.ids["assignment"] += 1
            assignment = [
                self.ids["assignment"],
                tid,
                unit,
                "lead",
                "pending",
                1,
                dispatched_at,
                operator[0],
                sign_due,
                sign_due,
                handle_due,
                N,
                N,
                N,
            ]
            unit_json = f'{{"department":{unit}}}'
            events.append((spec("dispatch", operator, "received", "dispatched", ""), unit_json, at))
            handler = w.handlers.get(unit, operator)
            if state in ("handling", "replied", "closed"):
                at += rng.randrange(1, 20) * HOUR
                status, signed_at = "handling", db(at)
                assignment[4], assignment[11], assignment[12] = "signed", signed_at, handler[0]
                events.append((spec("sign", handler, "dispatched", "handling", ""), unit_json, at))
            if state in ("replied", "closed"):
                at += rng.randrange(4, 100) * HOUR
                status, replied_at, solved = "replied", db(at), self.T
                reply = f"已现场核实并处理{word}问题。"
                assignment[4], assignment[13] = "replied", replied_at
                events.append(
                    (spec("reply", handler, "handling", "replied", reply), '{"solved":true}', at)
                )
                self.ids["callback"] += 1
                c = self.callback_defaults
                callback = (self.ids["callback"], tid, db(at + DAY))
                if state == "closed":
                    at += rng.randrange(2, 30) * HOUR
                    satisfaction = (
                        "satisfied"
                        if rng.random() < 0.86
                        else "basic"
                        if rng.random() < 0.7
                        else "dissatisfied"
                    )
                    status, closed_at = "closed", db(at)
                    callback += ("done", 1, satisfaction, self.T, closed_at, operator[0])
                    events.append(
                        (
                            spec("callback", operator, "replied", "closed", ""),
                            f'{{"satisfaction":"{satisfaction}"}}',
                            at,
                        )
                    )
                else:
                    callback += (c["status"], c["attempts"], c["satisfaction"], c["solved"], N, N)
                self.tables["callback"].rows.append(callback)
            self.tables["assignment"].rows.append(tuple(assignment))
        row = (
            tid,
            ticket_no,
            source,
            kind,
            subject_id,
            f"{community_name}{word}问题",
            f"反映{street_name}{community_name}附近{name}（{word}），希望尽快处理。",
            SURNAMES[rng.randrange(len(SURNAMES))] + rng.choice(("先生", "女士")),
            phone,
            f"云溪区{street_name}{community_name}{rng.randrange(1, 200)}号",
            community_id,
            street_id,
            status,
            db(created),
            operator[0],
            triage,
            triage_note,
            closed_at,
            department,
            dispatch_count,
            dispatched_at,
            sign_due,
            handle_due,
            auto,
            signed_at,
            replied_at,
            reply,
            solved,
            satisfaction,
            len(events),
        )
        if self.with_phone_index:
            row += (index if index is not None else N,)
        self.tables["ticket"].rows.append(row)
        self._chain("ticket", f"ticket:{ticket_no}", tid, events)


# A case's state by its age in days: (older than, cumulative shares, the rest).
_CASE_STATES = (
    (
        40,
        (
            ("archived", 0.62),
            ("delivered", 0.80),
            ("issued", 0.84),
            ("denied", 0.87),
            ("not_accepted", 0.91),
            ("withdrawn", 0.94),
        ),
        "approved",
    ),
    (
        10,
        (
            ("in_review", 0.20),
            ("delivered", 0.55),
            ("approved", 0.70),
            ("correction_requested", 0.75),
            ("suspended", 0.78),
        ),
        "archived",
    ),
    (
        float("-inf"),
        (
            ("submitted", 0.30),
            ("in_review", 0.75),
            ("correction_requested", 0.82),
            ("approved", 0.92),
        ),
        "draft",
    ),
)


def _case_state(age: int, roll: float) -> str:
    for older_than, shares, rest in _CASE_STATES:
        if age > older_than:
            return next((state for state, upto in shares if roll < upto), rest)
    raise AssertionError("unreachable: the last band takes every age")
