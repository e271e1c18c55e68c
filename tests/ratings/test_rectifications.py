"""差评整改: deadlines in working days (over the National Day holiday), the whole flow with
each outcome, the supervisor's review, the citizen informed, the appeal re-checked by a separate
reviewer, contact views logged, overdue rectifications for supervision."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from tongban.core.errors import DomainError
from tongban.core.events import chain_verify
from tongban.core.models import Notification, StaffNotice
from tongban.ratings import services
from tongban.ratings.errors import RatingErrorCode
from tongban.ratings.models import (
    ContactView,
    Rating,
    Rectification,
    RectificationEvent,
    RectificationStatus,
)
from tongban.ratings.policy import Deadlines, deadlines_for, parse_region_days
from tongban.ratings.selectors import overdue_rectifications

from .conftest import SH, at

pytestmark = pytest.mark.django_db

END = dt.time(23, 59, 59, 999999)


def end_of(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), END, tzinfo=SH)


def bad_rating(applicant, case, *, when=None, level=1):
    with time_machine.travel(when or at("2026-11-02", 11), tick=False):
        return services.rating_submit_web(
            user=applicant, kind="case", ref=case.case_no, level=level, comment="窗口让我跑了三次"
        )


def test_a_bad_rating_opens_a_rectification_over_the_holiday(applicant, case, handler, head):
    rating = bad_rating(applicant, case, when=at("2026-09-30", 10))
    r = rating.rectification
    assert r.status == RectificationStatus.VERIFYING
    assert r.department_id == case.department_id
    # 1 working day after 30 September is 8 October (National Day 1–7 October)
    assert r.verify_due == end_of("2026-10-08")
    # 15 working days: 8, 9, 10 (adjusted working Saturday), 12 … 27 October
    assert r.due == end_of("2026-10-27")
    assert set(StaffNotice.objects.values_list("user__username", flat=True)) == {"handler", "head"}
    event = RectificationEvent.objects.get()
    assert (event.action, event.to_state, event.payload["rectify_days"]) == (
        "open",
        "verifying",
        15,
    )


@pytest.mark.parametrize("level", [5, 4, 3])
def test_good_ratings_open_no_rectification(applicant, case, level):
    bad_rating(applicant, case, level=level)
    assert not Rectification.objects.exists()


def test_deadlines_per_region_from_settings():
    with override_settings(TONGBAN_RECTIFICATION_REGION_DAYS="4403=1/5,440305=2/7"):
        assert deadlines_for("440305001") == Deadlines(2, 7)
        assert deadlines_for("440301") == Deadlines(1, 5)
        assert deadlines_for("330199") == Deadlines(1, 15)
    with pytest.raises(ValueError):
        parse_region_days("abc=1/2")


def test_region_deadline_applies_to_the_rating(applicant, case, mzj):
    with override_settings(TONGBAN_RECTIFICATION_REGION_DAYS=f"{mzj.region.code}=2/5"):
        r = bad_rating(applicant, case, when=at("2026-09-30", 10)).rectification
    assert r.verify_due == end_of("2026-10-09")
    assert r.due == end_of("2026-10-13")


def run_flow(r, handler, supervisor, *, outcome, fix_by=None):
    with time_machine.travel(at("2026-11-02", 15), tick=False):
        r = services.rectification_verify(
            actor=handler, pk=r.pk, note="已回电，情况属实", expected_version=1
        )
        r = services.rectification_respond(
            actor=handler,
            pk=r.pk,
            outcome=outcome,
            reply="已整改，向群众致歉",
            fix_by=fix_by,
            expected_version=2,
        )
        return services.rectification_review(
            actor=supervisor, pk=r.pk, approve=True, expected_version=3
        )


@pytest.mark.parametrize(
    ("outcome", "fix_by"),
    [("immediate", None), ("deadline", "2026-11-10"), ("explained", None)],
)
def test_whole_flow_with_each_outcome(applicant, case, handler, supervisor, outcome, fix_by):
    r = bad_rating(applicant, case).rectification
    r = run_flow(r, handler, supervisor, outcome=outcome, fix_by=fix_by)
    assert r.status == RectificationStatus.CLOSED
    assert r.outcome == outcome
    assert r.verified_at == at("2026-11-02", 15)
    assert r.responded_at == at("2026-11-02", 15)
    assert r.closed_at == at("2026-11-02", 15)
    assert r.reviewed_by == supervisor
    assert r.informed_at == at("2026-11-02", 15)
    note = Notification.objects.get(person=applicant.person)
    assert "已整改，向群众致歉" in note.body
    actions = list(RectificationEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["open", "verify", "respond", "approve"]
    assert chain_verify([RectificationEvent]).ok


def test_fix_by_is_required_and_within_the_deadline(applicant, case, handler):
    r = bad_rating(applicant, case).rectification
    with time_machine.travel(at("2026-11-02", 15), tick=False):
        services.rectification_verify(actor=handler, pk=r.pk, note="已回电")
        with pytest.raises(DomainError) as exc:
            services.rectification_respond(actor=handler, pk=r.pk, outcome="deadline", reply="x")
        assert exc.value.field == "fix_by"
        with pytest.raises(DomainError) as exc:
            services.rectification_respond(
                actor=handler, pk=r.pk, outcome="deadline", reply="x", fix_by="2027-12-01"
            )
        assert exc.value.field == "fix_by"
    r.refresh_from_db()
    assert (r.status, r.outcome, r.version) == ("rectifying", "", 2)


def test_supervisor_sends_back_with_a_note(applicant, case, handler, supervisor):
    r = bad_rating(applicant, case).rectification
    services.rectification_verify(actor=handler, pk=r.pk, note="已回电")
    services.rectification_respond(actor=handler, pk=r.pk, outcome="explained", reply="无法律依据")
    with pytest.raises(DomainError) as exc:
        services.rectification_review(actor=supervisor, pk=r.pk, approve=False, note="")
    assert exc.value.field == "note"
    r = services.rectification_review(actor=supervisor, pk=r.pk, approve=False, note="解释不充分")
    assert r.status == RectificationStatus.RECTIFYING
    assert not Notification.objects.exists()


def test_only_the_departments_handler_acts_and_only_a_supervisor_reviews(
    applicant, case, handler, other_handler, supervisor, clerk
):
    r = bad_rating(applicant, case).rectification
    for actor in (other_handler, supervisor, clerk):
        with pytest.raises(DomainError) as exc:
            services.rectification_verify(actor=actor, pk=r.pk, note="x")
        assert exc.value.status_code == 403
    services.rectification_verify(actor=handler, pk=r.pk, note="x")
    services.rectification_respond(actor=handler, pk=r.pk, outcome="immediate", reply="y")
    with pytest.raises(DomainError) as exc:
        services.rectification_review(actor=handler, pk=r.pk, approve=True)
    assert exc.value.status_code == 403
    r.refresh_from_db()
    assert r.status == RectificationStatus.REVIEWING


def test_stale_version_is_refused(applicant, case, handler):
    r = bad_rating(applicant, case).rectification
    services.rectification_verify(actor=handler, pk=r.pk, note="x", expected_version=1)
    with pytest.raises(DomainError) as exc:
        services.rectification_respond(
            actor=handler, pk=r.pk, outcome="immediate", reply="y", expected_version=1
        )
    assert exc.value.code == RatingErrorCode.STALE


def test_a_wrong_step_is_refused(applicant, case, handler):
    r = bad_rating(applicant, case).rectification
    with pytest.raises(DomainError) as exc:
        services.rectification_respond(actor=handler, pk=r.pk, outcome="immediate", reply="y")
    assert exc.value.code == RatingErrorCode.TRANSITION_NOT_ALLOWED


# ---------------------------------------------------------------- appeal


def test_appeal_upheld_by_a_separate_reviewer_marks_the_rating(
    applicant, case, handler, supervisor, supervisor2
):
    r = bad_rating(applicant, case).rectification
    services.rectification_verify(actor=handler, pk=r.pk, note="来电人称打错了")
    services.rectification_respond(actor=handler, pk=r.pk, outcome="explained", reply="说明")
    services.rectification_review(actor=supervisor, pk=r.pk, approve=False, note="先复核申诉")
    services.rectification_appeal(actor=handler, pk=r.pk, reason="评价人确认是误点")
    with pytest.raises(DomainError) as exc:
        services.rectification_appeal(actor=handler, pk=r.pk, reason="again")
    assert exc.value.code == RatingErrorCode.APPEAL_EXISTS
    # the supervisor who reviewed the rectification may not re-check the appeal
    with pytest.raises(DomainError) as exc:
        services.rectification_appeal_decide(actor=supervisor, pk=r.pk, result="mistaken", note="x")
    assert exc.value.code == RatingErrorCode.SAME_REVIEWER
    r = services.rectification_appeal_decide(
        actor=supervisor2, pk=r.pk, result="mistaken", note="录音证实误点"
    )
    assert r.status == RectificationStatus.CLOSED
    assert r.appeal_status == "upheld"
    assert r.appeal_reviewed_by == supervisor2
    rating = Rating.objects.get()
    assert rating.appeal_result == "mistaken"
    assert rating.level == 1  # never changed, never deleted


def test_appeal_reviewer_may_not_then_review_the_rectification(
    applicant, case, handler, supervisor, supervisor2
):
    r = bad_rating(applicant, case).rectification
    services.rectification_appeal(actor=handler, pk=r.pk, reason="恶意")
    services.rectification_appeal_decide(
        actor=supervisor, pk=r.pk, result="rejected", note="不成立"
    )
    services.rectification_verify(actor=handler, pk=r.pk, note="x")
    services.rectification_respond(actor=handler, pk=r.pk, outcome="immediate", reply="y")
    with pytest.raises(DomainError) as exc:
        services.rectification_review(actor=supervisor, pk=r.pk, approve=True)
    assert exc.value.code == RatingErrorCode.SAME_REVIEWER
    r = services.rectification_review(actor=supervisor2, pk=r.pk, approve=True)
    assert r.status == RectificationStatus.CLOSED
    assert Rating.objects.get().appeal_result == ""


def test_appeal_decision_without_an_appeal_is_refused(applicant, case, supervisor):
    r = bad_rating(applicant, case).rectification
    with pytest.raises(DomainError) as exc:
        services.rectification_appeal_decide(
            actor=supervisor, pk=r.pk, result="malicious", note="x"
        )
    assert exc.value.code == RatingErrorCode.NO_APPEAL


# ---------------------------------------------------------------- contact details


def test_contact_view_is_logged_and_limited_to_handlers(
    applicant, case, handler, head, other_handler, supervisor
):
    r = bad_rating(applicant, case).rectification
    contact = services.rectification_contact(actor=handler, pk=r.pk)
    assert contact == {"name": "张晓明", "phone": "13912345678"}
    services.rectification_contact(actor=head, pk=r.pk)
    assert list(ContactView.objects.order_by("id").values_list("viewer__username", flat=True)) == [
        "handler",
        "head",
    ]
    assert RectificationEvent.objects.filter(action="contact_view").count() == 2
    for actor in (other_handler, supervisor):
        with pytest.raises(DomainError) as exc:
            services.rectification_contact(actor=actor, pk=r.pk)
        assert exc.value.status_code == 403
    assert ContactView.objects.count() == 2


def test_the_rated_staff_member_cannot_see_the_rater(applicant, make_case, item, mzj):
    from tests.factories import make_staff
    from tongban.cases.models import CaseEvent
    from tongban.core.events import event_append
    from tongban.core.permissions import Role

    rated = make_staff(Role.HANDLER, Role.APPROVER, department=mzj, username="rated")
    case = make_case(item)
    event_append(model=CaseEvent, stream=case.stream, action="approve", actor=rated, case=case)
    r = bad_rating(applicant, case).rectification
    assert r.rating.staff_id == rated.pk
    with pytest.raises(DomainError) as exc:
        services.rectification_contact(actor=rated, pk=r.pk)
    assert exc.value.code == RatingErrorCode.RATED_STAFF
    assert not ContactView.objects.exists()


# ---------------------------------------------------------------- overdue


def test_overdue_rectifications(applicant, make_case, item, handler):
    late_verify = bad_rating(applicant, make_case(item), when=at("2026-11-02", 10)).rectification
    on_time = bad_rating(applicant, make_case(item), when=at("2026-11-02", 10)).rectification
    services.rectification_verify(actor=handler, pk=on_time.pk, note="x")
    # 3 November end is the verify deadline (1 working day after Monday 2 November)
    assert list(overdue_rectifications(now=end_of("2026-11-03"))) == []
    assert list(overdue_rectifications(now=at("2026-11-04", 9))) == [late_verify]
    # 23 November end: 15 working days after 2 November
    assert late_verify.due == end_of("2026-11-23")
    assert set(overdue_rectifications(now=at("2026-11-24", 9))) == {late_verify, on_time}
