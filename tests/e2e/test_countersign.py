"""A countersign (会签) step in a real browser: two reviewers of the department sign the step
from the case page; the first sees her signature in the signers' table and the other still
pending; the second, after an empty opinion is refused with an error summary, signs and the
case moves on to 批准. Every page is checked with axe-core, and in elderly mode every link and
button must be a 60 px target."""

from __future__ import annotations

import os

import pytest

from tests.cases.approval_helpers import at_joint_step, procedure
from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.cases.models import ReviewTask
from tongban.catalog.services import item_save_spec
from tongban.core.permissions import Role

from .test_console_login import html_mode
from .test_counter import Checker, open_as, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TONGBAN_SHOTS_DIR", "")


@pytest.fixture
def joint_case(transactional_db):
    mzj = department("mzj", 7)
    item = item_save_spec(spec=spec("mzj"), publish=True)
    staff = {}
    for role, username, name in (
        (Role.WINDOW_CLERK, "clerk", "林窗口"),
        (Role.REVIEWER, "reviewer", "吴审查"),
        (Role.REVIEWER, "reviewer2", "冯会审"),
        (Role.APPROVER, "approver", "郑批准"),
    ):
        user = make_staff(
            role, department=None if role == Role.WINDOW_CLERK else mzj, username=username
        )
        user.display_name = name
        user.save(update_fields=["display_name"])
        staff[username] = user
    applicant = UserFactory(username="zhang")
    PersonFactory(name="张晓明", user=applicant)
    procedure(item, mode="all")
    case = at_joint_step(
        applicant, staff["clerk"], staff["reviewer"], item.item.implementation_code
    )
    return case


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize(("mode", "width"), [("standard", 1280), ("care", 390)])
def test_two_reviewers_countersign_a_step(
    live_server, new_page, browser_problems, joint_case, mode, width
):
    check = Checker(mode)
    url = f"{live_server.url}/console/cases/{joint_case.case_no}/"

    first = open_as(new_page, live_server, "reviewer2", mode, width)
    first.goto(url)
    assert first.locator("#signers tbody tr").count() == 2
    assert first.locator(".signer--pending").count() == 2
    check(first, "step page")
    _shot(first, f"countersign-{mode}-{width}-before")
    first.locator("#id_op-sign-opinion").fill("现场核查：情况属实，同意")
    submit(first, "#panel-op-sign button[type=submit]")
    assert first.url == url
    assert "已签署意见。" in first.locator(".notices").inner_text()
    assert first.locator(".signer--signed").count() == 1
    assert "现场核查：情况属实，同意" in first.locator("#signers").inner_text()
    assert first.locator("#panel-op-sign").count() == 0  # signed once: no second signature
    check(first, "after signing")

    second = open_as(new_page, live_server, "reviewer", mode, width)
    second.goto(url)
    submit(second, "#panel-op-sign button[type=submit]")  # no opinion
    assert second.title().startswith("错误：")
    summary = second.locator(".error-summary")
    assert "请填写签署意见。" in summary.inner_text()
    check(second, "refused")
    _shot(second, f"countersign-{mode}-{width}-error")
    second.locator("#id_op-sign-opinion").fill("同意")
    submit(second, "#panel-op-sign button[type=submit]")
    assert "当前环节：批准" in second.locator("section[aria-labelledby=tasks-title]").inner_text()
    assert ReviewTask.objects.get(case=joint_case, step="joint").status == "done"
    assert ReviewTask.objects.get(case=joint_case, step="decide").assignee.username == "approver"
    check(second, "step done")
    assert html_mode(second) == mode
    check.assert_clean()
    browser_problems.expect_status(400)  # the refused empty opinion, on purpose
