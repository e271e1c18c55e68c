"""What is rated: one service event (a concluded case, a counter visit, a hotline ticket),
read from the app that owns it and described in one shape for the rating services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tongban.cases.models import Case, CaseEvent
from tongban.cases.states import DECIDED, CaseStatus
from tongban.hotline.models import Ticket
from tongban.hotline.states import TicketStatus

from .models import DeviceRequest, ServiceKind

CONCLUDED_CASE = frozenset(DECIDED | {CaseStatus.NOT_ACCEPTED})
CONCLUDING_ACTIONS = ("approve", "deny", "refuse")


@dataclass(frozen=True)
class ServiceEvent:
    kind: str
    ref: str
    department_id: int | None
    region_id: int | None
    region_code: str
    item_code: str
    staff_id: int | None
    person_id: int | None
    applicant_user_ids: frozenset[int]
    concluded_at: dt.datetime | None
    concluded: bool
    title: str
    online: bool


def case_event(case_no: str) -> ServiceEvent | None:
    case = (
        Case.objects.select_related("department__region", "item_version__item", "applicant")
        .filter(case_no=(case_no or "")[:32])
        .first()
    )
    if case is None:
        return None
    last = (
        CaseEvent.objects.filter(case=case, action__in=CONCLUDING_ACTIONS)
        .order_by("-seq")
        .only("actor_id", "occurred_at")
        .first()
    )
    users = {uid for uid in (case.applicant.user_id, case.agent_id) if uid}
    return ServiceEvent(
        kind=ServiceKind.CASE,
        ref=case.case_no,
        department_id=case.department_id,
        region_id=case.department.region_id,
        region_code=case.department.region.code,
        item_code=case.item_version.item.implementation_code,
        staff_id=last.actor_id if last else None,
        person_id=case.applicant_id,
        applicant_user_ids=frozenset(users),
        concluded_at=case.decided_at or (last.occurred_at if last else None),
        concluded=case.status in CONCLUDED_CASE,
        title=case.item_version.name,
        online=case.channel in ("web", "mobile"),
    )


def ticket_event(ticket_no: str) -> ServiceEvent | None:
    ticket = (
        Ticket.objects.select_related("department__region", "street")
        .filter(ticket_no=(ticket_no or "")[:32])
        .first()
    )
    if ticket is None or ticket.department_id is None:
        return None
    region = ticket.street or ticket.department.region
    return ServiceEvent(
        kind=ServiceKind.TICKET,
        ref=ticket.ticket_no,
        department_id=ticket.department_id,
        region_id=region.pk,
        region_code=region.code,
        item_code="",
        staff_id=None,
        person_id=None,
        applicant_user_ids=frozenset({ticket.caller_user_id} if ticket.caller_user_id else ()),
        concluded_at=ticket.replied_at or ticket.closed_at,
        concluded=ticket.status in (TicketStatus.REPLIED, TicketStatus.CLOSED),
        title=ticket.title,
        online=False,
    )


def visit_event(visit_ref: str) -> ServiceEvent | None:
    request = (
        DeviceRequest.objects.select_related("device__department__region")
        .filter(service_kind=ServiceKind.VISIT, service_ref=(visit_ref or "")[:40])
        .first()
    )
    if request is None:
        return None
    department = request.device.department
    return ServiceEvent(
        kind=ServiceKind.VISIT,
        ref=request.service_ref,
        department_id=department.pk,
        region_id=department.region_id,
        region_code=department.region.code,
        item_code=request.item_code,
        staff_id=request.staff_id,
        person_id=request.person_id,
        applicant_user_ids=frozenset(),
        concluded_at=request.requested_at,
        concluded=True,
        title=request.device.window,
        online=False,
    )


def resolve(kind: str, ref: str) -> ServiceEvent | None:
    if kind == ServiceKind.CASE:
        return case_event(ref)
    if kind == ServiceKind.TICKET:
        return ticket_event(ref)
    if kind == ServiceKind.VISIT:
        return visit_event(ref)
    return None


def ticket_caller_phone(ticket_no: str) -> str:
    """The caller's phone (for a rectification handler's logged view only)."""
    row = Ticket.objects.filter(ticket_no=ticket_no).values("caller_phone", "caller_name").first()
    return row["caller_phone"] if row else ""
