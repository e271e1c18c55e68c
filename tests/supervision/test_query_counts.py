"""Every supervision list page reads a fixed number of queries however many rows it shows."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.query_counts import page_queries
from tongban.supervision.services import supervision_order_open, supervision_sweep

pytestmark = pytest.mark.django_db

PAGES = [
    "/console/supervision/",
    "/console/supervision/cards/",
    "/console/supervision/orders/",
    "/console/supervision/dashboard/?month=2026-10",
    "/console/supervision/list/?count=accepted&month=2026-10",
    "/console/supervision/list/?count=overdue&month=2026-10",
    "/console/supervision/performance/?month=2026-10",
    "/console/supervision/reports/",
]


@pytest.fixture
def late_cases(november, item, other_item, make_case, add_event, supervisor):
    """``add(n)`` makes n more late cases in October (half in each department), each with a
    red card from the sweep and an open supervision order."""

    def add(n: int) -> None:
        for i in range(n):
            version = item if i % 2 else other_item
            case = make_case(
                version, accepted="2026-10-09", promised="2026-10-16", legal="2026-11-06"
            )
            add_event(case, "submit", "2026-10-09", hour=9)
            add_event(case, "accept", "2026-10-09", payload={"accepted_on": "2026-10-09"})
            supervision_order_open(
                actor=supervisor, kind="case", ref=case.case_no, requirement="说明超期原因"
            )
        supervision_sweep()

    return add


def test_every_page_reads_the_same_queries_for_2_and_12_late_cases(late_cases, supervisor):
    client = Client()
    client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    late_cases(2)
    few = {url: page_queries(client, url) for url in PAGES}
    late_cases(10)
    assert {url: page_queries(client, url) for url in PAGES} == few
