"""Stage limits (受理、审查、决定、制证、送达) and the card policy: each stage's dates from the
events in working days, pauses inside a stage, a stage past its limit turning the card yellow,
the law's limits when an item has no procedure, the policy from settings, and configuration
that cannot hold refused with a clear message (time-machine drives the dates, Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client, override_settings
from django.utils import translation
from django.utils.translation.reloader import translation_file_changed

from tongban.cases import clocks, selectors
from tongban.cases.models import Case, ItemProcedure
from tongban.cases.services import (
    case_accept,
    case_decide,
    case_deliver,
    case_issue,
    case_refuse,
    case_request_correction,
    case_resubmit,
    case_resume,
    case_suspend,
    case_withdraw,
    task_complete,
)
from tongban.cases.views import portal_progress
from tongban.core.i18n_compile import compile_all

from .helpers import submitted_case

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(scope="module", autouse=True)
def _compiled_translations():
    """The English messages need the compiled catalogue (``make`` compiles it; so does this)."""
    if compile_all():
        translation_file_changed(None, Path("django.mo"))


def procedure(item, **limits) -> ItemProcedure:
    """The item's procedure with these stage limits (``accept=2`` → accept_limit_days=2)."""
    row = ItemProcedure(item=item.item, **{f"{k}_limit_days": v for k, v in limits.items()})
    row.full_clean()
    row.save()
    return row


def clock(case: Case) -> clocks.Clock:
    """The clock as the case pages compute it: with the item's stage limits."""
    return clocks.compute(
        case, list(case.events.order_by("seq")), limits=clocks.step_limits_for(case)
    )


def dates(c: clocks.Clock) -> dict[str, tuple]:
    return {s.code: (s.start, s.due, s.end) for s in c.stages}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# ---------------------------------------------------------------- dates of each stage


def test_each_stage_falls_due_in_working_days_over_holidays_weekends_and_adjusted_days(
    at, item, applicant, clerk, reviewer, approver, code
):
    procedure(item, accept=2, review=3, decide=1, issue=2, deliver=3)
    at("2026-09-23 10:00")  # Wednesday; 中秋 Fri 09-25, the weekend, then 国庆 10-01..10-07
    case = submitted_case(applicant, code)
    c = clock(case)
    assert dates(c)["accept"] == (D(2026, 9, 23), D(2026, 9, 28), None)  # over 中秋 and Sat/Sun
    assert (c.stage("accept").state, c.stage("review").state) == ("running", "pending")
    at("2026-09-28 09:00")
    case = case_accept(actor=clerk, case=case)
    at("2026-10-08 10:00")  # the review stage's 3rd working day: 09-29, 09-30, then 10-08
    case = task_complete(actor=reviewer, case=case, opinion="同意")
    at("2026-10-09 10:00")
    case = case_decide(actor=approver, case=case, approve=True)
    c = clock(case)
    # 制证 from the decision: Saturday 10-10 is an adjusted working day (调休上班), so 2 working
    # days end on Monday 10-12; 送达 is due 10 working days after the decision until issued.
    assert dates(c)["issue"] == (D(2026, 10, 9), D(2026, 10, 12), None)
    assert dates(c)["deliver"] == (None, D(2026, 10, 22), None)
    at("2026-10-12 10:00")
    case = case_issue(actor=approver, case=case)
    at("2026-10-15 16:00")
    case = case_deliver(actor=clerk, case=case, method="electronic")
    c = clock(case)
    assert dates(c) == {
        "accept": (D(2026, 9, 23), D(2026, 9, 28), D(2026, 9, 28)),
        "review": (D(2026, 9, 28), D(2026, 10, 8), D(2026, 10, 8)),
        "decide": (D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 9)),
        "issue": (D(2026, 10, 9), D(2026, 10, 12), D(2026, 10, 12)),
        # 3 working days from the issue come before the law's 10 from the decision (10-22)
        "deliver": (D(2026, 10, 12), D(2026, 10, 15), D(2026, 10, 15)),
    }
    assert [s.state for s in c.stages] == ["done"] * 5
    assert (c.overdue_stages, c.card, c.on_time, c.promised_due) == (
        [],
        "",
        True,
        D(2026, 10, 10),  # the promised 5 days end on the adjusted Saturday
    )
    assert [s.limit for s in c.stages] == [2, 3, 1, 2, 3]


