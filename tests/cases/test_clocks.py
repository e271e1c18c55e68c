"""Clocks from the events: working days, holidays, adjusted working days, pauses, deemed
acceptance, extension and cards (time-machine drives the dates, Asia/Shanghai)."""

import datetime as dt

import pytest

from tongban.cases import selectors
from tongban.cases.services import (
    case_accept,
    case_decide,
    case_extend,
    case_request_correction,
    case_resume,
    case_suspend,
    task_complete,
)
from tongban.core.errors import DomainError

from .helpers import submitted_case

pytestmark = pytest.mark.django_db
D = dt.date


def test_limits_count_working_days_over_the_national_day(at, applicant, clerk, code):
    at("2026-09-30 10:00")  # legal 20, promised 5; 10-01..10-07 off, 10-10 (Sat) a working day
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    c = selectors.clock(case)
    assert (c.accepted_on, c.deemed_accepted) == (D(2026, 9, 30), False)
    assert c.promised_due == D(2026, 10, 13)
    assert c.legal_due == D(2026, 11, 3)
    assert (c.elapsed, c.remaining_promised, c.card) == (0, 5, "")
    at("2026-10-12 09:00")
    c = selectors.clock(case)
    assert (c.elapsed, c.remaining_promised, c.card) == (4, 1, "blue")
    at("2026-10-14 09:00")
    assert selectors.clock(case).card == "yellow"
    at("2026-11-04 09:00")
    c = selectors.clock(case)
    assert (c.card, c.remaining_legal) == ("red", -1)


def test_a_case_filed_on_saturday_is_deemed_accepted_from_receipt(at, applicant, clerk, code):
    at("2026-09-26 11:00")  # Saturday: the 5-day notice period ends 2026-10-09
    case = submitted_case(applicant, code)
    c = selectors.clock(case)
    assert (c.received_on, c.correction_due, c.accepted_on) == (
        D(2026, 9, 26),
        D(2026, 10, 9),
        None,
    )
    at("2026-10-09 17:00")
    assert selectors.clock(case).accepted_on is None  # still inside the period
    at("2026-10-12 09:00")
    c = selectors.clock(case)  # no notice in time: accepted from receipt, computed
    assert (c.accepted_on, c.deemed_accepted) == (D(2026, 9, 26), True)
    with pytest.raises(DomainError) as exc:
        case_request_correction(actor=clerk, case=case, missing=["户口簿"])
    assert exc.value.code == "correction_too_late"
    case = case_accept(actor=clerk, case=case)  # the clerk cannot date it later than receipt
    c = selectors.clock(case)
    assert (c.accepted_on, c.deemed_accepted) == (D(2026, 9, 26), True)
    assert c.promised_due == D(2026, 10, 9)
    assert c.card == "yellow"


def test_a_pause_stops_the_clock_without_losing_or_gaining_a_day(
    at, applicant, clerk, reviewer, code
):
    at("2026-11-02 09:00")  # Monday
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    assert selectors.clock(case).promised_due == D(2026, 11, 9)
    at("2026-11-03 10:00")  # Tuesday: expert review starts
    case = case_suspend(
        actor=reviewer, case=case, kind="expert_review", reason="专家评审", expected_days=3
    )
    at("2026-11-06 15:00")  # Friday, still paused: elapsed stays at Tuesday's 1
    c = selectors.clock(case)
    assert (c.suspended, c.elapsed, c.remaining_promised) == (True, 1, 4)
    at("2026-11-09 09:00")  # Monday: resumed; Wed, Thu, Fri were paused
    case = case_resume(actor=reviewer, case=case)
    c = selectors.clock(case)
    assert (c.suspended, c.paused_days, c.elapsed) == (False, 3, 2)
    assert c.promised_due == D(2026, 11, 12)


def test_pausing_and_resuming_the_same_day_changes_nothing(at, applicant, clerk, reviewer, code):
    at("2026-11-02 09:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    before = selectors.clock(case).promised_due
    at("2026-11-04 10:00")
    case = case_suspend(actor=reviewer, case=case, kind="testing", reason="检测", expected_days=1)
    at("2026-11-04 16:00")
    case = case_resume(actor=reviewer, case=case)
    c = selectors.clock(case)
    assert (c.paused_days, c.promised_due) == (0, before)


def test_extension_once_by_the_head_adds_ten_working_days(
    at, applicant, clerk, reviewer, approver, code
):
    at("2026-11-02 09:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    legal = selectors.clock(case).legal_due
    with pytest.raises(DomainError):
        case_extend(actor=reviewer, case=case, reason="需要实地核查")
    case = case_extend(actor=approver, case=case, reason="需要实地核查")
    c = selectors.clock(case)
    assert (c.extension_days, c.legal_due) == (10, D(2026, 12, 14))
    assert legal == D(2026, 11, 30)
    with pytest.raises(DomainError) as exc:
        case_extend(actor=approver, case=case, reason="再延一次")
    assert exc.value.code == "extension_used"


def test_on_time_flag_and_delivery_limit_at_decision(
    at, applicant, clerk, reviewer, approver, code
):
    at("2026-11-02 09:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    at("2026-11-05 10:00")
    case = task_complete(actor=reviewer, case=case, opinion="同意")
    case = case_decide(actor=approver, case=case, approve=True)
    at("2026-11-19 16:00")  # the last day to serve the result (第四十四条)
    c = selectors.clock(case)
    assert (c.decided_on, c.on_time, c.card, c.elapsed) == (D(2026, 11, 5), True, "", 3)
    assert c.delivery_due == D(2026, 11, 19)
    at("2026-12-20 10:00")  # long after: the decided clock stays as it was ...
    c = selectors.clock(case)
    assert (c.decided_on, c.on_time, c.elapsed, c.promised_due) == (
        D(2026, 11, 5),
        True,
        3,
        D(2026, 11, 9),
    )
    # ... but the result was never served: the 送达 stage is overdue, and the card yellow.
    assert (c.card, [s.code for s in c.overdue_stages]) == ("yellow", ["deliver"])
