"""Plans of the demo's template tickets: who files what, where, and every step after it at the
moment it happens (staff in working hours of working days, the hotline centre round the clock).

A plan is a list of ``Step`` (moment, operation, arguments) that ``runner`` carries out through
the ticket services. Closed paths start anywhere in the window; open ones are anchored to now.
Everything is drawn from one seeded generator, in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from tongban.core import workdays
from tongban.core.models import Person, User
from tongban.core.permissions import Role

from .. import clocks
from ..models import Article, ArticleState, Subject, Ticket
from . import phrases, scenarios, writer
from .taxonomy import leaves

TZ = workdays.BUSINESS_TZ
POPULAR = {
    "垃圾清运不及时", "占道经营", "夜间施工噪声", "社会生活噪声", "餐饮油烟", "拖欠工资",
    "物业服务质量", "违章停车", "停水", "小区停车管理", "邻里纠纷", "道路破损", "路灯不亮",
    "医保报销", "入学报名", "居住证", "商品质量", "预付卡退费", "房屋漏水", "小区环境卫生",
}  # fmt: skip
GRID_OWNERS = {"cgj", "street", "community", "sthj", "zjj"}
OPERATORS = ["operator", "operator_wu", "operator_zheng"]


@dataclass
class Step:
    at: dt.datetime
    op: str
    kw: dict[str, Any] = field(default_factory=dict)
    before: dt.datetime | None = None  # the step must happen before this (a due)


@dataclass
class Plan:
    key: str
    kind: str
    variant: str
    leaf: str | None
    ticket_type: str
    source: str
    community: str | None
    street: str | None
    create: dict[str, Any]  # ticket_create keywords (not actor, idempotency_key)
    actor: str  # "op:<username>", "user:<pk>", "grid" or "" (the system)
    operator: str
    target: tuple[str | None, bool]  # where the ticket belongs (department code, to locality)
    steps: list[Step] = field(default_factory=list)
    clones: int = 0
    merge_into: str = ""  # key of the plan this one is merged into
    partner: str = ""  # key of the plan merged into this one


def moment(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TZ) + dt.timedelta(minutes=minute)


def local_minutes(at: dt.datetime) -> int:
    local = at.astimezone(TZ)
    return local.hour * 60 + local.minute


class Timeline:
    """Steps in order: a step never comes before the previous one."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.steps: list[Step] = []

    @property
    def cursor(self) -> dt.datetime:
        return self.steps[-1].at

    def add(self, at: dt.datetime, op: str, *, before=None, **kw) -> dt.datetime:
        if self.steps and at <= self.cursor:
            at = self.cursor + dt.timedelta(minutes=self.rng.randint(2, 15))
        self.steps.append(Step(at, op, kw, before))
        return at


