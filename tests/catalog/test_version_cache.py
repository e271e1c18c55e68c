"""A published item version, loaded with its elements, and its rendered guide are kept by the
process (catalog.selectors.displayed_version, views/portal.py's guide): a second view reads one
statement; a publication or retirement shows at once; a draft (the preview) is read every
time; what the version shows from outside (the department's name) is at most the lifetime
old."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.query_counts import page_queries
from tongban.catalog import search, selectors
from tongban.catalog.models import Material, ServiceItemVersion
from tongban.catalog.models.codes import VersionStatus
from tongban.catalog.services import item_publish, item_retire, item_save_spec
from tongban.core.models import Department

from .specs import department, spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(db, settings):
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 3600  # only invalidate() moves the index
    department("mzj", 7)
    return item_save_spec(spec=spec("mzj"), publish=True)


def url_of(version) -> str:
    return f"/items/{version.item.implementation_code}/"


def same_page(response) -> str:
    """The page without what changes on every response (the CSP nonce, the CSRF token)."""
    page = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def catalogue_statements(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "catalog_" in q["sql"]]


def test_a_second_guide_view_reads_one_statement(published, anonymous_client):
    first = anonymous_client.get(url_of(published))
    with CaptureQueriesContext(connection) as ctx:
        second = anonymous_client.get(url_of(published))
    assert second.status_code == 200
    assert len(ctx.captured_queries) == 1  # the published version's key: (pk, created_at)
    assert same_page(second) == same_page(first)


def test_the_guide_costs_the_same_for_few_and_many_elements(published, anonymous_client):
    few = page_queries(anonymous_client, url_of(published))
    many = spec(
        "mzj",
        basic_code="000107002000",
        name="居住证办理",
        materials=[{"seq": n, "name": f"材料{n}"} for n in range(1, 31)],
        questions=[],
        faqs=[{"question": f"问题{n}？", "answer": "答案。"} for n in range(10)],
    )
    version = item_save_spec(spec=many, publish=True)
    assert version.materials.count() == 30
    assert page_queries(anonymous_client, url_of(version)) == few == 1


def test_a_publication_shows_at_once(published, anonymous_client, admin_client_):
    assert "老年人优待证办理</h1>" in anonymous_client.get(url_of(published)).content.decode()
    draft = item_save_spec(spec=spec("mzj", name="老年人优待证（新版）"))
    item_publish(version=draft)  # its on_commit invalidate() does not run in a test
    page = anonymous_client.get(url_of(published)).content.decode()
    assert "老年人优待证（新版）</h1>" in page
    assert "老年人优待证办理</h1>" not in page


def test_a_retirement_shows_at_once(published, anonymous_client):
    assert anonymous_client.get(url_of(published)).status_code == 200
    item_retire(item=published.item)
    assert anonymous_client.get(url_of(published)).status_code == 404
    retired = ServiceItemVersion.objects.get(pk=published.pk)
    assert selectors.displayed_version(retired).status == VersionStatus.RETIRED


def test_a_draft_preview_is_never_kept(published, admin_client_):
    draft = item_save_spec(spec=spec("mzj", name="老年人优待证（新版）"))
    url = f"{url_of(published)}?preview={draft.pk}"
    assert "材料二十" not in admin_client_.get(url).content.decode()
    Material.objects.filter(version=draft, seq=2).update(name="材料二十")  # the admin edits it
    with CaptureQueriesContext(connection) as ctx:
        page = admin_client_.get(url).content.decode()
    assert "材料二十" in page
    assert len(catalogue_statements(ctx)) >= 10  # read whole, every time
    assert selectors.displayed_version(draft) is not selectors.displayed_version(draft)


def test_a_published_version_is_loaded_once(published, django_assert_num_queries):
    row = ServiceItemVersion.objects.get(pk=published.pk)
    first = selectors.displayed_version(row)
    assert [m.seq for m in first.materials.all()] == [1, 2, 3, 4, 5]
    with django_assert_num_queries(0):
        assert selectors.displayed_version(row) is first
        assert selectors.materials_for(row, {"self": "yes"}).items == [first]


def test_the_lifetime_bounds_what_the_version_shows_from_outside(published, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(search, "_clock", lambda: now[0])
    row = ServiceItemVersion.objects.get(pk=published.pk)
    assert selectors.displayed_version(row).item.department.name == "测试mzj"
    Department.objects.filter(code="mzj").update(name="云溪区民政局")
    now[0] += 299
    assert selectors.displayed_version(row).item.department.name == "测试mzj"
    now[0] += 2
    assert selectors.displayed_version(row).item.department.name == "云溪区民政局"


def test_invalidating_the_index_forgets_the_kept_versions(published):
    row = ServiceItemVersion.objects.get(pk=published.pk)
    first = selectors.displayed_version(row)
    search.invalidate()  # what the catalogue services do when a publication commits
    assert selectors.displayed_version(row) is not first


def test_no_lifetime_keeps_nothing(published, settings, anonymous_client):
    settings.TONGBAN_FACETS_CACHE_SECONDS = 0
    row = ServiceItemVersion.objects.get(pk=published.pk)
    assert selectors.displayed_version(row) is not selectors.displayed_version(row)
    assert page_queries(anonymous_client, url_of(published)) > 10


def test_the_store_keeps_the_most_recently_used():
    kept = search.Kept(2)
    kept.put(("a",), 1)
    kept.put(("b",), 2)
    assert kept.get(("a",)) == 1  # now the most recent
    kept.put(("c",), 3)
    assert (kept.get(("a",)), kept.get(("b",)), kept.get(("c",))) == (1, None, 3)


def test_each_language_has_its_own_guide(published, anonymous_client):
    chinese = same_page(anonymous_client.get(url_of(published)))
    anonymous_client.cookies["tongban_language"] = "en"
    english = same_page(anonymous_client.get(url_of(published)))
    assert "办理时限" in chinese and "办理时限" not in english
    del anonymous_client.cookies["tongban_language"]
    assert same_page(anonymous_client.get(url_of(published))) == chinese