def test_a_pause_inside_a_stage_moves_its_due_date_by_the_paused_days_alone(
    at, item, applicant, clerk, reviewer, approver, code
):
    procedure(item, review=3, decide=2)
    at("2026-11-02 09:00")  # Monday
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    assert dates(clock(case))["review"] == (D(2026, 11, 2), D(2026, 11, 5), None)
    at("2026-11-03 10:00")  # Tuesday: expert review, inside the review stage
    case = case_suspend(
        actor=reviewer, case=case, kind="expert_review", reason="专家评审", expected_days=3
    )
    at("2026-11-06 15:00")  # Friday, still paused: the stage keeps its remaining 2 days
    review = clock(case).stage("review")
    assert (review.state, review.elapsed, review.remaining, review.paused_days) == (
        "paused",
        1,
        2,
        3,
    )
    assert review.due == D(2026, 11, 10)
    at("2026-11-09 09:00")  # Monday: resumed; Wednesday, Thursday and Friday were paused
    case = case_resume(actor=reviewer, case=case)
    review = clock(case).stage("review")
    assert (review.state, review.elapsed, review.remaining, review.due) == (
        "running",
        2,
        1,
        D(2026, 11, 10),
    )
    at("2026-11-10 10:00")  # the last day of the review stage: on time
    case = task_complete(actor=reviewer, case=case, opinion="同意")
    at("2026-11-11 10:00")  # a hearing inside the decision stage, one working day long
    case = case_suspend(actor=reviewer, case=case, kind="hearing", reason="听证", expected_days=1)
    at("2026-11-13 09:00")
    case = case_resume(actor=reviewer, case=case)
    case = case_decide(actor=approver, case=case, approve=True)
    c = clock(case)
    review, decide = c.stage("review"), c.stage("decide")
    assert dates(c)["decide"] == (D(2026, 11, 10), D(2026, 11, 13), D(2026, 11, 13))
    assert (review.paused_days, decide.paused_days, c.paused_days) == (3, 1, 4)
    # no day lost or gained: the stages share the case's elapsed and paused days exactly
    assert (review.elapsed, decide.elapsed, c.elapsed) == (3, 2, 5)
    assert (c.overdue_stages, c.card, c.on_time, c.promised_due) == ([], "", True, D(2026, 11, 13))


# ---------------------------------------------------------------- cards


