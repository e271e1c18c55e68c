"""The work queue at data scale (issue 12): counts stop at ``COUNT_CAP`` and say so ("10000+",
"超过 10000 件"), the pages list the first cases of the unchanged order, 我的任务 keeps its
order and exact due groups for a reviewer with many tasks, and a page costs the same number
of statements for few cases, many cases and past the cap."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.query_counts import page_queries
from tongban.cases import queue
from tongban.cases.models import Case, ItemProcedure
from tongban.cases.services import case_accept, task_claim
from tongban.core.models import User

from .helpers import submitted_case

pytestmark = pytest.mark.django_db

QUEUE = "/console/cases/"


@pytest.fixture
def pool(item):
    """Review tasks wait in the department's pool until someone claims them."""
    return ItemProcedure.objects.create(
        item=item.item,
        steps=[
            {"code": "handle", "name": "承办", "role": "reviewer", "limit_days": 0},
            {"code": "decide", "name": "批准", "role": "approver", "limit_days": 0},
        ],
        assignment="pool",
    )


def page_for(user, **query) -> queue.QueuePage:
    return queue.queue_page(User.objects.get(pk=user.pk), queue.QueueFilters.from_query(query))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def statements(user, **query) -> int:
    page_for(user, **query)  # the working-day calendar is read once per process
    with CaptureQueriesContext(connection) as ctx:
        page_for(user, **query)
    return len(ctx.captured_queries) - 1  # less the one that reloads the user


def claimed_on(at, days, applicant, clerk, reviewer, code) -> list[Case]:
    """A case accepted on each of ``days`` (so each has its own promised due date), claimed by
    ``reviewer``; in the order they were made."""
    cases = []
    for day in days:
        at(f"{day} 10:00")
        case = case_accept(actor=clerk, case=submitted_case(applicant, code))
        task_claim(actor=reviewer, case=case)
        cases.append(Case.objects.get(pk=case.pk))
    return cases


def test_a_count_past_the_cap_shows_as_more_and_the_pages_list_the_first(
    at, applicant, clerk, code, monkeypatch
):
    at("2026-09-16 10:00")
    cases = [submitted_case(applicant, code) for _ in range(4)]  # due 09-22: 其他 on 09-17
    at("2026-09-17 10:00")
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    page = page_for(clerk)
    assert (page.count, page.count_capped, page.num_pages) == (3, True, 1)
    assert page.group_counts == {"overdue": 0, "today": 0, "soon": 0, "other": 3}
    assert page.group_capped == {"other"}
    assert [(t.key, t.count, t.capped) for t in page.tabs] == [
        ("submitted", 3, True),
        ("correction", 0, False),
        ("to_deliver", 0, False),
    ]
    # the first three of the order (received first), not any three
    assert [row.case.pk for row in page.rows] == [case.pk for case in cases[:3]]
    assert [(g.key, g.count, g.capped) for g in page.groups] == [("other", 3, True)]
    # at the cap exactly, the count is exact
    monkeypatch.setattr(queue, "COUNT_CAP", 4)
    page = page_for(clerk)
    assert (page.count, page.count_capped, page.group_capped) == (4, False, frozenset())
    assert page.tabs[0].capped is False


def test_the_page_says_a_capped_count_is_a_lower_bound(at, applicant, clerk, code, monkeypatch):
    at("2026-09-16 10:00")
    for _ in range(3):
        submitted_case(applicant, code)
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    body = client_for(clerk).get(QUEUE).content.decode()
    assert '<span class="tab-count">2+</span>' in body
    assert "待受理：超过 2 件" in body
    assert "只列出排在最前的 2 件，请用筛选缩小范围。" in body
    assert '<span class="due-summary__count">2+</span>' in body
    assert '<span class="queue-group__count">超过 2 件</span>' in body
    monkeypatch.setattr(queue, "COUNT_CAP", 10_000)
    body = client_for(clerk).get(QUEUE).content.decode()
    assert '<span class="tab-count">3</span>' in body and "待受理：3 件" in body
    assert "超过" not in body and "只列出排在最前的" not in body


