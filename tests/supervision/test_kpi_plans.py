"""PostgreSQL: every source's period window of the KPIs can be answered from indexes (hotline
0009_kpi_indexes and the case indexes), so a month's figures never read a whole table; the
case events of a month read one monthly partition. The planner is told to avoid sequential
scans (the test tables are tiny, where a scan is cheapest): a window without a usable index
would still show one. Where a test asks which index answers, the other ways in are turned off
too, so the answer does not depend on the tiny tables' statistics (in the full suite the planner
preferred walking the department index for the grouping). That the ticket counts are read
from the covering indexes alone (no heap) is shown by the plans at 9.2 M tickets
(docs/performance.md), not here: on tiny tables it is a matter of costs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tongban.supervision import kpis

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans"),
]

OCT = kpis.month_period(dt.date(2026, 10, 1))
TODAY = dt.date(2026, 11, 20)


def _plan(source: str, period: kpis.Period = OCT, *, off: tuple[str, ...] = ("seqscan",)) -> str:
    """The plan of the source's query grouped by department (as the one pass runs it), with
    the planner's ``off`` scan kinds disabled."""
    qs = kpis._filtered(kpis.SOURCES[source], kpis.ALL, period, [])
    aggregates = kpis._aggregates(source, period, TODAY)
    qs = kpis._grouped(kpis.SOURCES[source], ["department"], qs).annotate(**aggregates)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        for kind in off:
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("source", "indexes"),
    [
        ("tickets_replied", [("ticket_replied_at",)]),
        ("tickets_closed", [("ticket_closed_at",)]),
        # either created_at index answers the window (the plain one is smaller)
        ("tickets_created", [("ticket_created_kpi", "hotline_ticket_created_at")]),
        ("assignments", [("assignment_dispatched_at",)]),
        ("callbacks", [("callback_done_at",)]),
        (
            "cases",
            [("cases_case_accepted_on",), ("case_decided_at",), ("cases_case_promised_due",)],
        ),
    ],
)
def test_each_window_column_has_its_index(source, indexes):
    # no plain index scans: walking another index (the grouping's) then filtering would do
    plan = _plan(source, off=("seqscan", "indexscan"))
    for names in indexes:
        assert any(f"Scan on {n}" in plan or f"Scan using {n}" in plan for n in names), plan
    assert "Seq Scan" not in plan, plan
    if len(indexes) > 1:
        assert "BitmapOr" in plan, plan


def test_callbacks_look_their_ticket_up_rather_than_join_the_ticket_table():
    plan = _plan("callbacks")
    assert "SubPlan" in plan, plan
    assert "Join" not in plan, plan


def test_a_month_of_refusals_reads_one_partition_of_the_case_events():
    month = dt.date.today().replace(day=1)  # the migrations made this month's partition
    plan = _plan("refusals", kpis.month_period(month))
    scanned = [line for line in plan.splitlines() if "cases_caseevent" in line and "Scan" in line]
    assert scanned, plan
    assert all(f"cases_caseevent_p{month:%Y%m}" in line for line in scanned), plan
