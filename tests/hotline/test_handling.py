"""Every handler and centre action and its refusals: dispatch, sign, return (window, reasons,
防推诿, the centre's designation), the return decision, extension, reply, callback, reopen,
escalation and urging. A refused action changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.events import chain_verify
from tongban.core.models import Notification, StaffNotice
from tongban.core.permissions import Role
from tongban.hotline import services
from tongban.hotline.dispatch import DispatchRefused
from tongban.hotline.models import (
    Callback,
    Ticket,
    TicketAssignment,
    TicketEvent,
    TicketExtension,
    TicketReturn,
)
from tongban.hotline.services.common import TicketRefused
from tongban.hotline.states import TicketTransitionRefused

from .factories import (
    dispatched_ticket,
    fresh,
    new_ticket,
    replied_ticket,
    signed_ticket,
    staff,
)

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def _snapshot(ticket: Ticket):
    t = fresh(ticket)
    return (
        t.status,
        t.version,
        t.department_id,
        t.handle_due,
        TicketEvent.objects.filter(ticket=t).count(),
        TicketAssignment.objects.filter(ticket=t).count(),
        TicketReturn.objects.filter(assignment__ticket=t).count(),
        TicketExtension.objects.filter(assignment__ticket=t).count(),
    )


def _unchanged(ticket, before):
    assert _snapshot(ticket) == before


@pytest.fixture(autouse=True)
def _tuesday(at):
    at("2026-06-02 10:00")


# ------------------------------------------------------------------ dispatch


def test_dispatch_by_the_catalogue_and_the_limits(world, operator):
    ticket = services.ticket_dispatch(new_ticket(operator).ticket_no, actor=operator)
    assert (ticket.status, ticket.department, ticket.dispatch_count) == ("dispatched", world.cgj, 1)
    # complaint: sign within 1 working day, reply within 13 (Tue 2 June → Fri 19 June)
    assert ticket.sign_due == dt.datetime(2026, 6, 3, 23, 59, 59, 999999, tzinfo=SH)
    assert ticket.handle_due == dt.datetime(2026, 6, 22, 23, 59, 59, 999999, tzinfo=SH)
    [assignment] = TicketAssignment.objects.filter(ticket=ticket)
    assert (assignment.department, assignment.role, assignment.round) == (world.cgj, "lead", 1)
    assert assignment.return_due == dt.datetime(2026, 6, 3, 23, 59, 59, 999999, tzinfo=SH)
    event = TicketEvent.objects.get(ticket=ticket, action="dispatch")
    assert event.payload["department"] == "cgj"
    assert event.payload["limit"] == "投诉：1 个工作日内签收、13 个工作日内答复"


def test_dispatch_to_the_locality_and_to_both(world, operator):
    noise = new_ticket(
        operator, subject_code="05.01.01", title="广场舞噪音", content="晚上广场舞太吵"
    )
    t = services.ticket_dispatch(noise.ticket_no, actor=operator, to_locality=True)
    assert t.department == world.yunxi_unit
    water = new_ticket(operator, subject_code="07.01.01", title="停水", content="小区停水两天")
    t = services.ticket_dispatch(
        water.ticket_no, actor=operator, department_code="zjj", to_locality=True
    )
    rows = list(
        TicketAssignment.objects.filter(ticket=t)
        .order_by("id")
        .values_list("department__code", "role")
    )
    assert rows == [("zjj", "lead"), ("yx-street-330199001", "co")]


def test_a_departments_matter_may_not_go_down_to_a_street(world, operator):
    ticket = new_ticket(operator)  # 道路积水: owner level department (城管局)
    before = _snapshot(ticket)
    for kwargs in ({"to_locality": True}, {"department_code": "yx-street-330199001"}):
        with pytest.raises(DispatchRefused) as exc:
            services.ticket_dispatch(ticket.ticket_no, actor=operator, **kwargs)
        assert exc.value.code == "level_not_allowed"
        assert exc.value.message.startswith(
            "“道路积水”按派单目录属于职能部门职责，不得派至街道（镇）或社区（村）"
        )
    _unchanged(ticket, before)


def test_dispatch_refusals(world, operator, handler):
    ticket = new_ticket(operator, address="火星大道 1 号", subject_code="05.01.01")
    before = _snapshot(ticket)
    with pytest.raises(DispatchRefused) as exc:
        services.ticket_dispatch(ticket.ticket_no, actor=operator, department_code="nope")
    assert exc.value.message == "承办单位：没有编码为“nope”的在用单位。"
    with pytest.raises(DispatchRefused) as exc:
        services.ticket_dispatch(ticket.ticket_no, actor=operator, department_code="rx12345")
    assert exc.value.code == "dispatch_target"
    with pytest.raises(DispatchRefused) as exc:  # no street known for a locality matter
        services.ticket_dispatch(ticket.ticket_no, actor=operator)
    assert exc.value.code in ("dispatch_target", "no_dispatch_match")
    with pytest.raises(PermissionDenied):
        services.ticket_dispatch(ticket.ticket_no, actor=handler, department_code="cgj")
    _unchanged(ticket, before)


def test_a_stale_version_is_refused(world, operator):
    ticket = new_ticket(operator)
    with pytest.raises(Exception) as exc:
        services.ticket_dispatch(
            ticket.ticket_no, actor=operator, expected_version=ticket.version + 1
        )
    assert exc.value.code == "stale"
    assert exc.value.message.startswith("该工单已被其他人处理，请刷新后查看。（最近一次由 ")


# ------------------------------------------------------------------ sign


def test_sign_by_the_unit_only(world, operator, handler, zjj_handler, street_handler):
    ticket = dispatched_ticket(operator)
    before = _snapshot(ticket)
    for outsider in (zjj_handler, street_handler, operator):
        with pytest.raises(PermissionDenied) as exc:
            services.ticket_sign(ticket.ticket_no, actor=outsider)
        assert exc.value.message == "只有该工单当前承办单位的工作人员可以签收此工单。"
    _unchanged(ticket, before)
    signed = services.ticket_sign(ticket.ticket_no, actor=handler)
    assert (signed.status, signed.signed_at is not None) == ("handling", True)
    assignment = TicketAssignment.objects.get(ticket=ticket)
    assert (assignment.status, assignment.signed_by) == ("signed", handler)
    with pytest.raises(TicketTransitionRefused) as exc:
        services.ticket_sign(ticket.ticket_no, actor=handler)
    assert "工单当前为“办理中" in exc.value.message and "“签收”" in exc.value.message


# ------------------------------------------------------------------ returns


def test_return_needs_a_listed_reason_and_an_explanation(world, operator, handler):
    ticket = dispatched_ticket(operator)
    before = _snapshot(ticket)
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_return_request(
            ticket.ticket_no, actor=handler, reason="", explanation="不是我们的"
        )
    assert exc.value.field == "reason"
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_return_request(
            ticket.ticket_no, actor=handler, reason="lazy", explanation="x"
        )
    assert exc.value.field == "reason"
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_return_request(
            ticket.ticket_no, actor=handler, reason="not_our_duty", explanation=" "
        )
    assert (exc.value.field, exc.value.message) == ("explanation", "退单说明：请填写。")
    _unchanged(ticket, before)


def test_return_only_within_one_working_day_of_dispatch(world, operator, handler, at):
    at("2026-09-30 10:00")  # Wednesday before National Day
    ticket = dispatched_ticket(operator)
    # the window ends with the next working day: Thursday 8 October, after the holiday
    at("2026-10-08 23:00")
    services.ticket_return_request(
        ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="属于住建局职责"
    )
    assert fresh(ticket).status == "return_requested"
    at("2026-09-30 10:00")
    late = dispatched_ticket(operator)
    at("2026-10-09 00:01")
    before = _snapshot(late)
    with pytest.raises(TicketRefused) as exc:
        services.ticket_return_request(
            late.ticket_no, actor=handler, reason="not_our_duty", explanation="属于住建局职责"
        )
    assert exc.value.code == "return_too_late"
    assert exc.value.message.startswith("已超过退单期限（2026-10-08 23:59")
    _unchanged(late, before)


def _return(ticket, handler, operator, *, accept: bool, redispatch: str | None = None):
    services.ticket_return_request(
        ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="不属于本单位职责"
    )
    return services.ticket_return_decide(
        ticket.ticket_no,
        actor=operator,
        accept=accept,
        note="" if accept else "属于贵单位职责，请办理",
        redispatch_department_code=redispatch,
    )


def test_an_accepted_return_redispatches_and_keeps_the_history(world, operator, handler):
    ticket = dispatched_ticket(operator)
    t = _return(ticket, handler, operator, accept=True, redispatch="zjj")
    assert (t.status, t.department, t.dispatch_count) == ("dispatched", world.zjj, 2)
    rows = list(
        TicketAssignment.objects.filter(ticket=t)
        .order_by("id")
        .values_list("department__code", "status", "round")
    )
    assert rows == [("cgj", "returned", 1), ("zjj", "pending", 2)]
    actions = list(
        TicketEvent.objects.filter(ticket=t).order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["create", "dispatch", "request_return", "accept_return", "dispatch"]
    assert TicketReturn.objects.get().decision == "approved"
    assert chain_verify().ok


def test_an_accepted_return_without_a_new_unit_waits_for_the_dispatcher(world, operator, handler):
    t = _return(dispatched_ticket(operator), handler, operator, accept=True)
    assert (t.status, t.department, t.handle_due) == ("received", None, None)


def test_a_rejected_return_goes_back_to_the_unit(world, operator, handler):
    ticket = dispatched_ticket(operator)
    services.ticket_return_request(
        ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="x"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_return_decide(ticket.ticket_no, actor=operator, accept=False, note="")
    assert exc.value.field == "note"
    with pytest.raises(PermissionDenied):
        services.ticket_return_decide(ticket.ticket_no, actor=handler, accept=True, note="")
    t = services.ticket_return_decide(
        ticket.ticket_no, actor=operator, accept=False, note="属于贵单位职责"
    )
    assert (t.status, t.department) == ("dispatched", world.cgj)
    assert TicketAssignment.objects.get(ticket=t).status == "pending"
    assert TicketReturn.objects.get().decision == "refused"


def test_a_unit_that_returned_a_ticket_twice_cannot_return_it_again(world, operator, handler):
    ticket = dispatched_ticket(operator)
    _return(ticket, handler, operator, accept=False)
    _return(ticket, handler, operator, accept=False)
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as exc:
        services.ticket_return_request(
            ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="x"
        )
    assert exc.value.code == "return_limit"
    assert exc.value.message == (
        "贵单位已退回该工单 2 次，不能再次退单（防推诿）。如仍有异议，请报热线中心仲裁，由中心指定承办单位。"
    )
    _unchanged(ticket, before)


def test_three_dispatches_without_an_owner_make_the_next_one_the_centres_decision(
    world, operator, handler, zjj_handler, street_handler
):
    ticket = new_ticket(operator, subject_code="05.01.01", title="噪音", content="夜间施工噪音")
    services.ticket_dispatch(ticket.ticket_no, actor=operator, department_code="cgj")
    _return(ticket, handler, operator, accept=True, redispatch="zjj")
    _return(ticket, zjj_handler, operator, accept=True, redispatch="yx-street-330199001")
    t = _return(ticket, street_handler, operator, accept=True)
    assert (t.status, t.dispatch_count, t.assigned_by_centre) == ("received", 3, False)
    t = services.ticket_dispatch(
        ticket.ticket_no, actor=operator, department_code="cgj", note="中心指定"
    )
    assert (t.assigned_by_centre, t.dispatch_count) == (True, 4)
    lead = TicketAssignment.objects.filter(ticket=t).order_by("-id").first()
    assert lead.by_centre_decision is True
    assert (
        TicketEvent.objects.filter(ticket=t, action="dispatch").last().payload["by_centre"] is True
    )
    before = _snapshot(t)
    with pytest.raises(TicketRefused) as exc:
        services.ticket_return_request(
            ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="x"
        )
    assert exc.value.code == "assigned_by_centre"
    assert exc.value.message == "该工单由热线中心指定贵单位承办，不能退单，请按期办理。"
    _unchanged(t, before)


# ------------------------------------------------------------------ extensions


def test_extension_request_and_approval(world, operator, handler, supervisor_h):
    ticket = signed_ticket(operator, handler)  # due Mon 22 June end of day
    t = services.ticket_extension_request(
        ticket.ticket_no, actor=handler, reason="需协调多个部门", new_due="2026-06-30"
    )
    assert TicketExtension.objects.get().decision == "pending"
    with pytest.raises(TicketRefused) as exc:
        services.ticket_extension_request(
            ticket.ticket_no, actor=handler, reason="再延", new_due="2026-07-01"
        )
    assert exc.value.code == "extension_pending"
    with pytest.raises(PermissionDenied):
        services.ticket_extension_decide(ticket.ticket_no, actor=handler, approve=True, note="")
    with pytest.raises(PermissionDenied):
        services.ticket_extension_decide(
            ticket.ticket_no, actor=supervisor_h, approve=True, note=""
        )
    t = services.ticket_extension_decide(
        ticket.ticket_no, actor=operator, approve=True, note="同意"
    )
    assert t.handle_due == dt.datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=SH)
    assert t.extended_from == dt.datetime(2026, 6, 22, 23, 59, 59, 999999, tzinfo=SH)
    assert TicketAssignment.objects.get(ticket=t).handle_due == t.handle_due
    actions = list(
        TicketEvent.objects.filter(ticket=t).order_by("seq").values_list("action", flat=True)
    )
    assert actions[-2:] == ["request_extension", "approve_extension"]


def test_extension_at_most_the_maximum_beyond_the_current_due(world, operator, handler):
    ticket = signed_ticket(operator, handler)  # due Mon 22 June; +10 working days = Mon 6 July
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as exc:
        services.ticket_extension_request(
            ticket.ticket_no, actor=handler, reason="复杂", new_due="2026-07-07"
        )
    assert exc.value.code == "extension_too_long"
    assert exc.value.message == "延期至：最多可延长 10 个工作日，即不晚于 2026-07-06 23:59。"
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_extension_request(
            ticket.ticket_no, actor=handler, reason="复杂", new_due="2026-06-10"
        )
    assert exc.value.field == "new_due"
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_extension_request(
            ticket.ticket_no, actor=handler, reason="", new_due="2026-06-30"
        )
    assert exc.value.field == "reason"
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_extension_request(
            ticket.ticket_no, actor=handler, reason="复杂", new_due="30/06/2026"
        )
    assert exc.value.field == "new_due"
    _unchanged(ticket, before)


def test_extension_must_be_asked_before_the_limit(world, operator, handler, at):
    ticket = signed_ticket(operator, handler)
    at("2026-06-23 09:00")
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as exc:
        services.ticket_extension_request(
            ticket.ticket_no, actor=handler, reason="来不及", new_due="2026-06-30"
        )
    assert exc.value.code == "extension_too_late"
    _unchanged(ticket, before)


def test_a_refused_extension_needs_a_reason_and_keeps_the_due(world, operator, handler):
    ticket = signed_ticket(operator, handler)
    services.ticket_extension_request(
        ticket.ticket_no, actor=handler, reason="复杂", new_due="2026-07-06"
    )
    with pytest.raises(ValidationFailed):
        services.ticket_extension_decide(ticket.ticket_no, actor=operator, approve=False, note="")
    t = services.ticket_extension_decide(
        ticket.ticket_no, actor=operator, approve=False, note="理由不充分"
    )
    assert (t.handle_due, t.extended_from) == (fresh(ticket).handle_due, None)
    assert TicketExtension.objects.get().decision == "refused"
    with pytest.raises(TicketRefused) as exc:
        services.ticket_extension_decide(ticket.ticket_no, actor=operator, approve=True, note="")
    assert exc.value.code == "nothing_pending"


# ------------------------------------------------------------------ reply and callback


def test_reply_creates_a_callback_due_the_next_working_day(world, operator, handler, at):
    at("2026-09-30 10:00")
    ticket = signed_ticket(operator, handler)
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_reply(ticket.ticket_no, actor=handler, reply="", solved=True)
    assert exc.value.field == "reply"
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_reply(ticket.ticket_no, actor=handler, reply="已处理", solved=None)
    assert exc.value.field == "solved"
    t = services.ticket_reply(ticket.ticket_no, actor=handler, reply="已处理", solved=True)
    assert (t.status, t.reply, t.solved) == ("replied", "已处理", True)
    callback = Callback.objects.get(ticket=t)
    assert (callback.status, callback.due) == (
        "pending",
        dt.datetime(2026, 10, 8, 23, 59, 59, 999999, tzinfo=SH),
    )


def test_callback_records_satisfaction_and_closes(world, operator, handler, supervisor_h):
    ticket = replied_ticket(operator, handler)
    with pytest.raises(PermissionDenied):
        services.ticket_callback(
            ticket.ticket_no, actor=handler, reached=True, satisfaction="satisfied", solved=True
        )
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_callback(
            ticket.ticket_no, actor=operator, reached=True, satisfaction="meh", solved=True
        )
    assert exc.value.field == "satisfaction"
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_callback(
            ticket.ticket_no, actor=operator, reached=True, satisfaction="basic"
        )
    assert exc.value.field == "solved"
    t = services.ticket_callback(
        ticket.ticket_no,
        actor=operator,
        reached=True,
        satisfaction="basic",
        solved=True,
        note="基本满意",
    )
    assert (t.status, t.satisfaction) == ("closed", "basic")
    callback = Callback.objects.get(ticket=t)
    assert (callback.status, callback.satisfaction, callback.solved, callback.done_by) == (
        "done",
        "basic",
        True,
        operator,
    )


def test_an_unreachable_caller_is_tried_three_times(world, operator, handler):
    ticket = replied_ticket(operator, handler)
    t = services.ticket_callback(ticket.ticket_no, actor=operator, reached=False)
    t = services.ticket_callback(ticket.ticket_no, actor=operator, reached=False)
    assert t.status == "replied"
    assert Callback.objects.get(ticket=t).attempts == 2
    t = services.ticket_callback(ticket.ticket_no, actor=operator, reached=False)
    assert (t.status, t.satisfaction) == ("closed", "")
    callback = Callback.objects.get(ticket=t)
    assert (callback.status, callback.attempts) == ("unreachable", 3)
    actions = list(
        TicketEvent.objects.filter(ticket=t).order_by("seq").values_list("action", flat=True)
    )
    assert actions[-3:] == ["note", "note", "callback"]


def test_dissatisfied_reopens_to_the_same_or_another_unit_and_third_reopen_escalates(
    world, operator, handler, zjj_handler
):
    ticket = replied_ticket(operator, handler)
    services.ticket_callback(
        ticket.ticket_no, actor=operator, reached=True, satisfaction="dissatisfied", solved=False
    )
    with pytest.raises(PermissionDenied):
        services.ticket_reopen(ticket.ticket_no, actor=handler, reason="不满意")
    with pytest.raises(ValidationFailed):
        services.ticket_reopen(ticket.ticket_no, actor=operator, reason="")
    t = services.ticket_reopen(ticket.ticket_no, actor=operator, reason="群众不满意，积水仍在")
    assert (t.status, t.department, t.reopen_count, t.escalated) == (
        "dispatched",
        world.cgj,
        1,
        False,
    )
    assert t.satisfaction == ""
    services.ticket_sign(t.ticket_no, actor=handler)
    services.ticket_reply(t.ticket_no, actor=handler, reply="再次处理", solved=True)
    t = services.ticket_reopen(
        ticket.ticket_no, actor=operator, reason="答复不到位", department_code="zjj"
    )
    assert (t.department, t.reopen_count) == (world.zjj, 2)
    services.ticket_sign(t.ticket_no, actor=zjj_handler)
    services.ticket_reply(t.ticket_no, actor=zjj_handler, reply="处理", solved=False)
    t = services.ticket_reopen(
        ticket.ticket_no, actor=operator, reason="仍未解决", department_code="cgj"
    )
    assert (t.reopen_count, t.escalated) == (3, True)
    escalate = TicketEvent.objects.filter(ticket=t).order_by("seq").last()
    assert (escalate.action, escalate.reason) == ("escalate", "重办 3 次，按规则提级督办")
    assert TicketAssignment.objects.filter(ticket=t).count() == 4
    assert chain_verify().ok


def test_a_satisfied_closed_ticket_cannot_be_reopened(world, operator, handler):
    ticket = replied_ticket(operator, handler)
    services.ticket_callback(
        ticket.ticket_no, actor=operator, reached=True, satisfaction="satisfied", solved=True
    )
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as exc:
        services.ticket_reopen(ticket.ticket_no, actor=operator, reason="再看看")
    assert exc.value.code == "reopen_not_allowed"
    _unchanged(ticket, before)


def test_a_ticket_closed_at_intake_cannot_be_reopened(world, operator):
    ticket = new_ticket(
        operator, ticket_type="consultation", triage="direct_answer", triage_note="已解答"
    )
    with pytest.raises(TicketRefused) as exc:
        services.ticket_reopen(ticket.ticket_no, actor=operator, reason="x")
    assert exc.value.message == "受理时已办结的工单没有承办单位，不能重办。"
    assert fresh(ticket).reopen_count == 0


# ------------------------------------------------------------------ urge, escalate


def test_urge_notifies_the_unit(world, operator, handler, zjj_handler):
    head = staff(Role.DEPARTMENT_HEAD, handler.staff.department, "head_unit")
    ticket = dispatched_ticket(operator)
    with pytest.raises(PermissionDenied):
        services.ticket_urge(ticket.ticket_no, actor=zjj_handler, note="快")
    t = services.ticket_urge(ticket.ticket_no, actor=operator, note="群众再次来电")
    assert t.status == "dispatched"
    notices = list(StaffNotice.objects.order_by("user_id"))
    assert {n.user for n in notices} == {handler, head}  # not 住建局's handler
    assert {n.title for n in notices} == {"工单催办"}
    assert all(ticket.ticket_no in n.body and "群众再次来电" in n.body for n in notices)
    assert notices[0].link == f"/console/hotline/tickets/{ticket.ticket_no}/"
    assert Notification.objects.count() == 0
    assert TicketEvent.objects.filter(ticket=t, action="urge").count() == 1


def test_escalate_by_the_centre_or_a_supervisor_once(world, operator, handler, supervisor_h):
    ticket = dispatched_ticket(operator)
    with pytest.raises(PermissionDenied):
        services.ticket_escalate(ticket.ticket_no, actor=handler, reason="x")
    with pytest.raises(ValidationFailed):
        services.ticket_escalate(ticket.ticket_no, actor=supervisor_h, reason="")
    t = services.ticket_escalate(ticket.ticket_no, actor=supervisor_h, reason="多次投诉")
    assert t.escalated is True
    with pytest.raises(TicketRefused) as exc:
        services.ticket_escalate(ticket.ticket_no, actor=operator, reason="再督办")
    assert exc.value.code == "already_escalated"


def test_three_units_and_no_lead_escalate(world, operator):
    from tongban.hotline.services.dispatching import escalate_if_needed

    ticket = dispatched_ticket(operator)
    TicketAssignment.objects.filter(ticket=ticket).update(role="co")
    lead = TicketAssignment.objects.get(ticket=ticket)
    for unit in (world.zjj, world.yunxi_unit):
        TicketAssignment.objects.create(
            ticket=ticket,
            department=unit,
            role="co",
            dispatched_at=lead.dispatched_at,
            sign_due=lead.sign_due,
            return_due=lead.return_due,
            handle_due=lead.handle_due,
        )
    t = escalate_if_needed(fresh(ticket))
    assert t.escalated is True
    assert TicketEvent.objects.filter(ticket=t, action="escalate").get().reason == (
        "3 个单位承办且无主办单位，按规则提级督办"
    )
