"""Joint tickets (联动 / 直通联办) end to end: the centre fixes a lead and co-handlers, the
co-handlers sign and reply within their own limits (one late), the lead sees their replies and
writes the final reply; the coordination meeting; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core import workdays
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.events import chain_verify
from tongban.core.models import StaffNotice
from tongban.hotline import services
from tongban.hotline.models import (
    AssignmentRole,
    AssignmentStatus,
    CoordinationMeeting,
    CoReply,
    Ticket,
    TicketAssignment,
    TicketEvent,
)
from tongban.hotline.services import joint
from tongban.hotline.services.common import TicketRefused

from .factories import dispatched_ticket, fresh, new_ticket

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _tuesday(at):
    at("2026-06-02 10:00")


def _snapshot(ticket: Ticket):
    t = fresh(ticket)
    return (
        t.status,
        t.version,
        t.department_id,
        TicketEvent.objects.filter(ticket=t).count(),
        TicketAssignment.objects.filter(ticket=t).count(),
        CoReply.objects.filter(ticket=t).count(),
        CoordinationMeeting.objects.filter(ticket=t).count(),
    )


def _joint(operator, **kw):
    ticket = new_ticket(operator)
    return joint.ticket_joint_dispatch(
        ticket.ticket_no,
        actor=operator,
        lead_code=kw.get("lead", "cgj"),
        co_codes=kw.get("co", ["zjj", "yx-street-330199001"]),
        note="职责交叉，由城管局主办",
    )


def test_joint_ticket_end_to_end_with_a_late_co_handler(
    at, world, operator, handler, zjj_handler, street_handler
):
    ticket = _joint(operator)
    assert ticket.status == "dispatched"
    assert ticket.department == world.cgj
    rows = {a.department.code: a for a in TicketAssignment.objects.filter(ticket=ticket)}
    assert set(rows) == {"cgj", "zjj", world.yunxi_unit.code}
    assert rows["cgj"].role == AssignmentRole.LEAD
    co_due = min(workdays.deadline(dt.datetime(2026, 6, 2, 10, tzinfo=SH), 3), ticket.handle_due)
    assert co_due == workdays.deadline(dt.date(2026, 6, 2), 3)
    for code in ("zjj", world.yunxi_unit.code):
        assert rows[code].role == AssignmentRole.CO
        assert rows[code].handle_due == co_due
        assert rows[code].handle_due <= ticket.handle_due
    # the co-handlers are told
    assert StaffNotice.objects.filter(user=zjj_handler, title="联动工单").count() == 1

    services.ticket_sign(ticket.ticket_no, actor=handler)
    joint.ticket_co_sign(ticket.ticket_no, actor=zjj_handler)
    joint.ticket_co_reply(ticket.ticket_no, actor=zjj_handler, content="排水管网已疏通。")
    may, waiting = joint.lead_may_reply(fresh(ticket))
    assert (may, waiting) == (False, [world.yunxi_unit.name])

    # the lead's final reply waits for every co-handler, even one past its own limit
    refused_before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as exc:
        services.ticket_reply(ticket.ticket_no, actor=handler, reply="已处理。", solved=True)
    assert exc.value.code == "joint_co_pending"
    assert exc.value.field == "reply"
    assert world.yunxi_unit.name in str(exc.value.message)
    assert _snapshot(ticket) == refused_before

    # the street replies after its own limit: recorded as late, the lead is told
    at("2026-06-09 09:00")
    assert joint.lead_may_reply(fresh(ticket)) == (False, [world.yunxi_unit.name])
    joint.ticket_co_reply(ticket.ticket_no, actor=street_handler, content="已组织社区劝导。")
    replies = {r.assignment.department.code: r for r in CoReply.objects.filter(ticket=ticket)}
    assert replies["zjj"].late is False
    assert replies[world.yunxi_unit.code].late is True
    assert replies[world.yunxi_unit.code].content == "已组织社区劝导。"
    assert StaffNotice.objects.filter(user=handler, title="联动工单").count() == 2

    done = services.ticket_reply(
        ticket.ticket_no,
        actor=handler,
        reply="经城管、住建、街道联合处置，积水已消除。",
        solved=True,
    )
    assert done.status == "replied"
    actions = list(
        TicketEvent.objects.filter(ticket=ticket).order_by("seq").values_list("action", flat=True)
    )
    assert actions == [
        "create",
        "joint_dispatch",
        "sign",
        "co_sign",
        "co_reply",
        "co_reply",
        "reply",
    ]
    late = TicketEvent.objects.filter(ticket=ticket, action="co_reply").order_by("seq")
    assert [e.payload["late"] for e in late] == [False, True]
    assert chain_verify([TicketEvent]).problems == []


def test_a_joint_ticket_without_a_lead_is_refused_and_nothing_changes(operator):
    ticket = new_ticket(operator)
    before = _snapshot(ticket)
    with pytest.raises(ValidationFailed) as exc:
        joint.ticket_joint_dispatch(
            ticket.ticket_no, actor=operator, lead_code="", co_codes=["zjj", "cgj"]
        )
    assert exc.value.code == "joint_lead_required"
    assert exc.value.field == "lead_code"
    assert "主办单位" in str(exc.value.message)
    assert _snapshot(ticket) == before


@pytest.mark.parametrize(
    ("lead", "co", "code"),
    [("cgj", [], "joint_co_required"), ("cgj", ["cgj"], "joint_co_required")],
    ids=["no-co-handler", "lead-is-co"],
)
def test_bad_joint_dispatch_is_refused(operator, lead, co, code):
    ticket = new_ticket(operator)
    before = _snapshot(ticket)
    with pytest.raises(ValidationFailed) as exc:
        joint.ticket_joint_dispatch(ticket.ticket_no, actor=operator, lead_code=lead, co_codes=co)
    assert exc.value.code == code
    assert _snapshot(ticket) == before


def test_only_the_centre_fixes_a_joint_ticket(operator, handler):
    ticket = new_ticket(operator)
    before = _snapshot(ticket)
    with pytest.raises(PermissionDenied):
        joint.ticket_joint_dispatch(
            ticket.ticket_no, actor=handler, lead_code="cgj", co_codes=["zjj"]
        )
    assert _snapshot(ticket) == before


def test_co_handlers_added_to_a_dispatched_ticket_keep_the_lead(operator, world, handler):
    ticket = dispatched_ticket(operator)
    services.ticket_sign(ticket.ticket_no, actor=handler)
    done = joint.ticket_joint_dispatch(
        ticket.ticket_no, actor=operator, lead_code="cgj", co_codes=["zjj"]
    )
    assert done.status == "handling"
    assert [a.department.code for a in joint.co_assignments(done)] == ["zjj"]
    # another lead is refused: the lead changes only through a return
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as exc:
        joint.ticket_joint_dispatch(
            ticket.ticket_no, actor=operator, lead_code="zjj", co_codes=[world.yunxi_unit.code]
        )
    assert exc.value.code == "joint_lead_required"
    assert _snapshot(ticket) == before


def test_only_a_co_handler_signs_and_replies_and_only_once(operator, handler, zjj_handler):
    ticket = _joint(operator, co=["zjj"])
    before = _snapshot(ticket)
    with pytest.raises(PermissionDenied):
        joint.ticket_co_sign(ticket.ticket_no, actor=handler)  # the lead is not a co-handler
    with pytest.raises(ValidationFailed):
        joint.ticket_co_reply(ticket.ticket_no, actor=zjj_handler, content="  ")
    assert _snapshot(ticket) == before
    joint.ticket_co_reply(ticket.ticket_no, actor=zjj_handler, content="已处理")
    row = TicketAssignment.objects.get(ticket=ticket, department__code="zjj")
    assert row.status == AssignmentStatus.REPLIED
    assert row.signed_at is not None  # replying signs for it
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused):
        joint.ticket_co_reply(ticket.ticket_no, actor=zjj_handler, content="再答一次")
    assert _snapshot(ticket) == before


def test_coordination_meeting_is_recorded_on_an_unresolved_joint_ticket(
    at, operator, world, zjj_handler
):
    ticket = _joint(operator)
    at("2026-06-10 15:00")
    meeting = joint.coordination_meeting_record(
        ticket.ticket_no,
        actor=operator,
        held_on="2026-06-10",
        participant_codes=["cgj", "zjj", world.yunxi_unit.code],
        other_participants="区政府办 李主任",
        decision="由城管局牵头，住建局 3 日内完成管网改造方案。",
        follow_up="城管局 6 月 17 日前书面答复来电人。",
        follow_up_due="2026-06-17",
    )
    assert meeting.held_on == dt.date(2026, 6, 10)
    assert meeting.follow_up_due == dt.date(2026, 6, 17)
    assert sorted(meeting.participants.values_list("code", flat=True)) == sorted(
        ["cgj", "zjj", world.yunxi_unit.code]
    )
    event = TicketEvent.objects.filter(ticket=ticket).order_by("-seq").first()
    assert (event.action, event.from_state, event.to_state) == (
        "coordinate",
        "dispatched",
        "dispatched",
    )
    assert event.payload["follow_up_due"] == "2026-06-17"
    assert StaffNotice.objects.filter(user=zjj_handler, title="联动工单").count() == 2


@pytest.mark.parametrize(
    ("held_on", "due", "field"),
    [
        ("2026-06-11", None, "held_on"),
        ("2026-06-01", None, "held_on"),
        ("2026-06-02", "2026-06-01", "follow_up_due"),
    ],
    ids=["future", "before-dispatch", "due-before-meeting"],
)
def test_bad_meeting_dates_are_refused(operator, held_on, due, field):
    ticket = _joint(operator)
    before = _snapshot(ticket)
    with pytest.raises(ValidationFailed) as exc:
        joint.coordination_meeting_record(
            ticket.ticket_no,
            actor=operator,
            held_on=held_on,
            participant_codes=["cgj"],
            decision="决定",
            follow_up="落实",
            follow_up_due=due,
        )
    assert exc.value.field == field
    assert _snapshot(ticket) == before


def test_a_meeting_needs_a_joint_ticket_and_the_centre(operator, handler):
    ticket = dispatched_ticket(operator)
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as exc:
        joint.coordination_meeting_record(
            ticket.ticket_no,
            actor=operator,
            held_on="2026-06-02",
            participant_codes=["cgj"],
            decision="决定",
            follow_up="落实",
        )
    assert exc.value.code == "not_joint"
    with pytest.raises(PermissionDenied):
        joint.coordination_meeting_record(
            ticket.ticket_no,
            actor=handler,
            held_on="2026-06-02",
            participant_codes=["cgj"],
            decision="决定",
            follow_up="落实",
        )
    assert _snapshot(ticket) == before
