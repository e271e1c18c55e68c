"""Evaluating rule sets: outcomes, traces, only the needed connectors called, and no path ever
passes when a source fails (errors, timeouts, malformed data)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.rules import providers
from tongban.rules.context import Subject
from tongban.rules.models import Connector, ConnectorCall, ConnectorKind, Evaluation
from tongban.rules.services import evaluate, evaluation_request_review, rule_set_save

from .conftest import http_connector, person, table_connector

TODAY = dt.date(2026, 3, 2)


class Handler(BaseHTTPRequestHandler):
    mode = "ok"
    seen: list = []

    def do_GET(self):
        Handler.seen.append((self.path, self.headers.get("X-Token")))
        if Handler.mode == "slow":
            time.sleep(1.0)
        if Handler.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        body = {
            "ok": b'{"data": {"paid": true, "amount": 12.5}}',
            "slow": b'{"data": {"paid": true, "amount": 12.5}}',
            "malformed": b"<html>not json</html>",
            "wrongtype": b'{"data": {"paid": "maybe", "amount": 12.5}}',
            "list": b"[1, 2]",
        }[Handler.mode]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.mode, Handler.seen = "ok", []
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def save(code, rules, **kw):
    return rule_set_save(
        rule_set=None, item_code=code, name="规则", mode="instant", rules=rules, actor=None, **kw
    )


def rule(name, expression, severity="blocking"):
    return {
        "name": name,
        "expression": expression,
        "message": f"{name}不符合",
        "severity": severity,
    }


@pytest.fixture
def elder(db):
    return person(1, dt.date(1960, 5, 1), name="王大爷")


def test_pass_fail_and_trace(code, elder):
    table_connector({elder.id_number: {"hukou_city": "海口市"}})
    rs = save(
        code,
        [
            rule("年满60周岁", "applicant.age >= 60"),
            rule("本市户籍", 'population.hukou_city == "海口市"'),
        ],
    )
    ev = evaluate(
        rule_set=rs,
        subject=Subject.of_person(elder),
        form={},
        answers={},
        today=TODAY,
        case_no="C1",
    )
    assert ev.outcome == "pass"
    assert ev.trace == [
        {
            "rule": "年满60周岁",
            "expression": "applicant.age >= 60",
            "severity": "blocking",
            "values": {"applicant.age": 65},
            "result": "pass",
        },
        {
            "rule": "本市户籍",
            "expression": 'population.hukou_city == "海口市"',
            "severity": "blocking",
            "values": {"population.hukou_city": "海口市"},
            "result": "pass",
        },
    ]
    assert ev.sources == {"population": {"ok": True, "name": "人口基础信息"}}
    call = ConnectorCall.objects.get()
    assert (call.purpose, call.case_no, call.fields, call.ok) == (
        "case",
        "C1",
        ["hukou_city"],
        True,
    )
    assert call.subject_ref == elder.id_number[:4] + "*" * 10 + elder.id_number[-4:]

    young = person(2, dt.date(1990, 1, 1))
    ev = evaluate(rule_set=rs, subject=Subject.of_person(young), form={}, answers={}, today=TODAY)
    assert ev.outcome == "fail"
    assert [t["result"] for t in ev.trace] == ["fail", "error"]
    assert ev.trace[0]["message"] == "年满60周岁不符合"
    assert ev.trace[1]["reason"] == "缺少字段“population.hukou_city”的值。"


def test_needs_review_rule_and_runtime_errors(code, elder):
    rs = save(
        code,
        [
            rule("面积", "form.area / double(form.rooms) > 10.0", "needs_review"),
            rule("年满60周岁", "applicant.age >= 60"),
        ],
    )
    ok = evaluate(
        rule_set=rs,
        subject=Subject.of_person(elder),
        form={"area": "55.5", "rooms": 3},
        answers={},
        today=TODAY,
    )
    assert ok.outcome == "pass"
    zero = evaluate(
        rule_set=rs,
        subject=Subject.of_person(elder),
        form={"area": "55.5", "rooms": 0},
        answers={},
        today=TODAY,
    )
    assert zero.outcome == "needs_review"
    assert (zero.trace[0]["result"], zero.trace[0]["reason"]) == ("error", "计算时出现除以零。")
    missing = evaluate(
        rule_set=rs, subject=Subject.of_person(elder), form={"area": "x"}, answers={}, today=TODAY
    )
    assert missing.outcome == "needs_review"
    assert missing.trace[0]["result"] == "error"
    small = evaluate(
        rule_set=rs,
        subject=Subject.of_person(elder),
        form={"area": 20, "rooms": 4},
        answers={},
        today=TODAY,
    )
    assert (small.outcome, small.trace[0]["result"]) == ("needs_review", "fail")


def test_only_needed_connectors_are_called(code, elder, server):
    table_connector({elder.id_number: {"hukou_city": "海口市"}})
    http_connector(server + "/tax/{id_no}", mapping={"paid": "data.paid", "amount": "data.amount"})
    rs = save(code, [rule("本市户籍", 'population.hukou_city == "海口市"')])
    evaluate(rule_set=rs, subject=Subject.of_person(elder), form={}, answers={}, today=TODAY)
    assert Handler.seen == []
    assert list(ConnectorCall.objects.values_list("connector__code", flat=True)) == ["population"]
    rs2 = save(code, [rule("已缴税", "tax.paid && tax.amount > 10.0")])
    ev = evaluate(rule_set=rs2, subject=Subject.of_person(elder), form={}, answers={}, today=TODAY)
    assert ev.outcome == "pass"
    assert Handler.seen == [(f"/tax/{elder.id_number}", None)]


def test_http_auth_header_from_environment(code, elder, server, monkeypatch):
    monkeypatch.setenv("TAX_TOKEN", "Bearer s3cret")
    http_connector(
        server + "/tax/{id_no}",
        auth_header="X-Token",
        auth_env="TAX_TOKEN",
        mapping={"paid": "data.paid"},
    )
    rs = save(code, [rule("已缴税", "tax.paid")])
    assert (
        evaluate(
            rule_set=rs, subject=Subject.of_person(elder), form={}, answers={}, today=TODAY
        ).outcome
        == "pass"
    )
    assert Handler.seen[-1][1] == "Bearer s3cret"
    monkeypatch.delenv("TAX_TOKEN")
    ev = evaluate(rule_set=rs, subject=Subject.of_person(elder), form={}, answers={}, today=TODAY)
    assert ev.outcome == "needs_review"
    assert "s3cret" not in json.dumps(list(ConnectorCall.objects.values("error")))


@pytest.mark.parametrize("mode", ["error", "slow", "malformed", "wrongtype", "list"])
def test_a_failing_source_routes_to_review(code, elder, server, mode):
    Handler.mode = mode
    http_connector(
        server + "/tax/{id_no}", timeout=0.2, mapping={"paid": "data.paid", "amount": "data.amount"}
    )
    rs = save(
        code, [rule("已缴税", "tax.paid || !tax.paid"), rule("年满60周岁", "applicant.age >= 60")]
    )
    ev = evaluate(
        rule_set=rs,
        subject=Subject.of_person(elder),
        form={},
        answers={},
        today=TODAY,
        case_no="C9",
    )
    assert ev.outcome == "needs_review"
    assert ev.trace[0]["result"] == "error"
    assert ev.trace[0]["reason"] == "数据来源“税务信息”暂不可用"
    assert ev.trace[1]["result"] == "pass"
    assert ev.sources == {"tax": {"ok": False, "name": "税务信息"}}
    call = ConnectorCall.objects.get()
    assert (call.ok, call.case_no) == (False, "C9")
    assert call.error


def test_a_disabled_or_deleted_connector_is_unavailable(code, elder):
    conn = table_connector({elder.id_number: {"hukou_city": "海口市"}})
    rs = save(code, [rule("本市户籍", 'population.hukou_city == "海口市"')])
    Connector.objects.filter(pk=conn.pk).update(is_active=False)
    assert (
        evaluate(
            rule_set=rs, subject=Subject.of_person(elder), form={}, answers={}, today=TODAY
        ).outcome
        == "needs_review"
    )


def failing_platform(subject, fields):
    raise RuntimeError("down")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    down=st.lists(st.booleans(), min_size=3, max_size=3),
    values=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_no_path_passes_when_a_source_fails(code, elder, down, values):
    """Three platform sources, any of them failing: the outcome is never ``pass`` then, and is
    ``pass`` exactly when none fails and every rule holds."""
    rules = []
    for i in range(3):
        name = f"s{i}"
        value = values[i]
        providers.register_platform_source(
            name, failing_platform if down[i] else (lambda s, f, v=value: {"flag": v})
        )
        Connector.objects.get_or_create(
            code=name,
            defaults={
                "name": f"来源{i}",
                "kind": ConnectorKind.PLATFORM,
                "fields": [{"name": "flag", "type": "bool"}],
                "config": {"source": name},
            },
        )
        rules.append(rule(f"规则{i}", f"{name}.flag || {name}.flag == false && false"))
    rs = save(code, rules)
    ev = evaluate(rule_set=rs, subject=Subject.of_person(elder), form={}, answers={}, today=TODAY)
    if any(down):
        assert ev.outcome != "pass"
        assert {t["reason"] for t in ev.trace if t["result"] == "error"} == {
            f"数据来源“来源{i}”暂不可用" for i in range(3) if down[i]
        }
    else:
        assert ev.outcome == ("pass" if all(values) else "fail")


def test_request_review_is_idempotent(code, elder):
    rs = save(code, [rule("年满60周岁", "applicant.age >= 60")])
    ev = evaluate(rule_set=rs, subject=Subject.of_person(elder), form={}, answers={}, today=TODAY)
    first = evaluation_request_review(evaluation=ev).human_review_requested_at
    assert first is not None
    assert evaluation_request_review(evaluation=ev).human_review_requested_at == first
    assert Evaluation.objects.get(pk=ev.pk).human_review_requested_at == first
