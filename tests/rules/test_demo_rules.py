"""The demo rule sets of 秒批 (rules.demo): each rule on passing and failing applicants, ages at
the 60th and 80th birthdays (hypothesis, with application dates around the holidays), and the
whole demo — replayed, activated, applied for — on a small demo district."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
import time_machine
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.rules import demo as rules_demo
from tongban.rules.context import PERSON_FIELDS
from tongban.rules.engine import compile_rule, nest, run_rules
from tongban.rules.functions import age_on

CODES = {rules_demo.LONGEVITY: "LONGEVITY-CODE", rules_demo.RENTAL: "RENTAL-CODE"}
SETS = rules_demo.rule_sets(CODES)
DECLARED = {
    "today": "date",
    **PERSON_FIELDS,
    "applicant.kind": "string",
    "answers.tenant_kind": "string",
    "answers.co_owned": "string",
    "population.hukou_district": "string",
    "population.residence_permit": "bool",
    "population.status": "string",
    "population.longevity_subsidy": "bool",
    "licences.valid_types": "list",
    "cases.open_items": "list",
}
LOADED_AT = dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
COUNT = 160  # demo cases: a few of them past cases of the instant items
COMPILED = {
    item: [(r["name"], compile_rule(r["expression"], declared=DECLARED)) for r in rules]
    for item, rules in SETS.items()
}


def results(item: str, values: dict) -> dict[str, str]:
    names = [n for n, _c in COMPILED[item]]
    outcome = run_rules([c for _n, c in COMPILED[item]], nest(values))
    return {n: r.result for n, r in zip(names, outcome, strict=True)}


def person(born: dt.date, today: dt.date, **extra) -> dict:
    return {
        "today": today.isoformat(),
        "applicant.kind": "person",
        "applicant.birth_date": born.isoformat(),
        "applicant.age": age_on(born, today),
        "population.hukou_district": "云溪区",
        "population.residence_permit": False,
        "population.status": "正常",
        "population.longevity_subsidy": False,
        "licences.valid_types": [],
        "cases.open_items": [],
        "answers.tenant_kind": "person",
        "answers.co_owned": "no",
        **extra,
    }


TODAY = dt.date(2026, 9, 21)


def test_elderly_card_rules_pass_and_fail():
    ok = person(dt.date(1948, 1, 1), TODAY)
    assert set(results(rules_demo.ELDERLY_CARD, ok).values()) == {"pass"}
    assert results(rules_demo.ELDERLY_CARD, {**ok, "applicant.age": 59})["年满60周岁"] == "fail"
    outsider = {**ok, "population.hukou_district": "西湖区"}
    assert results(rules_demo.ELDERLY_CARD, outsider)["户籍在本区或持本区居住证"] == "fail"
    permit = {**outsider, "population.residence_permit": True}
    assert results(rules_demo.ELDERLY_CARD, permit)["户籍在本区或持本区居住证"] == "pass"
    held = {**ok, "licences.valid_types": ["SFZ", "YXLRYDZ"]}
    assert results(rules_demo.ELDERLY_CARD, held)["未持有有效的老年人优待证"] == "fail"
    gone = {**ok, "population.status": "注销"}
    assert results(rules_demo.ELDERLY_CARD, gone)["户籍状态正常"] == "fail"
    missing = {k: v for k, v in ok.items() if k != "population.hukou_district"}
    missing["population.residence_permit"] = False
    assert results(rules_demo.ELDERLY_CARD, missing)["户籍在本区或持本区居住证"] == "error"


def test_longevity_rules_pass_and_fail():
    ok = person(dt.date(1940, 1, 1), TODAY)
    assert set(results(rules_demo.LONGEVITY, ok).values()) == {"pass"}
    assert results(rules_demo.LONGEVITY, {**ok, "applicant.age": 79})["年满80周岁"] == "fail"
    assert (
        results(rules_demo.LONGEVITY, {**ok, "population.hukou_district": "上城区"})["户籍在本区"]
        == "fail"
    )
    assert (
        results(rules_demo.LONGEVITY, {**ok, "population.longevity_subsidy": True})[
            "未在领取长寿补贴"
        ]
        == "fail"
    )
    busy = {**ok, "cases.open_items": ["LONGEVITY-CODE"]}
    assert results(rules_demo.LONGEVITY, busy)["没有正在办理的同一申请"] == "fail"


def test_rental_rules_pass_and_fail():
    ok = person(dt.date(1990, 5, 1), TODAY)
    assert set(results(rules_demo.RENTAL, ok).values()) == {"pass"}
    minor = person(dt.date(2009, 9, 22), TODAY)  # 18 tomorrow
    assert results(rules_demo.RENTAL, minor)["申请人为完全民事行为能力人"] == "fail"
    company = {**ok, "applicant.kind": "enterprise"}
    del company["applicant.age"]
    assert results(rules_demo.RENTAL, company)["申请人为完全民事行为能力人"] == "pass"
    assert (
        results(rules_demo.RENTAL, {**ok, "answers.tenant_kind": "organisation"})["承租人为个人"]
        == "fail"
    )
    assert (
        results(rules_demo.RENTAL, {**ok, "answers.co_owned": "yes"})["出租房屋非多人共有"]
        == "fail"
    )
    busy = {**ok, "cases.open_items": ["RENTAL-CODE"]}
    assert results(rules_demo.RENTAL, busy)["没有正在办理的备案申请"] == "fail"


# Application days around holidays and the turn of the year (the National Day week, New Year,
# the Spring Festival), a few days either side.
HOLIDAYS = [dt.date(2025, 10, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 17), dt.date(2026, 10, 1)]


@settings(max_examples=200, deadline=None)
@given(
    holiday=st.sampled_from(HOLIDAYS),
    shift=st.integers(min_value=-5, max_value=5),
    years=st.sampled_from([60, 80]),
    offset=st.integers(min_value=-3, max_value=3),
    feb29=st.booleans(),
)
def test_ages_at_the_birthday_boundaries(holiday, shift, years, offset, feb29):
    """Born ``years`` years (± a few days) before an application day near a holiday: the age rule
    passes exactly from the birthday on (a 29 February birthday is reached on 1 March)."""
    today = holiday + dt.timedelta(days=shift)
    if feb29:
        born = dt.date(1944 if years == 80 else 1964, 2, 29)
        birthday = dt.date(born.year + years, 3, 1)
        if (born.year + years) % 4 == 0:
            birthday = dt.date(born.year + years, 2, 29)
        today = birthday + dt.timedelta(days=offset)
    else:
        birthday = today - dt.timedelta(days=offset)
        born = dt.date(birthday.year - years, birthday.month, min(birthday.day, 28))
        birthday = dt.date(born.year + years, born.month, born.day)
    item = rules_demo.ELDERLY_CARD if years == 60 else rules_demo.LONGEVITY
    rule = "年满60周岁" if years == 60 else "年满80周岁"
    outcome = results(item, person(born, today))[rule]
    assert outcome == ("pass" if today >= birthday else "fail")


@given(minute=st.integers(min_value=0, max_value=59), hour=st.sampled_from([15, 16]))
@settings(max_examples=30, deadline=None)
def test_the_application_day_is_the_shanghai_business_day(minute, hour):
    """Applied at 2026-09-30 15:xx or 16:xx UTC: 23:xx on 09-30 or 00:xx on 10-01 in Shanghai,
    the day someone born 1966-10-01 turns 60."""
    from tongban.core import workdays

    moment = dt.datetime(2026, 9, 30, hour, minute, tzinfo=dt.UTC)
    today = workdays.business_date(moment)
    assert today == (dt.date(2026, 10, 1) if hour == 16 else dt.date(2026, 9, 30))
    outcome = results(rules_demo.ELDERLY_CARD, person(dt.date(1966, 10, 1), today))["年满60周岁"]
    assert outcome == ("pass" if hour == 16 else "fail")


# --- the whole demo on a small district ------------------------------------------------------


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    from tongban.cases import demo as cases_demo
    from tongban.catalog import demo as catalog_demo
    from tongban.core import demo as core_demo

    out = io.StringIO()
    # the bundles' and approval operations' demos (issue [B]) are theirs to test
    # The demo plans its history back from the moment it runs, so which past cases of the three
    # 秒批 items a 160-case district gets (and replays) depends on the time of day: at 20:36 in
    # Shanghai the small district held none. A fixed moment makes the test the same at any hour.
    with (
        time_machine.travel(LOADED_AT, tick=True),
        django_db_blocker.unblock(),
        transaction.atomic(),
        mock.patch.object(cases_demo.demo_bundles, "load"),
        mock.patch.object(cases_demo.demo_approvals, "load"),
    ):
        core_demo.load(out.write)
        catalog_demo.load(out.write)
        rules_demo.load(lambda line: out.write(line + "\n"))
        cases_demo.load(lambda line: out.write(line + "\n"), count=COUNT)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_loaded, db):
    return _loaded


def test_the_demo_activates_from_replays_and_applies(loaded):
    from tongban.cases.models import Case, CaseEvent
    from tongban.rules.models import Evaluation, Policy, PolicyMatch, RuleSet

    active = RuleSet.objects.filter(status="active", name__startswith=rules_demo.PREFIX)
    assert active.count() == 3
    for rule_set in active:
        assert rule_set.activated_from.rule_set_id == rule_set.pk
    assert Policy.objects.filter(automatic=True).count() == 1
    assert Policy.objects.count() == 2

    card = Case.objects.get(idempotency_key="demo-instant-1")
    assert card.status in ("approved", "issued")
    assert CaseEvent.objects.get(case=card, action="approve").actor_label == "system"
    rental = Case.objects.get(idempotency_key="demo-instant-2")
    assert rental.status in ("approved", "issued")
    assert CaseEvent.objects.filter(case=rental, action="human_review_request").count() == 1
    longevity = Case.objects.get(idempotency_key="demo-instant-3")
    assert longevity.status == "submitted"
    evaluation = Evaluation.objects.get(case_no=longevity.case_no)
    assert evaluation.outcome == "fail"
    assert [t["rule"] for t in evaluation.trace if t["result"] == "fail"] == ["年满80周岁"]

    granted = PolicyMatch.objects.filter(policy__automatic=True, status="granted")
    assert granted.count() > 0
    for match in granted[:5]:
        benefit = Case.objects.get(case_no=match.case_no)
        assert benefit.status in ("approved", "issued")
        assert benefit.created_by_id is None
        assert set(benefit.events.values_list("actor_label", flat=True)) == {"system"}
    assert "rules: policies matched" in loaded

    # the replays agree with the people's decisions but for a few, each listed with its cause
    reports = [rule_set.activated_from for rule_set in active]
    replayed = sum(r.case_count for r in reports)
    agreeing = sum(
        r.matrix["auto_approve"]["approved"] + r.matrix["manual"]["denied"] for r in reports
    )
    assert replayed >= 1
    assert agreeing / replayed >= 0.75, [(r.matrix, r.disagreements) for r in reports]
    for report in reports:
        agree = report.matrix["auto_approve"]["approved"] + report.matrix["manual"]["denied"]
        assert len(report.disagreements) == report.case_count - agree
        for d in report.disagreements:
            assert d["kind"] in ("auto_approved_but_denied", "manual_but_approved")
            if d["kind"] == "manual_but_approved":
                assert d["causes"]  # the rule that kept it from the automatic path

    # a second load changes nothing
    before = (Case.objects.count(), RuleSet.objects.count(), PolicyMatch.objects.count())
    rules_demo.load(lambda line: None)
    from tongban.cases import demo_instant

    demo_instant.load(lambda line: None)
    assert (Case.objects.count(), RuleSet.objects.count(), PolicyMatch.objects.count()) == before
