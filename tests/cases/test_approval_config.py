"""The step configuration of a procedure (ItemProcedure.steps: mode, signers, quorum), as the
administrator saves it: check_steps and the model's clean."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.catalog.specs import department
from tests.factories import make_staff
from tongban.cases.models import ItemProcedure
from tongban.cases.models.procedure import check_steps
from tongban.core.permissions import Role

HANDLE = {"code": "handle", "name": "承办", "role": "reviewer"}
DECIDE = {"code": "decide", "name": "批准", "role": "approver"}


def joint(**fields):
    return {"code": "joint", "name": "会审", "role": "reviewer", **fields}


@pytest.mark.parametrize(
    "step",
    [
        joint(),
        joint(mode="single"),
        joint(mode="all"),
        joint(mode="any", signers=["a", "b"]),
        joint(mode="sequence", signers=["b", "a"]),
        joint(mode="vote", quorum=2, signers=["a", "b", "c"]),
        joint(mode="vote", quorum=1),
    ],
)
def test_valid_step_modes(step):
    assert check_steps([HANDLE, step, DECIDE]) == ""


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            joint(mode="majority"),
            "审查环节“会审”的办理方式“majority”不是可选值"
            "（single 一人办理、all 会签、any 或签、vote 票签、sequence 依次审批）。",
        ),
        (joint(signers=["a"]), "审查环节“会审”由一人办理，不能设置 signers 或 quorum。"),
        (joint(mode="vote"), "票签环节“会审”须写明 quorum（通过所需的同意票数，至少 1）。"),
        (
            joint(mode="vote", quorum=0),
            "票签环节“会审”须写明 quorum（通过所需的同意票数，至少 1）。",
        ),
        (
            joint(mode="vote", quorum=True),
            "票签环节“会审”须写明 quorum（通过所需的同意票数，至少 1）。",
        ),
        (
            joint(mode="vote", quorum=3, signers=["a", "b"]),
            "票签环节“会审”的 quorum 为 3，多于签署人数 2。",
        ),
        (joint(mode="all", quorum=1), "只有票签环节可以设置 quorum（审查环节“会审”）。"),
        (
            joint(mode="all", signers=[]),
            "审查环节“会审”的 signers 须为不重复的工作人员用户名列表。",
        ),
        (
            joint(mode="all", signers=["a", "a"]),
            "审查环节“会审”的 signers 须为不重复的工作人员用户名列表。",
        ),
        (
            joint(mode="all", signers="a,b"),
            "审查环节“会审”的 signers 须为不重复的工作人员用户名列表。",
        ),
    ],
)
def test_invalid_step_modes(step, message):
    assert str(check_steps([HANDLE, step, DECIDE])) == message


def test_the_decision_step_is_one_persons():
    steps = [HANDLE, {**DECIDE, "mode": "all"}]
    assert str(check_steps(steps)) == (
        "审查环节“批准”是作出决定的环节，由一人决定，不能设置为会签、或签、票签或依次审批。"
    )


@pytest.mark.django_db
def test_signers_must_be_staff_of_the_items_department(item, mzj):
    make_staff(Role.REVIEWER, department=mzj, username="reviewer")
    make_staff(Role.REVIEWER, department=department("zjj", 9), username="outsider")
    procedure = ItemProcedure(
        item=item.item,
        steps=[HANDLE, joint(mode="all", signers=["reviewer", "outsider", "x"]), DECIDE],
    )
    with pytest.raises(ValidationError) as refused:
        procedure.full_clean()
    assert refused.value.message_dict["steps"] == [
        "签署人 outsider、x 不是本事项实施部门在岗的工作人员。"
    ]
    procedure.steps[1]["signers"] = ["reviewer"]
    procedure.full_clean()
