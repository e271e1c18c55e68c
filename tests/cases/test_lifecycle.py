"""Every transition of a case and its refusals."""

import pytest

from tests.catalog.specs import department
from tests.factories import make_staff
from tongban.cases.models import (
    ApplicantBar,
    Case,
    CaseEvent,
    ItemProcedure,
    ReviewTask,
    TaskStatus,
)
from tongban.cases.services import (
    case_accept,
    case_create,
    case_decide,
    case_deliver,
    case_issue,
    case_refuse,
    case_request_correction,
    case_resubmit,
    case_submit,
    case_withdraw,
    task_claim,
    task_complete,
)
from tongban.cases.services.common import StaleCase
from tongban.cases.states import TransitionRefused
from tongban.core.errors import DomainError, PermissionDenied, ValidationFailed
from tongban.core.events import chain_verify
from tongban.core.permissions import Role

from .helpers import submitted_case

pytestmark = pytest.mark.django_db


def test_a_case_from_application_to_delivery(applicant, clerk, reviewer, approver, code):
    case = submitted_case(applicant, code)
    assert case.status == "submitted"
    assert case.case_no.startswith("330199-")
    case = case_accept(actor=clerk, case=case)
    assert case.status == "in_review"
    task = ReviewTask.objects.get(case=case)
    assert (task.step, task.assignee, task.status) == ("handle", reviewer, TaskStatus.CLAIMED)
    case = task_complete(actor=reviewer, case=case, opinion="材料齐全，符合条件")
    decide = ReviewTask.objects.get(case=case, step="decide")
    assert decide.assignee == approver
    case = case_decide(actor=approver, case=case, approve=True)
    case = case_issue(actor=approver, case=case)
    case = case_deliver(actor=clerk, case=case, method="window")
    assert case.status == "delivered"
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "create",
        "material_added",
        "material_added",
        "submit",
        "accept",
        "complete_step",
        "approve",
        "issue",
        "deliver",
    ]
    pickup = CaseEvent.objects.get(case=case, action="deliver").payload["pickup_code"]
    assert len(pickup) == 6 and pickup.isdigit()
    assert chain_verify().ok


def test_submit_needs_every_required_material(applicant, code):
    case = case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
    )
    with pytest.raises(DomainError) as exc:
        case_submit(actor=applicant, case=case)
    assert exc.value.code == "materials_missing"
    assert "近期免冠照片" in exc.value.message
    assert Case.objects.get(pk=case.pk).status == "draft"


def test_refusal_needs_a_reason_and_changes_nothing_without_one(applicant, clerk, code):
    case = submitted_case(applicant, code)
    with pytest.raises(DomainError) as exc:
        case_refuse(actor=clerk, case=case, reason="  ")
    assert exc.value.code == "reason_required"
    assert Case.objects.get(pk=case.pk).status == "submitted"
    case = case_refuse(actor=clerk, case=case, reason="不属于本机关职权范围，请向市民政局申请")
    assert (case.status, case.decision_reason[:6]) == ("not_accepted", "不属于本机关")


def test_correction_is_one_complete_notice(applicant, clerk, code):
    case = submitted_case(applicant, code)
    with pytest.raises(ValidationFailed):
        case_request_correction(actor=clerk, case=case, missing=[" "])
    case = case_request_correction(actor=clerk, case=case, missing=["户口簿", "近期免冠照片"])
    assert case.status == "correction_requested"
    case = case_resubmit(actor=applicant, case=case)
    with pytest.raises(DomainError) as exc:
        case_request_correction(actor=clerk, case=case, missing=["又一份"])
    assert exc.value.code == "correction_too_late"
    assert case_accept(actor=clerk, case=case).status == "in_review"


def test_transition_not_allowed_from_the_current_state(applicant, clerk, code):
    case = submitted_case(applicant, code)
    case_accept(actor=clerk, case=case)
    with pytest.raises(TransitionRefused) as exc:
        case_accept(actor=clerk, case=case)
    assert "审查中" in exc.value.message
    assert "clerk" in exc.value.message or "用户" in exc.value.message


