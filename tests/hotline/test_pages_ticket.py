"""The ticket page's actions, posted as a person would: dispatch, sign for, reply, extension,
return and its review (派单异议审核), callback, reopen, urge, escalate, close at intake. Each
refusal is shown on the page with its message, and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.hotline import services
from tongban.hotline.models import Ticket, TicketEvent, TicketExtension, TicketReturn

from .factories import dispatched_ticket, fresh, new_ticket, replied_ticket, signed_ticket

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def act(user, ticket, action: str, client=None, **fields):
    data = {f"{action}-expected_version": str(fresh(ticket).version)}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    client = client or client_for(user)
    return client.post(f"/console/hotline/tickets/{ticket.ticket_no}/{action}/", data)


def snapshot(ticket) -> tuple:
    t = fresh(ticket)
    return (t.status, t.version, t.department_id, TicketEvent.objects.filter(ticket=t).count())


def unrouted(operator) -> Ticket:
    """A ticket no rule routes: the operator picks the unit."""
    return new_ticket(operator, subject_code=None, content="小区门口人行道砖松动，老人容易绊倒。")


# --------------------------------------------------------------------------- the lifecycle


def test_a_ticket_goes_round_the_whole_loop_through_the_pages(
    world, operator, handler, zjj_handler
):
    ticket = unrouted(operator)
    client = client_for(operator)
    response = act(operator, ticket, "dispatch", client, department_code="zjj", note="请核实")
    assert response.status_code == 302
    assert response["Location"] == f"/console/hotline/tickets/{ticket.ticket_no}/"
    assert "已派单至云溪区住房和城乡建设局。" in client.get(response["Location"]).content.decode()
    assert (fresh(ticket).status, fresh(ticket).department) == ("dispatched", world.zjj)

    assert act(zjj_handler, ticket, "sign").status_code == 302
    assert fresh(ticket).status == "handling"
    response = act(zjj_handler, ticket, "reply", reply="已修复人行道砖。", solved="yes")
    assert response.status_code == 302
    assert (fresh(ticket).status, fresh(ticket).solved) == ("replied", True)

    response = act(
        operator,
        ticket,
        "callback",
        reached="yes",
        satisfaction="dissatisfied",
        solved="no",
        note="来电人说仍有松动",
    )
    assert response.status_code == 302
    assert (fresh(ticket).status, fresh(ticket).satisfaction) == ("closed", "dissatisfied")

    page = client.get(f"/console/hotline/tickets/{ticket.ticket_no}/").content.decode()
    assert 'id="panel-reopen"' in page
    response = act(
        operator, ticket, "reopen", reason="来电人不满意，改由城管局办理", department_code="cgj"
    )
    assert response.status_code == 302
    assert (fresh(ticket).status, fresh(ticket).department, fresh(ticket).reopen_count) == (
        "dispatched",
        world.cgj,
        1,
    )
    # the whole history is on the page, in order
    page = client_for(handler).get(f"/console/hotline/tickets/{ticket.ticket_no}/").content.decode()
    for label in ("登记工单", "派单", "签收", "办理答复", "回访", "重办"):
        assert f'<span class="timeline__action">{label}</span>' in page


def test_the_handler_sees_only_the_panels_they_may_use(world, operator, handler):
    ticket = dispatched_ticket(operator)
    page = client_for(handler).get(f"/console/hotline/tickets/{ticket.ticket_no}/").content.decode()
    assert 'id="panel-sign"' in page and 'id="panel-return_request"' in page
    assert 'id="panel-dispatch"' not in page and 'id="panel-reply"' not in page
    assert "退单期限" in page


def test_close_at_intake_from_the_ticket_page(world, operator):
    ticket = unrouted(operator)
    response = act(operator, ticket, "close", outcome="legal_route", note="已告知可申请行政复议。")
    assert response.status_code == 302
    t = fresh(ticket)
    assert (t.status, t.triage, t.triage_note) == (
        "closed",
        "legal_route",
        "已告知可申请行政复议。",
    )


# --------------------------------------------------------------------------- returns


def test_a_return_is_asked_for_and_accepted_with_a_redispatch(
    world, operator, handler, zjj_handler
):
    ticket = dispatched_ticket(operator)
    response = act(
        handler,
        ticket,
        "return_request",
        reason="not_our_duty",
        explanation="人行道由住建局养护。",
        suggested_department_code="zjj",
    )
    assert response.status_code == 302
    assert fresh(ticket).status == "return_requested"
    page = (
        client_for(operator).get(f"/console/hotline/tickets/{ticket.ticket_no}/").content.decode()
    )
    assert "待审核的退单申请" in page and "人行道由住建局养护。" in page
    assert 'id="panel-return_decide"' in page

    response = act(
        operator, ticket, "return_decide", accept="yes", redispatch_department_code="zjj"
    )
    assert response.status_code == 302
    t = fresh(ticket)
    assert (t.status, t.department) == ("dispatched", world.zjj)
    assert TicketReturn.objects.get().decision == "approved"


def test_a_rejected_return_needs_a_reason(world, operator, handler):
    ticket = dispatched_ticket(operator)
    services.ticket_return_request(
        ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="不归我们管"
    )
    before = snapshot(ticket)
    response = act(operator, ticket, "return_decide", accept="no", note="")
    assert response.status_code == 400
    assert "审核意见：驳回退单请写明理由。" in response.content.decode()
    assert snapshot(ticket) == before
    response = act(operator, ticket, "return_decide", accept="no", note="属于贵单位职责。")
    assert response.status_code == 302
    assert fresh(ticket).status == "dispatched"


def test_a_return_without_explanation_changes_nothing(world, operator, handler):
    ticket = dispatched_ticket(operator)
    before = snapshot(ticket)
    response = act(handler, ticket, "return_request", reason="not_our_duty", explanation=" ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>错误：" in page
    assert "退单说明：请填写退单说明。" in page
    assert 'href="#id_return_request-explanation"' in page
    assert snapshot(ticket) == before
    assert not TicketReturn.objects.exists()


def test_a_third_return_is_refused_with_the_rule(world, operator, handler):
    ticket = dispatched_ticket(operator)
    for _ in range(2):
        services.ticket_return_request(
            ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="不归我们管"
        )
        services.ticket_return_decide(
            ticket.ticket_no, actor=operator, accept=False, note="属于贵单位职责"
        )
    before = snapshot(ticket)
    response = act(handler, ticket, "return_request", reason="not_our_duty", explanation="再退")
    assert response.status_code == 409
    assert "贵单位已退回该工单 2 次，不能再次退单（防推诿）。" in response.content.decode()
    assert snapshot(ticket) == before


# --------------------------------------------------------------------------- extensions


def test_an_extension_is_asked_for_and_approved(world, operator, handler, at):
    at("2026-06-02 10:00")
    ticket = signed_ticket(operator, handler)
    due = fresh(ticket).handle_due
    response = act(
        handler, ticket, "extension_request", reason="需协调施工单位", new_due="2026-06-25"
    )
    assert response.status_code == 302
    assert TicketExtension.objects.get().decision == "pending"
    page = (
        client_for(operator).get(f"/console/hotline/tickets/{ticket.ticket_no}/").content.decode()
    )
    assert "待审核的延期申请" in page and "2026-06-25" in page
    response = act(operator, ticket, "extension_decide", approve="yes")
    assert response.status_code == 302
    t = fresh(ticket)
    assert t.extended_from == due
    assert t.handle_due.date().isoformat() in ("2026-06-25", "2026-06-26")


def test_an_extension_beyond_the_maximum_is_refused_and_changes_nothing(
    world, operator, handler, at
):
    at("2026-06-02 10:00")
    ticket = signed_ticket(operator, handler)
    before = snapshot(ticket)
    response = act(handler, ticket, "extension_request", reason="需协调", new_due="2026-12-31")
    assert response.status_code == 409
    assert "延期至：最多可延长 10 个工作日" in response.content.decode()
    assert snapshot(ticket) == before
    assert not TicketExtension.objects.exists()


# --------------------------------------------------------------------------- refusals


def test_a_stale_page_is_refused_and_shown_afresh(world, operator, handler):
    ticket = dispatched_ticket(operator)
    stale = fresh(ticket).version
    services.ticket_sign(ticket.ticket_no, actor=handler)
    before = snapshot(ticket)
    response = client_for(handler).post(
        f"/console/hotline/tickets/{ticket.ticket_no}/return_request/",
        {
            "return_request-expected_version": str(stale),
            "return_request-reason": "not_our_duty",
            "return_request-explanation": "不归我们管",
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "该工单已被其他人处理，请刷新后查看。" in page
    assert f'name="return_request-expected_version" value="{fresh(ticket).version}"' in page
    assert snapshot(ticket) == before


def test_another_unit_cannot_act_on_the_ticket(world, operator, zjj_handler):
    ticket = dispatched_ticket(operator)
    before = snapshot(ticket)
    assert act(zjj_handler, ticket, "sign").status_code == 404
    assert snapshot(ticket) == before


def test_a_handler_cannot_dispatch(world, operator, handler):
    ticket = dispatched_ticket(operator)
    before = snapshot(ticket)
    response = act(handler, ticket, "dispatch", department_code="zjj")
    assert response.status_code == 403
    assert "只有热线中心的派单人员可以派单。" in response.content.decode()
    assert snapshot(ticket) == before


def test_a_reply_needs_its_result_and_the_solved_flag(world, operator, handler):
    ticket = signed_ticket(operator, handler)
    before = snapshot(ticket)
    response = act(handler, ticket, "reply", reply="")
    assert response.status_code == 400
    page = response.content.decode()
    assert "办理结果：请填写办理结果。" in page
    assert "诉求是否已解决：请选择诉求是否已解决。" in page
    assert snapshot(ticket) == before


def test_a_callback_that_reached_the_caller_needs_the_satisfaction(world, operator, handler):
    ticket = replied_ticket(operator, handler)
    before = snapshot(ticket)
    response = act(operator, ticket, "callback", reached="yes")
    assert response.status_code == 400
    assert "满意度：联系上来电人时请记录满意度。" in response.content.decode()
    assert snapshot(ticket) == before


def test_an_unknown_action_is_not_found(world, operator):
    ticket = unrouted(operator)
    response = client_for(operator).post(
        f"/console/hotline/tickets/{ticket.ticket_no}/explode/", {}
    )
    assert response.status_code == 404


def test_pages_refuse_get_on_actions(world, operator):
    ticket = unrouted(operator)
    response = client_for(operator).get(f"/console/hotline/tickets/{ticket.ticket_no}/dispatch/")
    assert response.status_code == 405


# --------------------------------------------------------------------------- urge, escalate


def test_a_supervisor_urges_and_escalates(world, operator, handler, supervisor_h):
    ticket = signed_ticket(operator, handler)
    response = act(supervisor_h, ticket, "urge", note="请今天内答复")
    assert response.status_code == 302
    assert TicketEvent.objects.filter(ticket=ticket, action="urge").count() == 1
    before = snapshot(ticket)
    response = act(supervisor_h, ticket, "escalate", reason="群众反映强烈")
    assert response.status_code == 400
    assert "请勾选确认后再提交。" in response.content.decode()
    assert snapshot(ticket) == before
    response = act(supervisor_h, ticket, "escalate", reason="群众反映强烈", confirm="on")
    assert response.status_code == 302
    assert fresh(ticket).escalated