class Planner:
    def __init__(self, *, now: dt.datetime, seed: int, window_days: int):
        self.now = now
        self.today = workdays.business_date(now)
        self.first_day = self.today - dt.timedelta(days=window_days)
        self.rng = writer.seeded(seed)
        self.leaves = {item.name: (code, item) for code, item in leaves()}
        self.subject_ids = dict(Subject.objects.values_list("code", "pk"))
        self.citizens = list(
            Person.objects.filter(user__isnull=False, user__is_active=True)
            .order_by("pk")
            .values_list("user_id", flat=True)
        )
        self.operators = [
            u
            for u in OPERATORS
            if User.objects.filter(username=u, groups__name=Role.HOTLINE_OPERATOR).exists()
        ] or ["operator"]
        self.articles: dict[str, list[tuple[int, str, dt.date, dt.date | None]]] = {}
        for a in Article.objects.filter(state=ArticleState.PUBLISHED, subject__isnull=False).values(
            "pk", "title", "subject__name", "valid_from", "valid_until"
        ):
            self.articles.setdefault(a["subject__name"], []).append(
                (a["pk"], a["title"], a["valid_from"], a["valid_until"])
            )
        self.last_work_day = self._last_work_day()

    # -- time ---------------------------------------------------------------------------------

    def _last_work_day(self) -> dt.date:
        """The latest working day with working hours already behind us."""
        day = self.today
        if workdays.is_workday(day) and local_minutes(self.now) >= 10 * 60:
            return day
        return workdays.add_workdays(day, -1)

    def work_moment(self, day: dt.date, lo: int = 8 * 60 + 40, hi: int = 17 * 60 + 20):
        at = moment(day, self.rng.randint(lo, hi))
        latest = self.now - dt.timedelta(minutes=3)
        if at > latest:
            at = latest - dt.timedelta(minutes=self.rng.randint(5, 60))
        return at

    def handler_after(self, at: dt.datetime, lo: int = 10, hi: int = 120) -> dt.datetime:
        """A handler's moment ``lo``–``hi`` minutes after ``at``, in working hours."""
        candidate = at + dt.timedelta(minutes=self.rng.randint(lo, hi))
        day = candidate.astimezone(TZ).date()
        minutes = local_minutes(candidate)
        if workdays.is_workday(day) and 8 * 60 + 30 <= minutes <= 17 * 60 + 30:
            return candidate
        if not (workdays.is_workday(day) and minutes < 8 * 60 + 30):
            day = workdays.add_workdays(day, 1)
        return moment(day, self.rng.randint(8 * 60 + 35, 10 * 60 + 40))

    def before(self, due: dt.datetime) -> dt.datetime:
        """A handler's moment in the last working hours before ``due``."""
        day = due.astimezone(TZ).date()
        latest = due - dt.timedelta(hours=1)
        if not workdays.is_workday(day) or local_minutes(due) > 17 * 60 + 20:
            if not workdays.is_workday(day):
                day = workdays.add_workdays(day, -1)
            latest = min(latest, moment(day, 17 * 60 + 20))
        return latest - dt.timedelta(minutes=self.rng.randint(0, 150))

    def soon(self, at: dt.datetime, lo: int = 3, hi: int = 40) -> dt.datetime:
        return at + dt.timedelta(minutes=self.rng.randint(lo, hi))

    def dues(self, plan: Plan, at: dt.datetime) -> clocks.Dues:
        code = self.leaves[plan.leaf][0] if plan.leaf else None
        probe = Ticket(
            ticket_type=plan.ticket_type,
            subject_id=self.subject_ids.get(code),
            urgency=plan.create.get("urgency", "normal"),
            hazard=plan.create.get("hazard", ""),
        )
        return clocks.dues_for(probe, at)

    def callback_time(self, after: dt.datetime) -> dt.datetime:
        day = after.astimezone(TZ).date() + dt.timedelta(days=1)
        return moment(day, self.rng.randint(9 * 60, 19 * 60 + 30))

    # -- who, what, where ---------------------------------------------------------------------

    def pick_leaf(self, *, kinds: set[str] | None = None, owners=None, hazard=False) -> str:
        names = []
        weights = []
        for name, (_code, item) in self.leaves.items():
            types = {t for t, _w in writer.types_of(name, item.mix)}
            if kinds is not None and not (types & kinds):
                continue
            if owners is not None and item.owner not in owners:
                continue
            if hazard and not item.hazard:
                continue
            names.append(name)
            weights.append(3.0 if name in POPULAR else 1.0)
        return self.rng.choices(names, weights)[0]

    def pick_type(self, leaf: str, allowed: set[str] | None = None) -> str:
        options = writer.types_of(leaf, self.leaves[leaf][1].mix)
        if allowed is not None:
            options = [(t, w) for t, w in options if t in allowed] or options
        return self.rng.choices([t for t, _w in options], [w for _t, w in options])[0]

    def pick_place(self, leaf: str | None, *, resolvable: bool | None = None):
        """(community, street) codes; both None for an address no one can place."""
        rng = self.rng
        roll = rng.random()
        if resolvable is False or (resolvable is None and roll < 0.04):
            return None, None
        community = rng.choice(sorted(writer.COMMUNITY_OF))
        if roll < 0.16:
            return None, writer.COMMUNITY_OF[community][1]
        return community, writer.COMMUNITY_OF[community][1]

    def target_of(self, leaf: str | None) -> tuple[str | None, bool]:
        if leaf is None:
            return None, False
        owner = self.leaves[leaf][1].owner
        return (None, True) if owner in ("street", "community") else (owner, False)

    def new_plan(
        self,
        key: str,
        kind: str,
        variant: str,
        *,
        leaf: str | None,
        ticket_type: str | None = None,
        source: str | None = None,
        place: tuple | None = None,
        intake: tuple[str, int] | None = None,
    ) -> Plan:
        rng = self.rng
        if ticket_type is None:
            ticket_type = self.pick_type(leaf)
        if source is None:
            source = rng.choices(
                [s for s, _w in scenarios.SOURCES], [w for _s, w in scenarios.SOURCES]
            )[0]
            if source == "grid" and self.leaves[leaf][1].owner not in GRID_OWNERS:
                source = "phone"
        community, street = place if place is not None else self.pick_place(leaf)
        spot = writer.place(rng, community=community, street=street)
        if intake is not None:
            outcome, index = intake
            entry = phrases.INTAKE[outcome][index]
            title, content = writer.fill(entry[1], spot.slots), writer.fill(entry[2], spot.slots)
        else:
            title, content = writer.words(rng, leaf, ticket_type, spot.slots)
        operator = rng.choice(self.operators)
        actor = f"op:{operator}"
        create: dict[str, Any] = {
            "source": source,
            "ticket_type": ticket_type,
            "title": title,
            "content": content,
            "address": spot.address,
            "subject_code": self.leaves[leaf][0] if leaf else None,
        }
        if source in ("web", "mobile", "mini") and self.citizens and rng.random() < 0.75:
            actor = f"user:{rng.choice(self.citizens)}"
        elif source in ("web", "mobile", "mini", "open311", "imported"):
            actor = ""
        elif source == "grid":
            actor = "grid"
        if actor.startswith("user:") or actor == "grid":
            pass  # the caller is the account holder (filled in by the runner)
        elif ticket_type == "report" and rng.random() < 0.4:
            create["anonymous"] = True
        else:
            create["caller_name"], create["caller_phone"] = writer.caller(rng)
        if ticket_type in ("complaint", "report", "help") and rng.random() < 0.06:
            create["confidential"] = True
        if source in ("mobile", "mini", "grid", "open311") and rng.random() < 0.7:
            create["latitude"], create["longitude"] = writer.coordinates(rng)
        item = self.leaves[leaf][1] if leaf else None
        if item is not None and item.hazard and ticket_type in ("help", "complaint", "report"):
            if rng.random() < 0.4:
                create["hazard"] = item.hazard
                create["urgency"] = "urgent"
        elif ticket_type in ("help", "complaint") and rng.random() < 0.03:
            create["urgency"] = "urgent"
        if source == "open311":
            create["open311_token"] = f"demo{rng.getrandbits(64):016x}"
        target = self.target_of(leaf)
        if target[1] and spot.street is None:
            # A locality's matter at an address no one can place: the operator finds out
            # (calling back) which street it is in and names its unit.
            target = (f"yx-street-{rng.choice(sorted(writer.STREET_NAMES))}", False)
        return Plan(
            key=key,
            kind=kind,
            variant=variant,
            leaf=leaf,
            ticket_type=ticket_type,
            source=source,
            community=spot.community,
            street=spot.street,
            create=create,
            actor=actor,
            operator=operator,
            target=target,
        )

    def created_at(self, plan: Plan, day: dt.date) -> dt.datetime:
        rng = self.rng
        if plan.source == "grid":
            if not workdays.is_workday(day):
                day = workdays.add_workdays(day, 1)
            return moment(day, rng.randint(8 * 60 + 40, 16 * 60 + 50))
        if plan.source in ("open311", "imported") and rng.random() < 0.3:
            return moment(day, rng.randint(0, 24 * 60 - 1))
        # Calls and online requests: mostly daytime, some in the evening.
        if rng.random() < 0.8:
            return moment(day, rng.randint(7 * 60 + 30, 18 * 60))
        return moment(day, rng.randint(18 * 60, 23 * 60 + 30))

    # -- building blocks ----------------------------------------------------------------------

    def dispatch(self, p: Plan, tl: Timeline, unit: tuple[str | None, bool] | None = None):
        """The operator's dispatch (the runner skips it when the ticket was 秒派 at intake)."""
        department, to_locality = unit or p.target
        lo, hi = (1, 4) if p.create.get("hazard") else (2, 35)
        return tl.add(
            self.soon(tl.cursor, lo, hi),
            "dispatch",
            department=department,
            to_locality=to_locality,
            note=self.rng.choice(phrases.DISPATCH_NOTES),
        )

    def quick(self, dues: clocks.Dues) -> bool:
        return dues.limits.sign_unit != "workdays"

    def sign(self, p: Plan, tl: Timeline, dispatched: dt.datetime, *, late=False):
        dues = self.dues(p, dispatched)
        if self.quick(dues):
            due = dues.sign_due
            at = due + dt.timedelta(minutes=self.rng.randint(5, 50)) if late else None
            at = at or dispatched + dt.timedelta(minutes=self.rng.randint(2, 10))
        elif late:
            at = self.handler_after(dues.sign_due, 40, 200)
        else:
            at = self.handler_after(dispatched, 8, 150)
        tl.add(at, "sign")
        return dues

    def reply_at(self, start: dt.datetime, due: dt.datetime, quick: bool, *, late=False):
        rng = self.rng
        if quick:
            if late:
                return due + dt.timedelta(minutes=rng.randint(30, 600))
            span = (due - start).total_seconds()
            return start + dt.timedelta(seconds=span * rng.uniform(0.1, 0.8))
        first = workdays.business_date(start)
        last = workdays.business_date(due)
        days = workdays.workdays_between(first, last)
        r = days + rng.randint(1, 3) if late else int((days + 1) * rng.betavariate(1.3, 2.6))
        day = workdays.add_workdays(first, r) if r else first
        at = moment(day, rng.randint(8 * 60 + 40, 17 * 60 + 20))
        if at <= start:
            at = self.handler_after(start, 30, 180)
        return at

    def reply(self, p, tl, start, due, quick, *, late=False, solved=True) -> dt.datetime:
        return tl.add(self.reply_at(start, due, quick, late=late), "reply", solved=solved)

    def callback(self, tl: Timeline, satisfaction: str, *, solved: bool | None = None):
        rng = self.rng
        at = self.callback_time(tl.cursor)
        if satisfaction == "unreachable":
            for _attempt in range(3):
                at = tl.add(at, "callback", reached=False)
                at = self.callback_time(at - dt.timedelta(hours=rng.choice([0, 0, 24])))
            return
        if solved is None:
            solved = satisfaction == "satisfied" or (satisfaction == "basic" and rng.random() < 0.7)
        tl.add(at, "callback", reached=True, satisfaction=satisfaction, solved=solved)

    def wrong_units(self, p: Plan, n: int) -> list[tuple[str, str]]:
        """(unit code, return reason) of ``n`` units the ticket wrongly goes to first."""
        department, _locality = p.target
        if department is None:  # a locality's matter sent to the wrong street
            own = f"yx-street-{p.street}"
            units = [f"yx-street-{code}" for code in sorted(writer.STREET_NAMES)]
            units = [u for u in units if u != own]
            return [(u, "wrong_locality") for u in self.rng.sample(units, n)]
        pool = list(scenarios.CONFUSED.get(department, []))
        extra = sorted({d for ds in scenarios.CONFUSED.values() for d in ds} - {department})
        self.rng.shuffle(extra)
        units = [u for u in pool + extra if u != department]
        units = list(dict.fromkeys(units))[:n]
        return [(u, "not_our_duty") for u in units]

    def returned(self, p, tl, *, reason: str, suggested, accept: bool, redispatch=None, due=None):
        at = tl.add(
            self.handler_after(tl.cursor, 15, 70),
            "return",
            before=due,
            reason=reason,
            suggested=suggested,
        )
        tl.add(
            self.soon(at, 10, 60),
            "return_decide",
            accept=accept,
            department=(redispatch or (None, False))[0],
            to_locality=(redispatch or (None, False))[1],
        )
        return tl.cursor

    def extension(self, p, tl, dues, *, approve: bool | None, days: int, by=None):
        """Ask for ``days`` more working days before the due; decided unless ``approve`` is None."""
        at = by or self.handler_after(tl.cursor, 60, 400)
        if at >= dues.handle_due:
            at = self.before(dues.handle_due)
        tl.add(at, "extend", before=dues.handle_due, days=days)
        if approve is not None:
            tl.add(self.soon(tl.cursor, 20, 180), "extend_decide", approve=approve)
        if approve:
            return workdays.deadline(dues.handle_due, days)
        return dues.handle_due
