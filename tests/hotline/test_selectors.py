"""Queues (tabs by role, counts, due order), possible duplicates, the actions a user may take,
the citizen's lookup and the missed-call list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.core.errors import NotFound
from tongban.hotline import selectors, services

from .factories import dispatched_ticket, new_ticket, signed_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tuesday(at):
    at("2026-06-02 10:00")


def test_centre_queue_tabs_and_counts(world, operator, handler):
    new_ticket(operator)
    dispatched_ticket(operator)
    signed_ticket(operator, handler, ticket_type="help")
    page = selectors.ticket_queue(operator, tab="intake")
    counts = {t.slug: t.count for t in page.tabs}
    assert counts == {
        "intake": 1,
        "returns": 0,
        "extensions": 0,
        "callbacks": 0,
        "overdue": 0,
        "escalated": 0,
        "open": None,
        "closed": None,
        "all": None,
    }
    assert [t.status for t in page.items] == ["received"]
    assert selectors.ticket_queue(operator, tab="all").total == 3
    assert selectors.ticket_queue(operator, tab="nonsense").tab == "intake"


def test_handler_queue_is_its_units_work_by_due(world, operator, handler, zjj_handler, at):
    complaint = dispatched_ticket(operator)  # due in 13 working days
    help_ = dispatched_ticket(operator, ticket_type="help")  # due in 3
    dispatched_ticket(operator, "zjj", subject_code="07.01.01", title="停水", content="停水了")
    page = selectors.ticket_queue(handler, tab="sign")
    assert [t.ticket_no for t in page.items] == [help_.ticket_no, complaint.ticket_no]
    assert {t.slug: t.count for t in page.tabs}["sign"] == 2
    assert selectors.ticket_queue(zjj_handler, tab="sign").total == 1
    at("2026-06-08 10:00")
    overdue = selectors.ticket_queue(handler, tab="overdue")
    assert [t.ticket_no for t in overdue.items] == [help_.ticket_no]
    assert selectors.due_group(overdue.items[0]) == "overdue"


def test_queue_filters_and_paging(world, operator):
    for i in range(23):
        new_ticket(operator, title=f"积水{i}")
    page = selectors.ticket_queue(operator, tab="all", page=2)
    assert (page.total, page.pages, page.page, len(page.items)) == (23, 2, 2, 3)
    assert page.has_previous and not page.has_next
    assert selectors.ticket_queue(operator, tab="all", filters={"q": "积水7"}).total == 1
    assert selectors.ticket_queue(operator, tab="all", filters={"subject": "03"}).total == 23
    assert selectors.ticket_queue(operator, tab="all", filters={"subject": "05"}).total == 0
    assert selectors.ticket_queue(operator, tab="all", filters={"street": "330199001"}).total == 23


def test_queue_query_count_does_not_grow(world, operator):
    for _ in range(3):
        dispatched_ticket(operator)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            page = selectors.ticket_queue(operator, tab="all")
            for t in page.items:
                str(t.subject), str(t.department), str(t.street)
                selectors.ticket_clock(t)
        return len(ctx.captured_queries)

    before = count()
    for _ in range(5):
        dispatched_ticket(operator)
    assert count() == before


def test_similar_open_tickets(world, operator):
    same = new_ticket(operator)
    new_ticket(
        operator,
        title="路灯坏了",
        content="东湖路灯不亮",
        caller_phone="13900000001",
        address="东湖街道",
    )
    found = selectors.similar_open_tickets(text="学府路口积水很深，没法走路", address="", phone="")
    assert found[0].pk == same.pk
    by_phone = selectors.similar_open_tickets(text="", phone="13900000001")
    assert [t.title for t in by_phone] == ["路灯坏了"]
    assert selectors.similar_open_tickets(text="完全无关的话题内容") == []


def test_actions_follow_role_state_and_unit(world, operator, handler, zjj_handler, supervisor_h):
    ticket = new_ticket(operator)
    assert selectors.ticket_actions(operator, ticket) == {
        "dispatch",
        "direct_answer",
        "emergency_transfer",
        "legal_route",
        "explain_close",
        "police_referral",
    }
    assert selectors.ticket_actions(handler, ticket) == set()
    ticket = services.ticket_dispatch(ticket.ticket_no, actor=operator)
    assert selectors.ticket_actions(handler, ticket) == {"sign", "request_return"}
    assert selectors.ticket_actions(zjj_handler, ticket) == set()
    assert selectors.ticket_actions(operator, ticket) == {"urge", "escalate"}
    assert selectors.ticket_actions(supervisor_h, ticket) == {"urge", "escalate"}
    ticket = services.ticket_sign(ticket.ticket_no, actor=handler)
    assert selectors.ticket_actions(handler, ticket) == {
        "reply",
        "request_extension",
        "request_return",
    }


def test_citizen_lookup_by_number_and_phone(world, operator, citizen):
    ticket = new_ticket(operator)
    assert (
        selectors.ticket_lookup(ticket_no=ticket.ticket_no, phone="139 0571 0001").pk == ticket.pk
    )
    for no, phone in (
        (ticket.ticket_no, "13900000000"),
        ("12345-20260602-000099", "13905710001"),
        (ticket.ticket_no, "x"),
    ):
        with pytest.raises(NotFound) as exc:
            selectors.ticket_lookup(ticket_no=no, phone=phone)
        assert exc.value.message == "没有找到该工单。"
    mine = new_ticket(citizen, source="web")
    assert [t.pk for t in selectors.tickets_of_caller(citizen)] == [mine.pk]
    assert selectors.ticket_public(ticket_no=ticket.ticket_no).pk == ticket.pk
    with pytest.raises(NotFound):
        selectors.ticket_public(ticket_no="12345-20260602-000099")


def test_locality_preview_and_subjects(world):
    region, street = selectors.locality_preview("望湖社区 3 幢")
    assert (region.code, street.code) == ("330199001002", "330199001")
    assert selectors.locality_preview("火星") == (None, None)
    assert [s.code for s in selectors.subjects_search("积水")] == ["03.02.05"]
    assert [s.code for s in selectors.subjects_search("市政")] == ["03.02.05", "03.02.06"]
    assert selectors.subject_by_code("05.01.01").name == "噪音扰民"
    assert "rx12345" not in [d.code for d in selectors.dispatch_units()]


def test_missed_calls_list(world, operator):
    a = services.missed_call_record(phone="13900000001")
    b = services.missed_call_record(phone="13900000002")
    services.missed_call_resolve(a.pk, actor=operator, outcome="called_back")
    page = selectors.missed_calls()
    assert [c.pk for c in page.items] == [b.pk]
    assert selectors.missed_calls(status="called_back").total == 1
