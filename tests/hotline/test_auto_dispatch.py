"""秒派 by the classifier and its undo: a new ticket whose classifier confidence reaches the
threshold is dispatched with no human step — to the unit the dispatch catalogue names, never
past its rules or the rule that a functional department's matter may not go to a street — and
marked "auto" in its history; the operator may undo it within the window, before the unit
signs for it. Every refusal changes nothing. The suggestion's final subject is written when the
ticket concludes."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
import time_machine
from django.test import Client

from tongban.core.errors import PermissionDenied
from tongban.hotline import dispatch, services
from tongban.hotline.models import (
    AssignmentStatus,
    ClassifierModel,
    DispatchEntry,
    DispatchSuggestion,
    Ticket,
    TicketAssignment,
    TicketEvent,
)
from tongban.hotline.services.common import StaleTicket, TicketRefused
from tongban.hotline.states import TicketTransitionRefused

from . import dispatch_model
from .conftest import SHANGHAI
from .factories import dispatched_ticket, fresh, new_ticket

PONDING_TEXT = "学府路积水很深，请尽快处理"
NOISE_TEXT = "楼上装修噪音扰民"
ADDRESS = "云溪区云溪街道望湖社区学府路 18 号"
START = dt.datetime(2026, 6, 2, 10, 0, tzinfo=SHANGHAI)  # a working Tuesday


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    return dispatch_model.build(tmp_path_factory.mktemp("tiny-dispatch-model"))


@pytest.fixture
def model(world, tiny_model_dir, settings):
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 0.9
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_UNDO_MINUTES = 10
    active = dispatch_model.activate(tiny_model_dir)
    yield active
    dispatch_model.deactivate()


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _auto(operator, text=PONDING_TEXT, **overrides) -> Ticket:
    kwargs = {"subject_code": None, "title": "", "content": text, "auto_dispatch": True}
    kwargs.update(overrides)
    return new_ticket(operator, **kwargs)


def _snapshot(ticket: Ticket) -> tuple:
    t = fresh(ticket)
    assignments = list(
        TicketAssignment.objects.filter(ticket=t).order_by("pk").values_list("status", flat=True)
    )
    events = TicketEvent.objects.filter(ticket=t).count()
    row = DispatchSuggestion.objects.filter(ticket=t).values_list("undone_at", "undone_by")
    return (t.status, t.version, t.department_id, t.auto_dispatched, assignments, events, list(row))


# --------------------------------------------------------------------------- 秒派


def test_a_confident_ticket_is_dispatched_with_no_human_step(model, world, operator, clock):
    confidence = model.top_k(PONDING_TEXT, PONDING_TEXT)[0][1]  # title: the first line
    assert confidence >= 0.9
    ticket = fresh(_auto(operator))
    assert (ticket.status, ticket.department, ticket.subject) == (
        "dispatched",
        world.cgj,
        world.ponding,
    )
    assert ticket.auto_dispatched is True
    assert ticket.dispatched_at == START
    event = TicketEvent.objects.get(ticket=ticket, action="dispatch")
    assert event.actor_id is None
    assert event.actor_label == "系统（秒派）"
    assert event.payload["auto"] is True
    assert event.payload["confidence"] == confidence
    assert event.payload["department"] == "cgj"
    assert event.payload["classifier"]["subject"] == "03.02.05"
    assert event.payload["classifier"]["model"] == ClassifierModel.objects.get(status="active").name
    assert "智能分类建议（置信度" in event.reason
    row = DispatchSuggestion.objects.get(ticket=ticket)
    assert (row.auto_dispatched, row.top_subject, row.confidence) == (
        True,
        world.ponding,
        confidence,
    )
    lead = TicketAssignment.objects.get(ticket=ticket)
    assert (lead.department, lead.dispatched_by, lead.status) == (world.cgj, None, "pending")


def test_below_the_threshold_the_operator_decides(model, world, operator, clock, settings):
    confidence = model.top_k(PONDING_TEXT, PONDING_TEXT)[0][1]  # title: the first line
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = confidence + 1e-6
    ticket = fresh(_auto(operator))
    assert (ticket.status, ticket.department, ticket.auto_dispatched) == ("received", None, False)
    assert ticket.suggestion_confidence == confidence
    assert DispatchSuggestion.objects.get(ticket=ticket).auto_dispatched is False
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = confidence  # reached: 秒派
    assert fresh(_auto(operator)).auto_dispatched is True


def test_a_consultation_is_never_auto_dispatched(model, operator, clock):
    ticket = fresh(_auto(operator, ticket_type="consultation"))
    assert (ticket.status, ticket.auto_dispatched) == ("received", False)
    assert DispatchSuggestion.objects.get(ticket=ticket).auto_dispatched is False


def test_the_catalogue_rules_come_before_the_classifier(model, world, operator, clock):
    # 井盖归城管: a keyword rule of the catalogue; the model would say 停水 for this text
    ticket = fresh(_auto(operator, text="家里门口井盖丢了，停水了"))
    assert (ticket.status, ticket.department) == ("dispatched", world.cgj)
    event = TicketEvent.objects.get(ticket=ticket, action="dispatch")
    assert event.payload["rule"] == "井盖归城管"
    assert "classifier" not in event.payload
    row = DispatchSuggestion.objects.get(ticket=ticket)
    assert (row.top_subject, row.auto_dispatched) == (world.water, False)


def test_a_street_matter_goes_to_the_unit_owning_the_address(model, world, operator, clock):
    ticket = fresh(_auto(operator, text=NOISE_TEXT, address=ADDRESS))
    assert (ticket.status, ticket.department, ticket.subject) == (
        "dispatched",
        world.yunxi_unit,
        world.noise,
    )
    assert DispatchSuggestion.objects.get(ticket=ticket).auto_dispatched is True


def test_a_street_matter_without_a_known_address_waits_for_the_operator(
    model, world, operator, clock
):
    ticket = fresh(_auto(operator, text=NOISE_TEXT, address=""))
    assert (ticket.status, ticket.department, ticket.auto_dispatched) == ("received", None, False)


def test_a_functional_departments_matter_never_goes_to_a_street(model, world, operator, clock):
    # a (wrong) catalogue entry sends 路灯损坏 — a functional department's matter — to a street
    DispatchEntry.objects.filter(subject=world.streetlight).update(department=world.yunxi_unit)
    dispatch.invalidate()
    ticket = fresh(_auto(operator, text="路灯不亮已经一周"))
    assert (ticket.status, ticket.department, ticket.auto_dispatched) == ("received", None, False)
    assert not TicketAssignment.objects.filter(ticket=ticket).exists()
    assert DispatchSuggestion.objects.get(ticket=ticket).auto_dispatched is False


def test_no_auto_dispatch_when_the_caller_asked_for_none(model, operator, clock):
    ticket = fresh(_auto(operator, auto_dispatch=False))
    assert (ticket.status, ticket.auto_dispatched) == ("received", False)


# --------------------------------------------------------------------------- undo


def test_undo_returns_the_ticket_to_the_dispatchers_queue(model, world, operator, clock):
    ticket = fresh(_auto(operator))
    clock.move_to(START + dt.timedelta(minutes=9))
    undone = services.ticket_auto_dispatch_undo(
        actor=operator, ticket=ticket, expected_version=ticket.version
    )
    t = fresh(undone)
    assert (t.status, t.version, t.department, t.auto_dispatched) == (
        "received",
        ticket.version + 1,
        None,
        False,
    )
    assert (t.dispatched_at, t.sign_due, t.handle_due) == (None, None, None)
    assert t.subject == world.ponding  # the subject stays: the dispatcher may keep or change it
    assert list(TicketAssignment.objects.filter(ticket=t).values_list("status", flat=True)) == [
        AssignmentStatus.WITHDRAWN
    ]
    event = TicketEvent.objects.filter(ticket=t).order_by("-seq").first()
    assert (event.action, event.from_state, event.to_state, event.actor_id) == (
        "undo_auto_dispatch",
        "dispatched",
        "received",
        operator.pk,
    )
    assert event.payload == {"auto": True, "withdrawn": ["cgj"], "round": 1}
    row = DispatchSuggestion.objects.get(ticket=t)
    assert (row.undone_at, row.undone_by) == (START + dt.timedelta(minutes=9), operator)
    # by hand, now
    again = services.ticket_dispatch(t.ticket_no, actor=operator, department_code="zjj")
    assert (again.status, again.department, again.dispatch_count) == ("dispatched", world.zjj, 2)
    assert again.auto_dispatched is False


def test_undo_at_the_last_minute_of_the_window_is_allowed(model, operator, clock):
    ticket = fresh(_auto(operator))
    clock.move_to(START + dt.timedelta(minutes=10))
    assert services.ticket_auto_dispatch_undo(actor=operator, ticket=ticket).status == "received"


def test_undo_after_the_window_is_refused_and_changes_nothing(model, operator, clock):
    ticket = fresh(_auto(operator))
    before = _snapshot(ticket)
    clock.move_to(START + dt.timedelta(minutes=10, seconds=1))
    with pytest.raises(TicketRefused) as refused:
        services.ticket_auto_dispatch_undo(actor=operator, ticket=ticket)
    assert refused.value.code == "undo_too_late"
    assert refused.value.message == (
        "秒派只能在派单后 10 分钟内撤销（截至 2026-06-02 10:10），现已超过；"
        "如派错，请由承办单位申请退单。"
    )
    assert _snapshot(ticket) == before


def test_the_window_is_a_setting(model, operator, clock, settings):
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_UNDO_MINUTES = 3
    ticket = fresh(_auto(operator))
    clock.move_to(START + dt.timedelta(minutes=4))
    with pytest.raises(TicketRefused) as refused:
        services.ticket_auto_dispatch_undo(actor=operator, ticket=ticket)
    assert "3 分钟内" in refused.value.message


def test_undo_after_the_unit_signed_is_refused(model, operator, handler, clock):
    ticket = fresh(_auto(operator))
    services.ticket_sign(ticket.ticket_no, actor=handler)
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as refused:
        services.ticket_auto_dispatch_undo(actor=operator, ticket=ticket)
    assert refused.value.code == "already_signed"
    assert refused.value.message.startswith(
        "承办单位已签收该工单，不能再撤销秒派；如派错，请由承办单位申请退单。"
    )
    assert _snapshot(ticket) == before


def test_undo_of_a_ticket_dispatched_by_hand_is_refused(model, operator, clock):
    ticket = dispatched_ticket(operator)
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as refused:
        services.ticket_auto_dispatch_undo(actor=operator, ticket=ticket)
    assert refused.value.code == "not_auto_dispatched"
    assert refused.value.message == (
        "该工单当前不是系统秒派的，没有可撤销的秒派；如需改派，请走退单流程。"
    )
    assert _snapshot(ticket) == before


def test_undo_twice_is_refused(model, operator, clock):
    ticket = fresh(_auto(operator))
    services.ticket_auto_dispatch_undo(actor=operator, ticket=ticket)
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as refused:
        services.ticket_auto_dispatch_undo(actor=operator, ticket=ticket)
    assert refused.value.code == "not_auto_dispatched"
    assert _snapshot(ticket) == before


@pytest.mark.parametrize("persona", ["handler", "street_handler", "supervisor_h", "citizen"])
def test_undo_needs_the_dispatch_permission(model, operator, clock, persona, request):
    ticket = fresh(_auto(operator))
    before = _snapshot(ticket)
    with pytest.raises(PermissionDenied) as refused:
        services.ticket_auto_dispatch_undo(actor=request.getfixturevalue(persona), ticket=ticket)
    assert refused.value.message == "只有热线中心的派单人员可以撤销秒派。"
    assert _snapshot(ticket) == before


def test_undo_on_a_stale_page_is_refused(model, operator, handler, clock):
    ticket = fresh(_auto(operator))
    services.ticket_urge(ticket.ticket_no, actor=operator, note="请尽快签收")
    before = _snapshot(ticket)
    with pytest.raises(StaleTicket):
        services.ticket_auto_dispatch_undo(
            actor=operator, ticket=ticket, expected_version=ticket.version
        )
    assert _snapshot(ticket) == before


def test_undo_of_a_returned_ticket_is_refused_by_the_state_machine(model, operator, handler, clock):
    ticket = fresh(_auto(operator))
    services.ticket_return_request(
        ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="不属于本单位职责"
    )
    before = _snapshot(ticket)
    with pytest.raises(TicketTransitionRefused):
        services.ticket_auto_dispatch_undo(actor=operator, ticket=ticket)
    assert _snapshot(ticket) == before


# --------------------------------------------------------------------------- pages


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_ticket_page_offers_the_undo_and_the_undo_works(model, operator, clock):
    ticket = fresh(_auto(operator))
    page = f"/console/hotline/tickets/{ticket.ticket_no}/"
    body = _client(operator).get(page).content.decode()
    assert "撤销秒派，改为人工派单" in body
    assert "可在 10:10 前、承办单位签收前撤销" in body
    response = _client(operator).post(
        f"{page}undo-auto-dispatch/", {"expected_version": ticket.version}
    )
    assert response.status_code == 302
    assert response["Location"] == page + "#panel-dispatch"
    assert fresh(ticket).status == "received"


def test_the_page_shows_a_refused_undo_and_changes_nothing(model, operator, clock):
    ticket = fresh(_auto(operator))
    before = _snapshot(ticket)
    clock.move_to(START + dt.timedelta(minutes=11))
    page = f"/console/hotline/tickets/{ticket.ticket_no}/"
    body = _client(operator).get(page).content.decode()
    assert "撤销秒派，改为人工派单" not in body  # the window has passed
    response = _client(operator).post(
        f"{page}undo-auto-dispatch/", {"expected_version": ticket.version}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "<title>错误：" in body
    assert "秒派只能在派单后 10 分钟内撤销" in body
    assert _snapshot(ticket) == before


def test_a_handler_sees_no_undo_and_cannot_post_it(model, operator, handler, clock):
    ticket = fresh(_auto(operator))
    before = _snapshot(ticket)
    page = f"/console/hotline/tickets/{ticket.ticket_no}/"
    assert "撤销秒派，改为人工派单" not in _client(handler).get(page).content.decode()
    response = _client(handler).post(
        f"{page}undo-auto-dispatch/", {"expected_version": ticket.version}
    )
    assert response.status_code == 403
    assert "只有热线中心的派单人员可以撤销秒派。" in response.content.decode()
    assert _snapshot(ticket) == before


# --------------------------------------------------------------------------- conclusion


def test_the_final_subject_is_recorded_when_the_ticket_concludes(
    model, world, operator, handler, clock
):
    ticket = fresh(_auto(operator))
    services.ticket_sign(ticket.ticket_no, actor=handler)
    services.ticket_reply(ticket.ticket_no, actor=handler, reply="已抽排积水。", solved=True)
    row = DispatchSuggestion.objects.get(ticket=ticket)
    assert (row.final_subject, row.concluded_at) == (None, None)  # replied is not concluded
    clock.move_to(START + dt.timedelta(hours=3))
    services.ticket_callback(
        ticket.ticket_no, actor=operator, reached=True, satisfaction="satisfied", solved=True
    )
    row.refresh_from_db()
    assert (row.final_subject, row.concluded_at) == (world.ponding, START + dt.timedelta(hours=3))


def test_the_final_subject_follows_a_redispatch_with_another_subject(
    model, world, operator, zjj_handler, clock, settings
):
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 1.5
    ticket = _auto(operator)  # the model says 道路积水; the dispatcher knows better
    services.ticket_dispatch(
        ticket.ticket_no, actor=operator, department_code="zjj", subject_code="07.01.01"
    )
    services.ticket_sign(ticket.ticket_no, actor=zjj_handler)
    services.ticket_reply(ticket.ticket_no, actor=zjj_handler, reply="已恢复供水。", solved=True)
    services.ticket_callback(
        ticket.ticket_no, actor=operator, reached=True, satisfaction="satisfied", solved=True
    )
    row = DispatchSuggestion.objects.get(ticket=ticket)
    assert (row.top_subject, row.final_subject, row.concluded_at) == (
        world.ponding,
        world.water,
        START,
    )


def test_a_ticket_closed_at_intake_is_concluded_at_once(model, world, operator, clock):
    ticket = new_ticket(
        operator,
        subject_code="03.02.05",
        content=PONDING_TEXT,
        ticket_type="consultation",
        triage="direct_answer",
        triage_note="已告知积水由城管局负责抽排。",
    )
    row = DispatchSuggestion.objects.get(ticket=ticket)
    assert (row.final_subject, row.concluded_at) == (world.ponding, START)


def test_a_ticket_closed_later_at_intake_is_concluded_then(model, world, operator, clock, settings):
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 1.5
    ticket = new_ticket(operator, subject_code="03.02.05", content=PONDING_TEXT)
    clock.move_to(START + dt.timedelta(minutes=5))
    services.ticket_close_at_intake(
        ticket.ticket_no, actor=operator, outcome="explain_close", note="已解释。"
    )
    row = DispatchSuggestion.objects.get(ticket=ticket)
    assert (row.final_subject, row.concluded_at) == (world.ponding, START + dt.timedelta(minutes=5))


# --------------------------------------------------------------------------- a race


@pytest.mark.django_db(transaction=True)
def test_undo_and_sign_at_once_have_one_winner(tiny_model_dir, settings):
    from tests.hotline.factories import hotline_world, operator_in, staff
    from tongban.core.permissions import Role

    from .test_races import _race

    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 0.9
    world = hotline_world()
    operator = operator_in(world)
    handler = staff(Role.HANDLER, world.cgj, "handler")
    dispatch_model.activate(tiny_model_dir)
    try:
        with time_machine.travel(START, tick=False):
            ticket = fresh(_auto(operator))
            outcomes = _race(
                partial(services.ticket_auto_dispatch_undo, actor=operator, ticket=ticket),
                partial(services.ticket_sign, ticket.ticket_no, actor=handler),
            )
    finally:
        dispatch_model.deactivate()
    kinds = [kind for kind, _value in outcomes]
    assert sorted(kinds) == ["error", "ok"], outcomes
    t = fresh(ticket)
    if kinds[0] == "ok":  # the undo won: the sign-for found the ticket back in the queue
        assert t.status == "received"
        assert isinstance(outcomes[1][1], TicketTransitionRefused)
    else:  # the unit signed first: the undo is refused
        assert t.status == "handling"
        assert isinstance(outcomes[0][1], TicketRefused)
        assert outcomes[0][1].code == "already_signed"
    assert (
        TicketEvent.objects.filter(ticket=t, action__in=["sign", "undo_auto_dispatch"]).count() == 1
    )
