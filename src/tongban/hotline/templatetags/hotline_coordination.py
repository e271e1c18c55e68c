"""The joint (联动) and merge (并单) panels of the console's ticket page:
``{% coordination_panels ticket %}``."""

from __future__ import annotations

from django import template

from tongban.core.permissions import Perm, has_perm

from .. import access, coordination
from ..models import AssignmentStatus
from ..services import merging
from ..states import JOINT_STATES
from ..states import TicketStatus as S

register = template.Library()


@register.inclusion_tag("hotline/console_part_coordination.html", takes_context=True)
def coordination_panels(context, ticket) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    centre = has_perm(user, Perm.TICKET_DISPATCH) or has_perm(user, Perm.TICKET_ARBITRATE)
    dispatcher = has_perm(user, Perm.TICKET_DISPATCH)
    joint = coordination.joint_view(ticket)
    dept = access.department_id_of(user) if access.is_handler(user) else None
    mine = None
    if joint is not None and dept is not None:
        mine = next((r for r in joint.co if r.assignment.department_id == dept), None)
    co_open = ticket.status in JOINT_STATES and mine is not None and mine.reply is None
    merge = coordination.merge_view(ticket)
    candidates = []
    if dispatcher and ticket.status in merging.MERGEABLE_STATES and not ticket.merged_into_id:
        seen = {s.target_id for s in merge.suggestions}
        live = [c for c in merging.merge_candidates_for(ticket) if c.ticket_id not in seen]
        candidates = [
            {
                "no": s.target.ticket_no,
                "title": s.target.title,
                "street": s.target.street,
                "rule": s.get_rule_display(),
                "score": s.score,
                "differ": bool(
                    ticket.street_id
                    and s.target.street_id
                    and ticket.street_id != s.target.street_id
                ),
            }
            for s in merge.suggestions
        ]
        if live:
            by_id = coordination.tickets_by_id([c.ticket_id for c in live])
            for c in live:
                t = by_id[c.ticket_id]
                candidates.append(
                    {
                        "no": t.ticket_no,
                        "title": t.title,
                        "street": t.street,
                        "rule": coordination.rule_label(c.rule),
                        "score": c.score,
                        "differ": bool(
                            ticket.street_id and t.street_id and ticket.street_id != t.street_id
                        ),
                    }
                )
    pending_callback = (
        ticket.status == S.MERGED
        and has_perm(user, Perm.TICKET_CALLBACK)
        and ticket.callbacks.filter(status="pending").exists()
    )
    is_lead = joint is not None and joint.lead is not None and dept == joint.lead.department_id
    waiting = joint.waiting if joint is not None and ticket.status in JOINT_STATES else []
    can_release = bool(waiting) and (centre or (is_lead and any(r.overdue for r in waiting)))
    return {
        "ticket": ticket,
        "joint": joint,
        "can_release": can_release,
        "can_joint": centre
        and ticket.status in (S.RECEIVED, S.DISPATCHED, S.HANDLING)
        and not ticket.merged_into_id,
        "can_meet": has_perm(user, Perm.TICKET_ARBITRATE)
        and joint is not None
        and bool(joint.co)
        and ticket.status in JOINT_STATES,
        "my_co": mine if co_open else None,
        "co_sign": co_open and mine.assignment.status == AssignmentStatus.PENDING,
        "is_lead": is_lead,
        "merge": merge,
        "candidates": candidates,
        "can_merge": dispatcher
        and ticket.status in merging.MERGEABLE_STATES
        and not ticket.merged_into_id,
        "can_split": dispatcher and ticket.status == S.MERGED,
        "pending_callback": pending_callback,
    }
