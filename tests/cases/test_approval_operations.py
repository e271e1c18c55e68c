"""The approval operations on review steps (services.approvals): 会签 / 或签 / 票签 / 依次审批,
转办, 委派 and take-back, 加签 before and after, 退回 to an earlier step, 催办 — and the
refusals of the issue's Bad-input list, each changing nothing."""

from __future__ import annotations

import pytest

from tests.catalog.specs import department
from tests.factories import make_staff
from tongban.cases.models import ReviewTask, SignerStatus, StepSigner
from tongban.cases.services import task_complete
from tongban.cases.services.approvals import (
    step_sign,
    step_state,
    task_add_signer,
    task_delegate,
    task_send_back,
    task_take_back,
    task_transfer,
    task_urge,
)
from tongban.cases.services.common import StaleCase
from tongban.core.errors import DomainError, PermissionDenied
from tongban.core.events import chain_verify
from tongban.core.notifications import StaffNotice
from tongban.core.permissions import Role

from .approval_helpers import at_joint_step, open_task, procedure, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer2(mzj):
    return make_staff(Role.REVIEWER, department=mzj, username="reviewer2")


@pytest.fixture
def reviewer3(mzj):
    return make_staff(Role.REVIEWER, department=mzj, username="reviewer3")


@pytest.fixture
def outsider(db):
    return make_staff(Role.REVIEWER, department=department("zjj", 9), username="outsider")


def _signers(case):
    task = open_task(case)
    return [(s.user.username, s.status, s.waits_for_id is not None) for s in task.signers.all()]


# ---------------------------------------------------------------- the four modes


def test_countersign_completes_when_every_signer_has_signed(
    applicant, clerk, reviewer, reviewer2, approver, item, code
):
    procedure(item, mode="all")
    case = at_joint_step(applicant, clerk, reviewer, code)
    task = open_task(case)
    assert (task.step, task.mode, task.status, task.assignee) == ("joint", "all", "claimed", None)
    assert _signers(case) == [("reviewer", "pending", False), ("reviewer2", "pending", False)]

    case = step_sign(actor=reviewer2, case=case, opinion="同意")
    assert open_task(case).step == "joint"
    assert _signers(case) == [("reviewer", "pending", False), ("reviewer2", "signed", False)]
    case = step_sign(actor=reviewer, case=case, opinion="同意，材料真实")

    task.refresh_from_db()
    assert (task.status, task.opinion) == ("done", f"{reviewer}：同意，材料真实\n{reviewer2}：同意")
    nxt = open_task(case)
    assert (nxt.step, nxt.assignee) == ("decide", approver)
    events = list(case.events.order_by("seq").values_list("action", flat=True))[-2:]
    assert events == ["step_sign", "complete_step"]
    done = case.events.get(action="complete_step", payload__step="joint")
    assert done.payload == {
        "step": "joint",
        "mode": "all",
        "task": task.pk,
        "next": "decide",
        "signers": [
            {"user": "reviewer", "status": "signed"},
            {"user": "reviewer2", "status": "signed"},
        ],
    }
    assert chain_verify().ok


def test_any_one_signature_completes_an_or_sign_step(
    applicant, clerk, reviewer, reviewer2, approver, item, code
):
    procedure(item, mode="any")
    case = at_joint_step(applicant, clerk, reviewer, code)
    task = open_task(case)
    case = step_sign(actor=reviewer2, case=case, opinion="同意")
    task.refresh_from_db()
    assert task.status == "done"
    assert list(task.signers.values_list("user__username", "status")) == [
        ("reviewer", "cancelled"),
        ("reviewer2", "signed"),
    ]
    assert open_task(case).step == "decide"
    with pytest.raises(DomainError) as refused:  # the step is done: nothing left to sign
        step_sign(actor=reviewer, case=case, opinion="同意")
    assert refused.value.code == "not_a_signer"


