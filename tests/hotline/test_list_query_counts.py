"""Hotline lists not covered elsewhere read the same number of queries for few and many rows:
the knowledge base's console list, search, review and expired queues and API list, and the
missed calls."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.test import Client

from tests.query_counts import page_queries
from tongban.hotline.knowledge import index, services
from tongban.hotline.models import Article, ArticleState
from tongban.hotline.services import missed_call_record, missed_call_resolve

pytestmark = pytest.mark.django_db

BASE = "/console/hotline/knowledge/"
URLS = [BASE, f"{BASE}search?q=公积金", f"{BASE}review/", f"{BASE}expired/", "/api/v1/knowledge"]
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 0
    index.reset()
    yield
    index.reset()


@pytest.fixture
def add(world, operator, zjj_handler):
    """``add(n)``: n published, n awaiting review and n expired articles."""

    def make(n: int) -> None:
        for _ in range(n):
            i = next(_seq)
            published = services.article_create(
                actor=zjj_handler,
                title=f"公积金提取问答{i}",
                content="职工离职后，公积金账户封存满六个月的，可以申请销户提取。",
                keywords="公积金提取",
                submit=True,
            )
            services.article_review(published.pk, actor=operator, publish=True)
            services.article_create(
                actor=zjj_handler, title=f"公积金贷款新政{i}", content="待定。", submit=True
            )
            with time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC), tick=False):
                expired = services.article_create(
                    actor=zjj_handler,
                    title=f"公积金旧规定{i}",
                    content="已经废止的公积金规定。",
                    valid_until=dt.date(2025, 12, 31),
                    submit=True,
                )
                services.article_review(expired.pk, actor=operator, publish=True)

    return make


def test_every_list_reads_the_same_queries_for_2_and_8_articles_each(add, operator):
    client = Client()
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    add(2)
    few = {url: page_queries(client, url) for url in URLS}
    add(6)
    assert Article.objects.filter(state=ArticleState.PENDING).count() == 8
    assert {url: page_queries(client, url) for url in URLS} == few
    assert "公积金旧规定8" in client.get(f"{BASE}expired/").content.decode()


def test_the_missed_calls_list_reads_the_same_queries_for_2_and_10_calls(world, operator):
    def add(n: int) -> None:
        for _ in range(n):
            i = next(_seq)
            call = missed_call_record(phone=f"139057{i:05d}")
            missed_call_resolve(call.pk, actor=operator, outcome="unreachable", note="无人接听")

    client = Client()
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    url = "/console/hotline/missed-calls/"
    add(2)
    few = page_queries(client, url)
    add(8)
    assert client.get(url).content.decode().count("无人接听") >= 10
    assert page_queries(client, url) == few