def test_my_tasks_are_in_promised_due_order_across_pages(
    at, pool, applicant, clerk, reviewer, code, monkeypatch
):
    # accepted on different days, in an order that is not the due order once two share a day
    days = ["2026-09-21", "2026-09-10", "2026-09-29", "2026-09-10", "2026-09-16"]
    cases = claimed_on(at, days, applicant, clerk, reviewer, code)
    at("2026-09-29 11:00")
    expected = [c.pk for c in sorted(cases, key=lambda c: (c.promised_due, c.pk))]
    monkeypatch.setattr(queue, "QUEUE_PAGE_SIZE", 2)
    pages = [page_for(reviewer, page=n) for n in (1, 2, 3)]
    assert [[row.case.pk for row in p.rows] for p in pages] == [
        expected[:2],
        expected[2:4],
        expected[4:],
    ]
    first = pages[0]
    assert (first.tab.key, first.count, first.num_pages) == ("mine", 5, 3)
    # 09-10 (due 09-17) twice: overdue; 09-16 (due 09-23): overdue; 09-21 (due 09-29): today;
    # 09-29 (due 10-12): other
    assert first.group_counts == {"overdue": 3, "today": 1, "soon": 0, "other": 1}
    # a page past the last shows the last
    assert [row.case.pk for row in page_for(reviewer, page=9).rows] == expected[4:]


def test_my_tasks_past_the_cap_are_capped_groups_and_all(
    at, pool, applicant, clerk, reviewer, code, monkeypatch
):
    cases = claimed_on(
        at,
        ["2026-09-10", "2026-09-10", "2026-09-10", "2026-09-29"],
        applicant,
        clerk,
        reviewer,
        code,
    )
    at("2026-09-29 11:00")
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    page = page_for(reviewer)
    assert (page.count, page.count_capped, page.num_pages) == (2, True, 1)
    assert page.group_counts == {"overdue": 2, "today": 0, "soon": 0, "other": 1}
    assert page.group_capped == {"overdue"}
    assert [row.case.pk for row in page.rows] == [c.pk for c in cases[:2]]
    mine = next(t for t in page.tabs if t.key == "mine")
    assert (mine.count, mine.capped) == (2, True)
    # counted from another tab, 我的任务 stops at the cap too
    in_review = page_for(reviewer, tab="in_review")
    assert [(t.key, t.count, t.capped) for t in in_review.tabs][:2] == [
        ("mine", 2, True),
        ("in_review", 2, True),
    ]


@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("clerk", {}),
        ("reviewer", {}),
        ("reviewer", {"tab": "in_review"}),
        ("reviewer", {"tab": "mine", "due": "overdue"}),
    ],
)
def test_statements_do_not_grow_with_the_tasks_or_past_the_cap(
    at, pool, applicant, clerk, reviewer, code, monkeypatch, who, query
):
    users = {"clerk": clerk, "reviewer": reviewer}
    claimed_on(at, ["2026-09-10"], applicant, clerk, reviewer, code)
    submitted_case(applicant, code)
    at("2026-09-29 11:00")
    few = statements(users[who], **query)
    claimed_on(
        at,
        ["2026-09-10", "2026-09-16", "2026-09-29", "2026-09-29"],
        applicant,
        clerk,
        reviewer,
        code,
    )
    for _ in range(3):
        submitted_case(applicant, code)
    at("2026-09-29 11:00")
    many = statements(users[who], **query)
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    assert page_for(users[who], **query).count_capped is True
    capped = statements(users[who], **query)
    assert few == many == capped == 7


def test_the_queue_page_costs_the_same_statements_for_one_task_and_many(
    at, pool, applicant, clerk, reviewer, code
):
    claimed_on(at, ["2026-09-10"], applicant, clerk, reviewer, code)
    at("2026-09-29 11:00")
    client = client_for(reviewer)
    few = page_queries(client, QUEUE)
    claimed_on(
        at,
        ["2026-09-10", "2026-09-16", "2026-09-21", "2026-09-29"],
        applicant,
        clerk,
        reviewer,
        code,
    )
    at("2026-09-29 11:00")
    page = client.get(QUEUE).context["page"]
    assert (page.tab.key, page.count, len(page.rows)) == ("mine", 5, 5)
    assert page_queries(client, QUEUE) == few