def test_a_vote_passes_at_its_quorum(
    applicant, clerk, reviewer, reviewer2, reviewer3, approver, item, code
):
    procedure(item, mode="vote", signers=("reviewer", "reviewer2", "reviewer3"), quorum=2)
    case = at_joint_step(applicant, clerk, reviewer, code)
    task = open_task(case)
    assert task.quorum == 2
    case = step_sign(actor=reviewer, case=case, opinion="同意", vote="agree")
    case = step_sign(actor=reviewer2, case=case, opinion="不同意，现场不符", vote="disagree")
    assert open_task(case).step == "joint"
    case = step_sign(actor=reviewer3, case=case, opinion="同意", vote="agree")
    task.refresh_from_db()
    assert (task.status, task.outcome) == ("done", "passed")
    event = case.events.get(action="complete_step", payload__step="joint")
    assert (event.payload["outcome"], event.payload["quorum"], event.payload["vote"]) == (
        "passed",
        2,
        "agree",
    )


def test_a_vote_that_can_no_longer_reach_its_quorum_is_rejected_and_goes_on(
    applicant, clerk, reviewer, reviewer2, reviewer3, approver, item, code
):
    procedure(item, mode="vote", signers=("reviewer", "reviewer2", "reviewer3"), quorum=2)
    case = at_joint_step(applicant, clerk, reviewer, code)
    task = open_task(case)
    case = step_sign(actor=reviewer, case=case, opinion="不同意", vote="disagree")
    case = step_sign(actor=reviewer2, case=case, opinion="不同意", vote="disagree")
    task.refresh_from_db()
    assert (task.status, task.outcome) == ("done", "rejected")
    assert task.opinion.splitlines()[0] == "未通过"
    assert list(task.signers.values_list("user__username", "status")) == [
        ("reviewer", "signed"),
        ("reviewer2", "signed"),
        ("reviewer3", "cancelled"),
    ]
    assert open_task(case).step == "decide"


def test_a_vote_needs_agree_or_disagree(applicant, clerk, reviewer, reviewer2, item, code):
    procedure(item, mode="vote", quorum=1)
    case = at_joint_step(applicant, clerk, reviewer, code)
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        step_sign(actor=reviewer, case=case, opinion="同意", vote="maybe")
    assert (refused.value.code, refused.value.field) == ("reason_required", "vote")
    assert snapshot(case) == before


def test_in_order_signers_sign_one_after_another(
    applicant, clerk, reviewer, reviewer2, approver, item, code
):
    procedure(item, mode="sequence", signers=("reviewer2", "reviewer"))
    case = at_joint_step(applicant, clerk, reviewer, code)
    assert _signers(case) == [("reviewer2", "pending", False), ("reviewer", "pending", True)]
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        step_sign(actor=reviewer, case=case, opinion="同意")
    assert refused.value.code == "not_your_turn"
    assert str(refused.value.message) == f"请等 {reviewer2} 签署后再签署。"
    assert snapshot(case) == before
    assert step_state(reviewer, case).operations == [
        "transfer",
        "delegate",
        "add_signer",
        "send_back",
        "urge",
    ]
    assert StaffNotice.objects.filter(title="请签署：会审").count() == 1  # reviewer2's turn
    case = step_sign(actor=reviewer2, case=case, opinion="初审同意")
    assert "sign" in step_state(reviewer, case).operations
    turn = StaffNotice.objects.get(user=reviewer, title="请签署：会审")
    assert turn.body == f"办件 {case.case_no} 的“会审”（依次审批）等待您签署意见。"
    case = step_sign(actor=reviewer, case=case, opinion="复核同意")
    assert open_task(case).step == "decide"


def test_a_multi_signer_step_is_not_claimed_or_completed_as_one_persons(
    applicant, clerk, reviewer, reviewer2, item, code
):
    procedure(item, mode="all")
    case = at_joint_step(applicant, clerk, reviewer, code)
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        task_complete(actor=reviewer, case=case, opinion="同意")
    assert str(refused.value.message) == "“会审”为会签环节，请由签署人“签署意见”办理。"
    assert snapshot(case) == before


def test_a_department_without_the_signers_falls_back_to_one_person(
    applicant, clerk, reviewer, approver, item, code
):
    procedure(item, mode="all", signers=("nobody", "ghost"))
    case = at_joint_step(applicant, clerk, reviewer, code)
    task = open_task(case)
    assert (task.mode, task.assignee) == ("single", reviewer)


# ---------------------------------------------------------------- bad input: nothing changes


