"""The case timeline shows the approval operations: the staff's page names the people, the
steps, the reason and the time of 转办, 委派, 收回, 加签, 退回 and 催办; the applicant's page
shows only the send-back and the urge, never who inside the department holds the case."""

from __future__ import annotations

import pytest

from tests.factories import make_staff
from tongban.cases.services import case_accept, task_complete
from tongban.cases.services.approvals import (
    task_add_signer,
    task_delegate,
    task_send_back,
    task_take_back,
    task_transfer,
    task_urge,
)
from tongban.core.permissions import Role

from .approval_helpers import procedure
from .helpers import submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer2(mzj):
    return make_staff(Role.REVIEWER, department=mzj, username="reviewer2")


def test_every_operation_is_on_the_staff_timeline_and_the_citizen_sees_only_hers(
    applicant, clerk, reviewer, reviewer2, approver, item, code, client
):
    procedure(item, mode="all")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    case = task_transfer(actor=reviewer, case=case, to_username="reviewer2", note="本人出差")
    case = task_delegate(actor=reviewer2, case=case, to_username="reviewer", note="请代为审查")
    case = task_take_back(actor=reviewer2, case=case, note="已返岗")
    case = task_complete(actor=reviewer2, case=case, opinion="材料齐全")
    task_urge(actor=approver, case=case, note="请尽快会审")
    case = task_add_signer(
        actor=reviewer, case=case, to_username="approver", before=False, note="请科长把关"
    )
    case = task_send_back(actor=reviewer, case=case, to_step="handle", reason="身份证复印件不清晰")
    actions = list(case.events.order_by("seq").values_list("action", flat=True))
    for action in (
        "task_transfer",
        "task_delegate",
        "task_take_back",
        "task_urge",
        "task_add_signer",
        "send_back",
    ):
        assert action in actions

    client.force_login(reviewer)
    page = client.get(f"/console/cases/{case.case_no}/").content.decode()
    names = {u.username: str(u) for u in (reviewer, reviewer2, approver)}
    for text in (
        "转办",
        "本人出差",
        f"转交给</dt><dd>{names['reviewer2']}",
        "委派",
        "请代为审查",
        f"委派给</dt><dd>{names['reviewer']}",
        "收回委派",
        f"收回自</dt><dd>{names['reviewer']}",
        "加签",
        "请科长把关",
        f"加签人</dt><dd>{names['approver']}",
        "在本人之后",
        "退回",
        "身份证复印件不清晰",
        "退回至</dt><dd>承办",
        "催办当前环节",
        "请尽快会审",
    ):
        assert text in page, text

    client.force_login(applicant)
    mine = client.get(f"/my/cases/{case.case_no}/").content.decode()
    assert "退回“承办”环节重新审查" in mine
    assert "部门已催办“会审”环节" in mine
    for internal in (
        "本人出差",
        "请代为审查",
        "请科长把关",
        "身份证复印件不清晰",
        names["reviewer2"],
        "转办",
        "委派",
    ):
        assert internal not in mine, internal


def test_the_console_navigation_marks_one_current_link(reviewer, client):
    import re

    client.force_login(reviewer)
    for path, current in (
        ("/console/cases/", "办件"),
        ("/console/cases/post-checks/", "事中事后核查"),
    ):
        page = client.get(path).content.decode()
        nav = page.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
        marked = re.findall(r'aria-current="page">([^<]+)</a>', nav)
        assert marked == [current], (path, marked)
