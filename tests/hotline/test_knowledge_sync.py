"""The catalogue's service guides as knowledge articles: created on publish, updated on a new
version, withdrawn on retirement; idempotent; a failing sync never undoes the catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.catalog.specs import department, spec
from tests.hotline.factories import subject
from tongban.catalog.services import hooks as catalog_hooks
from tongban.catalog.services import item_retire, item_revise, item_save_spec
from tongban.core.models import AuditEvent
from tongban.core.workdays import business_date
from tongban.hotline.knowledge import catalog_sync, index, services
from tongban.hotline.knowledge.catalog_sync import SyncReport, articles_sync_from_catalog
from tongban.hotline.knowledge.errors import KnowledgeError
from tongban.hotline.knowledge.search import knowledge_search
from tongban.hotline.models import Article, ArticleSource, ArticleState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 0
    index.reset()
    yield
    index.reset()


@pytest.fixture
def mzj(db):
    return department("mzj", 7)


@pytest.fixture
def elderly(db):
    welfare = subject("09", "社会保障")
    care = subject("09.01", "养老服务", welfare)
    return subject("09.01.01", "老年优待", care, "优待证,老年证")


def publish_item(dept: str = "mzj", **changes):
    changes.setdefault("fees", [])
    return item_save_spec(spec=spec(dept, **changes), publish=True)


def mirrored() -> list[Article]:
    return list(Article.objects.filter(source=ArticleSource.CATALOG).order_by("pk"))


def test_publishing_an_item_mirrors_its_guide(mzj, elderly):
    version = publish_item(
        location="云溪区政务服务中心一楼 3 号窗口",
        hours="工作日 9:00–17:00",
        consult_phone="0571-12345678",
        conditions="年满六十周岁的本区户籍老年人。",
    )
    (article,) = mirrored()
    code = version.item.implementation_code
    assert (article.title, article.item_code, article.state, article.department) == (
        "老年人优待证办理办事指南",
        code,
        ArticleState.PUBLISHED,
        mzj,
    )
    assert article.keywords == "老年证、敬老卡"
    assert article.subject == elderly  # "老年证" is one of the subject's keywords
    assert article.valid_from == business_date(version.published_at)
    assert article.valid_until is None
    for part in (
        f"老年人优待证办理（实施主体：测试mzj，事项编码 {code}）",
        "【受理条件】\n年满六十周岁的本区户籍老年人。",
        "【申请材料】\n1. 居民身份证（必要）\n2. 近期免冠照片（必要）\n3. 授权委托书（视情形提交）",
        "【办理时限】\n法定办结时限 20 个工作日，承诺办结时限 5 个工作日。",
        "【收费标准】\n不收费。",
        "办理地点：云溪区政务服务中心一楼 3 号窗口",
        "办理时间：工作日 9:00–17:00",
        "咨询电话：0571-12345678",
    ):
        assert part in article.content
    history = AuditEvent.objects.filter(stream=f"article:{article.pk}")
    assert [(e.action, e.payload["item_code"]) for e in history] == [("article_sync", code)]


def test_operators_find_the_guide(mzj, elderly):
    publish_item()
    hit = knowledge_search("老年证")[0]
    assert (hit.title, hit.source, hit.subject) == (
        "老年人优待证办理办事指南",
        "catalog",
        "老年优待",
    )
    assert knowledge_search("敬老卡")[0].title == "老年人优待证办理办事指南"


def test_the_sync_is_idempotent(mzj):
    publish_item()
    assert articles_sync_from_catalog() == SyncReport(unchanged=1)
    assert len(mirrored()) == 1


def test_a_new_version_updates_the_article(mzj):
    version = publish_item()
    item_revise(item=version.item)
    publish_item(name="老年人优待证申领", legal_limit_days=15, promised_limit_days=3)
    (article,) = mirrored()
    assert article.title == "老年人优待证申领办事指南"
    assert "法定办结时限 15 个工作日，承诺办结时限 3 个工作日。" in article.content
    assert AuditEvent.objects.filter(stream=f"article:{article.pk}").count() == 2


def test_retiring_the_item_withdraws_the_article(mzj):
    version = publish_item()
    assert knowledge_search("老年人优待证")
    item_retire(item=version.item)
    (article,) = mirrored()
    assert article.state == ArticleState.WITHDRAWN
    assert knowledge_search("老年人优待证") == []
    assert articles_sync_from_catalog() == SyncReport()  # withdrawn stays withdrawn, quietly


def test_publishing_again_brings_it_back(mzj):
    version = publish_item()
    item_retire(item=version.item)
    publish_item()
    (article,) = mirrored()
    assert article.state == ArticleState.PUBLISHED


def test_a_sync_limited_to_codes_touches_only_those(mzj):
    first = publish_item()
    publish_item(basic_code="000107002000", name="高龄津贴申领", aliases="")
    Article.objects.filter(item_code=first.item.implementation_code).update(title="手改的标题")
    report = articles_sync_from_catalog(item_codes=["nope"])
    assert report == SyncReport()
    assert Article.objects.filter(title="手改的标题").exists()
    assert articles_sync_from_catalog(item_codes=[first.item.implementation_code]) == SyncReport(
        updated=1
    )


def test_a_duplicate_mirror_is_withdrawn(mzj):
    version = publish_item()
    (article,) = mirrored()
    Article.objects.create(
        title="重复",
        content="重复",
        valid_from=article.valid_from,
        state=ArticleState.PUBLISHED,
        source=ArticleSource.CATALOG,
        item_code=version.item.implementation_code,
        department=mzj,
    )
    assert articles_sync_from_catalog() == SyncReport(withdrawn=1, unchanged=1)
    assert [a.state for a in mirrored()] == [ArticleState.PUBLISHED, ArticleState.WITHDRAWN]


def test_a_failing_sync_never_undoes_the_catalogue(mzj, monkeypatch, caplog):
    def broken(codes):
        Article.objects.create(title="半截", content="半截", valid_from=dt.date(2026, 1, 1))
        raise RuntimeError("boom")

    monkeypatch.setattr(catalog_hooks, "_listeners", [broken])
    version = publish_item()
    assert version.status == "published"
    assert not Article.objects.exists()  # the listener's own writes are rolled back alone
    assert "catalogue listener" in caplog.text


def test_the_listener_is_registered_at_start_up():
    assert catalog_sync.on_catalogue_change in catalog_hooks._listeners


def test_catalogue_articles_are_not_edited_by_hand(mzj, operator):
    publish_item()
    (article,) = mirrored()
    with pytest.raises(KnowledgeError):
        services.article_withdraw(article.pk, actor=operator, reason="不要了")


def test_published_date_is_the_business_date(mzj):
    version = publish_item()
    (article,) = mirrored()
    assert article.valid_from == business_date(timezone.now())
    assert version.published_at is not None
