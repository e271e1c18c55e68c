"""Every rules list page reads a fixed number of queries however many rows it shows."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from tests.query_counts import page_queries
from tongban.rules.models import ConnectorCall, Policy, RuleSet
from tongban.rules.services import rule_set_save

from .conftest import table_connector

pytestmark = pytest.mark.django_db

PAGES = [
    "/console/rules/",
    "/console/rules/connectors/",
    "/console/rules/calls/",
    "/console/rules/policies/",
]
AGE = {
    "name": "年满60周岁",
    "expression": "applicant.age >= 60",
    "message": "未满60周岁",
    "severity": "blocking",
}
_seq = itertools.count(1)


@pytest.fixture
def rows(mzj, code):
    """``add(n)``: n more rule sets (one per item version, and one policy's), connectors with
    logged calls, and policies."""

    def add(n: int) -> None:
        for _ in range(n):
            i = next(_seq)
            rule_set_save(
                rule_set=None,
                item_code=code,
                name=f"规则集{i}",
                mode="instant",
                rules=[AGE],
                actor=None,
            )
            policy_rules = rule_set_save(
                rule_set=None, item_code="", name=f"资格{i}", mode="assist", rules=[AGE], actor=None
            )
            Policy.objects.create(
                code=f"policy{i}",
                name=f"补贴{i}",
                audience="person",
                summary="60 周岁以上老人补贴。",
                department=mzj,
                rule_set=policy_rules,
            )
            connector = table_connector({"x": {"hukou_city": "杭州"}}, code=f"population{i}")
            ConnectorCall.objects.bulk_create(
                ConnectorCall(connector=connector, purpose="审批规则", case_no=f"C{i}{k}")
                for k in range(3)
            )

    return add


def test_every_list_reads_the_same_queries_for_2_and_10_rows(rows, rules_admin):
    client = Client()
    client.force_login(rules_admin, backend="django.contrib.auth.backends.ModelBackend")
    rows(2)
    few = {url: page_queries(client, url) for url in PAGES}
    rows(8)
    assert (RuleSet.objects.count(), Policy.objects.count(), ConnectorCall.objects.count()) == (
        20,
        10,
        30,
    )
    assert {url: page_queries(client, url) for url in PAGES} == few
