"""`tongban bench seed`: bulk cases and tickets on top of the demo district, consistent with
what the services write (hash chains verify, pages open), refusing what it should refuse."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from tongban.cases.models import Case, CaseEvent, ReviewTask
from tongban.catalog import demo as catalog_demo
from tongban.core import demo as core_demo
from tongban.core.events import chain_verify
from tongban.core.models import User
from tongban.hotline import demo as hotline_demo
from tongban.hotline.models import Ticket, TicketEvent
from tongban.supervision import bench_seed

CASES, TICKETS = 400, 600


@pytest.fixture(scope="module")
def _district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        core_demo.load(lambda _line: None)
        catalog_demo.load(lambda _line: None)
        hotline_demo.load(lambda _line: None, count=0)
        before = (Case.objects.count(), Ticket.objects.count())
        out = io.StringIO()
        call_command(
            "bench", "seed", cases=CASES, tickets=TICKETS, seed=3, no_progress=True, stdout=out
        )
        yield before, out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_district, db):
    return _district


def test_an_empty_database_is_refused_with_the_reason(db):
    with pytest.raises(CommandError) as error:
        call_command("bench", "seed", cases=10, tickets=10, no_progress=True)
    assert str(error.value) == (
        "bench seed refused: the demo district is missing (regions, published items, people, "
        "hotline subjects): run `tongban demo load` first"
    )
    assert Case.objects.count() == 0
    assert Ticket.objects.count() == 0


def test_negative_sizes_are_refused(db):
    with pytest.raises(CommandError, match="must not be negative"):
        call_command("bench", "seed", cases=-1, tickets=0, no_progress=True)


def test_the_requested_rows_are_written(seeded):
    (cases_before, tickets_before), output = seeded
    assert Case.objects.count() == cases_before + CASES
    assert Ticket.objects.count() == tickets_before + TICKETS
    assert f"seeded {CASES:,} cases and {TICKETS:,} tickets" in output


def test_every_chain_verifies_and_heads_match(seeded):
    report = chain_verify([CaseEvent, TicketEvent])
    assert report.ok, report.problems[:3]
    # each case's version is its number of events, as transitions leave it
    case = Case.objects.order_by("-pk").first()
    assert case.version == CaseEvent.objects.filter(case=case).count()


def test_states_are_spread_as_a_year_of_work(seeded):
    statuses = Counter(Case.objects.order_by("-pk").values_list("status", flat=True)[:CASES])
    assert {"archived", "delivered", "in_review", "submitted"} <= set(statuses)
    assert statuses["archived"] > statuses["in_review"] > 0
    tickets = Counter(Ticket.objects.order_by("-pk").values_list("status", flat=True)[:TICKETS])
    assert tickets["closed"] > TICKETS // 2
    open_review = ReviewTask.objects.filter(
        case__status="in_review", status__in=["open", "claimed"]
    )
    assert open_review.exists()
    # cases are created on working days only
    from tongban.core import workdays

    for created in Case.objects.order_by("-pk").values_list("created_at", flat=True)[:50]:
        assert workdays.is_workday(workdays.business_date(created))


def test_a_second_seed_needs_append(seeded, monkeypatch):
    monkeypatch.setattr(bench_seed, "DEMO_SIZE", 100)
    count = Case.objects.count()
    with pytest.raises(CommandError, match="add --append to add more"):
        call_command("bench", "seed", cases=5, tickets=5, no_progress=True)
    assert Case.objects.count() == count
    call_command(
        "bench", "seed", cases=5, tickets=5, append=True, no_progress=True, stdout=io.StringIO()
    )
    assert Case.objects.count() == count + 5
    assert chain_verify([CaseEvent, TicketEvent]).ok


def test_seeded_rows_open_in_the_console_and_the_api(seeded):
    supervisor = User.objects.get(username="supervisor")
    client = Client()
    client.force_login(supervisor)
    case = Case.objects.exclude(status="draft").order_by("-pk").first()
    assert client.get(f"/console/cases/{case.case_no}/").status_code == 200
    operator = User.objects.get(username="operator")
    client.force_login(operator)
    ticket = Ticket.objects.order_by("-pk").first()
    response = client.get(f"/api/v1/tickets?q={ticket.ticket_no}")
    assert response.status_code == 200
    assert [t["ticket_no"] for t in response.json()["items"]] == [ticket.ticket_no]
