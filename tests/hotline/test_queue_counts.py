"""The ticket queue's counts (issue 12, data scale): every count of the page in one statement,
each stopping at its cap ("10000+"; a word search's at 1,000), the numbers exactly those of the
tabs' definitions — for a unit's own tabs read without the visibility semi-join — and the
statements of the queue pages and of the list API constant in the number of tickets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.query_counts import page_queries
from tongban.hotline import selectors, services

from .factories import dispatched_ticket, new_ticket, replied_ticket, signed_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tuesday(at):
    at("2026-06-02 10:00")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _counting(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize("filters", [None, {"q": "积水"}, {"q": "积水", "type": "complaint"}])
def test_every_count_of_the_queue_is_one_statement(world, operator, handler, filters):
    new_ticket(operator)
    dispatched_ticket(operator)
    for user, tab in ((operator, "intake"), (operator, "all"), (handler, "sign")):
        with CaptureQueriesContext(connection) as ctx:
            page = selectors.ticket_queue(user, tab=tab, filters=filters)
        assert len(_counting(ctx)) == 1, (user, tab)
        assert page.tab == tab


def test_the_counts_stop_at_the_cap_and_say_so(world, operator, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    monkeypatch.setattr(selectors, "WORD_COUNT_CAP", 1)
    for _ in range(3):
        new_ticket(operator)
    page = selectors.ticket_queue(operator, tab="intake")
    intake = next(t for t in page.tabs if t.slug == "intake")
    assert (intake.count, intake.capped) == (2, True)
    assert (page.total, page.total_capped, page.pages, len(page.items)) == (2, True, 1, 3)
    returns = next(t for t in page.tabs if t.slug == "returns")
    assert (returns.count, returns.capped) == (0, False)
    searched = selectors.ticket_queue(operator, tab="all", filters={"q": "积水"})
    assert (searched.total, searched.total_capped) == (1, True)
    assert next(t for t in searched.tabs if t.slug == "intake").count == 1
    html = client_for(operator).get("/console/hotline/").content.decode()
    assert 'aria-current="page">待派单<span class="tab-count">2+</span>' in html
    assert "待派单：超过 2 件" in html


def test_the_counts_below_the_cap_are_exact(world, operator, handler):
    new_ticket(operator)
    new_ticket(operator, title="路灯不亮", content="小区路灯坏了")
    dispatched_ticket(operator)
    replied_ticket(operator, handler)
    page = selectors.ticket_queue(operator, tab="callbacks")
    counts = {t.slug: (t.count, t.capped) for t in page.tabs if t.count is not None}
    assert counts == {
        "intake": (2, False),
        "returns": (0, False),
        "extensions": (0, False),
        "callbacks": (1, False),
        "overdue": (0, False),
        "escalated": (0, False),
    }
    assert (page.total, page.total_capped) == (1, False)
    lamp = selectors.ticket_queue(operator, tab="all", filters={"q": "路灯"})
    assert [t.title for t in lamp.items] == ["路灯不亮"]
    assert (lamp.total, lamp.total_capped) == (1, False)
    assert next(t for t in lamp.tabs if t.slug == "intake").count == 1


def test_a_units_own_tabs_count_exactly_what_it_may_see(world, operator, handler, zjj_handler):
    """The unit's tabs leave out the semi-join over its assignments (their filter keeps to
    tickets whose current unit it is, which ``access.can_view`` lets it see): the same numbers
    as the tab's filter over every ticket the handler may see."""
    dispatched_ticket(operator)
    signed_ticket(operator, handler)
    signed_ticket(operator, handler, ticket_type="consultation")
    returned = dispatched_ticket(operator)
    services.ticket_return_request(
        returned.ticket_no, actor=handler, reason="not_our_duty", explanation="不属于本单位职责"
    )
    services.ticket_return_decide(
        returned.ticket_no, actor=operator, accept=True, note="", redispatch_department_code="zjj"
    )
    dispatched_ticket(operator, "zjj", subject_code="07.01.01", title="停水", content="停水了")
    page = selectors.ticket_queue(handler, tab="sign")
    visible = selectors.tickets_for_user(handler)
    expected = {
        spec.slug: visible.filter(spec.where).count()
        for spec in selectors._tabs_for(handler)
        if spec.counted
    }
    assert expected == {"sign": 1, "handling": 2, "returns": 0, "overdue": 0}
    assert {t.slug: t.count for t in page.tabs if t.count is not None} == expected
    all_tab = selectors.ticket_queue(handler, tab="all")
    assert all_tab.total == 4  # the returned ticket too: it was dispatched to the unit
    assert selectors.ticket_queue(zjj_handler, tab="sign").total == 2


def test_the_api_counts_a_word_search_up_to_its_cap(world, operator, monkeypatch):
    monkeypatch.setattr(selectors, "WORD_COUNT_CAP", 2)
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for _ in range(4):
        new_ticket(operator)
    client = client_for(operator)
    body = client.get("/api/v1/tickets?q=积水&limit=1").json()
    assert (len(body["items"]), body["count"], body["count_capped"]) == (1, 2, True)
    body = client.get("/api/v1/tickets?limit=1").json()
    assert (body["count"], body["count_capped"]) == (3, True)
    body = client.get("/api/v1/tickets?q=积水&limit=10").json()
    assert (len(body["items"]), body["count"], body["count_capped"]) == (4, 4, False)


URLS = {
    "operator": [
        "/console/hotline/",
        "/console/hotline/?tab=all&q=积水",
        "/console/hotline/?tab=callbacks",
        "/api/v1/tickets?q=积水&limit=2",
    ],
    "handler": ["/console/hotline/", "/console/hotline/?tab=overdue&q=积水"],
}


def test_the_queue_pages_read_the_same_statements_for_few_and_many_tickets(
    world, operator, handler
):
    clients = {"operator": client_for(operator), "handler": client_for(handler)}

    def add(n: int) -> None:
        for _ in range(n):
            new_ticket(operator)
            dispatched_ticket(operator)
            signed_ticket(operator, handler)
            replied_ticket(operator, handler)

    def statements() -> dict[str, int]:
        return {url: page_queries(clients[who], url) for who, urls in URLS.items() for url in urls}

    add(1)
    few = statements()
    add(4)
    assert statements() == few
