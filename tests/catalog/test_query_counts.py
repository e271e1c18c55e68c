"""The catalogue's API lists (/api/v1/items, /api/v1/bundles) read the same number of queries for
few and for many items and bundles."""

from __future__ import annotations

import itertools

import pytest

from tests.query_counts import page_queries
from tongban.catalog import search
from tongban.catalog.models import Bundle, ServiceItem
from tongban.catalog.services import bundle_save, item_save_spec

from .specs import department, spec

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/items?limit=100",
    "/api/v1/items?q=证",
    "/api/v1/bundles",
    "/api/v1/bundles?q=一件事",
]
_seq = itertools.count(1)


@pytest.fixture
def add(db):
    """``add(n)``: n bundles of two new items each, in two departments."""
    departments = [department("jtj", 11), department("gaj", 12)]

    def make(n: int) -> None:
        for _ in range(n):
            i = next(_seq)
            codes = []
            for dept in departments:
                version = item_save_spec(
                    spec=spec(
                        dept.code, basic_code=f"0001{i:04d}{dept.pk % 10}000", name=f"测试证{i}"
                    ),
                    publish=True,
                )
                codes.append(version.item.implementation_code)
            bundle_save(
                spec={
                    "code": f"b{i}",
                    "name": f"一件事{i}",
                    "summary": "两个部门的事项一次申请。",
                    "publish": True,
                    "items": codes,
                }
            )

    return make


def test_the_lists_read_the_same_queries_for_2_and_8_bundles(add, anonymous_client):
    add(2)
    few = {url: page_queries(anonymous_client, url) for url in URLS}
    add(6)
    search.invalidate()  # the index is rebuilt when the catalogue changes (checked every 5 s)
    assert (ServiceItem.objects.count(), Bundle.objects.count()) == (16, 8)
    assert anonymous_client.get("/api/v1/bundles").json()["count"] == 8
    assert {url: page_queries(anonymous_client, url) for url in URLS} == few
