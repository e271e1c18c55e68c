"""Replay against a generated history (a fake past-cases provider) and activation only from a
report of the very rule set and rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from tests.factories import PersonFactory, make_id_number
from tongban.core.errors import PermissionDenied
from tongban.rules import providers
from tongban.rules.context import Subject
from tongban.rules.errors import RulesError
from tongban.rules.models import RuleSet
from tongban.rules.selectors import active_rule_set
from tongban.rules.services import replay, rule_set_activate, rule_set_save

AGE = {
    "name": "年满60周岁",
    "expression": "applicant.age >= 60",
    "message": "未满60周岁",
    "severity": "blocking",
}


@pytest.fixture
def history(db):
    """40 past cases: ages 50..89 decided on 2026-02-02; people approved everyone ≥ 60 except
    two (denied for other reasons), and one 58-year-old approved by mistake."""
    cases = []
    for i in range(40):
        age = 50 + i
        born = dt.date(2026 - age, 1, 1)
        p = PersonFactory(id_number=make_id_number(100 + i, birth=born), birth_date=born)
        approved = (age >= 60 and age not in (70, 71)) or age == 58
        cases.append(
            providers.PastCase(
                case_no=f"P{i:03d}",
                subject=Subject.of_person(p),
                decided_on=dt.date(2026, 2, 2),
                approved=approved,
            )
        )
    providers.register_past_cases(
        lambda item_code, since, until: [
            c for c in cases if c.decided_on >= since and (until is None or c.decided_on <= until)
        ]
    )
    return cases


def test_replay_matrix_and_disagreements(code, history):
    rs = rule_set_save(
        rule_set=None, item_code=code, name="优待证", mode="instant", rules=[AGE], actor=None
    )
    report = replay(rule_set=rs, since=dt.date(2026, 1, 1))
    assert report.case_count == 40
    assert {k: report.matrix[k] for k in ("auto_approve", "manual")} == {
        "auto_approve": {"approved": 28, "denied": 2},
        "manual": {"approved": 1, "denied": 9},
    }
    assert report.agreement == round(37 / 40, 4)
    kinds = {
        d["case_no"]: (d["kind"], [c["rule"] for c in d["causes"]]) for d in report.disagreements
    }
    assert kinds == {
        "P008": ("manual_but_approved", ["年满60周岁"]),
        "P020": ("auto_approved_but_denied", []),
        "P021": ("auto_approved_but_denied", []),
    }
    assert replay(rule_set=rs, since=dt.date(2026, 3, 1)).case_count == 0


def test_activation_only_from_a_report_of_this_rule_set(code, history, rules_admin):
    rs = rule_set_save(
        rule_set=None, item_code=code, name="优待证", mode="instant", rules=[AGE], actor=None
    )
    other = rule_set_save(
        rule_set=None, item_code=code, name="另一个", mode="instant", rules=[AGE], actor=None
    )
    other_report = replay(rule_set=other, since=dt.date(2026, 1, 1))
    with pytest.raises(RulesError) as exc:
        rule_set_activate(rule_set=rs, report=other_report, actor=rules_admin)
    assert exc.value.message == "只能依据本规则集的回放报告启用。"
    assert RuleSet.objects.get(pk=rs.pk).status == "draft"

    report = replay(rule_set=rs, since=dt.date(2026, 1, 1))
    # rules edited after the replay: the report no longer describes them
    rule_set_save(
        rule_set=rs,
        item_code=code,
        name="优待证",
        mode="instant",
        rules=[dict(AGE, expression="applicant.age >= 61")],
        actor=None,
    )
    with pytest.raises(RulesError) as exc:
        rule_set_activate(rule_set=rs, report=report, actor=rules_admin)
    assert exc.value.message == "回放之后规则已修改，请重新回放后再启用。"

    report = replay(rule_set=rs, since=dt.date(2026, 1, 1))
    rule_set_activate(rule_set=rs, report=report, actor=rules_admin)
    assert active_rule_set(item_code=code) == rs
    # a second set activated retires the first
    report2 = replay(rule_set=other, since=dt.date(2026, 1, 1))
    rule_set_activate(rule_set=other, report=report2, actor=rules_admin)
    assert RuleSet.objects.get(pk=rs.pk).status == "retired"
    assert active_rule_set(item_code=code) == other
    with pytest.raises(RulesError):
        rule_set_save(
            rule_set=other, item_code=code, name="x", mode="instant", rules=[AGE], actor=None
        )


def test_activation_needs_the_permission(code, history, clerk):
    rs = rule_set_save(
        rule_set=None, item_code=code, name="优待证", mode="instant", rules=[AGE], actor=None
    )
    report = replay(rule_set=rs, since=dt.date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        rule_set_activate(rule_set=rs, report=report, actor=clerk)
    assert RuleSet.objects.get(pk=rs.pk).status == "draft"


def test_save_refuses_and_changes_nothing(code):
    from tongban.rules.errors import RuleError

    with pytest.raises(RuleError) as exc:
        rule_set_save(
            rule_set=None,
            item_code=code,
            name="坏",
            mode="instant",
            rules=[AGE, dict(AGE, name="第二条", expression="applicant.agee > 1")],
            actor=None,
        )
    assert exc.value.message == "第 2 条规则“第二条”：未知字段“applicant.agee”（第 11 个字符处）"
    assert RuleSet.objects.count() == 0


def test_replay_and_check_commands(code, history, capsys):
    rs = rule_set_save(
        rule_set=None, item_code=code, name="优待证", mode="instant", rules=[AGE], actor=None
    )
    call_command("rules", "replay", code, "--since", "2026-01-01")
    out = capsys.readouterr().out
    assert "  auto_approve         28          2" in out
    assert "        manual          1          9" in out
    assert "P008" in out and "年满60周岁 [fail] 未满60周岁" in out
    assert "P020" in out and "all rules passed" in out
    call_command("rules", "check", code)
    assert f"rule set {rs.pk} “优待证”: 1 rules compile" in capsys.readouterr().out
    report_id = rs.replays.first().pk
    call_command("rules", "activate", str(report_id))
    assert RuleSet.objects.get(pk=rs.pk).status == "active"
