"""The reviewer's step page through the Django client: the signers' state on the case page, the
operations offered to whom, each operation's form, and refusals that change nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.catalog.specs import department
from tests.factories import make_staff
from tongban.core.permissions import Role

from .approval_helpers import at_joint_step, open_task, procedure, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer2(mzj):
    return make_staff(Role.REVIEWER, department=mzj, username="reviewer2")


@pytest.fixture
def outsider(db):
    return make_staff(Role.REVIEWER, department=department("zjj", 9), username="outsider")


@pytest.fixture
def joint_case(applicant, clerk, reviewer, reviewer2, approver, item, code):
    procedure(item, mode="all")
    return at_joint_step(applicant, clerk, reviewer, code)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def operate(user, case, operation, *, client=None, **fields):
    data = {f"op-{operation}-expected_version": case.version}
    data.update({f"op-{operation}-{k}": v for k, v in fields.items()})
    url = f"/console/cases/{case.case_no}/approvals/{operation}/"
    return (client or client_for(user)).post(url, data)


def test_the_case_page_shows_the_signers_and_the_operations_allowed_now(
    joint_case, reviewer, approver
):
    page = text(client_for(reviewer).get(f"/console/cases/{joint_case.case_no}/"))
    assert '当前环节：会审 · <span class="tag">会签</span>' in page
    assert "全部签署人签署后本环节办结。" in page
    assert page.count('class="signer signer--pending"') == 2
    for label in ("签署意见", "转办", "委派", "加签", "退回", "催办"):
        assert f'id="panel-op-{label}' not in page  # ids are slugs, labels are text
    for op in ("sign", "transfer", "delegate", "add_signer", "send_back", "urge"):
        assert f'id="panel-op-{op}"' in page
    assert 'id="panel-op-take_back"' not in page
    assert 'id="panel-complete_step"' not in page  # no one-person completion on a 会签 step
    # the approver follows the step and may urge it, nothing else
    page = text(client_for(approver).get(f"/console/cases/{joint_case.case_no}/"))
    assert re.findall(r'id="panel-op-(\w+)"', page) == ["urge"]


@pytest.mark.parametrize(
    "who, status",
    [("anonymous", 302), ("applicant", 403), ("clerk", 403), ("outsider", 404), ("approver", 400)],
)
def test_who_may_sign(who, status, joint_case, applicant, clerk, outsider, approver, reviewer):
    users = {
        "anonymous": None,
        "applicant": applicant,
        "clerk": clerk,
        "outsider": outsider,
        "approver": approver,
    }
    before = snapshot(joint_case)
    response = operate(users[who], joint_case, "sign", opinion="同意")
    assert response.status_code == status
    if who == "approver":
        assert "您不是“会审”的签署人。" in text(response)
    assert snapshot(joint_case) == before


def test_sign_through_the_page(joint_case, reviewer, reviewer2):
    client = client_for(reviewer2)
    response = operate(reviewer2, joint_case, "sign", client=client, opinion="同意")
    assert response.status_code == 302
    assert response["Location"] == f"/console/cases/{joint_case.case_no}/"
    page = text(client.get(response["Location"]))
    assert "已签署意见。" in page
    assert page.count('class="signer signer--signed"') == 1


def test_a_second_signature_by_the_same_reviewer_is_refused_on_the_page(
    joint_case, reviewer, reviewer2
):
    operate(reviewer2, joint_case, "sign", opinion="同意")
    case = open_task(joint_case).case
    before = snapshot(case)
    response = operate(reviewer2, case, "sign", opinion="再签一次")
    assert response.status_code == 400
    page = text(response)
    assert "<title>错误：" in page
    assert page.count("您已签署过“会审”，不能重复签署。") == 2  # the summary and the form
    assert snapshot(case) == before


def test_an_empty_opinion_is_refused_inline(joint_case, reviewer):
    before = snapshot(joint_case)
    response = operate(reviewer, joint_case, "sign", opinion="  ")
    assert response.status_code == 400
    assert "请填写签署意见。" in text(response)
    assert snapshot(joint_case) == before


def test_a_transfer_outside_the_department_is_refused_on_the_page(joint_case, reviewer, outsider):
    before = snapshot(joint_case)
    response = operate(reviewer, joint_case, "transfer", reviewer="outsider")
    assert response.status_code == 400
    assert "请从本部门在岗的审查、批准人员中选择。" in text(response)
    assert snapshot(joint_case) == before


def test_a_send_back_to_a_missing_step_is_refused_on_the_page(joint_case, reviewer):
    before = snapshot(joint_case)
    response = operate(reviewer, joint_case, "send_back", to_step="decide", reason="退回")
    assert response.status_code == 400
    assert "只能退回到本环节之前的环节。" in text(response)
    assert snapshot(joint_case) == before


def test_each_operation_through_its_form(joint_case, reviewer, reviewer2, approver, mzj):
    make_staff(Role.REVIEWER, department=mzj, username="reviewer3")
    assert operate(reviewer, joint_case, "delegate", reviewer="reviewer3").status_code == 302
    case = open_task(joint_case).case
    page = text(client_for(reviewer).get(f"/console/cases/{case.case_no}/"))
    assert 'id="panel-op-take_back"' in page
    assert f"受 {reviewer} 委派" in page
    assert operate(reviewer, case, "take_back").status_code == 302
    case = open_task(joint_case).case
    response = operate(reviewer, case, "add_signer", reviewer="reviewer3", where="after")
    assert response.status_code == 302
    assert operate(approver, case, "urge", note="请加快").status_code == 302
    case = open_task(joint_case).case
    response = operate(reviewer2, case, "send_back", to_step="handle", reason="地址有误")
    assert response.status_code == 302
    assert open_task(joint_case).step == "handle"
    actions = list(case.events.order_by("seq").values_list("action", flat=True))[-5:]
    assert actions == [
        "task_delegate",
        "task_take_back",
        "task_add_signer",
        "task_urge",
        "send_back",
    ]


# ---------------------------------------------------------------- the same through the API


def test_the_approval_operations_through_the_api(joint_case, reviewer, reviewer2, outsider):
    from .test_api import Api

    api = Api(reviewer2)
    url = f"/cases/{joint_case.case_no}/approvals"
    before = snapshot(joint_case)
    refused = api.post(f"{url}/transfer", {"reviewer": "outsider"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "reviewer_invalid"
    refused = api.post(f"{url}/send_back", {"to_step": "nosuch", "reason": "材料有误"})
    assert (refused.status_code, refused.json()["code"]) == (400, "step_unknown")
    assert api.post(f"{url}/approve", {}).status_code == 404
    assert Api(outsider).post(f"{url}/sign", {"opinion": "同意"}).status_code == 404
    assert snapshot(joint_case) == before
    done = api.post(f"{url}/sign", {"opinion": "同意"})
    assert done.status_code == 200
    again = api.post(f"{url}/sign", {"opinion": "同意"})
    assert (again.status_code, again.json()["code"]) == (400, "already_signed")
    assert Api(reviewer).post(f"{url}/sign", {"opinion": "同意"}).json()["status"] == "in_review"
    assert open_task(joint_case).step == "decide"


def test_the_approver_sees_a_rejected_vote_with_every_vote(
    applicant, clerk, reviewer, reviewer2, approver, item, code
):
    from tongban.cases.services.approvals import step_sign

    procedure(item, mode="vote", quorum=2)  # two signers: one vote against ends it
    case = at_joint_step(applicant, clerk, reviewer, code)
    case = step_sign(actor=reviewer, case=case, opinion="收入超标", vote="disagree")
    page = text(client_for(approver).get(f"/console/cases/{case.case_no}/"))
    assert "当前环节：批准" in page
    assert "已办结的票签环节：会审 · 未通过" in page
    assert f"{reviewer}（不同意）：收入超标" in page
    for vote in ("同意", "不同意"):  # never asked: the vote was decided without them
        assert f"{reviewer2}（{vote}）" not in page
