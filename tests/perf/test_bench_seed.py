"""`tongban bench seed`: bulk cases and tickets on top of the demo district, consistent with
what the services write (hash chains verify, pages open), refusing what it should refuse."""

from __future__ import annotations

import io
import os
import signal
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
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


def test_a_time_limit_stops_between_chunks_and_keeps_what_was_written(seeded, monkeypatch):
    monkeypatch.setattr(bench_seed, "DEMO_SIZE", 10**9)
    monkeypatch.setattr(bench_seed, "CHUNK", 7)
    ticks = iter([0.0, 0.0, 0.0, 10**6])  # the deadline, then two chunks in time, then late
    monkeypatch.setattr(bench_seed, "monotonic", lambda: next(ticks, 10**6))
    cases, tickets = Case.objects.count(), Ticket.objects.count()
    out = io.StringIO()
    call_command("bench", "seed", cases=70, tickets=70, minutes=1, no_progress=True, stdout=out)
    assert (Case.objects.count(), Ticket.objects.count()) == (cases + 7, tickets + 7)
    assert "stopped early: 70 cases and 70 tickets were asked" in out.getvalue()
    assert chain_verify([CaseEvent, TicketEvent]).ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_events_land_in_their_monthly_partitions(seeded):
    with connection.cursor() as cursor:
        for table in ("cases_caseevent", "hotline_ticketevent"):
            cursor.execute(f"SELECT count(*) FROM {table}_default")
            assert cursor.fetchone()[0] == 0
            cursor.execute(f"SELECT count(DISTINCT tableoid) FROM {table}")
            assert cursor.fetchone()[0] >= 12


def _index_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1",
            [[model._meta.db_table for model in bench_seed.MODELS.values()]],
        )
        return [name for (name,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="deferred indexes are PostgreSQL's")
def test_deferred_indexes_are_dropped_for_the_load_and_rebuilt(seeded, monkeypatch):
    monkeypatch.setattr(bench_seed, "DEMO_SIZE", 10**9)
    before = _index_names()
    out = io.StringIO()
    call_command(
        "bench", "seed", cases=5, tickets=5, defer_indexes=True, no_progress=True, stdout=out
    )
    text = out.getvalue()
    assert "secondary indexes for the load" in text
    assert "rebuilt" in text
    assert _index_names() == before
    assert not bench_seed._pending_file().exists()
    assert chain_verify([CaseEvent, TicketEvent]).ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="deferred indexes are PostgreSQL's")
def test_indexes_of_an_interrupted_load_come_back_on_the_next_run(seeded, monkeypatch):
    monkeypatch.setattr(bench_seed, "DEMO_SIZE", 10**9)
    before = _index_names()
    dropped = bench_seed._indexes_drop()  # as a load killed before its end leaves them
    assert dropped > 10
    assert len(_index_names()) < len(before)
    out = io.StringIO()
    call_command("bench", "seed", cases=1, tickets=1, no_progress=True, stdout=out)
    assert f"recreated {dropped} indexes" in out.getvalue()
    assert _index_names() == before


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_load_and_finishes_what_was_written(seeded, monkeypatch, signum):
    """`kill <pid>` stops a long run like Ctrl-C, even in a process started in the background
    (which inherits SIGINT ignored): the chunk in hand is rolled back, the rest is finished."""
    monkeypatch.setattr(bench_seed, "DEMO_SIZE", 10**9)
    monkeypatch.setattr(bench_seed, "CHUNK", 7)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as `nohup … &` starts it
    try:
        chunks = []

        def progress(kind, count):
            chunks.append((kind, count))
            if len(chunks) == 2:
                os.kill(os.getpid(), signum)

        cases, tickets = Case.objects.count(), Ticket.objects.count()
        written = bench_seed.seed(
            cases=70, tickets=70, seed=5, append=True, progress=progress, say=lambda _t: None
        )
        assert (Case.objects.count(), Ticket.objects.count()) == (cases + 7, tickets + 7)
        assert written["case"] == 7 and written["ticket"] == 7
        assert chain_verify([CaseEvent, TicketEvent]).ok
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # restored after the load
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGINT, previous)