def test_a_countersign_completed_twice_by_the_same_reviewer_is_refused(
    applicant, clerk, reviewer, reviewer2, item, code
):
    procedure(item, mode="all")
    case = at_joint_step(applicant, clerk, reviewer, code)
    case = step_sign(actor=reviewer, case=case, opinion="同意")
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        step_sign(actor=reviewer, case=case, opinion="再次同意")
    assert refused.value.code == "already_signed"
    assert str(refused.value.message) == "您已签署过“会审”，不能重复签署。"
    assert snapshot(case) == before
    assert StepSigner.objects.filter(user=reviewer, status=SignerStatus.SIGNED).count() == 1


def test_a_send_back_to_a_step_that_does_not_exist_is_refused(
    applicant, clerk, reviewer, reviewer2, item, code
):
    procedure(item, mode="all")
    case = at_joint_step(applicant, clerk, reviewer, code)
    before = snapshot(case)
    for to_step in ("nosuch", "joint", "decide", ""):
        with pytest.raises(DomainError) as refused:
            task_send_back(actor=reviewer, case=case, to_step=to_step, reason="材料有误")
        assert (refused.value.code, refused.value.field) == ("step_unknown", "to_step")
    assert str(refused.value.message) == "不能退回到“—”：只能退回到本环节之前的环节（承办）。"
    assert snapshot(case) == before


def test_a_transfer_to_a_reviewer_outside_the_department_is_refused(
    applicant, clerk, reviewer, approver, outsider, item, code
):
    case = at_joint_step(applicant, clerk, reviewer, code)  # default procedure: at 批准
    before = snapshot(case)
    for name in ("outsider", "zhang", "nobody", "", "approver"):
        with pytest.raises(DomainError) as refused:
            task_transfer(actor=approver, case=case, to_username=name)
        assert (refused.value.code, refused.value.field) == ("reviewer_invalid", "reviewer")
    assert str(refused.value.message) == "不能选择自己。"
    with pytest.raises(DomainError) as refused:
        task_transfer(actor=approver, case=case, to_username="outsider")
    assert (
        str(refused.value.message)
        == "“outsider”不是测试mzj在岗的审查或批准人员，不能转交给他（她）。"
    )
    # a reviewer of the department lacks the 批准 role of the step
    with pytest.raises(DomainError):
        task_transfer(actor=approver, case=case, to_username="reviewer")
    assert snapshot(case) == before