def test_a_stage_past_its_limit_turns_the_card_yellow_within_the_promised_limit(
    at, item, applicant, clerk, reviewer, code
):
    procedure(item, review=1)
    at("2026-11-02 09:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    at("2026-11-03 17:00")  # the review stage's last day
    c = clock(case)
    assert (c.card, c.stage("review").due, c.stage("review").overdue) == ("", D(2026, 11, 3), False)
    at("2026-11-04 09:00")
    c = clock(case)
    review = c.stage("review")
    assert (review.overdue, review.late_days, review.marker) == (True, 1, "yellow")
    assert (c.card, c.promised_passed, c.remaining_promised) == ("yellow", False, 3)
    assert selectors.clock(case).card == "yellow"  # the selector reads the item's limits too
    case = task_complete(actor=reviewer, case=case, opinion="同意")
    c = clock(case)  # finished late: the stage stays overdue, and the card yellow
    assert (c.stage("review").end, c.stage("review").overdue, c.card) == (
        D(2026, 11, 4),
        True,
        "yellow",
    )
    assert c.stage("decide").marker == ""  # no limit of its own


def test_the_case_page_lists_each_stage_with_its_limit_due_finish_and_marker(
    at, item, applicant, clerk, reviewer, code
):
    procedure(item, review=1, decide=2)
    at("2026-11-02 09:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    at("2026-11-04 09:00")
    page = text(client_for(reviewer).get(f"/console/cases/{case.case_no}/"))
    assert "黄牌 环节超时" in page  # the card says why: not the promised limit
    assert "各环节时限" in page
    none = "— 无"  # a dash to see, a word to hear
    assert "受理 收件后 5 个工作日 2026-11-09 2026-11-02 已完成" in page
    assert f"审查 受理后 1 个工作日 2026-11-03 {none} 进行中 黄牌 超过环节时限 1 个工作日" in page
    assert f"决定 审查完成后 2 个工作日 {none} {none} 未开始" in page
    assert f"制证 不单独设限 {none} {none} 未开始" in page
    assert f"送达 决定后 10 个工作日（法定） {none} {none} 未开始" in page
    counter = text(client_for(clerk).get("/console/cases/counter/"))
    assert "各环节时限" not in counter  # the counter shows the item's limits only


def test_a_decision_past_the_legal_limit_marks_its_stage_red(
    at, item, applicant, clerk, reviewer, code
):
    at("2026-11-02 09:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    at("2026-11-04 10:00")
    case = task_complete(actor=reviewer, case=case, opinion="同意")
    at("2026-12-01 09:00")  # the legal 20 working days ended on 11-30
    c = clock(case)
    assert (c.card, c.stage("review").marker, c.stage("decide").marker) == ("red", "", "red")


def test_a_late_correction_notice_leaves_the_acceptance_stage_overdue(
    at, item, applicant, clerk, code
):
    procedure(item, accept=2)
    at("2026-11-02 10:00")  # Monday: a notice is due by Wednesday 11-04
    case = submitted_case(applicant, code)
    at("2026-11-05 10:00")  # Thursday: within the law's 5 days, past the item's 2
    case = case_request_correction(actor=clerk, case=case, missing=["户口簿"])
    c = clock(case)
    accept = c.stage("accept")
    assert (accept.state, accept.end, accept.overdue, c.card) == (
        "waiting",
        D(2026, 11, 5),
        True,
        "yellow",
    )
    at("2026-11-09 10:00")
    case = case_resubmit(actor=applicant, case=case)
    at("2026-11-10 10:00")  # the new round accepted in time; the late notice still counts
    case = case_accept(actor=clerk, case=case)
    accept = clock(case).stage("accept")
    assert (accept.start, accept.due, accept.end, accept.state, accept.overdue) == (
        D(2026, 11, 9),
        D(2026, 11, 11),
        D(2026, 11, 10),
        "done",
        True,
    )


def test_a_refusal_in_time_has_no_card_and_nothing_after_it(at, item, applicant, clerk, code):
    at("2026-11-02 10:00")
    case = submitted_case(applicant, code)
    at("2026-11-03 10:00")
    case = case_refuse(actor=clerk, case=case, reason="不属于本机关职权范围")
    c = clock(case)
    assert [s.state for s in c.stages] == ["stopped"] + ["skipped"] * 4
    assert (c.card, c.accepted_on) == ("", None)


def test_a_denial_skips_the_licence_and_serves_the_decision_within_ten_days(
    at, item, applicant, clerk, reviewer, approver, code
):
    procedure(item, issue=2, deliver=3)
    at("2026-11-02 09:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    case = task_complete(actor=reviewer, case=case, opinion="不符合条件")
    case = case_decide(actor=approver, case=case, approve=False, reason="年龄未满六十周岁")
    c = clock(case)
    assert c.stage("issue").state == "skipped"
    assert dates(c)["deliver"] == (D(2026, 11, 2), D(2026, 11, 5), None)  # 3 from the decision
    at("2026-11-06 09:00")
    assert (clock(case).card, clock(case).stage("deliver").late_days) == ("yellow", 1)


def test_a_withdrawal_stops_every_clock(at, item, applicant, clerk, code):
    procedure(item, review=3)
    at("2026-11-02 09:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    at("2026-11-03 09:00")
    case = case_withdraw(actor=applicant, case=case, reason="不再需要")
    at("2026-12-20 09:00")  # long after the legal limit (11-30): the clock stopped on 11-03
    c = clock(case)
    assert (c.ended_on, c.elapsed, c.card) == (D(2026, 11, 3), 1, "")
    assert [s.state for s in c.stages] == ["done", "stopped", "skipped", "skipped", "skipped"]


# ---------------------------------------------------------------- the law's limits by default


def test_without_a_procedure_only_the_laws_stage_limits_apply(
    at, item, applicant, clerk, reviewer, approver, code
):
    at("2026-09-26 11:00")  # Saturday; the 5-day acceptance period ends on 2026-10-09
    case = submitted_case(applicant, code)
    assert not ItemProcedure.objects.exists()
    assert clocks.step_limits_for(case) == clocks.STATUTORY_LIMITS
    assert clocks.compute(case, list(case.events.order_by("seq"))).stages == clock(case).stages
    assert [s.limit for s in clock(case).stages] == [5, None, None, None, None]
    at("2026-10-12 09:00")  # not accepted, refused or told to correct in time
    c = clock(case)
    accept = c.stage("accept")
    assert (accept.due, accept.overdue, accept.late_days) == (D(2026, 10, 9), True, 2)
    assert (c.deemed_accepted, c.card) == (True, "yellow")
    case = case_accept(actor=clerk, case=case)
    case = task_complete(actor=reviewer, case=case, opinion="同意")
    case = case_decide(actor=approver, case=case, approve=True)
    c = clock(case)
    assert [(s.code, s.due) for s in c.stages if s.due] == [
        ("accept", D(2026, 10, 9)),
        ("deliver", D(2026, 10, 26)),  # 第四十四条: 10 working days after the decision
    ]
    assert c.stage("review").end == D(2026, 10, 12)


def test_a_procedure_with_empty_limits_keeps_the_law_and_names_its_decision_step(item):
    row = ItemProcedure.objects.create(
        item=item.item,
        steps=[
            {"code": "handle", "name": "承办", "role": "reviewer"},
            {"code": "check", "name": "审核", "role": "reviewer"},
            {"code": "approve", "name": "批准", "role": "approver"},
        ],
    )
    assert row.step_limits() == clocks.StepLimits(final_step="approve")


def test_a_selected_procedure_costs_no_query(item, applicant, code, django_assert_num_queries):
    procedure(item, review=4)
    case_no = submitted_case(applicant, code).case_no
    case = Case.objects.select_related("item_version__item__procedure").get(case_no=case_no)
    with django_assert_num_queries(0):
        assert clocks.step_limits_for(case).review == 4
    bare = Case.objects.select_related("item_version").get(case_no=case_no)
    with django_assert_num_queries(1):
        assert clocks.step_limits_for(bare).review == 4


# ---------------------------------------------------------------- the applicant's side


def test_the_applicant_sees_the_dates_they_are_owed_not_the_stage_limits(
    at, item, applicant, clerk, code
):
    procedure(item, accept=1, review=1)
    at("2026-09-30 10:00")
    case = submitted_case(applicant, code)
    events = list(case.events.order_by("seq"))
    c, _error = portal_progress.safe_clock(case, events)
    assert c.stage("accept").due == D(2026, 10, 8)  # the item's own 1 day, for staff only
    note = next(s.note for s in portal_progress.steps(case, events, clock=c) if s.key == "accept")
    assert note == "等待受理：2026-10-13 前受理，或一次性告知需要补正的全部材料"  # the law's 5
    case = case_accept(actor=clerk, case=case)
    events = list(case.events.order_by("seq"))
    c, _error = portal_progress.safe_clock(case, events)
    review = portal_progress.steps(case, events, clock=c)[2]
    assert (review.state, review.note) == ("current", "审查中，承诺 2026-10-13 前办结")
    page = text(client_for(applicant).get(f"/my/cases/{case.case_no}/"))
    assert "承诺 2026-10-13 前办结" in page
    assert "各环节时限" not in page and "2026-10-08" not in page


# ---------------------------------------------------------------- the card policy setting


def test_the_blue_card_follows_the_policy_setting(at, applicant, clerk, code):
    at("2026-09-30 10:00")  # promised 5 working days: due 2026-10-13
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    at("2026-10-09 09:00")  # 3 working days left
    assert selectors.clock(case).card == ""
    with override_settings(TONGBAN_CASE_CARD_POLICY={"blue_days": 3, "blue_share": 0.2}):
        assert selectors.clock(case).card == "blue"
    with override_settings(TONGBAN_CASE_CARD_POLICY={"blue_days": 1, "blue_share": 0.6}):
        assert selectors.clock(case).card == "blue"  # 3 ≤ 60 % of 5
    at("2026-10-12 09:00")  # 1 working day left
    assert selectors.clock(case).card == "blue"
    with override_settings(TONGBAN_CASE_CARD_POLICY={"blue_days": 0, "blue_share": 0}):
        assert selectors.clock(case).card == ""
        assert clocks.card_policy() == clocks.CardPolicy(blue_days=0, blue_share=0.0)
    with override_settings(TONGBAN_CASE_CARD_POLICY={"blue_days": 0}):
        assert clocks.card_policy() == clocks.CardPolicy(blue_days=0, blue_share=0.2)


@pytest.mark.parametrize(
    "policy",
    [
        {"blue_days": -1},
        {"blue_days": 1.5},
        {"blue_share": 1.5},
        {"blue_share": "0.2"},
        {"blue": 1},
    ],
)
def test_a_policy_setting_that_cannot_work_stops_the_clock_with_a_clear_error(policy):
    with override_settings(TONGBAN_CASE_CARD_POLICY=policy), pytest.raises(ImproperlyConfigured):
        clocks.card_policy()


def test_the_policy_setting_is_read_from_the_environment(tmp_path):
    script = (
        "import django; django.setup()\n"
        "import json; from django.conf import settings; from tongban.cases import clocks\n"
        "print(json.dumps([settings.TONGBAN_CASE_CARD_POLICY, clocks.card_policy().blue_share]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings.test",
        "TONGBAN_DATA_DIR": str(tmp_path),
        "TONGBAN_CARD_BLUE_DAYS": "2",
        "TONGBAN_CARD_BLUE_PERCENT": "35",
    }
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        {"blue_days": 2, "blue_share": 0.35},
        0.35,
    ]


# ---------------------------------------------------------------- configuration refused

ACCEPT_TOO_LONG = (
    "受理时限不得超过 5 个工作日（行政许可法第三十二条：收到申请材料后 5 个工作日内"
    "须受理、不予受理或一次性告知补正）。"
)


@pytest.mark.parametrize(
    ("limits", "field", "message"),
    [
        ({"accept": 6}, "accept_limit_days", ACCEPT_TOO_LONG),
        ({"review": -1}, "review_limit_days", "时限不能为负数。"),
        (
            {"issue": 4, "deliver": 7},
            "deliver_limit_days",
            "制证与送达时限合计 11 个工作日，超过了 10 个工作日（行政许可法第四十四条："
            "自作出决定之日起 10 个工作日内颁发、送达）。",
        ),
        (
            {"review": 3, "decide": 3},
            "decide_limit_days",
            "审查与决定时限合计 6 个工作日，超过了本事项的承诺办结时限 5 个工作日。",
        ),
    ],
)
def test_step_limits_that_cannot_hold_are_refused(item, limits, field, message):
    with pytest.raises(ValidationError) as exc:
        procedure(item, **limits)
    assert exc.value.message_dict == {field: [message]}
    assert not ItemProcedure.objects.exists()


def test_the_refusal_is_translated(item):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        procedure(item, review=3, decide=3)
    assert exc.value.message_dict == {
        "decide_limit_days": [
            "Review and decision limits add up to 6 working days, more than the item's "
            "promised limit of 5 working days."
        ]
    }


def test_review_steps_that_would_break_the_procedure_are_refused(item):
    row = ItemProcedure(item=item.item, steps=[{"code": "handle", "name": "承办", "role": "boss"}])
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert exc.value.message_dict == {"steps": ["审查环节“承办”的岗位“boss”不是系统中的岗位。"]}
    row.steps = [{"code": "a", "name": "承办", "role": "reviewer"}] * 2
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert exc.value.message_dict == {"steps": ["审查环节的 code 不能重复。"]}


def test_an_administrator_sets_the_step_limits_in_the_admin(item, admin_client_):
    url = "/admin/cases/itemprocedure/add/"
    form = admin_client_.get(url)
    assert form.status_code == 200
    page = form.content.decode()
    for label in [
        "受理时限（工作日）",
        "审查时限（工作日）",
        "送达时限（工作日）",
        "环节时限（工作日）",
    ]:
        assert label in page
    data = {"item": item.item.pk, "steps": "[]", "assignment": "random"}
    bad = admin_client_.post(url, {**data, "accept_limit_days": "6", "review_limit_days": "-2"})
    assert bad.status_code == 200
    assert ACCEPT_TOO_LONG in bad.content.decode()
    assert "时限不能为负数。" in bad.content.decode()
    assert not ItemProcedure.objects.exists()
    good = admin_client_.post(url, {**data, "accept_limit_days": "3", "review_limit_days": "2"})
    assert good.status_code == 302
    row = ItemProcedure.objects.get()
    assert (row.accept_limit_days, row.review_limit_days, row.decide_limit_days) == (3, 2, None)
    listing = text(admin_client_.get("/admin/cases/itemprocedure/"))
    assert "受理 3 · 审查 2 · 决定 — · 制证 — · 送达 —" in listing
