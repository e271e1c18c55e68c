"""The staff work queue's selector (``tongban.cases.queue``): every tab's count for each
persona, with and without filters; the due groups and the number listed; the labels of a row;
and a fixed number of queries, whatever the number of cases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.catalog.specs import department, spec
from tests.factories import make_staff
from tongban.cases import queue
from tongban.cases.models import Case, ItemProcedure
from tongban.cases.services import (
    case_accept,
    case_refuse,
    case_request_correction,
    case_suspend,
    task_claim,
)
from tongban.catalog.services import item_save_spec
from tongban.core.errors import PermissionDenied
from tongban.core.models import StaffProfile, User
from tongban.core.permissions import Role

from .helpers import submitted_case

pytestmark = pytest.mark.django_db


def page_for(user, **query) -> queue.QueuePage:
    fresh = User.objects.get(pk=user.pk)  # as in a request: roles not yet read
    return queue.queue_page(fresh, queue.QueueFilters.from_query(query))


def counts(user, **query) -> dict[str, int]:
    return {tab.key: tab.count for tab in page_for(user, **query).tabs}


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


@pytest.fixture
def colleague(mzj):
    return make_staff(Role.REVIEWER, department=mzj, username="reviewer2")


@pytest.fixture
def supervisor(db):
    return make_staff(Role.SUPERVISOR, username="supervisor")


@pytest.fixture
def other_code(db):
    """An item of another department (市场监管局)."""
    department("scjg", 8)
    version = item_save_spec(
        spec=spec("scjg", basic_code="000107003000", name="食品经营许可"), publish=True
    )
    return version.item.implementation_code


@pytest.fixture
def district(at, pool, applicant, other_applicant, clerk, reviewer, colleague, code, other_code):
    """Cases of 民政局 and 市场监管局 in every state a tab shows (on 2026-09-16).

    民政局: 2 submitted (张晓明), 1 awaiting correction (李春梅), 3 in review — one claimed by
    ``reviewer``, one by ``colleague``, one in the pool (李春梅's) — 1 suspended (claimed by
    ``reviewer``) and 1 not accepted. 市场监管局: 1 submitted and 1 not accepted.
    """
    at("2026-09-16 10:00")
    mine = [submitted_case(applicant, code) for _ in range(2)]
    case_request_correction(
        actor=clerk, case=submitted_case(other_applicant, code), missing=["户口簿"]
    )
    claimed = case_accept(actor=clerk, case=submitted_case(applicant, code))
    task_claim(actor=reviewer, case=claimed)
    theirs = case_accept(actor=clerk, case=submitted_case(applicant, code))
    task_claim(actor=colleague, case=theirs)
    case_accept(actor=clerk, case=submitted_case(other_applicant, code))
    paused = case_accept(actor=clerk, case=submitted_case(applicant, code))
    task_claim(actor=reviewer, case=paused)
    case_suspend(
        actor=reviewer,
        case=Case.objects.get(pk=paused.pk),
        kind="hearing",
        reason="组织听证",
        expected_days=5,
    )
    case_refuse(actor=clerk, case=submitted_case(applicant, code), reason="不属于本机关职权范围")
    submitted_case(applicant, other_code)
    case_refuse(actor=clerk, case=submitted_case(applicant, other_code), reason="材料虚假")
    return {"submitted": mine, "claimed": claimed, "paused": paused}


def test_each_status_is_on_one_tab_apart_from_my_tasks():
    seen: dict[str, str] = {}
    for tab in queue.TABS:
        if tab.key == "mine":
            assert set(tab.statuses) <= set(queue.TAB_BY_KEY["in_review"].statuses) | set(
                queue.TAB_BY_KEY["suspended"].statuses
            )
            continue
        for status in tab.statuses:
            assert seen.setdefault(status, tab.key) == tab.key


def test_a_clerk_counts_every_departments_applications(district, clerk):
    assert counts(clerk) == {"submitted": 3, "correction": 1, "to_deliver": 2}


def test_a_supervisor_counts_every_tab_of_every_department(district, supervisor):
    assert counts(supervisor) == {
        "submitted": 3,
        "correction": 1,
        "in_review": 3,
        "suspended": 1,
        "approved": 0,
        "to_deliver": 2,
    }


def test_a_reviewer_counts_their_department_and_their_own_tasks(district, reviewer, colleague):
    assert counts(reviewer) == {
        "mine": 2,  # claimed by them: one in review, one suspended
        "in_review": 3,
        "suspended": 1,
        "approved": 0,
        "to_deliver": 1,  # 民政局's refusal, not 市场监管局's
    }
    assert counts(colleague)["mine"] == 1
    page = page_for(reviewer)
    assert page.tab.key == "mine"
    assert sorted(row.case.pk for row in page.rows) == sorted(
        [district["claimed"].pk, district["paused"].pk]
    )


def test_filters_narrow_every_tabs_count(district, clerk, reviewer):
    assert counts(clerk, q="李春梅") == {"submitted": 0, "correction": 1, "to_deliver": 0}
    assert counts(reviewer, q="李春梅") == {
        "mine": 0,
        "in_review": 1,
        "suspended": 0,
        "approved": 0,
        "to_deliver": 0,
    }
    assert counts(reviewer, channel="window")["in_review"] == 0
    page = page_for(clerk, q=district["submitted"][0].case_no)
    assert [t.count for t in page.tabs] == [1, 0, 0]


def test_a_reviewer_without_a_department_counts_nothing(district, reviewer):
    StaffProfile.objects.filter(user=reviewer).delete()
    assert counts(reviewer) == {
        "mine": 2,  # the tasks they claimed are still theirs
        "in_review": 0,
        "suspended": 0,
        "approved": 0,
        "to_deliver": 0,
    }


def test_the_number_listed_is_the_chosen_due_groups(at, applicant, clerk, reviewer, code):
    at("2026-09-10 10:00")
    case_accept(actor=clerk, case=submitted_case(applicant, code))  # due 09-17: overdue
    at("2026-09-29 10:00")
    for _ in range(2):
        case_accept(actor=clerk, case=submitted_case(applicant, code))  # due 10-12: other
    whole = page_for(reviewer, tab="in_review")
    assert whole.group_counts == {"overdue": 1, "today": 0, "soon": 0, "other": 2}
    assert (whole.count, [g.count for g in whole.groups]) == (3, [1, 2])
    overdue = page_for(reviewer, tab="in_review", due="overdue")
    assert overdue.group_counts == whole.group_counts  # the groups count the whole tab
    assert (overdue.count, len(overdue.rows)) == (1, 1)
    assert page_for(reviewer, tab="in_review", due="today").count == 0
    assert page_for(reviewer, tab="in_review", due="today").rows == []


def test_a_tab_without_due_dates_lists_all_its_cases(district, clerk):
    page = page_for(clerk, tab="correction")
    assert (page.count, page.group_counts, len(page.rows)) == (1, {}, 1)
    assert [g.key for g in page.groups] == ["other"]


def test_a_row_shows_the_case_labels(district, clerk):
    row = page_for(clerk).rows[0]
    case = Case.objects.get(pk=row.case.pk)
    assert str(row.status_label) == case.get_status_display() == "待受理"
    assert str(row.channel_label) == case.get_channel_display()


def test_only_staff_with_a_case_role_have_a_queue(db):
    operator = make_staff(Role.HOTLINE_OPERATOR, username="operator")
    with pytest.raises(PermissionDenied):
        page_for(operator)


def _queries(user, **query) -> int:
    page_for(user, **query)  # the working-day calendar is read once per process
    with CaptureQueriesContext(connection) as ctx:
        page_for(user, **query)
    return len(ctx.captured_queries) - 1  # less the one that reloads the user


@pytest.mark.parametrize(
    ("who", "query", "expected"),
    [
        # roles, staff profile, every count (one statement), the page's rows (their ids in a
        # subquery), open tasks, events, the items' stage limits
        ("clerk", {}, 7),
        ("reviewer", {}, 7),  # 我的任务 counted by its due groups
        ("reviewer", {"tab": "in_review"}, 7),  # … and as one more count
        # … and the item versions' promised limits, for the cards
        ("supervisor", {"tab": "in_review", "card": "none"}, 8),
    ],
)
def test_a_page_costs_a_fixed_number_of_queries(
    district, applicant, clerk, code, reviewer, supervisor, who, query, expected
):
    users = {"clerk": clerk, "reviewer": reviewer, "supervisor": supervisor}
    assert _queries(users[who], **query) == expected
    for _ in range(25):
        case_accept(actor=clerk, case=submitted_case(applicant, code))
    assert _queries(users[who], **query) == expected
