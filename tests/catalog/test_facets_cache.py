"""The catalogue's filter facets (themes, life events, departments with their item counts) are
computed once per search index revision and audience in a process: a second page view skips
their three queries; a publication (a new revision) or the lifetime brings fresh counts."""

from __future__ import annotations

import pytest

from tests.query_counts import page_queries
from tongban.catalog import browse, search
from tongban.catalog.services import item_save_spec

from .specs import department, spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_items(db):
    item_save_spec(spec=spec(department("jtj", 11).code), publish=True)
    item_save_spec(
        spec=spec(department("gaj", 12).code, basic_code="000107002000", name="居住证办理"),
        publish=True,
    )


def counts(client, url: str = "/items/") -> dict[str, int]:
    response = client.get(url)
    assert response.status_code == 200
    return {d.code: d.n for d in response.context["facets"]["departments"]}


def test_a_second_view_skips_the_facet_queries(two_items, anonymous_client, settings):
    for url in ("/items/", "/items/?q=居住证"):
        settings.TONGBAN_FACETS_CACHE_SECONDS = 0
        uncached = page_queries(anonymous_client, url)
        settings.TONGBAN_FACETS_CACHE_SECONDS = 300
        anonymous_client.get(url)
        assert page_queries(anonymous_client, url) == uncached - 3, url


def test_each_audience_has_its_own_entry(two_items, django_assert_num_queries):
    browse.facets("")
    browse.facets("person")
    with django_assert_num_queries(0):
        assert browse.facets("") is browse.facets("")
        assert browse.facets("person") is not browse.facets("")


def test_a_publication_brings_fresh_counts(two_items, anonymous_client, settings):
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 0  # the revision is compared on every search
    assert counts(anonymous_client) == {"jtj": 1, "gaj": 1}
    item_save_spec(
        spec=spec("gaj", basic_code="000107003000", name="户口迁移", aliases=""), publish=True
    )
    assert counts(anonymous_client) == {"jtj": 1, "gaj": 2}


def test_invalidating_the_index_forgets_the_facets(two_items, anonymous_client, settings):
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 3600  # only invalidate() moves the index
    assert counts(anonymous_client) == {"jtj": 1, "gaj": 1}
    item_save_spec(
        spec=spec("gaj", basic_code="000107003000", name="户口迁移", aliases=""), publish=True
    )
    assert counts(anonymous_client) == {"jtj": 1, "gaj": 1}  # same index, same facets
    search.invalidate()  # what the catalogue services do when a publication commits
    assert counts(anonymous_client) == {"jtj": 1, "gaj": 2}


def test_facets_are_recomputed_after_their_lifetime(two_items, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(search, "_clock", lambda: now[0])
    first = browse.facets("")
    now[0] += 299
    assert browse.facets("") is first
    now[0] += 2
    assert browse.facets("") is not first
