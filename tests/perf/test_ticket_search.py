"""Word search of ticket titles (`q=` of `GET /api/v1/tickets` and of the console ticket queue):
on PostgreSQL through the character/bigram GIN index of hotline migration 0008 for a rare word
and without it for a frequent one (hotline/title_search.py), with exactly the tickets of the
plain ILIKE scan either way — one-character, two-character and longer words, Latin, digits,
case, spaces and LIKE's own wildcard characters."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test import Client

from tongban.core.models import User
from tongban.hotline import selectors, title_search
from tongban.hotline.models import Ticket

TITLES = [
    "望湖社区路灯问题",
    "路口灯光太暗",  # 路 and 灯 but not 路灯
    "灯",
    "路灯",
    "垃圾清运不及时",
    "垃圾分类",
    "LED 路灯闪烁",
    "led屏幕噪音",
    "Led灯箱占道",
    "3号楼漏水",
    "13号楼停车",
    "2026年12月停电",
    "折扣100%真的吗",
    "下划线_测试",
    "油烟 扰民",
    "",
]
QUERIES = [
    "灯",
    "路灯",
    "路口灯",
    "垃圾清运",
    "垃圾",
    "led",
    "LED",
    "Led灯",
    "d 路",
    "3号",
    "13",
    "2026年12月",
    "100%",
    "%",
    "_",
    "下划线_",
    "油烟 扰",
    "噪",
    "不存在的词",
    "x",
]


@pytest.fixture
def tickets(db):
    created = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    return [
        Ticket.objects.create(
            ticket_no=f"12345-20260601-{n:06d}",
            source="phone",
            ticket_type="complaint",
            title=title,
            content="内容",
            status="received",
            created_at=created + dt.timedelta(minutes=n),
        )
        for n, title in enumerate(TITLES, start=1)
    ]


def _expected(q: str) -> set[str]:
    return {t for t in TITLES if q.lower() in t.lower()}


@pytest.mark.parametrize("index", [True, False], ids=["gram-index", "titles-in-order"])
@pytest.mark.parametrize("q", QUERIES)
def test_title_search_finds_exactly_the_titles_containing_the_word(tickets, q, index):
    found = selectors.title_search(Ticket.objects.all(), q, index=index)
    assert {t.title for t in found} == _expected(q)
    plain = Ticket.objects.filter(title__icontains=q)
    assert set(found.values_list("pk", flat=True)) == set(plain.values_list("pk", flat=True))


def test_each_kind_of_word_finds_something(tickets):
    assert _expected("灯") == {
        "望湖社区路灯问题",
        "路口灯光太暗",
        "灯",
        "路灯",
        "LED 路灯闪烁",
        "Led灯箱占道",
    }
    assert _expected("路灯") == {"望湖社区路灯问题", "路灯", "LED 路灯闪烁"}
    assert _expected("led") == {"LED 路灯闪烁", "led屏幕噪音", "Led灯箱占道"}
    assert _expected("100%") == {"折扣100%真的吗"}
    assert _expected("13") == {"13号楼停车"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram index is PostgreSQL's")
@pytest.mark.parametrize("q", ["灯", "路灯", "垃圾清运", "LED", "13"])
def test_the_search_can_use_the_gram_index(tickets, q):
    qs = selectors.title_search(Ticket.objects.all(), q)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_title_grams" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram functions are PostgreSQL's")
def test_the_grams_are_upper_cased_characters_and_bigrams(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT hotline_title_grams('路灯Ab'), hotline_word_grams('灯'), "
            "hotline_word_grams('路灯Ab'), hotline_title_grams('')"
        )
        title, one, word, empty = cursor.fetchone()
    assert title == ["路", "灯", "A", "B", "路灯", "灯A", "AB"]
    assert one == ["灯"]
    assert sorted(word) == ["AB", "灯A", "路灯"]
    assert empty == []


def test_the_api_and_the_console_queue_search_by_words(tickets, django_user_model):
    from tongban.core import demo as core_demo

    core_demo.load(lambda _line: None)
    client = Client()
    client.force_login(User.objects.get(username="operator"))
    response = client.get("/api/v1/tickets?q=路灯&limit=50")
    assert response.status_code == 200
    body = response.json()
    assert sorted(t["title"] for t in body["items"]) == sorted(_expected("路灯"))
    assert body["count"] == 3
    page = selectors.ticket_queue(
        User.objects.get(username="operator"), tab="all", filters={"q": "led"}
    )
    assert sorted(t.title for t in page.items) == sorted(_expected("led"))
    assert page.total == 3


def test_every_piece_of_every_title_finds_the_same_tickets_as_the_scan(tickets):
    for title in TITLES:
        for a, b in itertools.combinations(range(len(title) + 1), 2):
            q = title[a:b].strip()
            if q:
                found = {t.title for t in selectors.title_search(Ticket.objects.all(), q)}
                assert found == _expected(q), q


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's")
def test_a_frequent_word_walks_the_titles_in_order_and_a_rare_one_reads_the_index(db):
    created = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    Ticket.objects.bulk_create(
        Ticket(
            ticket_no=f"12345-20260601-{n:06d}",
            source="phone",
            ticket_type="complaint",
            title=f"{'路灯' if n % 2 else '积水'}问题{n}",
            content="内容",
            status="received",
            created_at=created + dt.timedelta(minutes=n),
        )
        for n in range(1, 401)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hotline_ticket")
    share, total = title_search.word_share("路灯")
    assert total == 400
    assert 0.3 < share < 0.7  # 200 of 400
    assert title_search.word_share("不存在的词")[0] < title_search.PAGE_WALK_SHARE
    assert title_search.word_plan("路灯", cap=1000).page_index is False
    assert title_search.word_plan("不存在的词", cap=1000) == title_search.WordPlan(True, True)
    page = selectors.tickets_for_user(None, {"q": "路灯"}, scoped=False, word_index=False)
    with connection.cursor() as cursor:
        sql, params = page[:20].query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_title_grams" not in plan
    assert [t.title for t in page[:2]] == ["路灯问题399", "路灯问题397"]


@pytest.mark.parametrize(
    ("walk_share", "entry_cost"),
    [(0.0, 1e9), (2.0, 0.0)],
    ids=["always-in-order", "always-the-index"],
)
def test_the_api_and_the_queue_find_the_same_tickets_either_way(
    tickets, monkeypatch, walk_share, entry_cost
):
    from tongban.core import demo as core_demo

    monkeypatch.setattr(title_search, "PAGE_WALK_SHARE", walk_share)
    monkeypatch.setattr(title_search, "ENTRY_COST", entry_cost)
    core_demo.load(lambda _line: None)
    operator = User.objects.get(username="operator")
    client = Client()
    client.force_login(operator)
    for q in ("灯", "路灯", "垃圾清运", "led", "13", "不存在的词"):
        body = client.get(f"/api/v1/tickets?q={q}&limit=2").json()
        newest = [t for t in reversed(TITLES) if q.lower() in t.lower()]  # created in order
        assert [t["title"] for t in body["items"]] == newest[:2], q
        assert (body["count"], body["count_capped"]) == (len(newest), False), q
        page = selectors.ticket_queue(operator, tab="all", filters={"q": q})
        assert sorted(t.title for t in page.items) == sorted(_expected(q)), q
        assert page.total == len(_expected(q))
