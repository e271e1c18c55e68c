"""Rule-set saves, activations and retirements write hash-chained events; two administrators
activating two rule sets of one item at once leave exactly one active (real threads and
transactions: SQLite here, PostgreSQL under scripts/with-postgres.sh)."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, close_old_connections, connection
from django.test import Client
from django.utils.html import strip_tags

from tests.factories import make_staff
from tongban.core.events import chain_verify
from tongban.core.models import AuditEvent
from tongban.core.permissions import Role
from tongban.rules.errors import RuleError
from tongban.rules.models import RuleSet
from tongban.rules.selectors import active_rule_set
from tongban.rules.services import replay, rule_set_activate, rule_set_save
from tongban.rules.services.rulesets import rule_set_retire, rule_set_stream

from .test_replay import AGE, history  # noqa: F401 - the past cases fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _save(code, name, admin, expression="applicant.age >= 60"):
    return rule_set_save(
        rule_set=None,
        item_code=code,
        name=name,
        mode="instant",
        rules=[dict(AGE, expression=expression)],
        actor=admin,
    )


def _events(rule_set):
    return list(
        AuditEvent.objects.filter(stream=rule_set_stream(rule_set))
        .order_by("seq")
        .values_list("action", "from_state", "to_state", "actor_id")
    )


def test_saves_activations_and_retirements_are_chained_events(code, history, rules_admin):  # noqa: F811
    first = _save(code, "优待证", rules_admin)
    rule_set_save(
        rule_set=first,
        item_code=code,
        name="优待证（修订）",
        mode="instant",
        rules=[dict(AGE, expression="applicant.age >= 61")],
        actor=rules_admin,
    )
    report = replay(rule_set=first, since=dt.date(2026, 1, 1))
    rule_set_activate(rule_set=first, report=report, actor=rules_admin)
    second = _save(code, "优待证二", rules_admin)
    report2 = replay(rule_set=second, since=dt.date(2026, 1, 1))
    rule_set_activate(rule_set=second, report=report2, actor=rules_admin)
    rule_set_retire(rule_set=second, actor=rules_admin)

    me = rules_admin.pk
    assert _events(first) == [
        ("rule_set_create", "", "draft", me),
        ("rule_set_update", "draft", "draft", me),
        ("rule_set_activate", "draft", "active", me),
        ("rule_set_retire", "active", "retired", me),
    ]
    assert _events(second) == [
        ("rule_set_create", "", "draft", me),
        ("rule_set_activate", "draft", "active", me),
        ("rule_set_retire", "active", "retired", me),
    ]
    activate = AuditEvent.objects.get(stream=rule_set_stream(first), action="rule_set_activate")
    assert activate.payload["report"] == report.pk
    assert activate.payload["case_count"] == 40
    assert activate.payload["replaced"] == []
    replaced = AuditEvent.objects.get(stream=rule_set_stream(first), action="rule_set_retire")
    assert replaced.payload["replaced_by"] == second.pk
    assert replaced.reason == "由规则集“优待证二”接替。"
    update = AuditEvent.objects.get(stream=rule_set_stream(first), action="rule_set_update")
    assert update.payload["rules"] == ["年满60周岁"]
    assert update.payload["name"] == "优待证（修订）"
    assert chain_verify().ok

    client = Client()
    client.force_login(rules_admin)
    page = client.get(f"/console/rules/sets/{first.pk}/")
    assert page.status_code == 200
    text = " ".join(strip_tags(page.content.decode()).split())
    assert "变更记录" in text
    assert "依据回放报告启用" in text
    assert f"回放报告 #{report.pk}" in text
    assert "由规则集“优待证二”接替。" in text


def test_a_refused_save_writes_no_event(code, rules_admin):
    with pytest.raises(RuleError) as exc:
        _save(code, "坏规则", rules_admin, expression="applicant.nope >= 60")
    assert "未知字段“applicant.nope”" in exc.value.message
    assert not RuleSet.objects.exists()
    assert not AuditEvent.objects.filter(stream__startswith="rule_set:").exists()


def test_the_database_refuses_two_active_sets_of_one_item(code, history, rules_admin):  # noqa: F811
    first = _save(code, "甲", rules_admin)
    second = _save(code, "乙", rules_admin)
    rule_set_activate(
        rule_set=first, report=replay(rule_set=first, since=dt.date(2026, 1, 1)), actor=rules_admin
    )
    with pytest.raises(IntegrityError):
        RuleSet.objects.filter(pk=second.pk).update(status="active")


def _retrying(call: Callable[[], Any]) -> Any:
    """SQLite's shared in-memory test database answers 'table is locked' instead of waiting:
    retry the whole transaction, as a client would. PostgreSQL waits on the row locks."""
    for _attempt in range(500):
        try:
            return call()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(random.uniform(0.001, 0.004))
    raise AssertionError("gave up after 500 attempts")


def _race(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    start = threading.Barrier(len(calls))
    outcomes: list[tuple[str, Any] | None] = [None] * len(calls)

    def work(i: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            outcomes[i] = ("ok", _retrying(call))
        except Exception as exc:
            outcomes[i] = ("error", exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(o is not None for o in outcomes), "a thread did not finish"
    return outcomes  # type: ignore[return-value]


def test_two_administrators_activating_two_sets_at_once_leave_one_active(code, history):  # noqa: F811
    admins = [
        make_staff(Role.ADMINISTRATOR, username="rules_admin_a"),
        make_staff(Role.ADMINISTRATOR, username="rules_admin_b"),
    ]
    for round_no in range(3):
        sets = [_save(code, f"第{round_no}轮{n}", admins[n]) for n in range(2)]
        reports = [replay(rule_set=rs, since=dt.date(2026, 1, 1)) for rs in sets]
        outcomes = _race(
            *(
                partial(rule_set_activate, rule_set=sets[n], report=reports[n], actor=admins[n])
                for n in range(2)
            )
        )
        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
        active = list(RuleSet.objects.filter(item_code=code, status="active"))
        assert len(active) == 1
        assert active_rule_set(item_code=code) == active[0]
        # the one that went second retired the first: both activations are in the history
        loser = next(rs for rs in sets if rs.pk != active[0].pk)
        assert RuleSet.objects.get(pk=loser.pk).status == "retired"
        assert [a for a, *_ in _events(loser)] == [
            "rule_set_create",
            "rule_set_activate",
            "rule_set_retire",
        ]
        assert [a for a, *_ in _events(active[0])] == ["rule_set_create", "rule_set_activate"]
    assert RuleSet.objects.filter(item_code=code, status="active").count() == 1
    assert chain_verify().ok