def test_staff_of_another_department_cannot_operate(
    applicant, clerk, reviewer, reviewer2, outsider, item, code
):
    procedure(item, mode="all")
    case = at_joint_step(applicant, clerk, reviewer, code)
    before = snapshot(case)
    for call in (
        lambda: step_sign(actor=outsider, case=case, opinion="同意"),
        lambda: task_urge(actor=outsider, case=case),
        lambda: task_transfer(actor=outsider, case=case, to_username="reviewer2"),
        lambda: task_send_back(actor=outsider, case=case, to_step="handle", reason="x"),
        lambda: step_sign(actor=clerk, case=case, opinion="同意"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot(case) == before


def test_a_stale_form_is_refused(applicant, clerk, reviewer, reviewer2, item, code):
    procedure(item, mode="all")
    case = at_joint_step(applicant, clerk, reviewer, code)
    stale = case.version
    step_sign(actor=reviewer2, case=case, opinion="同意")
    before = snapshot(case)
    with pytest.raises(StaleCase):
        task_transfer(actor=reviewer, case=case, to_username="reviewer3", expected_version=stale)
    assert snapshot(case) == before


# ---------------------------------------------------------------- 转办 / 委派 / 收回


def test_transfer_hands_a_one_person_step_over_for_good(
    applicant, clerk, reviewer, reviewer2, approver, item, code
):
    procedure(item, mode="all")
    from tongban.cases.services import case_accept

    from .helpers import submitted_case

    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    assert open_task(case).assignee == reviewer
    case = task_transfer(actor=reviewer, case=case, to_username="reviewer2", note="本人出差")
    task = open_task(case)
    assert (task.assignee, task.delegated_by) == (reviewer2, None)
    event = case.events.order_by("-seq").first()
    assert (event.action, event.reason, event.payload["to"]) == (
        "task_transfer",
        "本人出差",
        "reviewer2",
    )
    notice = StaffNotice.objects.get(user=reviewer2)
    assert notice.title == "转办审查任务"
    assert notice.link == f"/console/cases/{case.case_no}/"
    with pytest.raises(DomainError) as refused:  # no longer the holder
        task_complete(actor=reviewer, case=case, opinion="同意")
    assert refused.value.code == "task_taken"
    with pytest.raises(DomainError):
        task_take_back(actor=reviewer, case=case)


def test_delegate_and_take_back(applicant, clerk, reviewer, reviewer2, approver, item, code):
    procedure(item, mode="all")  # 承办 to the least loaded: reviewer
    from tongban.cases.services import case_accept

    from .helpers import submitted_case

    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    case = task_delegate(actor=reviewer, case=case, to_username="reviewer2")
    task = open_task(case)
    assert (task.assignee, task.delegated_by) == (reviewer2, reviewer)
    assert step_state(reviewer, case).operations == ["take_back", "urge"]
    assert step_state(reviewer2, case).operations == ["transfer", "add_signer"]
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:  # a delegate does not delegate again
        task_delegate(actor=reviewer2, case=case, to_username="approver")
    assert refused.value.code == "not_delegated"
    with pytest.raises(DomainError):  # only the delegator takes back
        task_take_back(actor=reviewer2, case=case)
    assert snapshot(case) == before
    case = task_take_back(actor=reviewer, case=case)
    task.refresh_from_db()
    assert (task.assignee, task.delegated_by) == (reviewer, None)
    # delegated again, the delegate completes it on the delegator's behalf
    case = task_delegate(actor=reviewer, case=case, to_username="reviewer2")
    case = task_complete(actor=reviewer2, case=case, opinion="代为审查：符合条件")
    event = case.events.order_by("-seq").first()
    assert (event.action, event.actor, event.payload["delegated_by"]) == (
        "complete_step",
        reviewer2,
        "reviewer",
    )


def test_a_signer_delegates_their_signature(
    applicant, clerk, reviewer, reviewer2, reviewer3, item, code
):
    procedure(item, mode="all")
    case = at_joint_step(applicant, clerk, reviewer, code)
    case = task_delegate(actor=reviewer2, case=case, to_username="reviewer3")
    assert _signers(case) == [("reviewer", "pending", False), ("reviewer3", "pending", False)]
    case = task_take_back(actor=reviewer2, case=case)
    assert _signers(case) == [("reviewer", "pending", False), ("reviewer2", "pending", False)]
    case = task_transfer(actor=reviewer2, case=case, to_username="reviewer3")
    row = open_task(case).signers.get(user=reviewer3)
    assert row.delegated_by is None
    with pytest.raises(DomainError) as refused:  # already a signer of the step
        task_transfer(actor=reviewer, case=case, to_username="reviewer3")
    assert refused.value.code == "reviewer_invalid"


# ---------------------------------------------------------------- 加签


def test_add_a_signer_before_oneself(applicant, clerk, reviewer, reviewer2, approver, item, code):
    procedure(item, mode="all")
    from tongban.cases.services import case_accept

    from .helpers import submitted_case

    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    case = task_add_signer(actor=reviewer, case=case, to_username="reviewer2", before=True)
    task = open_task(case)
    assert (task.mode, task.assignee) == ("sequence", None)
    assert _signers(case) == [("reviewer2", "pending", False), ("reviewer", "pending", True)]
    with pytest.raises(DomainError) as refused:
        step_sign(actor=reviewer, case=case, opinion="同意")
    assert refused.value.code == "not_your_turn"
    case = step_sign(actor=reviewer2, case=case, opinion="先看过，同意")
    case = step_sign(actor=reviewer, case=case, opinion="同意")
    assert open_task(case).step == "joint"  # 承办 done by both, on to 会审
    added = case.events.get(action="task_add_signer")
    assert added.payload == {
        "step": "handle",
        "task": task.pk,
        "signer": "reviewer2",
        "where": "before",
    }


def test_add_a_signer_after_oneself_in_an_or_sign(
    applicant, clerk, reviewer, reviewer2, reviewer3, item, code
):
    procedure(item, mode="any")
    case = at_joint_step(applicant, clerk, reviewer, code)
    case = task_add_signer(actor=reviewer, case=case, to_username="reviewer3", before=False)
    assert _signers(case) == [
        ("reviewer", "pending", False),
        ("reviewer3", "pending", True),
        ("reviewer2", "pending", False),
    ]
    case = step_sign(actor=reviewer, case=case, opinion="同意，请 reviewer3 复核")
    assert open_task(case).step == "joint"  # the added signer is still to sign after me
    case = step_sign(actor=reviewer3, case=case, opinion="复核同意")
    assert open_task(case).step == "decide"


def test_no_added_signer_on_the_decision_step(applicant, clerk, reviewer, approver, item, code):
    case = at_joint_step(applicant, clerk, reviewer, code)
    make_staff(Role.APPROVER, department=case.department, username="approver2")
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        task_add_signer(actor=approver, case=case, to_username="approver2", before=True)
    assert str(refused.value.message) == "“批准”是作出决定的环节，不能加签。"
    assert snapshot(case) == before


# ---------------------------------------------------------------- 退回


def test_send_back_to_an_earlier_step_goes_to_its_last_handler(
    applicant, clerk, reviewer, reviewer2, approver, item, code
):
    procedure(item, mode="all")
    case = at_joint_step(applicant, clerk, reviewer, code)
    joint = open_task(case)
    case = step_sign(actor=reviewer2, case=case, opinion="同意")
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        task_send_back(actor=reviewer, case=case, to_step="handle", reason="  ")
    assert refused.value.code == "reason_required"
    assert snapshot(case) == before
    case = task_send_back(actor=reviewer, case=case, to_step="handle", reason="申请表地址有误")
    joint.refresh_from_db()
    assert joint.status == "cancelled"
    assert list(joint.signers.values_list("status", flat=True)) == ["cancelled", "signed"]
    again = open_task(case)
    assert (again.step, again.assignee, again.status) == ("handle", reviewer, "claimed")
    event = case.events.order_by("-seq").first()
    assert (event.action, event.reason, event.payload) == (
        "send_back",
        "申请表地址有误",
        {"step": "joint", "task": joint.pk, "to": "handle"},
    )
    assert StaffNotice.objects.filter(user=reviewer, title="办件被退回").count() == 1
    # the step runs again with fresh signatures
    case = task_complete(actor=reviewer, case=case, opinion="已核实地址")
    assert _signers(case) == [("reviewer", "pending", False), ("reviewer2", "pending", False)]


def test_the_approver_sends_back_over_several_steps(
    applicant, clerk, reviewer, reviewer2, approver, item, code
):
    procedure(item, mode="any")
    case = at_joint_step(applicant, clerk, reviewer, code)
    case = step_sign(actor=reviewer2, case=case, opinion="同意")
    case = task_send_back(actor=approver, case=case, to_step="handle", reason="请补充现场核查记录")
    assert open_task(case).step == "handle"
    assert ReviewTask.objects.filter(case=case, step="decide", status="cancelled").count() == 1


# ---------------------------------------------------------------- 催办


def test_urge_notifies_the_holders_and_keeps_the_version(
    applicant, clerk, reviewer, reviewer2, reviewer3, approver, item, code, at
):
    at("2026-06-02 10:00")
    procedure(item, mode="sequence")
    case = at_joint_step(applicant, clerk, reviewer, code)
    version = case.version
    event = task_urge(actor=approver, case=case, note="申请人来电询问")
    assert (event.action, event.payload["to"], event.reason) == (
        "task_urge",
        ["reviewer"],
        "申请人来电询问",
    )
    case.refresh_from_db()
    assert case.version == version
    notice = StaffNotice.objects.get(user=reviewer, title="催办：请尽快办理")
    assert (notice.title, notice.body) == (
        "催办：请尽快办理",
        f"{approver} 催办办件 {case.case_no} 的“会审”。申请人来电询问",
    )
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        task_urge(actor=approver, case=case)
    assert str(refused.value.message) == "您已于 10:00 催办过“会审”，请两小时后再催办。"
    assert snapshot(case) == before
    at("2026-06-02 12:01")
    task_urge(actor=approver, case=case)
    assert StaffNotice.objects.filter(user=reviewer, title="催办：请尽快办理").count() == 2
    with pytest.raises(DomainError) as refused:  # only reviewer holds it: nobody else to urge
        task_urge(actor=reviewer, case=case)
    assert refused.value.code == "no_task"