def test_a_stale_version_is_refused(applicant, clerk, code):
    case = submitted_case(applicant, code)
    stale = case.version
    case_accept(actor=clerk, case=case, expected_version=stale)
    with pytest.raises(StaleCase) as exc:
        case_refuse(actor=clerk, case=case, reason="x", expected_version=stale)
    assert exc.value.code == "stale"
    assert Case.objects.get(pk=case.pk).status == "in_review"


def test_only_the_applicant_or_a_clerk_submits_and_withdraws(
    applicant, other_applicant, reviewer, code
):
    case = submitted_case(applicant, code)
    for intruder in (other_applicant, reviewer):
        with pytest.raises(PermissionDenied):
            case_withdraw(actor=intruder, case=case)
    assert Case.objects.get(pk=case.pk).status == "submitted"
    assert case_withdraw(actor=applicant, case=case).status == "withdrawn"


def test_staff_of_another_department_cannot_review(applicant, clerk, reviewer, code):
    outsider = make_staff(Role.REVIEWER, department=department("gaj", 8))
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    with pytest.raises(PermissionDenied):
        task_claim(actor=outsider, case=case)
    with pytest.raises(PermissionDenied):
        task_complete(actor=outsider, case=case, opinion="同意")
    assert ReviewTask.objects.get(case=case).assignee == reviewer


def test_a_denial_states_reasons_and_appeal_rights(applicant, clerk, reviewer, approver, code):
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    case = task_complete(actor=reviewer, case=case, opinion="年龄不符合条件")
    with pytest.raises(DomainError):
        case_decide(actor=approver, case=case, approve=False, reason="")
    case = case_decide(actor=approver, case=case, approve=False, reason="申请人未满 60 周岁")
    event = CaseEvent.objects.get(case=case, action="deny")
    assert event.reason == "申请人未满 60 周岁"
    assert "行政复议" in event.payload["appeal_rights"]
    assert "行政诉讼" in event.payload["appeal_rights"]


def test_the_reviewer_cannot_decide(applicant, clerk, reviewer, code):
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    with pytest.raises(PermissionDenied):
        case_decide(actor=reviewer, case=case, approve=True)


def test_an_idempotency_key_returns_the_same_case(applicant, code):
    first = case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
        idempotency_key="k-1",
    )
    again = case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
        idempotency_key="k-1",
    )
    assert first.pk == again.pk
    assert Case.objects.count() == 1


def test_incomplete_answers_are_refused_at_creation(applicant, code):
    with pytest.raises(ValidationFailed) as exc:
        case_create(
            actor=applicant, item_code=code, applicant=applicant.person, channel="web", answers={}
        )
    assert exc.value.code == "answer_missing"
    assert Case.objects.count() == 0


def test_on_site_verification_needs_two_different_reviewers(
    applicant, clerk, reviewer, approver, item, mzj, code
):
    ItemProcedure.objects.create(item=item.item, steps=[], two_reviewers=True)
    second = make_staff(Role.REVIEWER, department=mzj, username="reviewer2")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    first = ReviewTask.objects.get(case=case).assignee
    case = task_complete(actor=first, case=case, opinion="现场核查一：属实")
    task = ReviewTask.objects.get(case=case)
    assert (task.status, task.assignee) == (TaskStatus.OPEN, None)
    with pytest.raises(DomainError):
        task_complete(actor=first, case=case, opinion="我再核一次")
    other = second if first == reviewer else reviewer
    case = task_complete(actor=other, case=case, opinion="现场核查二：属实")
    assert ReviewTask.objects.get(case=case, step="decide").status == TaskStatus.CLAIMED


def test_a_barred_applicant_is_refused_at_submission(applicant, item, code):
    import datetime as _dt

    ApplicantBar.objects.create(
        person=applicant.person, item=item.item, until=_dt.date(2099, 1, 1), reason="提供虚假材料"
    )
    with pytest.raises(DomainError) as exc:
        submitted_case(applicant, code)
    assert exc.value.code == "applicant_barred"
    assert "提供虚假材料" in exc.value.message
