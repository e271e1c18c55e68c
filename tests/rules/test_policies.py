"""Policy matching: eligible persons from the platform and from reference tables, told once,
免申即享 benefit cases created through the provider; idempotent."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from stdnum.cn import ric

from tongban.core.models import Notification, Person
from tongban.rules import providers
from tongban.rules.models import Policy, PolicyMatch
from tongban.rules.services import policies_match, rule_set_save

from .conftest import person, table_connector

TODAY = dt.date(2026, 3, 2)


def beijing_id(seq: int) -> str:
    """An ID number valid for someone born in 1930 (西湖区's code is younger than that)."""
    body = f"11010119300505{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_policy(mzj, *, code="longevity", automatic=False, rules=None):
    rs = rule_set_save(
        rule_set=None,
        item_code="",
        name="资格",
        mode="assist",
        rules=rules
        or [
            {
                "name": "80周岁以上",
                "expression": "applicant.age >= 80",
                "message": "未满80周岁",
                "severity": "blocking",
            }
        ],
        actor=None,
    )
    return Policy.objects.create(
        code=code,
        name="高龄补贴",
        audience="person",
        summary="80 周岁以上老人每月补贴。",
        department=mzj,
        rule_set=rs,
        automatic=automatic,
        benefit_item_code="X1" if automatic else "",
    )


def test_match_notify_and_idempotence(mzj):
    old = person(1, dt.date(1940, 1, 1), name="老人甲")
    person(2, dt.date(1980, 1, 1))
    policy = make_policy(mzj)
    summary = policies_match(today=TODAY)
    assert (summary.candidates, summary.eligible, summary.new_matches, summary.notified) == (
        2,
        1,
        1,
        1,
    )
    match = PolicyMatch.objects.get()
    assert (match.person, match.status, match.evaluation.outcome) == (old, "notified", "pass")
    assert Notification.objects.get().title == "您可能符合政策：高龄补贴"
    again = policies_match(policy=policy, today=TODAY)
    assert (again.already_matched, again.new_matches, again.notified) == (1, 0, 0)
    assert PolicyMatch.objects.count() == 1
    assert Notification.objects.count() == 1


def test_automatic_policy_creates_the_benefit_case_once(mzj):
    old = person(1, dt.date(1940, 1, 1))
    calls = []

    def creator(policy, subject, evaluation):
        calls.append(subject.id_no)
        return f"B{len(calls):03d}"

    make_policy(mzj, automatic=True)
    providers.register_benefit_creator(creator)
    policies_match(today=TODAY)
    policies_match(today=TODAY)
    match = PolicyMatch.objects.get()
    assert (match.status, match.case_no) == ("granted", "B001")
    assert calls == [old.id_number]
    assert Notification.objects.get().title == "政策已为您自动兑现：高龄补贴"


def test_a_failed_benefit_is_retried_next_run(mzj):
    person(1, dt.date(1940, 1, 1))
    make_policy(mzj, automatic=True)
    state = {"fail": True}

    def creator(policy, subject, evaluation):
        if state["fail"]:
            raise RuntimeError("cases down")
        return "B900"

    providers.register_benefit_creator(creator)
    policies_match(today=TODAY)
    assert PolicyMatch.objects.get().case_no == ""
    state["fail"] = False
    summary = policies_match(today=TODAY)
    assert summary.granted == 1
    assert PolicyMatch.objects.get().case_no == "B900"


def test_reference_table_rows_are_candidates(mzj):
    unknown, nameless = beijing_id(50), beijing_id(51)
    table_connector(
        {unknown: {"hukou_city": "海口市", "name": "赵奶奶"}, nameless: {"hukou_city": "海口市"}}
    )
    make_policy(
        mzj,
        rules=[
            {
                "name": "80周岁以上",
                "expression": "applicant.age >= 80",
                "message": "未满80周岁",
                "severity": "blocking",
            },
            {
                "name": "本市户籍",
                "expression": 'population.hukou_city == "海口市"',
                "message": "非本市户籍",
                "severity": "blocking",
            },
        ],
    )
    summary = policies_match(today=TODAY, notify=False)
    assert (summary.eligible, summary.new_matches, summary.unregistered) == (2, 1, 1)
    registered = Person.objects.get(id_number=unknown)
    assert (registered.name, registered.birth_date) == ("赵奶奶", dt.date(1930, 5, 5))
    assert PolicyMatch.objects.get().person == registered


def test_an_unavailable_source_makes_no_one_eligible(mzj):
    person(1, dt.date(1940, 1, 1))
    from tongban.rules.models import Connector, ConnectorKind

    Connector.objects.create(
        code="civil",
        name="民政",
        kind=ConnectorKind.PLATFORM,
        fields=[{"name": "ok", "type": "bool"}],
        config={"source": "civil"},
    )
    providers.register_platform_source("civil", lambda s, f: (_ for _ in ()).throw(TimeoutError()))
    make_policy(
        mzj,
        rules=[
            {"name": "民政核验", "expression": "civil.ok", "message": "x", "severity": "blocking"}
        ],
    )
    summary = policies_match(today=TODAY)
    assert (summary.needs_review, summary.new_matches) == (1, 0)
    assert PolicyMatch.objects.count() == 0


def test_policies_command(mzj, capsys):
    person(1, dt.date(1940, 1, 1))
    make_policy(mzj)
    call_command("policies", "match", "--today", "2026-03-02", "--policy", "longevity")
    assert "new_matches=1" in capsys.readouterr().out
    call_command("policies", "list")
    assert "longevity" in capsys.readouterr().out
