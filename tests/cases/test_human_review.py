"""个人信息保护法第二十四条: the applicant of a case decided by the rules asks, with one click, for
a person to review the decision — a review task of the item's first step, due in working days,
recorded on the evaluation and in the case history. Only the applicant, only once, only for an
automatic decision; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases.models import CaseEvent, ReviewTask, TaskStatus
from tongban.cases.services.instant import case_human_review_complete, case_human_review_request
from tongban.core.errors import DomainError, PermissionDenied
from tongban.core.models import Notification
from tongban.rules.models import Evaluation

from .helpers import submitted_case
from .instant_helpers import AGE_60, active_rules, client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(at, applicant, code):
    """A case approved by the rules on Monday 2026-09-21."""
    at("2026-09-21 10:00")
    applicant.person.birth_date = dt.date(1950, 3, 1)
    applicant.person.save()
    active_rules(code, [AGE_60])
    case = submitted_case(applicant, code)
    case.refresh_from_db()
    assert case.status == "approved"
    return case


def test_one_click_opens_a_review_task_with_a_working_day_deadline(at, decided, applicant):
    at("2026-09-28 09:00")  # the 2026 National Day holiday: 10-01 … 10-07
    client = client_for(applicant)
    response = client.post(f"/my/cases/{decided.case_no}/human-review/")
    assert response.status_code == 302
    assert response["Location"] == f"/my/cases/{decided.case_no}/#explanation"

    decided.refresh_from_db()
    assert decided.status == "approved"  # the decision stands until the review concludes
    event = CaseEvent.objects.get(case=decided, action="human_review_request")
    evaluation = Evaluation.objects.get(case_no=decided.case_no)
    # the spec's item promises 5 working days after the request: 09-29, 09-30, 10-08, 10-09 and
    # Saturday 10-10, an adjusted working day (调休上班) after the National Day holiday
    assert event.payload == {"step": "handle", "due": "2026-10-10", "evaluation": evaluation.pk}
    assert (event.actor_id, event.from_state, event.to_state) == (
        applicant.pk,
        "approved",
        "approved",
    )
    assert evaluation.human_review_requested_at is not None
    task = ReviewTask.objects.get(case=decided)
    assert (task.step, task.step_name, task.role, task.status) == (
        "handle",
        "承办",
        "reviewer",
        TaskStatus.OPEN,
    )
    assert Notification.objects.filter(title="已收到人工复核申请").count() == 1

    text = text_of(client.get(f"/my/cases/{decided.case_no}/"))
    assert "已提交人工复核申请，工作人员复核后会通知您结果。" in text
    assert "工作人员将在 2026-10-10 前完成复核并告知您结果。" in text
    assert "申请人工复核 2026-09-28 09:00 · ， 您 工作人员将在 2026-10-10 前完成复核。" in text


def test_only_once(at, decided, applicant):
    case_human_review_request(actor=applicant, case=decided)
    before = CaseEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        case_human_review_request(actor=applicant, case=decided)
    assert exc.value.code == "human_review_requested"
    assert exc.value.status_code == 409
    assert CaseEvent.objects.count() == before
    assert ReviewTask.objects.filter(case=decided).count() == 1

    # the second click on the page says so and changes nothing
    client = client_for(applicant)
    response = client.post(f"/my/cases/{decided.case_no}/human-review/", follow=True)
    assert "请等待复核结果" in text_of(response)
    assert ReviewTask.objects.filter(case=decided).count() == 1


def test_another_applicant_finds_no_such_case(decided, other_applicant):
    response = client_for(other_applicant).post(f"/my/cases/{decided.case_no}/human-review/")
    assert response.status_code == 404
    assert not CaseEvent.objects.filter(action="human_review_request").exists()
    with pytest.raises(PermissionDenied):
        case_human_review_request(actor=other_applicant, case=decided)


def test_staff_cannot_ask_for_the_applicant(decided, clerk, anonymous_client):
    response = client_for(clerk).post(f"/my/cases/{decided.case_no}/human-review/")
    assert response.status_code == 403  # no person record: not an applicant
    response = anonymous_client.post(f"/my/cases/{decided.case_no}/human-review/")
    assert response.status_code == 302 and "/login" in response["Location"]
    with pytest.raises(PermissionDenied):
        case_human_review_request(actor=clerk, case=decided)
    assert not ReviewTask.objects.filter(case=decided).exists()
    assert Evaluation.objects.get(case_no=decided.case_no).human_review_requested_at is None


def test_a_case_decided_by_people_has_no_automatic_decision_to_review(at, applicant, code):
    at("2026-09-21 10:00")
    case = submitted_case(applicant, code)  # no rules: the manual queue
    with pytest.raises(DomainError) as exc:
        case_human_review_request(actor=applicant, case=case)
    assert exc.value.code in ("not_automatic", "transition_not_allowed")
    assert not CaseEvent.objects.filter(action="human_review_request").exists()


def test_the_get_is_not_allowed(decided, applicant):
    assert (
        client_for(applicant).get(f"/my/cases/{decided.case_no}/human-review/").status_code == 405
    )


def test_the_reviewer_concludes(at, decided, applicant, reviewer, approver):
    case_human_review_request(actor=applicant, case=decided)
    with pytest.raises(PermissionDenied):
        case_human_review_complete(actor=approver, case=decided, upheld=True, opinion="维持")
    case = case_human_review_complete(
        actor=reviewer, case=decided, upheld=True, opinion="核对户籍和年龄无误，维持决定。"
    )
    assert case.status == "approved"
    task = ReviewTask.objects.get(case=decided)
    assert (task.status, task.assignee_id, task.opinion) == (
        TaskStatus.DONE,
        reviewer.pk,
        "核对户籍和年龄无误，维持决定。",
    )
    event = CaseEvent.objects.get(case=decided, action="human_review_complete")
    assert (event.payload, event.reason) == ({"upheld": True}, "核对户籍和年龄无误，维持决定。")
    with pytest.raises(DomainError):
        case_human_review_complete(actor=reviewer, case=decided, upheld=True, opinion="再来")


def test_the_staff_page_shows_the_request_and_its_deadline(at, decided, applicant, reviewer):
    at("2026-09-28 09:00")
    case_human_review_request(actor=applicant, case=decided)
    text = text_of(client_for(reviewer).get(f"/console/cases/{decided.case_no}/"))
    assert "系统自动决定" in text
    assert (
        "申请人已于 2026-09-28 09:00 对系统自动作出的决定申请人工复核（个人信息保护法第二十四条）。"
        "复核期限：2026-10-10（工作日计算）。"
    ) in text


def test_the_reviewer_concludes_on_the_case_page(at, decided, applicant, reviewer, clerk):
    at("2026-09-28 09:00")
    case_human_review_request(actor=applicant, case=decided)
    url = f"/console/cases/{decided.case_no}/actions/human_review_complete/"
    panel = 'id="panel-human_review_complete"'
    assert panel not in client_for(clerk).get(f"/console/cases/{decided.case_no}/").content.decode()
    reviewer_client = client_for(reviewer)
    assert panel in reviewer_client.get(f"/console/cases/{decided.case_no}/").content.decode()
    decided.refresh_from_db()
    version = decided.version

    # no opinion: refused with the field's message, nothing changed
    response = reviewer_client.post(
        url,
        {
            "human_review_complete-expected_version": version,
            "human_review_complete-upheld": "yes",
        },
    )
    assert response.status_code == 400
    assert "复核意见" in text_of(response)
    assert not CaseEvent.objects.filter(case=decided, action="human_review_complete").exists()

    response = reviewer_client.post(
        url,
        {
            "human_review_complete-expected_version": version,
            "human_review_complete-upheld": "no",
            "human_review_complete-opinion": "户籍信息有误，需更正。",
        },
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=decided, action="human_review_complete")
    assert (event.payload, event.reason, event.actor_id) == (
        {"upheld": False},
        "户籍信息有误，需更正。",
        reviewer.pk,
    )
    assert ReviewTask.objects.get(case=decided).status == TaskStatus.DONE
    assert panel not in reviewer_client.get(f"/console/cases/{decided.case_no}/").content.decode()
