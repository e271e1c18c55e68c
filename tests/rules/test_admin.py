"""The rules admin: every list renders; a policy's rule set can only be a rule set of no item;
rule sets, connectors and logs are read-only there (they change through the services)."""

from __future__ import annotations

import pytest

from tongban.rules.services import rule_set_save

AGE = {
    "name": "年龄",
    "expression": "applicant.age >= 80",
    "message": "未满",
    "severity": "blocking",
}
MODELS = ["policy", "policymatch", "connector", "referencetable", "ruleset", "replayreport"]
MODELS += ["evaluation", "connectorcall"]


@pytest.mark.parametrize("model", MODELS)
def test_changelists_render(admin_client, model):
    assert admin_client.get(f"/admin/rules/{model}/").status_code == 200


def test_policy_form_offers_only_rule_sets_of_no_item(admin_client, code):
    policy_set = rule_set_save(
        rule_set=None, item_code="", name="高龄补贴资格", mode="assist", rules=[AGE], actor=None
    )
    item_set = rule_set_save(
        rule_set=None, item_code=code, name="事项规则", mode="instant", rules=[AGE], actor=None
    )
    html = admin_client.get("/admin/rules/policy/add/").content.decode()
    assert f'<option value="{policy_set.pk}">' in html
    assert f'<option value="{item_set.pk}">' not in html


def test_rule_sets_are_read_only(admin_client):
    assert admin_client.get("/admin/rules/ruleset/add/").status_code == 403
    assert admin_client.get("/admin/rules/connector/add/").status_code == 403
