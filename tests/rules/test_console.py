"""The rules console pages: the permission matrix (anonymous, applicant, staff without
RULES_EDIT, administrator), saving with compile errors shown, live check, replay → activate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import UserFactory, make_staff
from tongban.core.permissions import Role
from tongban.rules import providers
from tongban.rules.context import Subject
from tongban.rules.models import Connector, ReferenceTable, RuleSet
from tongban.rules.services import rule_set_save

from .conftest import person

AGE = {
    "name": "年满60周岁",
    "expression": "applicant.age >= 60",
    "message": "未满60周岁",
    "severity": "blocking",
}


def client_for(user):
    c = Client()
    if user is not None:
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


@pytest.fixture
def personas(db):
    return {
        "anonymous": None,
        "applicant": UserFactory(username="applicant_x"),
        "staff": make_staff(Role.REVIEWER, username="reviewer_x"),
        "admin": make_staff(Role.ADMINISTRATOR, username="admin_x"),
    }


PAGES = [
    "/console/rules/",
    "/console/rules/sets/new/",
    "/console/rules/connectors/",
    "/console/rules/calls/",
    "/console/rules/policies/",
]
EXPECTED = {"anonymous": 302, "applicant": 403, "staff": 403, "admin": 200}


@pytest.mark.parametrize("who", EXPECTED)
def test_permission_matrix_for_pages(personas, code, who):
    rs = rule_set_save(
        rule_set=None, item_code=code, name="优待证", mode="instant", rules=[AGE], actor=None
    )
    client = client_for(personas[who])
    for url in [*PAGES, f"/console/rules/sets/{rs.pk}/"]:
        response = client.get(url)
        assert response.status_code == EXPECTED[who], url
        if who == "anonymous":
            assert response["Location"].startswith("/console/login/")


@pytest.mark.parametrize("who", ["anonymous", "applicant", "staff"])
def test_refused_writes_change_nothing(personas, code, who):
    client = client_for(personas[who])
    response = client.post(
        "/console/rules/sets/new/",
        {
            "name": "x",
            "item_code": code,
            "mode": "instant",
            "rule-1-name": "a",
            "rule-1-expression": "applicant.age > 1",
            "rule-1-message": "m",
            "rule-1-severity": "blocking",
        },
    )
    assert response.status_code in (302, 403)
    assert RuleSet.objects.count() == 0
    response = client.post(
        "/console/rules/connectors/",
        {
            "what": "table",
            "t-name": "x",
            "t-key_column": "k",
            "t-file": SimpleUploadedFile("a.csv", b"k\n1\n"),
        },
    )
    assert ReferenceTable.objects.count() == 0


def test_save_shows_compile_errors_and_keeps_input(personas, code):
    client = client_for(personas["admin"])
    data = {
        "name": "优待证",
        "item_code": code,
        "mode": "instant",
        "rule-1-name": "年龄",
        "rule-1-expression": "applicant.agee >= 60",
        "rule-1-message": "未满",
        "rule-1-severity": "blocking",
    }
    response = client.post("/console/rules/sets/new/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>错误：" in html
    assert "第 1 条规则“年龄”：未知字段“applicant.agee”（第 11 个字符处）" in html
    assert 'href="#rule-1-expression"' in html
    assert "applicant.agee &gt;= 60" in html
    assert RuleSet.objects.count() == 0
    # a form error (no name) and a rule error are both shown
    response = client.post("/console/rules/sets/new/", dict(data, name=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'href="#id_name"' in html
    assert "第 1 条规则“年龄”：未知字段“applicant.agee”（第 11 个字符处）" in html
    assert RuleSet.objects.count() == 0
    data["rule-1-expression"] = "applicant.age >= 60"
    response = client.post("/console/rules/sets/new/", data)
    rs = RuleSet.objects.get()
    assert response["Location"] == f"/console/rules/sets/{rs.pk}/"
    assert list(rs.rules.values_list("name", "expression", "fields")) == [
        ("年龄", "applicant.age >= 60", ["applicant.age"])
    ]


def test_live_check(personas, code):
    client = client_for(personas["admin"])
    bad = client.post(
        "/console/rules/check/",
        {"rule-3-expression": "applicant.age + 1", "item_code": code},
        HTTP_HX_REQUEST="true",
    )
    assert "规则的结果必须是布尔值（true/false），而不是 int。" in bad.content.decode()
    assert "HX-Request" in bad["Vary"]
    good = client.post(
        "/console/rules/check/", {"expression": "applicant.age >= 60", "item_code": code}
    )
    assert "可以编译。" in good.content.decode()
    assert (
        client_for(personas["staff"])
        .post("/console/rules/check/", {"expression": "true"})
        .status_code
        == 403
    )


def test_replay_then_activate_from_the_report_page(personas, code):
    elder = person(1, dt.date(1950, 1, 1))
    providers.register_past_cases(
        lambda c, s, u: [
            providers.PastCase(
                case_no="P1",
                subject=Subject.of_person(elder),
                decided_on=dt.date(2026, 2, 2),
                approved=False,
            )
        ]
    )
    rs = rule_set_save(
        rule_set=None, item_code=code, name="优待证", mode="instant", rules=[AGE], actor=None
    )
    admin = client_for(personas["admin"])
    response = admin.post(f"/console/rules/sets/{rs.pk}/replay/", {"since": "2026-01-01"})
    report = rs.replays.get()
    assert response["Location"] == f"/console/rules/reports/{report.pk}/"
    page = admin.get(response["Location"]).content.decode()
    assert "依据本报告启用规则集" in page
    assert "P1" in page and "全部规则通过，但人工不予许可：规则可能缺少条件。" in page
    reviewer = make_staff(Role.REVIEWER, username="r2")
    from tongban.core.services.staff import _apply_roles

    assert (
        client_for(reviewer).post(f"/console/rules/reports/{report.pk}/activate/").status_code
        == 403
    )
    assert RuleSet.objects.get(pk=rs.pk).status == "draft"
    response = admin.post(f"/console/rules/reports/{report.pk}/activate/")
    assert response.status_code == 302
    assert RuleSet.objects.get(pk=rs.pk).status == "active"
    del _apply_roles


def test_connector_and_table_forms(personas):
    client = client_for(personas["admin"])
    response = client.post(
        "/console/rules/connectors/",
        {
            "what": "table",
            "t-name": "人口",
            "t-key_column": "id_no",
            "t-file": SimpleUploadedFile(
                "p.csv", "id_no,hukou_city\n110101194001010011,海口市\n".encode()
            ),
        },
    )
    assert response.status_code == 302
    table = ReferenceTable.objects.get()
    response = client.post(
        "/console/rules/connectors/",
        {
            "what": "connector",
            "c-code": "population",
            "c-name": "人口",
            "c-kind": "table",
            "c-fields_text": "hukou_city:string:户籍城市",
            "c-config_text": f'{{"table": {table.pk}}}',
        },
    )
    assert response.status_code == 302
    assert Connector.objects.get().fields == [
        {"name": "hukou_city", "type": "string", "label": "户籍城市"}
    ]
    bad = client.post(
        "/console/rules/connectors/",
        {
            "what": "connector",
            "c-code": "today",
            "c-name": "x",
            "c-kind": "table",
            "c-fields_text": "a",
            "c-config_text": "{}",
        },
    )
    assert bad.status_code == 422
    assert "不能是 form、answers、applicant、today" in bad.content.decode()
    assert Connector.objects.count() == 1
