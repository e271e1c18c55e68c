"""The paths of the demo's template tickets, one builder per kind of ``scenarios.KINDS``.

Closed paths start on a random day of the window and run forward; open ones are placed so that
today finds them where their kind says (signed with the due ahead, overdue, extended, waiting
for the callback …). A builder answers ``None`` when the draw does not fit (a step after now,
a due on the wrong side of today); ``build`` draws again.
"""

from __future__ import annotations

import datetime as dt

from tongban.core import workdays

from . import phrases, scenarios, writer
from .planner import GRID_OWNERS, Plan, Planner, Step, Timeline

# Indexes of the closed templates that cover the sources and types (the first non-return
# paths of ``scenarios.CLOSED_VARIANTS``), and the types in that order.
COVER = [0, 2, 3, 5, 6, 8, 10]
TYPES = ["consultation", "help", "complaint", "report", "suggestion", "praise"]


class Paths(Planner):
    # -- plans --------------------------------------------------------------------------------

    def plan_all(self, targets: list[tuple[str, int, int]]) -> list[Plan]:
        """Every template plan: ``targets`` gives (kind, templates, tickets) per kind."""
        plans: list[Plan] = []
        counter = iter(range(1, 1_000_000))

        def key() -> str:
            return f"demo-ticket-{next(counter):05d}"

        for kind, templates, tickets in targets:
            extra = tickets - templates
            for i in range(templates):
                clones = extra // templates + (1 if i < extra % templates else 0)
                keys = [key(), key()] if kind == "merged" else [key()]
                for plan in self.build(kind, i, keys):
                    plan.clones = clones
                    plans.append(plan)
        return plans

    def build(self, kind: str, i: int, keys: list[str]) -> list[Plan]:
        for _attempt in range(300):
            built = getattr(self, f"_{kind}")(keys, i)
            if built and all(self.valid(p) for p in built):
                return built
        raise RuntimeError(f"hotline demo: could not plan a {kind} ticket ({keys[0]})")

    def valid(self, p: Plan) -> bool:
        if not p.steps or p.steps[-1].at >= self.now - dt.timedelta(minutes=2):
            return False
        if workdays.business_date(p.steps[0].at) < self.first_day - dt.timedelta(days=10):
            return False
        for a, b in zip(p.steps, p.steps[1:], strict=False):
            if b.at <= a.at:
                return False
        return all(s.before is None or s.at < s.before for s in p.steps)

    def _day(self, *, span_days: int = 0) -> dt.date:
        days = (self.today - self.first_day).days - span_days
        return self.first_day + dt.timedelta(days=self.rng.randint(0, max(0, days)))

    def _work_day(self, **kw) -> dt.date:
        day = self._day(**kw)
        return day if workdays.is_workday(day) else workdays.add_workdays(day, 1)

    # -- closed -------------------------------------------------------------------------------

    def _closed(self, keys, i, *, variant=None, satisfaction=None, leaf=None, day=None):
        rng = self.rng
        variant = variant or scenarios.CLOSED_VARIANTS[i % len(scenarios.CLOSED_VARIANTS)]
        satisfaction = satisfaction or scenarios.SATISFACTION[i % len(scenarios.SATISFACTION)]
        returns = variant.startswith("return") or variant == "centre_designated"
        source = "phone" if returns else None
        ticket_type = None
        if leaf is None and i in COVER:
            # The first closed templates cover every source and every request type, so that
            # even a small demo shows them all (a 举报 anonymous, a 投诉 confidential).
            k = COVER.index(i)
            source = scenarios.SOURCES[k][0]
            ticket_type = TYPES[k] if k < len(TYPES) else None
            owners = GRID_OWNERS if source == "grid" else None
            kinds = {ticket_type} if ticket_type else None
            leaf = self.pick_leaf(kinds=kinds, owners=owners)
            ticket_type = ticket_type and self.pick_type(leaf, {ticket_type})
        leaf = leaf or self.pick_leaf()
        p = self.new_plan(
            keys[0],
            "closed",
            variant,
            leaf=leaf,
            ticket_type=ticket_type,
            source=source,
            place=self.pick_place(leaf, resolvable=True) if returns else None,
        )
        if leaf is not None and i in COVER and ticket_type == "report":
            p.create.pop("caller_name", None)
            p.create.pop("caller_phone", None)
            p.create["anonymous"] = True
            if p.actor.startswith("user:"):
                p.actor = ""  # filed without signing in
        elif i in COVER and ticket_type == "complaint":
            p.create["confidential"] = True
        tl = Timeline(rng)
        if returns:
            p.create["auto_dispatch"] = False
            p.create.pop("hazard", None)
            p.create["urgency"] = "normal"
            created = self.work_moment(day or self._work_day(), 8 * 60 + 40, 12 * 60 + 30)
        else:
            created = self.created_at(p, day or self._day())
        tl.add(created, "create")
        dispatched = self._dispatch_path(p, tl, variant)
        dues = self.sign(p, tl, dispatched, late=variant == "late_sign")
        quick = self.quick(dues)
        due = dues.handle_due
        if variant in ("extended", "extension_refused"):
            due = self.extension(p, tl, dues, approve=variant == "extended", days=rng.randint(2, 8))
        elif variant == "urged":
            urge = max(tl.cursor, due - dt.timedelta(hours=rng.randint(20, 40)))
            tl.add(self.handler_after(urge, 1, 60), "urge")
        self.reply(
            p,
            tl,
            tl.cursor,
            due,
            quick,
            late=variant == "late_reply",
            solved=variant != "unsolved",
        )
        self.callback(tl, satisfaction, solved=False if variant == "unsolved" else None)
        p.steps = tl.steps
        return [p]

    def _dispatch_path(self, p: Plan, tl: Timeline, variant: str) -> dt.datetime:
        """The dispatches (and returns) before the unit that handles it; answers when that
        unit's dispatch happened (its dues start then)."""
        rng = self.rng
        if variant == "return_accepted":
            (wrong, reason), *_ = self.wrong_units(p, 1)
            at = self.dispatch(p, tl, (wrong, False))
            due = workdays.deadline(at, 1)
            return self.returned(
                p,
                tl,
                reason=reason,
                suggested=p.target[0],
                accept=True,
                redispatch=p.target,
                due=due,
            )
        if variant in ("return_chain", "centre_designated"):
            n = 2 if variant == "return_chain" else 3
            units = self.wrong_units(p, n)
            at = self.dispatch(p, tl, (units[0][0], False))
            for index, (_unit, reason) in enumerate(units):
                following = (units[index + 1][0], False) if index + 1 < n else p.target
                due = workdays.deadline(at, 1)
                at = self.returned(
                    p, tl, reason=reason, suggested=None, accept=True, redispatch=following, due=due
                )
            return at
        at = self.dispatch(p, tl)
        if variant in ("return_rejected", "return_twice"):
            due = workdays.deadline(at, 1)
            for _n in range(2 if variant == "return_twice" else 1):
                reason = rng.choice(["not_our_duty", "info_insufficient", "other"])
                self.returned(p, tl, reason=reason, suggested=None, accept=False, due=due)
        return at

    def _reopened_closed(self, keys, i):
        rng = self.rng
        [p] = self._closed(keys, i, variant="ok", satisfaction="dissatisfied")
        p.kind, p.variant = "reopened_closed", "ok"
        tl = Timeline(rng)
        tl.steps = p.steps
        at = tl.add(self.soon(tl.cursor, 30, 400), "reopen")
        dues = self.sign(p, tl, at)
        self.reply(p, tl, tl.cursor, dues.handle_due, self.quick(dues))
        self.callback(tl, rng.choice(["satisfied", "satisfied", "basic"]))
        p.steps = tl.steps
        return [p]

    # -- closed at intake ---------------------------------------------------------------------

    def _direct_answer(self, keys, i):
        rng = self.rng
        leaf = self.pick_leaf(kinds={"consultation"})
        p = self.new_plan(
            keys[0], "direct_answer", "", leaf=leaf, ticket_type="consultation", source="phone"
        )
        created = self.created_at(p, self._day())
        day = workdays.business_date(created)
        usable = [
            a for a in self.articles.get(leaf, []) if a[2] <= day and (a[3] is None or a[3] >= day)
        ]
        if not usable:
            return None
        article_id, title, _start, _until = rng.choice(usable)
        p.create.update(
            triage="direct_answer",
            triage_note=rng.choice(phrases.DIRECT_ANSWER_NOTES).format(article=title),
            article_id=article_id,
        )
        p.steps = [Step(created, "create")]
        return [p]

    def _intake(self, keys, i, outcome: str, ticket_type: str):
        rng = self.rng
        index = i % len(phrases.INTAKE[outcome])
        leaf = phrases.INTAKE[outcome][index][0] or None
        p = self.new_plan(
            keys[0],
            outcome,
            "",
            leaf=leaf,
            ticket_type=ticket_type,
            source="phone",
            place=self.pick_place(leaf),
            intake=(outcome, index),
        )
        p.create.pop("anonymous", None)
        if "caller_phone" not in p.create:
            p.create["caller_name"], p.create["caller_phone"] = writer.caller(rng)
        p.create.update(triage=outcome, triage_note=phrases.INTAKE[outcome][index][3])
        p.steps = [Step(self.created_at(p, self._day()), "create")]
        return [p]

    def _emergency_transfer(self, keys, i):
        return self._intake(keys, i, "emergency_transfer", "help")

    def _legal_route(self, keys, i):
        return self._intake(keys, i, "legal_route", "complaint")

    def _explain_close(self, keys, i):
        return self._intake(keys, i, "explain_close", "help")

    def _police_referral(self, keys, i):
        return self._intake(keys, i, "police_referral", "complaint")

    # -- merged -------------------------------------------------------------------------------

    def _merged(self, keys, i):
        """A first request (closed normally) and a repeat of it merged into it (并单)."""
        rng = self.rng
        [first] = self._closed(keys[:1], i, variant="ok", satisfaction="satisfied")
        first.kind, first.variant = "merged", "first"
        first.create.pop("hazard", None)
        leaf = first.leaf
        ticket_type = first.ticket_type
        repeat = self.new_plan(
            keys[1],
            "merged",
            "repeat",
            leaf=leaf,
            ticket_type=ticket_type,
            source="phone",
            place=(first.community, first.street),
        )
        repeat.create["auto_dispatch"] = False
        repeat.create.pop("hazard", None)
        repeat.create["urgency"] = "normal"
        # The repeat comes in while the first one is being handled.
        reply = next(s.at for s in first.steps if s.op == "reply")
        start = first.steps[1].at
        if reply - start < dt.timedelta(hours=2):
            return None
        at = start + (reply - start) * rng.uniform(0.2, 0.7)
        repeat.steps = [Step(at, "create"), Step(self.soon(at, 4, 40), "merge")]
        # The shared reply gives the repeat's caller a callback of their own (并单: each caller
        # is called back), made a few minutes after the first caller's.
        callback = next(
            (s for s in first.steps if s.op == "callback" and s.kw.get("reached")), None
        )
        if callback is not None and callback.at + dt.timedelta(minutes=15) < self.now:
            repeat.steps.append(
                Step(callback.at + dt.timedelta(minutes=9), "callback", dict(callback.kw))
            )
        repeat.merge_into = first.key
        first.partner = repeat.key
        return [first, repeat]

    # -- open today ---------------------------------------------------------------------------

    def _recent(self, lo_minutes: int, hi_minutes: int) -> dt.datetime:
        return self.now - dt.timedelta(minutes=self.rng.randint(lo_minutes, hi_minutes))

    def _open_plan(self, keys, kind, variant, *, leaf=None, ticket_type=None, **kw) -> Plan:
        p = self.new_plan(keys[0], kind, variant, leaf=leaf, ticket_type=ticket_type, **kw)
        if kind != "dispatched":
            p.create.pop("hazard", None)
            p.create["urgency"] = "normal"
        return p

    def _received(self, keys, i):
        variant = scenarios.RECEIVED_VARIANTS[i % len(scenarios.RECEIVED_VARIANTS)]
        if variant == "unresolved":
            leaf = self.pick_leaf(owners={"street", "community"})
            p = self._open_plan(
                keys,
                "received",
                variant,
                leaf=leaf,
                ticket_type=self.pick_type(leaf, {"complaint", "help", "report"}),
                place=(None, None),
            )
            p.create["auto_dispatch"] = False  # (a keyword rule could place it without one)
            at = self._recent(10, 16 * 60)
        elif variant == "consultation":
            leaf = self.pick_leaf(kinds={"consultation"})
            p = self._open_plan(keys, "received", variant, leaf=leaf, ticket_type="consultation")
            at = self._recent(5, 120)
        else:
            p = self._open_plan(keys, "received", variant, leaf=self.pick_leaf())
            p.create["auto_dispatch"] = False
            at = self._recent(5, 90)
        p.steps = [Step(at, "create")]
        return [p]

    def _dispatched(self, keys, i):
        variant = scenarios.DISPATCHED_VARIANTS[i % len(scenarios.DISPATCHED_VARIANTS)]
        tl = Timeline(self.rng)
        if variant == "hazard":
            leaf = self.pick_leaf(hazard=True)
            kinds = {"help", "complaint", "report"}
            p = self._open_plan(keys, "dispatched", variant, leaf=leaf, source="phone",
                                ticket_type=self.pick_type(leaf, kinds))  # fmt: skip
            p.create["hazard"] = self.leaves[leaf][1].hazard
            p.create["urgency"] = "urgent"
            tl.add(self._recent(25, 100), "create")
        else:
            p = self._open_plan(keys, "dispatched", variant, leaf=self.pick_leaf())
            p.create.pop("hazard", None)
            p.create["urgency"] = "normal"
            if variant == "sign_overdue":
                day = workdays.add_workdays(self.last_work_day, -self.rng.randint(2, 3))
                tl.add(self.work_moment(day), "create")
            else:
                tl.add(self._recent(30, 10 * 60), "create")
        self.dispatch(p, tl)
        p.steps = tl.steps
        return [p]

    def _return_requested(self, keys, i):
        variant = scenarios.RETURN_VARIANTS[i % len(scenarios.RETURN_VARIANTS)]
        leaf = self.pick_leaf()
        p = self._open_plan(
            keys, "return_requested", variant, leaf=leaf, source="phone",
            place=self.pick_place(leaf, resolvable=True),
        )  # fmt: skip
        p.create["auto_dispatch"] = False
        tl = Timeline(self.rng)
        tl.add(self.work_moment(self.last_work_day, 8 * 60 + 40, 11 * 60), "create")
        if variant == "first":
            (wrong, reason), *_ = self.wrong_units(p, 1)
            at = self.dispatch(p, tl, (wrong, False))
            tl.add(self.handler_after(at, 15, 90), "return", before=workdays.deadline(at, 1),
                   reason=reason, suggested=p.target[0])  # fmt: skip
        else:
            at = self.dispatch(p, tl)
            due = workdays.deadline(at, 1)
            self.returned(p, tl, reason="other", suggested=None, accept=False, due=due)
            tl.add(self.handler_after(tl.cursor, 15, 60), "return", before=due,
                   reason="not_our_duty", suggested=None)  # fmt: skip
        p.steps = tl.steps
        return [p]

    def _handling(self, keys, i):
        rng = self.rng
        variant = scenarios.HANDLING_VARIANTS[i % len(scenarios.HANDLING_VARIANTS)]
        long_only = variant in ("blue", "extended", "extended_late", "extension_pending")
        leaf = self.pick_leaf(kinds={"complaint", "report", "suggestion"} if long_only else None)
        kinds = {"complaint", "report", "suggestion"} if long_only else None
        p = self._open_plan(keys, "handling", variant, leaf=leaf,
                            ticket_type=self.pick_type(leaf, kinds))  # fmt: skip
        probe = self.dues(p, self.now)
        n = probe.limits.handle_value if probe.limits.handle_unit == "workdays" else 1
        back = {
            "normal": (0, max(0, n // 2)),
            "blue": (max(0, n - 2), max(0, n - 1)),
            "overdue": (n + 1, n + 4),
            "urged": (n + 1, n + 3),
            "escalated": (n + 2, n + 5),
            "extended": (max(0, n - 3), n),
            "extended_late": (n + 1, n + 3),
            "extension_pending": (max(0, n - 3), max(0, n - 1)),
        }[variant]
        r = rng.randint(*back)
        day = workdays.add_workdays(self.last_work_day, -r) if r else self.last_work_day
        tl = Timeline(rng)
        tl.add(self.work_moment(day, 8 * 60 + 40, 14 * 60), "create")
        at = self.dispatch(p, tl)
        dues = self.sign(p, tl, at)
        if variant in ("extended", "extended_late"):
            need = workdays.workdays_between(workdays.business_date(dues.handle_due), self.today)
            days = min(10, max(need + rng.randint(1, 3), 3))
            by = self.handler_after(tl.cursor, 60, 300)
            if variant == "extended_late" or by >= dues.handle_due:
                by = min(by, self.before(dues.handle_due))
            new_due = self.extension(p, tl, dues, approve=True, days=days, by=by)
            if new_due <= self.now:
                return None
        elif variant == "extension_pending":
            self.extension(p, tl, dues, approve=None, days=rng.randint(3, 8),
                           by=self.work_moment(self.last_work_day))  # fmt: skip
        elif variant in ("urged", "escalated"):
            tl.add(self.work_moment(self.last_work_day, 9 * 60, 16 * 60), "urge")
            if variant == "escalated":
                tl.add(self.soon(tl.cursor, 30, 200), "escalate")
        due = dues.handle_due
        overdue = due < self.now
        if variant in ("overdue", "urged", "escalated") and not overdue:
            return None
        if variant in ("normal", "blue", "extension_pending") and overdue:
            return None
        if variant == "blue" and (due - self.now) > 0.2 * (due - at):
            return None
        p.steps = tl.steps
        return [p]

    def _replied(self, keys, i):
        rng = self.rng
        variant = scenarios.REPLIED_VARIANTS[i % len(scenarios.REPLIED_VARIANTS)]
        p = self._open_plan(keys, "replied", variant, leaf=self.pick_leaf())
        tl = Timeline(rng)
        day = workdays.add_workdays(self.last_work_day, -rng.randint(1, 4))
        tl.add(self.work_moment(day, 8 * 60 + 40, 12 * 60), "create")
        at = self.dispatch(p, tl)
        dues = self.sign(p, tl, at)
        reply = self.work_moment(self.last_work_day, 9 * 60, 17 * 60)
        if reply <= tl.cursor:
            return None
        tl.add(reply, "reply", solved=rng.random() < 0.85)
        if variant == "attempted":
            tl.add(self.soon(reply, 60, 300), "callback", reached=False)
        del dues
        p.steps = tl.steps
        return [p]

    def _reopened_open(self, keys, i):
        rng = self.rng
        day = workdays.add_workdays(self.last_work_day, -rng.randint(6, 12))
        [p] = self._closed(keys, 0, variant="ok", satisfaction="dissatisfied", day=day)
        p.kind, p.variant = "reopened_open", "dispatched"
        tl = Timeline(rng)
        tl.steps = p.steps
        at = tl.add(self.work_moment(self.last_work_day, 9 * 60, 16 * 60), "reopen")
        if i % 2:
            p.variant = "handling"
            self.sign(p, tl, at)
        p.steps = tl.steps
        return [p]

    def _escalated_open(self, keys, i):
        rng = self.rng
        variant = scenarios.ESCALATED_VARIANTS[i % len(scenarios.ESCALATED_VARIANTS)]
        if variant == "manual":
            built = self._handling(keys, 8)  # HANDLING_VARIANTS[8] == "escalated"
            if built:
                built[0].kind = "escalated_open"
            return built
        day = workdays.add_workdays(self.last_work_day, -rng.randint(6, 14))
        [p] = self._closed(keys, 0, variant="ok", satisfaction="dissatisfied", day=day)
        p.kind, p.variant = "escalated_open", variant
        tl = Timeline(rng)
        tl.steps = p.steps
        for round_ in range(3):
            at = tl.add(self.soon(tl.cursor, 30, 300), "reopen")
            if round_ == 2:
                break
            dues = self.sign(p, tl, at)
            self.reply(p, tl, tl.cursor, dues.handle_due, self.quick(dues))
            self.callback(tl, "dissatisfied")
        # Escalated lately: the third reopening within the last few working days.
        if workdays.business_date(tl.cursor) < workdays.add_workdays(self.last_work_day, -3):
            return None
        p.steps = tl.steps
        return [p]
