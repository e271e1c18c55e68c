"""Carries out a demo plan through the ticket services, each step at its moment.

The staff who act: the plan's operator for the hotline centre (dispatch, decisions, callbacks,
urging), a handler of whichever unit the ticket is dispatched to at that moment, the
supervisor for escalations; the citizen or grid worker who filed the ticket.
"""

from __future__ import annotations

from tongban.core import workdays
from tongban.core.models import Department, User
from tongban.core.permissions import Role

from .. import services
from ..models import Ticket
from ..services import merging
from ..states import TicketStatus
from . import phrases, writer

SHORT = {"yx-street-": "街道", "yx-station-": "便民服务站"}


class Runner:
    def __init__(self, planner):
        self.planner = planner
        self.rng = writer.seeded(f"{planner.rng.random()}-runner")
        self.departments = {d.code: d for d in Department.objects.all()}
        self.by_id = {d.pk: d for d in self.departments.values()}
        self.handlers: dict[int, User] = {}
        for user in (
            User.objects.filter(groups__name=Role.HANDLER, is_active=True, staff__isnull=False)
            .select_related("staff")
            .order_by("username")
        ):
            self.handlers.setdefault(user.staff.department_id, user)
        self.users = {u.username: u for u in User.objects.filter(staff__isnull=False)}
        self.citizens = {u.pk: u for u in User.objects.filter(person__isnull=False)}
        self.numbers: dict[str, str] = {}  # plan key → ticket number

    def unit_name(self, code: str | None) -> str:
        department = self.departments.get(code or "")
        if department is None:
            return "属地街道"
        return department.short_name or department.name

    def handler(self, ticket: Ticket) -> User:
        user = self.handlers.get(ticket.department_id)
        if user is None:
            raise RuntimeError(f"no demo handler for unit {ticket.department_id}")
        return user

    def run(self, plan, traveller, partner=None) -> Ticket:
        """Carry out ``plan``'s steps; with ``partner`` (the repeat merged into this plan's
        ticket) both plans' steps in time order, so the repeat is merged while its primary is
        still open and is called back after the shared reply."""
        if partner is None:
            ticket = None
            for step in plan.steps:
                traveller.move_to(step.at)
                ticket = self.do(plan, ticket, step)
            self.numbers[plan.key] = ticket.ticket_no
            return ticket
        tickets: dict[str, Ticket | None] = {plan.key: None, partner.key: None}
        steps = [(s.at, 0, i, plan, s) for i, s in enumerate(plan.steps)]
        steps += [(s.at, 1, i, partner, s) for i, s in enumerate(partner.steps)]
        for _at, _order, _i, owner, step in sorted(steps, key=lambda x: x[:3]):
            traveller.move_to(step.at)
            tickets[owner.key] = self.do(owner, tickets[owner.key], step)
            self.numbers[owner.key] = tickets[owner.key].ticket_no
        return tickets[plan.key]

    def _actor(self, plan):
        if plan.actor.startswith("op:"):
            return self.users[plan.actor[3:]]
        if plan.actor.startswith("user:"):
            return self.citizens[int(plan.actor[5:])]
        if plan.actor == "grid":
            return self.users["grid"]
        return None

    def create(self, plan) -> Ticket:
        actor = self._actor(plan)
        kw = dict(plan.create)
        if plan.actor.startswith("user:"):
            person = actor.person
            kw.update(caller_name=person.name, caller_phone=person.phone)
        elif plan.actor == "grid":
            kw["caller_name"] = f"{actor}（网格员）"
        return services.ticket_create(actor=actor, idempotency_key=plan.key, **kw)

    def do(self, plan, ticket: Ticket | None, step) -> Ticket:
        op, kw = step.op, step.kw
        rng = self.rng
        operator = self.users[plan.operator]
        if op == "create":
            return self.create(plan)
        no = ticket.ticket_no
        ticket.refresh_from_db()
        if op == "dispatch":
            if ticket.status != TicketStatus.RECEIVED:
                return ticket  # 秒派 at intake already
            return services.ticket_dispatch(
                no,
                actor=operator,
                department_code=kw["department"],
                to_locality=kw["to_locality"],
                note=kw["note"],
            )
        if op == "sign":
            return services.ticket_sign(no, actor=self.handler(ticket))
        if op == "return":
            right = plan.target[0] or (f"yx-street-{plan.street}" if plan.street else None)
            reason = kw["reason"]
            explanation = rng.choice(phrases.RETURN_EXPLANATIONS[reason]).format(
                other=self.unit_name(right)
            )
            return services.ticket_return_request(
                no,
                actor=self.handler(ticket),
                reason=reason,
                explanation=explanation,
                suggested_department_code=kw["suggested"],
            )
        if op == "return_decide":
            accept = kw["accept"]
            note = rng.choice(
                phrases.RETURN_ACCEPT_NOTES if accept else phrases.RETURN_REJECT_NOTES
            ).format(other=self.unit_name(kw["department"]))
            return services.ticket_return_decide(
                no,
                actor=operator,
                accept=accept,
                note=note,
                redispatch_department_code=kw["department"] if accept else None,
                redispatch_to_locality=bool(kw["to_locality"]) if accept else False,
            )
        if op == "extend":
            day = workdays.add_workdays(workdays.business_date(ticket.handle_due), kw["days"])
            return services.ticket_extension_request(
                no,
                actor=self.handler(ticket),
                reason=rng.choice(phrases.EXTENSION_REASONS),
                new_due=day,
            )
        if op == "extend_decide":
            approve = kw["approve"]
            notes = phrases.EXTENSION_APPROVE_NOTES if approve else phrases.EXTENSION_REFUSE_NOTES
            return services.ticket_extension_decide(
                no, actor=operator, approve=approve, note=rng.choice(notes)
            )
        if op == "reply":
            return services.ticket_reply(
                no, actor=self.handler(ticket), reply=self.reply_text(plan, ticket, kw["solved"]),
                solved=kw["solved"],
            )  # fmt: skip
        if op == "callback":
            if kw["reached"]:
                return services.ticket_callback(
                    no,
                    actor=operator,
                    reached=True,
                    satisfaction=kw["satisfaction"],
                    solved=kw["solved"],
                    note=rng.choice(phrases.CALLBACK_NOTES[kw["satisfaction"]]),
                )
            return services.ticket_callback(
                no,
                actor=operator,
                reached=False,
                note=rng.choice(phrases.CALLBACK_NOTES["unreachable"]),
            )
        if op == "reopen":
            return services.ticket_reopen(
                no, actor=operator, reason=rng.choice(phrases.REOPEN_REASONS)
            )
        if op == "urge":
            return services.ticket_urge(no, actor=operator, note=rng.choice(phrases.URGE_NOTES))
        if op == "escalate":
            return services.ticket_escalate(
                no, actor=self.users["supervisor"], reason=rng.choice(phrases.ESCALATE_REASONS)
            )
        if op == "merge":
            return self.merge(plan, ticket, operator)
        raise ValueError(op)

    def reply_text(self, plan, ticket: Ticket, solved: bool) -> str:
        unit = self.by_id[ticket.department_id]
        name = unit.short_name or unit.name
        own_words = {
            "consultation": phrases.REPLY_CONSULTATION,
            "praise": phrases.REPLY_PRAISE,
            "suggestion": phrases.REPLY_SUGGESTION,
        }.get(ticket.ticket_type)
        if own_words:
            return self.rng.choice(own_words).format(unit=name)
        action = phrases.ACTIONS.get(plan.leaf or "", "已到现场核实并处理")
        if solved:
            return self.rng.choice(phrases.REPLY_SOLVED).format(unit=name, action=action)
        short = action.split("，")[0]
        return self.rng.choice(phrases.REPLY_UNSOLVED).format(unit=name, action_short=short)

    def merge(self, plan, ticket: Ticket, operator) -> Ticket:
        """并单 through ``merge_confirm`` (the events, the primary's MERGED_IN and the suggestion
        recorded as for an operator); the primary is still being handled at that moment (see
        ``run``)."""
        into = self.numbers.get(plan.merge_into) or (
            Ticket.objects.values_list("ticket_no", flat=True).get(idempotency_key=plan.merge_into)
        )
        note = self.rng.choice(phrases.MERGE_NOTES)
        return merging.merge_confirm(
            actor=operator,
            ticket_no=ticket.ticket_no,
            into_no=into,
            override_street=True,  # the demo's repeat is of the same place: never needed
            reason=note,
        )
