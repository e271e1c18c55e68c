"""The core API lists and the console home read a fixed number of queries however many rows."""

from __future__ import annotations

import pytest

from tests.factories import DepartmentFactory, StreetFactory
from tests.query_counts import page_queries
from tongban.core.models import Department, Region

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/regions",
    "/api/v1/regions?level=street",
    "/api/v1/departments",
    "/console/",
]


def _add(n: int) -> None:
    for _ in range(n):
        street = StreetFactory(parent=Region.objects.get(code="330199"))
        parent = DepartmentFactory(region=street.parent)
        DepartmentFactory(region=street, parent=parent)


def test_every_list_reads_the_same_queries_for_2_and_10_rows(clerk_client):
    _add(2)
    few = {url: page_queries(clerk_client, url) for url in URLS}
    _add(8)
    assert Department.objects.filter(parent__isnull=False).count() == 10
    assert len(clerk_client.get("/api/v1/departments").json()) >= 20
    assert {url: page_queries(clerk_client, url) for url in URLS} == few
