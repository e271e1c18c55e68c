"""我的任务 holds the multi-signer steps (会签 / 依次审批) whose signature is pending from the
user and whose turn has come, with the step's own due date (ReviewTask.due_on)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_staff
from tongban.cases import queue
from tongban.cases.models import ReviewTask
from tongban.cases.services.approvals import step_sign
from tongban.core.models import User
from tongban.core.permissions import Role

from .approval_helpers import at_joint_step, open_task, procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer2(mzj):
    return make_staff(Role.REVIEWER, department=mzj, username="reviewer2")


def _mine(user) -> list[str]:
    page = queue.queue_page(User.objects.get(pk=user.pk), queue.QueueFilters.from_query({}))
    assert page.tab.key == "mine"
    return [row.case.case_no for row in page.rows]


def _mine_count(user) -> int:
    page = queue.queue_page(User.objects.get(pk=user.pk), queue.QueueFilters.from_query({}))
    return next(t.count for t in page.tabs if t.key == "mine")


def test_a_countersign_task_is_in_each_signers_queue_until_they_sign(
    applicant, clerk, reviewer, reviewer2, approver, item, code
):
    procedure(item, mode="all")
    case = at_joint_step(applicant, clerk, reviewer, code)
    assert _mine(reviewer) == [case.case_no]
    assert _mine(reviewer2) == [case.case_no]
    row = queue.queue_page(
        User.objects.get(pk=reviewer2.pk), queue.QueueFilters.from_query({})
    ).rows[0]
    assert str(row.task_mode_label) == "会签"
    step_sign(actor=reviewer, case=case, opinion="同意")
    assert _mine_count(reviewer) == 0  # signed: no longer theirs
    assert _mine(reviewer2) == [case.case_no]


def test_in_sequence_only_the_signer_whose_turn_has_come_sees_it(
    applicant, clerk, reviewer, reviewer2, approver, item, code
):
    procedure(item, mode="sequence")
    case = at_joint_step(applicant, clerk, reviewer, code)
    assert (_mine_count(reviewer), _mine_count(reviewer2)) == (1, 0)
    step_sign(actor=reviewer, case=case, opinion="同意")
    assert (_mine_count(reviewer), _mine_count(reviewer2)) == (0, 1)


def test_the_steps_due_date_is_shown_and_overdue_in_words(
    applicant, clerk, reviewer, reviewer2, approver, item, code, client
):
    procedure(item, mode="all")
    case = at_joint_step(applicant, clerk, reviewer, code)
    task = open_task(case)
    ReviewTask.objects.filter(pk=task.pk).update(due_on=dt.date(2020, 1, 6))
    row = queue.queue_page(
        User.objects.get(pk=reviewer2.pk), queue.QueueFilters.from_query({})
    ).rows[0]
    assert (row.task.due_on, row.task_overdue) == (dt.date(2020, 1, 6), True)
    client.force_login(reviewer2)
    page = client.get("/console/cases/").content.decode()
    assert "本环节已超期，期限" in page and "2020-01-06" in page
    detail = client.get(f"/console/cases/{case.case_no}/").content.decode()
    assert "本环节已超期：办理期限 2020-01-06" in detail
