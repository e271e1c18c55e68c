"""Who sees which ticket, and whose identity: the permission matrix, a street seeing only its
own tickets, the reporter of a 举报 / a confidential caller hidden from handlers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tongban.core.errors import NotFound
from tongban.hotline import selectors, services

from .factories import dispatched_ticket, new_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(world, operator, grid_worker, citizen):
    return {
        "cgj": dispatched_ticket(operator, "cgj"),
        "yunxi": dispatched_ticket(
            operator,
            "yx-street-330199001",
            subject_code="05.01.01",
            title="噪音",
            content="夜间噪音",
        ),
        "donghu": dispatched_ticket(
            operator,
            "yx-street-330199002",
            subject_code="05.01.01",
            title="噪音",
            content="东湖夜间噪音",
            address="东湖街道湖滨社区 6 号",
        ),
        "new": new_ticket(operator),
        "grid": new_ticket(grid_worker, source="grid", caller_phone=""),
        "web": new_ticket(citizen, source="web"),
    }


PERSONAS = [
    "operator",
    "supervisor_h",
    "handler",
    "street_handler",
    "other_street_handler",
    "zjj_handler",
    "grid_worker",
    "citizen",
    "anonymous",
]
SEES = {
    "operator": {"cgj", "yunxi", "donghu", "new", "grid", "web"},
    "supervisor_h": {"cgj", "yunxi", "donghu", "new", "grid", "web"},
    "handler": {"cgj"},
    "street_handler": {"yunxi"},
    "other_street_handler": {"donghu"},
    "zjj_handler": set(),
    "grid_worker": {"grid"},
    "citizen": {"web"},
    "anonymous": set(),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_which_ticket(request, tickets, persona):
    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    seen = set()
    for key, ticket in tickets.items():
        try:
            selectors.ticket_for(user, ticket.ticket_no)
            seen.add(key)
        except NotFound as exc:
            assert exc.message == "没有找到该工单。"
    assert seen == SEES[persona]
    listed = {t.ticket_no for t in selectors.tickets_for_user(user)}
    assert listed == {tickets[k].ticket_no for k in SEES[persona]}


def test_a_missing_ticket_reads_like_a_forbidden_one(world, operator):
    with pytest.raises(NotFound) as exc:
        selectors.ticket_for(operator, "12345-20990101-000001")
    assert exc.value.message == "没有找到该工单。"


def test_a_unit_keeps_seeing_a_ticket_it_returned_but_cannot_act(world, operator, handler):
    ticket = dispatched_ticket(operator)
    services.ticket_return_request(
        ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="x"
    )
    services.ticket_return_decide(
        ticket.ticket_no, actor=operator, accept=True, note="", redispatch_department_code="zjj"
    )
    fresh = selectors.ticket_for(handler, ticket.ticket_no)
    assert selectors.ticket_actions(handler, fresh) == set()


@pytest.mark.parametrize(
    ("kind", "flags"),
    [("report", {}), ("complaint", {"confidential": True}), ("report", {"anonymous": True})],
)
def test_the_callers_identity_is_hidden_from_handlers(
    world, operator, handler, supervisor_h, kind, flags
):
    ticket = dispatched_ticket(operator, ticket_type=kind, **flags)
    shown = selectors.caller_shown(ticket, handler)
    assert (shown.name, shown.phone, shown.hidden) == ("（已保护）", "", True)
    assert "13905710001" not in str(selectors.ticket_timeline(ticket, handler))
    centre = selectors.caller_shown(ticket, operator)
    # masked for all staff; the centre reveals the number through the logged flow
    assert (centre.name, centre.phone, centre.hidden) == ("张晓明", "139****0001", False)
    assert centre.can_reveal is True
    sup = selectors.caller_shown(ticket, supervisor_h)
    assert (sup.name, sup.phone, sup.hidden, sup.can_reveal) == (
        "张**",
        "139****0001",
        False,
        False,
    )


def test_handlers_see_an_ordinary_caller_to_reach_them(world, operator, handler):
    ticket = dispatched_ticket(operator)
    shown = selectors.caller_shown(ticket, handler)
    assert (shown.name, shown.phone, shown.hidden) == ("张晓明", "139****0001", False)
    assert shown.can_reveal is True  # 「查看完整信息」, recorded in the access log


def test_the_public_timeline_has_no_staff_names_or_internal_notes(world, operator, handler):
    ticket = dispatched_ticket(operator)
    services.ticket_return_request(
        ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="内部说明"
    )
    services.ticket_return_decide(ticket.ticket_no, actor=operator, accept=False, note="请办理")
    services.ticket_sign(ticket.ticket_no, actor=handler)
    services.ticket_reply(ticket.ticket_no, actor=handler, reply="已处理完毕", solved=True)
    public = selectors.ticket_timeline(ticket, None)
    assert [(e.action, e.label, e.actor, e.reason) for e in public] == [
        ("create", "诉求已登记", "", ""),
        ("dispatch", "已转交承办单位办理", "", ""),
        ("sign", "承办单位已签收", "", ""),
        ("reply", "承办单位已答复", "", "已处理完毕"),
    ]
    staff = selectors.ticket_timeline(ticket, operator)
    assert len(staff) == 6
    assert staff[2].reason == "内部说明"
    assert staff[2].actor == str(handler)
