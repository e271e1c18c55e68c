"""Monthly partitions of the event tables on PostgreSQL (cases 0012, hotline 0007): the tables
are partitioned, events land in their month's partition (or DEFAULT until it exists, then
move), and the hash chains still verify. On SQLite the migrations and the command do nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from tests.cases.helpers import submitted_case
from tongban.cases.models import CaseEvent
from tongban.cases.services import case_accept
from tongban.core.events import chain_verify
from tongban.core.partitioning import (
    Month,
    ensure_partitions,
    is_partitioned,
    partitions_of,
)

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitioning is PostgreSQL's (no-op on SQLite)"
)


def partition_of(event: CaseEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM cases_caseevent WHERE id = %s", [event.pk]
        )
        return cursor.fetchone()[0]


def test_months_are_asia_shanghai_months():
    import datetime as dt

    moment = dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)  # 12-01 00:30 in Shanghai
    assert Month.of(moment) == Month(2026, 12)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2026, 12).start().isoformat() == "2026-12-01T00:00:00+08:00"
    assert Month(2027, 1).suffix() == "p202701"


def test_on_sqlite_the_command_says_there_is_nothing_to_do():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite behaviour")
    out = io.StringIO()
    call_command("partitions", "ensure", stdout=out)
    assert out.getvalue() == "partitions: sqlite has no partitions; nothing to do\n"
    assert ensure_partitions() == {}
    assert partitions_of("cases_caseevent") == []


@postgres_only
def test_the_event_tables_are_partitioned_with_a_default_partition():
    with connection.cursor() as cursor:
        assert is_partitioned(cursor, "cases_caseevent")
        assert is_partitioned(cursor, "hotline_ticketevent")
        assert not is_partitioned(cursor, "cases_case")
    for table in ("cases_caseevent", "hotline_ticketevent"):
        names = dict(partitions_of(table))
        assert names[f"{table}_default"] == "DEFAULT"
        assert len(names) >= 2


@postgres_only
def test_events_land_in_their_months_partition_and_move_out_of_default(at, applicant, clerk, code):
    at("2026-06-03 10:00")  # a month before the migration's partitions: none yet
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert [partition_of(e) for e in events] == ["cases_caseevent_default"] * len(events)
    created = ensure_partitions(months_ahead=1)
    assert created["cases_caseevent"] == ["cases_caseevent_p202606", "cases_caseevent_p202607"]
    assert [partition_of(e) for e in events] == ["cases_caseevent_p202606"] * len(events)
    assert dict(partitions_of("cases_caseevent"))["cases_caseevent_p202606"] == (
        "FOR VALUES FROM ('2026-05-31 16:00:00+00') TO ('2026-06-30 16:00:00+00')"
    )
    at("2026-07-01 09:00")
    later = case_accept(actor=clerk, case=submitted_case(applicant, code))
    newest = CaseEvent.objects.filter(case=later).order_by("-seq").first()
    assert partition_of(newest) == "cases_caseevent_p202607"
    assert ensure_partitions(months_ahead=1)["cases_caseevent"] == ["cases_caseevent_p202608"]
    report = chain_verify([CaseEvent])
    assert report.ok, report.problems
    assert report.events == CaseEvent.objects.count()


@postgres_only
def test_the_command_creates_the_coming_months(at):
    at("2027-10-15 10:00")
    out = io.StringIO()
    call_command("partitions", "ensure", "--months", "2", stdout=out)
    assert out.getvalue().splitlines() == [
        "cases_caseevent: created cases_caseevent_p202710, cases_caseevent_p202711, "
        "cases_caseevent_p202712",
        "hotline_ticketevent: created hotline_ticketevent_p202710, hotline_ticketevent_p202711, "
        "hotline_ticketevent_p202712",
    ]
    out = io.StringIO()
    call_command("partitions", "ensure", "--months", "2", stdout=out)
    assert out.getvalue().splitlines() == [
        "cases_caseevent: created none needed",
        "hotline_ticketevent: created none needed",
    ]
