"""Catalogue search: words, pinyin and initials, typos, ranking, filters, keeping the index fresh."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.catalog import search
from tongban.catalog.models import Theme
from tongban.catalog.services import (
    bundle_publish,
    bundle_save,
    item_retire,
    item_revise,
    item_save_spec,
)

from .specs import department, spec

pytestmark = pytest.mark.django_db

MATERIALS = [{"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"}]


def publish(dept: str, basic_code: str, name: str, **changes):
    changes.setdefault("materials", MATERIALS)
    changes.setdefault("questions", [])
    return item_save_spec(
        spec=spec(dept, basic_code=basic_code, name=name, **changes), publish=True
    )


@pytest.fixture
def catalogue(db):
    """Items around 老年人优待证 at every rank, and one unrelated item of another department."""
    department("mzj", 7)
    department("scjg", 8)
    items = {
        "exact": publish("mzj", "000107001000", "老年人优待证", aliases=""),
        "prefix": publish("mzj", "000107002000", "老年人优待证补办", aliases=""),
        "contains": publish("mzj", "000107003000", "高龄老年人优待证换领", aliases=""),
        "alias": publish("mzj", "000107004000", "敬老服务卡申领", aliases="老年人优待证换发"),
        "fuzzy": publish("mzj", "000107005000", "老年人优惠证明开具", aliases=""),
        "material": publish(
            "mzj",
            "000107006000",
            "公园年票办理",
            aliases="",
            materials=[{"seq": 1, "name": "老年人优待证复印件"}],
        ),
        "summary": publish(
            "mzj",
            "000107007000",
            "高龄津贴申领",
            aliases="",
            summary="已领取老年人优待证的八十周岁以上老人可申领。",
        ),
        "other": publish(
            "scjg",
            "000101008000",
            "食品经营许可",
            aliases="食品许可证",
            item_type="01",
            applicant_kind="enterprise",
        ),
    }
    return {key: v.item.implementation_code for key, v in items.items()}


def codes(result) -> list[str]:
    return [h.code for h in result.hits]


def test_ranking_exact_prefix_contains_alias_fuzzy_materials_guide(catalogue):
    result = search.search("老年人优待证")
    ranked = ["exact", "prefix", "contains", "alias", "fuzzy", "material", "summary"]
    assert codes(result) == [catalogue[k] for k in ranked]
    assert [(h.field, h.how) for h in result.hits] == [
        ("name", "exact"),
        ("name", "prefix"),
        ("name", "contains"),
        ("alias", "prefix"),
        ("name", "fuzzy"),
        ("material", "contains"),
        ("summary", "contains"),
    ]
    assert result.count == 7
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert [h.matched for h in result.hits][3:6] == ["老年人优待证换发", "", "老年人优待证复印件"]
    assert "老年人优待证" in result.hits[6].matched


def test_a_hit_names_kind_code_name_department_score_and_field(catalogue):
    hit = search.search("老年人优待证").hits[0]
    assert (hit.kind, hit.code, hit.name, hit.department, hit.department_name) == (
        "item",
        catalogue["exact"],
        "老年人优待证",
        "mzj",
        "测试mzj",
    )
    assert (hit.field, hit.how, hit.item_type) == ("name", "exact", "07")
    assert hit.score == 1040.0


@pytest.mark.parametrize(
    "query",
    [
        "laonianrenyoudaizheng",
        "laonianren",
        "laonian",
        "LaoNianRen",
        "lao nian ren",
        "lnr",
        "lnryd",
    ],
)
def test_full_pinyin_prefixes_and_initials(catalogue, query):
    result = search.search(query)
    assert codes(result)[:2] == [catalogue["exact"], catalogue["prefix"]]
    assert result.hits[0].field == "name"
    assert result.hits[0].how.split("_")[0] in ("pinyin", "initials")
    assert catalogue["other"] not in codes(result)


def test_pinyin_must_start_at_a_syllable(catalogue):
    # "aonian" is inside "laonian" but starts in the middle of a syllable.
    assert search.search("aonian").count == 0
    assert codes(search.search("nianren"))[:2] == [catalogue["exact"], catalogue["prefix"]]


def test_pinyin_and_initials_of_aliases(catalogue):
    assert codes(search.search("shipinxukezheng")) == [catalogue["other"]]
    hit = search.search("spxkz").hits[0]
    assert (hit.code, hit.field, hit.matched) == (catalogue["other"], "alias", "食品许可证")


@pytest.mark.parametrize(
    ("query", "how"),
    [
        ("老年人优侍证", "fuzzy"),  # one wrong character
        ("老年人优证", "fuzzy"),  # one missing character
        ("老年人优秀待证", "fuzzy"),  # one character too many
        ("老年人优代证", "homophone"),  # same sound, other character
    ],
)
def test_a_typo_still_finds_the_item(catalogue, query, how):
    hit = search.search(query).hits[0]
    assert (hit.code, hit.field, hit.how) == (catalogue["exact"], "name", how)


def test_two_typos_in_a_short_query_are_too_many(catalogue):
    assert catalogue["exact"] not in codes(search.search("老年仁优侍证"))


def test_words_apart_and_questions_in_plain_words(catalogue):
    hit = search.search("老年人优待证怎么办理").hits[0]
    assert (hit.code, hit.how) == (catalogue["exact"], "exact")
    hit = search.search("优待证 老年人").hits[0]
    assert (hit.code, hit.field, hit.how) == (catalogue["exact"], "name", "words")


def test_alias_exact_and_material_words(catalogue):
    hit = search.search("食品许可证").hits[0]
    assert (hit.code, hit.field, hit.how) == (catalogue["other"], "alias", "exact")
    hit = search.search("身份证").hits[0]
    assert (hit.field, hit.matched) == ("material", "居民身份证")


def test_implementation_and_basic_codes(catalogue):
    hit = search.search(catalogue["other"]).hits[0]
    assert (hit.code, hit.field, hit.how) == (catalogue["other"], "code", "exact")
    assert codes(search.search("000101008000")) == [catalogue["other"]]


def test_filters_audience_department_type_theme(catalogue):
    assert codes(search.search("许可", audience="enterprise")) == [catalogue["other"]]
    assert codes(search.search("许可", audience="person")) == []
    assert search.search("", department="scjg").count == 1
    assert search.search("", department="mzj").count == 7
    assert codes(search.search("", item_type="01")) == [catalogue["other"]]
    assert search.search("", theme="ylfw").count == 0
    assert search.search("老年人", department="nope").count == 0


def test_theme_and_life_event_filters(db):
    department("mzj", 7)
    Theme.objects.create(code="ylfw", name="养老服务", audience="person")
    item = publish("mzj", "000107001000", "老年人优待证", themes=["ylfw"])
    publish("mzj", "000107002000", "婚姻登记")
    assert codes(search.search("", theme="ylfw")) == [item.item.implementation_code]
    assert search.search("", life_event="retire").count == 0


def test_an_empty_query_lists_everything_in_pinyin_order_with_paging(catalogue):
    everything = search.search("", limit=100)
    assert everything.count == 8
    assert [h.name for h in everything.hits][:3] == [
        "高龄津贴申领",
        "高龄老年人优待证换领",
        "公园年票办理",
    ]
    page = search.search("", limit=3, offset=3)
    assert codes(page) == codes(everything)[3:6]
    assert page.count == 8


def test_paging_of_search_results(catalogue):
    first, second = (
        search.search("老年人优待证", limit=2),
        search.search("老年人优待证", limit=2, offset=2),
    )
    assert codes(first) + codes(second) == codes(search.search("老年人优待证"))[:4]
    assert first.count == second.count == 7


@pytest.mark.parametrize("query", ["", "   ", "？？！", "\x00\x01", "证" * 1000, "%_'\";--", "😀"])
def test_odd_queries_answer_without_error(catalogue, query):
    result = search.search(query)
    assert result.count >= 0


def test_drafts_and_retired_items_are_not_found(catalogue):
    department("gaj", 9)
    item_save_spec(spec=spec("gaj", basic_code="000107009000", name="户口迁移登记"))
    assert search.search("户口迁移").count == 0
    version = publish("gaj", "000107010000", "居住证申领")
    search.invalidate()
    assert search.search("居住证").count == 1
    item_retire(item=version.item)
    search.invalidate()
    assert search.search("居住证").count == 0


def test_publish_and_retire_refresh_the_index_on_commit(
    catalogue, django_capture_on_commit_callbacks
):
    assert search.search("居住证").count == 0  # the index is built now
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        department("gaj", 9)
        version = publish("gaj", "000107010000", "居住证申领")
    assert search.invalidate in callbacks
    assert codes(search.search("居住证")) == [version.item.implementation_code]
    with django_capture_on_commit_callbacks(execute=True):
        revised = item_revise(item=version.item)
    assert search.search("居住证").hits[0].name == "居住证申领"  # a draft changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        item_save_spec(
            spec=spec(
                "gaj",
                basic_code="000107010000",
                name="居住证办理",
                materials=MATERIALS,
                questions=[],
            ),
            publish=True,
        )
    assert revised.pk
    assert [h.name for h in search.search("居住证").hits] == ["居住证办理"]
    with django_capture_on_commit_callbacks(execute=True):
        item_retire(item=version.item)
    assert search.search("居住证").count == 0


def test_nothing_changes_until_the_commit(catalogue, django_capture_on_commit_callbacks, settings):
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 3600
    assert search.search("居住证").count == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        department("gaj", 9)
        publish("gaj", "000107010000", "居住证申领")
    assert len(callbacks) == 1
    assert search.search("居住证").count == 0  # not committed: the index has not been told
    callbacks[0]()
    assert search.search("居住证").count == 1


def test_changes_by_another_process_are_seen_by_the_fingerprint(catalogue, settings):
    """Publishing in another process cannot call our invalidate(): the revision check sees it,
    throttled to once per TONGBAN_SEARCH_REFRESH_SECONDS."""
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 3600
    assert search.search("居住证").count == 0
    department("gaj", 9)
    version = publish("gaj", "000107010000", "居住证申领")  # on_commit never runs in a test
    assert search.search("居住证").count == 0  # checked less than an hour ago: still the old index
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 0
    assert search.search("居住证").count == 1
    item_retire(item=version.item)
    assert search.search("居住证").count == 0


def test_the_fingerprint_moves_on_publish_retire_and_bundle_changes(catalogue):
    before = search.revision()
    department("gaj", 9)
    version = publish("gaj", "000107010000", "居住证申领")
    after_publish = search.revision()
    item_retire(item=version.item)
    after_retire = search.revision()
    assert len({before, after_publish, after_retire}) == 3


@pytest.fixture
def bundle(catalogue):
    return bundle_save(
        spec={
            "code": "yljk",
            "name": "养老服务一件事",
            "summary": "老年人优待证和高龄津贴一次办。",
            "items": [catalogue["exact"], catalogue["summary"]],
            "publish": True,
        }
    )


def test_bundles_are_found_by_name_pinyin_and_members(bundle, catalogue):
    hit = search.search("养老服务一件事").hits[0]
    assert (hit.kind, hit.code, hit.department, hit.how) == ("bundle", "yljk", "", "exact")
    assert codes(search.search("yanglao")) == ["yljk"]
    assert codes(search.search("ylfwyjs")) == ["yljk"]
    assert "yljk" in codes(search.search("高龄津贴申领"))
    assert codes(search.search("高龄津贴申领", kind="item")) == [catalogue["summary"]]
    assert codes(search.search("", kind="bundle")) == ["yljk"]
    assert codes(search.search("", kind="bundle", department="mzj")) == ["yljk"]
    assert codes(search.search("", kind="bundle", department="scjg")) == []
    assert codes(search.search("", kind="bundle", audience="enterprise")) == []


def test_unpublished_bundles_disappear(bundle, django_capture_on_commit_callbacks):
    assert codes(search.search("养老服务", kind="bundle")) == ["yljk"]
    with django_capture_on_commit_callbacks(execute=True):
        bundle_publish(bundle=bundle, published=False)
    assert codes(search.search("养老服务", kind="bundle")) == []
    with django_capture_on_commit_callbacks(execute=True):
        bundle_publish(bundle=bundle)
    assert codes(search.search("养老服务", kind="bundle")) == ["yljk"]


def reference_distance(q: str, text: str) -> int:
    """The plain dynamic programme (Sellers 1980) the bit-parallel version must agree with."""
    prev = list(range(len(q) + 1))
    best = len(q)
    for ch in text:
        cur = [0]
        for i in range(1, len(q) + 1):
            cur.append(min(prev[i - 1] + (q[i - 1] != ch), prev[i] + 1, cur[i - 1] + 1))
        best = min(best, cur[-1])
        prev = cur
    return best


@pytest.mark.parametrize(
    ("q", "text", "distance"),
    [
        ("老年人优待证", "高龄老年人优待证换领", 0),
        ("老年人优侍证", "老年人优待证", 1),
        ("老年人优证", "老年人优待证", 1),
        ("老年人优秀待证", "老年人优待证", 1),
        ("食品经营", "老年人优待证", 4),
        ("", "任何", 0),
    ],
)
def test_substring_distance(q, text, distance):
    assert search.substring_distance(q, text) == distance


@given(st.text("abcd", max_size=12), st.text("abcde", max_size=20))
def test_substring_distance_agrees_with_the_dynamic_programme(q, text):
    assert search.substring_distance(q, text) == reference_distance(q, text)
