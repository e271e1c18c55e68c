"""Rule sets for the instant-approval tests: saved, replayed and activated as an administrator
would (activation only from a replay report)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from django.test import Client

from tongban.rules.models import Connector, ConnectorKind, ReferenceRow, ReferenceTable
from tongban.rules.services.replay import replay
from tongban.rules.services.rulesets import rule_set_activate, rule_set_save

AGE_60 = {
    "name": "年满60周岁",
    "expression": "applicant.age >= 60",
    "message": "申请人在申请之日未满 60 周岁。",
    "severity": "blocking",
}


def active_rules(code: str, rules: list[dict], *, mode: str = "instant", name: str = "秒批规则"):
    rule_set = rule_set_save(
        rule_set=None, item_code=code, name=name, mode=mode, rules=rules, actor=None
    )
    report = replay(rule_set=rule_set, since=dt.date(2026, 1, 1))
    return rule_set_activate(rule_set=rule_set, report=report, actor=None)


def population(rows: dict[str, dict], *, code: str = "population") -> Connector:
    """A reference-table connector (户籍) keyed by ID number."""
    table = ReferenceTable.objects.create(
        name="人口信息", key_column="id_no", columns=["id_no", "hukou_district"]
    )
    ReferenceRow.objects.bulk_create(
        [ReferenceRow(table=table, key=k, data=v) for k, v in rows.items()]
    )
    table.row_count = len(rows)
    table.save()
    return Connector.objects.create(
        code=code,
        name="人口基础信息",
        kind=ConnectorKind.TABLE,
        fields=[
            {"name": "hukou_district", "type": "string", "label": "户籍区县"},
            {"name": "longevity_subsidy", "type": "bool", "label": "已领取长寿补贴"},
        ],
        config={"table": table.pk, "key": "id_no"},
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def text_of(response) -> str:
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", main).split()))
