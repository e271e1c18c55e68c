"""The knowledge base's console pages and API: who may open what (refusals change nothing),
forms post through the services with errors inline, the live search answers htmx, JSON and a
plain page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from ninja.testing import TestClient

from tests.factories import PersonFactory, UserFactory
from tongban.core.errors import DomainError
from tongban.hotline.knowledge import index, services
from tongban.hotline.knowledge.api import router
from tongban.hotline.models import Article, ArticleState

pytestmark = pytest.mark.django_db

BASE = "/console/hotline/knowledge/"


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 0
    index.reset()
    yield
    index.reset()


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def applicant(db):
    user = UserFactory(username="applicant_kb")
    PersonFactory(name="张晓明", user=user)
    return user


@pytest.fixture
def persona(request, world):
    def get(name):
        return None if name == "anonymous" else request.getfixturevalue(name)

    return get


@pytest.fixture
def articles(world, operator, zjj_handler):
    published = services.article_create(
        actor=zjj_handler,
        title="离职后怎样提取住房公积金",
        content="职工离职后，公积金账户封存满六个月的，可以申请销户提取。",
        keywords="公积金提取",
        submit=True,
    )
    services.article_review(published.pk, actor=operator, publish=True)
    draft = services.article_create(
        actor=zjj_handler, title="公积金贷款新政（草稿）", content="待定。"
    )
    return {"published": Article.objects.get(pk=published.pk), "draft": draft}


PAGES = ["", "search?q=公积金", "new/", "review/", "expired/"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("anonymous", [302, 302, 302, 302, 302]),
        ("applicant", [403, 403, 403, 403, 403]),
        ("grid_worker", [200, 200, 403, 403, 403]),
        ("supervisor_h", [200, 200, 403, 403, 403]),
        ("handler", [200, 200, 200, 403, 200]),
        ("operator", [200, 200, 200, 200, 200]),
    ],
)
def test_who_may_open_which_page(persona, articles, name, expected):
    client = client_for(persona(name))
    got = [client.get(BASE + page).status_code for page in PAGES]
    assert got == expected


@pytest.mark.parametrize(
    ("name", "published", "draft"),
    [
        ("grid_worker", 200, 404),
        ("handler", 200, 404),  # 城管局: another department's draft does not exist for them
        ("zjj_handler", 200, 200),
        ("operator", 200, 200),
    ],
)
def test_an_article_page_shows_drafts_only_to_their_department(
    persona, articles, name, published, draft
):
    client = client_for(persona(name))
    assert client.get(f"{BASE}{articles['published'].pk}/").status_code == published
    assert client.get(f"{BASE}{articles['draft'].pk}/").status_code == draft
    assert client.get(f"{BASE}424242/").status_code == 404


def test_the_list_filters_and_counts_its_queries(operator, articles, django_assert_max_num_queries):
    client = client_for(operator)
    with django_assert_max_num_queries(12):
        page = client.get(BASE, {"state": "published"}).content.decode()
    assert "离职后怎样提取住房公积金" in page and "公积金贷款新政（草稿）" not in page
    page = client.get(BASE, {"q": "贷款"}).content.decode()
    assert "公积金贷款新政（草稿）" in page and "离职后怎样提取住房公积金" not in page
    page = client.get(BASE, {"validity": "expired", "page": "x"}).content.decode()
    assert "没有符合这些条件的知识条目。" in page


def test_the_article_page(operator, articles):
    page = client_for(operator).get(f"{BASE}{articles['published'].pk}/").content.decode()
    for text in ("离职后怎样提取住房公积金", "已发布", "新建", "审核发布", "下架条目", "修改条目"):
        assert text in page


# ---------------------------------------------------------------- the form


def form_data(**changes):
    data = {
        "title": "居住证办理",
        "content": "在本区居住半年以上的，可以申领居住证。",
        "keywords": "暂住证",
        "department": "cgj",
        "subject": "",
        "valid_from": "",
        "valid_until": "",
        "then": "submit",
    }
    data.update(changes)
    return data


def test_a_handler_writes_an_article_for_review(handler, world):
    response = client_for(handler).post(BASE + "new/", form_data())
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{article.pk}/"
    assert (article.state, article.department, article.created_by) == (
        ArticleState.PENDING,
        world.cgj,
        handler,
    )


def test_a_draft(handler, world):
    client_for(handler).post(BASE + "new/", form_data(then="draft"))
    assert Article.objects.get().state == ArticleState.DRAFT


def test_form_errors_are_shown_and_nothing_is_saved(handler, world):
    response = client_for(handler).post(BASE + "new/", form_data(title=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>错误：" in page
    assert 'href="#id_title"' in page and "请填写标题。" in page
    response = client_for(handler).post(
        BASE + "new/", form_data(valid_from="2030-05-02", valid_until="2030-05-01")
    )
    assert response.status_code == 422
    assert "失效日期：不能早于生效日期（2030-05-02）。" in response.content.decode()
    response = client_for(handler).post(BASE + "new/", form_data(department="zjj"))
    assert response.status_code == 400  # not a choice for a 城管局 handler
    assert not Article.objects.exists()


def test_editing_with_a_stale_form_is_refused(zjj_handler, operator, articles):
    draft = articles["draft"]
    client = client_for(zjj_handler)
    page = client.get(f"{BASE}{draft.pk}/edit/").content.decode()
    assert draft.updated_at.isoformat() in page
    services.article_update(
        draft.pk, actor=operator, title="别人改过的标题", content="待定。", department_code="zjj"
    )
    response = client.post(
        f"{BASE}{draft.pk}/edit/",
        form_data(
            title="我的标题",
            department="zjj",
            expected_updated_at=draft.updated_at.isoformat(),
        ),
    )
    assert response.status_code == 409
    assert "该条目在您编辑期间已被其他人修改" in response.content.decode()
    assert Article.objects.get(pk=draft.pk).title == "别人改过的标题"


def test_another_departments_article_cannot_be_edited(handler, articles):
    client = client_for(handler)
    published = articles["published"]
    assert client.get(f"{BASE}{published.pk}/edit/").status_code == 403
    response = client.post(f"{BASE}{published.pk}/edit/", form_data(title="改"))
    assert response.status_code == 403
    assert Article.objects.get(pk=published.pk).title == "离职后怎样提取住房公积金"


# ---------------------------------------------------------------- actions


def test_review_publish_and_send_back(operator, zjj_handler, articles):
    draft = articles["draft"]
    client_for(zjj_handler).post(f"{BASE}{draft.pk}/actions/submit/")
    client = client_for(operator)
    response = client.post(f"{BASE}{draft.pk}/actions/review/", {"review-decision": "send_back"})
    assert response.status_code == 422
    assert "审核意见：退回修改时请写明需要修改什么。" in response.content.decode()
    assert Article.objects.get(pk=draft.pk).state == ArticleState.PENDING
    response = client.post(
        f"{BASE}{draft.pk}/actions/review/", {"review-decision": "publish", "review-note": "可以"}
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=draft.pk).state == ArticleState.PUBLISHED


def test_a_handler_cannot_review(zjj_handler, articles):
    draft = articles["draft"]
    services.article_submit(draft.pk, actor=zjj_handler)
    response = client_for(zjj_handler).post(
        f"{BASE}{draft.pk}/actions/review/", {"review-decision": "publish"}
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=draft.pk).state == ArticleState.PENDING


def test_withdraw_needs_the_tick_box(zjj_handler, articles):
    published = articles["published"]
    url = f"{BASE}{published.pk}/actions/withdraw/"
    client = client_for(zjj_handler)
    response = client.post(url, {"withdraw-reason": "政策废止"})
    assert response.status_code == 400
    assert "请勾选确认后再下架。" in response.content.decode()
    assert Article.objects.get(pk=published.pk).state == ArticleState.PUBLISHED
    response = client.post(url, {"withdraw-reason": "政策废止", "withdraw-confirm": "on"})
    assert response.status_code == 302
    assert Article.objects.get(pk=published.pk).state == ArticleState.WITHDRAWN
    assert client.post(f"{BASE}{published.pk}/actions/nope/").status_code == 404


# ---------------------------------------------------------------- the live search


def test_live_search_fragment_for_htmx(operator, articles):
    response = client_for(operator).get(
        BASE + "search", {"q": "公积金", "pick": "1"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert "<html" not in page and "<h1" not in page and "<h2" not in page  # focus stays put
    assert "离职后怎样提取住房公积金" in page and "<mark>公积金</mark>" in page
    assert 'name="article_id"' in page and f'value="{articles["published"].pk}"' in page
    assert "公积金贷款新政（草稿）" not in page


def test_live_search_json(operator, articles):
    response = client_for(operator).get(
        BASE + "search", {"q": "gjj"}, HTTP_ACCEPT="application/json"
    )
    body = response.json()
    assert response["Content-Type"] == "application/json"
    assert body["q"] == "gjj"
    (hit,) = body["hits"]
    assert (hit["id"], hit["title"], hit["department"], hit["valid_until"], hit["url"]) == (
        articles["published"].pk,
        "离职后怎样提取住房公积金",
        "云溪区住房和城乡建设局",
        None,
        f"{BASE}{articles['published'].pk}/",
    )


def test_live_search_page_without_javascript(operator, articles):
    page = client_for(operator).get(BASE + "search", {"q": "<script>"}).content.decode()
    assert "<h1>" in page and 'name="q"' in page
    assert "“&lt;script&gt;”相关的有效条目" in page
    assert "<script>" not in page.split("</head>", 1)[1].replace("<script src", "")


# ---------------------------------------------------------------- the API


def _mounted() -> bool:
    try:
        resolve("/api/v1/knowledge")
    except Resolver404:
        return False
    return True


def api_get(user, path: str, **params):
    """GET through /api/v1 once the router is registered there, else through the router."""
    if _mounted():
        return client_for(user).get(f"/api/v1{path}", params)
    try:
        return TestClient(router).get(path, query_params=params, user=user)
    except DomainError as exc:
        return type("Refused", (), {"status_code": exc.status_code, "json": exc.as_dict})()


def test_api_search(operator, articles):
    response = api_get(operator, "/knowledge", q="公积金提取", limit=3)
    assert response.status_code == 200
    body = response.json()
    assert [h["title"] for h in body["hits"]] == ["离职后怎样提取住房公积金"]
    assert set(body["hits"][0]) >= {
        "id",
        "title",
        "snippet",
        "subject",
        "department",
        "valid_until",
    }


def test_api_article_and_refusals(operator, applicant, articles):
    draft = articles["draft"]
    body = api_get(operator, f"/knowledge/{draft.pk}").json()
    assert (body["title"], body["state"], body["validity"]) == (
        "公积金贷款新政（草稿）",
        "draft",
        "valid",
    )
    assert api_get(applicant, "/knowledge", q="公积金").status_code == 403


def test_the_hotline_navigation_links_here(operator, articles):
    page = client_for(operator).get(BASE).content.decode()
    assert f'<a class="sub-nav__link" href="{BASE}" aria-current="page">知识库</a>' in page
