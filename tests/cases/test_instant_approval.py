"""秒批: the rules at submission, through HTTP and the services — all pass: accepted and
approved in the same request, each step signed "system"; a blocking rule failed, a source down,
an error: the manual queue, never an approval; assist mode only pre-checks."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases.models import Case, CaseEvent, MaterialStatus, TaskStatus
from tongban.cases.services import case_create, case_material_add
from tongban.cases.services import instant as instant_service
from tongban.core.models import Notification
from tongban.rules.models import Connector, ConnectorKind, Evaluation

from .conftest import PNG
from .helpers import FORM, submitted_case
from .instant_helpers import AGE_60, active_rules, client_for, population, text_of

pytestmark = pytest.mark.django_db

HUKOU = {
    "name": "户籍在本区",
    "expression": 'population.hukou_district == "云溪区"',
    "message": "申请人户籍不在云溪区。",
    "severity": "blocking",
}


def elderly(applicant, born=dt.date(1950, 3, 1)):
    applicant.person.birth_date = born
    applicant.person.save()
    return applicant


def draft(applicant, code):
    case = case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
        form_data={**FORM, "phone": applicant.person.phone},
    )
    case_material_add(actor=applicant, case=case, seq=1, status=MaterialStatus.LICENCE)
    case_material_add(actor=applicant, case=case, seq=2, name="照片.png", data=PNG)
    return case


def steps_of(case):
    return list(
        CaseEvent.objects.filter(case=case)
        .order_by("seq")
        .values_list("action", "actor_id", "actor_label", "to_state")
    )


def test_all_rules_pass_through_http_approves_in_the_same_request(at, applicant, code):
    at("2026-09-21 10:00")
    elderly(applicant)
    population({applicant.person.id_number: {"hukou_district": "云溪区"}})
    rule_set = active_rules(code, [AGE_60, HUKOU])
    case = draft(applicant, code)

    client = client_for(applicant)
    response = client.post(
        f"/my/cases/{case.case_no}/apply/check/", {"declaration": "on"}, follow=False
    )
    assert response.status_code == 302, text_of(response)

    case.refresh_from_db()
    assert case.status == "approved"
    assert case.accepted_on == dt.date(2026, 9, 21)
    assert case.decision_reason == "经系统核验，符合全部审批规则，自动准予（秒批）。"
    uid = applicant.pk
    assert steps_of(case)[-3:] == [
        ("submit", uid, str(applicant), "submitted"),
        ("accept", None, "system", "in_review"),
        ("approve", None, "system", "approved"),
    ]
    evaluation = Evaluation.objects.get(case_no=case.case_no)
    assert (evaluation.outcome, evaluation.automatic_decision) == ("pass", True)
    assert evaluation.rule_set_id == rule_set.pk
    assert [(t["rule"], t["result"]) for t in evaluation.trace] == [
        ("年满60周岁", "pass"),
        ("户籍在本区", "pass"),
    ]
    assert evaluation.trace[0]["values"] == {"applicant.age": 76}
    approve = CaseEvent.objects.get(case=case, action="approve")
    assert approve.payload == {
        "evaluation": evaluation.pk,
        "rule_set": rule_set.pk,
        "automatic": True,
    }
    assert not case.tasks.exists()  # nobody has anything to do
    assert Notification.objects.filter(person=applicant.person, title="已自动准予").count() == 1

    # the applicant's page explains the decision, rule by rule, with the values read
    text = text_of(client.get(f"/my/cases/{case.case_no}/"))
    assert "系统是怎样作出决定的" in text
    assert "年满60周岁 符合" in text
    assert "年龄（周岁）： 76 （来自实名登记信息）" in text
    assert "户籍在本区 符合" in text
    assert "申请人工复核" in text


def test_a_failed_blocking_rule_sends_the_case_to_the_manual_queue(at, applicant, clerk, code):
    at("2026-09-21 10:00")
    elderly(applicant, born=dt.date(1966, 9, 22))  # 60 tomorrow
    active_rules(code, [AGE_60])
    case = submitted_case(applicant, code)

    case.refresh_from_db()
    assert case.status == "submitted"
    assert [a for a, *_rest in steps_of(case)] == [
        "create",
        "material_added",
        "material_added",
        "submit",
    ]
    evaluation = Evaluation.objects.get(case_no=case.case_no)
    assert (evaluation.outcome, evaluation.automatic_decision) == ("fail", False)
    assert evaluation.trace[0]["values"] == {"applicant.age": 59}

    # the clerk sees the failed rule on the case page, and accepts as usual
    page = client_for(clerk).get(f"/console/cases/{case.case_no}/")
    assert page.status_code == 200
    text = text_of(page)
    assert "以下规则未通过，本件已转入人工审查，请逐条核实。" in text
    assert "年满60周岁 （不符合）：申请人在申请之日未满 60 周岁。" in text
    assert "系统自动决定" not in text


def test_a_source_that_fails_never_approves(at, applicant, code):
    at("2026-09-21 10:00")
    elderly(applicant)
    Connector.objects.create(
        code="population",
        name="人口基础信息",
        kind=ConnectorKind.PLATFORM,
        fields=[{"name": "hukou_district", "type": "string"}],
        config={"source": "no-such-source"},
    )
    active_rules(code, [AGE_60, HUKOU])
    case = submitted_case(applicant, code)

    case.refresh_from_db()
    assert case.status == "submitted"
    evaluation = Evaluation.objects.get(case_no=case.case_no)
    assert evaluation.outcome == "needs_review"
    assert evaluation.sources["population"]["ok"] is False
    assert not CaseEvent.objects.filter(case=case, action="approve").exists()


def test_an_error_while_checking_leaves_the_case_to_a_person(at, applicant, code, monkeypatch):
    at("2026-09-21 10:00")
    elderly(applicant)
    active_rules(code, [AGE_60])

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(instant_service.rules_evaluation, "evaluate", broken)
    case = submitted_case(applicant, code)
    case.refresh_from_db()
    assert case.status == "submitted"
    assert not Evaluation.objects.exists()


def test_a_malformed_value_is_needs_review_not_approval(at, applicant, code):
    at("2026-09-21 10:00")
    elderly(applicant)
    population({applicant.person.id_number: {"hukou_district": ["云溪区"]}})  # not a string
    active_rules(code, [AGE_60, HUKOU])
    case = submitted_case(applicant, code)
    case.refresh_from_db()
    assert case.status == "submitted"
    assert Evaluation.objects.get(case_no=case.case_no).outcome == "needs_review"


def test_assist_mode_only_pre_checks(at, applicant, code, reviewer):
    at("2026-09-21 10:00")
    elderly(applicant)
    active_rules(code, [AGE_60], mode="assist")
    case = submitted_case(applicant, code)
    case.refresh_from_db()
    assert case.status == "submitted"
    evaluation = Evaluation.objects.get(case_no=case.case_no)
    assert (evaluation.outcome, evaluation.automatic_decision) == ("pass", False)

    text = text_of(client_for(reviewer).get(f"/console/cases/{case.case_no}/"))
    assert "规则预审结果（辅助审查）" in text
    assert "规则全部通过，仅供审查参考，请按审查环节作出决定。" in text


def test_no_active_rule_set_changes_nothing(at, applicant, code):
    at("2026-09-21 10:00")
    elderly(applicant)
    case = submitted_case(applicant, code)
    case.refresh_from_db()
    assert case.status == "submitted"
    assert not Evaluation.objects.exists()


def test_a_draft_rule_set_is_not_used(at, applicant, code):
    at("2026-09-21 10:00")
    elderly(applicant)
    from tongban.rules.services.rulesets import rule_set_save

    rule_set_save(
        rule_set=None, item_code=code, name="草稿", mode="instant", rules=[AGE_60], actor=None
    )
    case = submitted_case(applicant, code)
    case.refresh_from_db()
    assert case.status == "submitted"
    assert not Evaluation.objects.exists()


def test_the_staff_page_marks_an_automatic_decision(at, applicant, clerk, code):
    at("2026-09-21 10:00")
    elderly(applicant)
    active_rules(code, [AGE_60])
    case = submitted_case(applicant, code)
    text = text_of(client_for(clerk).get(f"/console/cases/{case.case_no}/"))
    assert "系统自动决定" in text
    assert "全部规则通过，本件由系统自动受理并准予，没有人工审查环节。" in text
    assert Case.objects.get(pk=case.pk).tasks.filter(status=TaskStatus.OPEN).count() == 0


LICENCE_FORM_FIELDS = [
    {"code": "address", "label": "住址", "type": "text"},
    {
        "code": "category",
        "label": "优待类别",
        "type": "choice",
        "options": [
            {"code": "60-79周岁", "label": "60-79周岁"},
            {"code": "80周岁以上", "label": "80周岁以上"},
        ],
    },
    {"code": "birth_date", "label": "出生日期", "type": "date"},
]


def test_the_api_submit_accepts_approves_and_issues_the_signed_licence_in_one_request(
    at, applicant, mzj
):
    from tests.catalog.specs import spec
    from tests.licences.factories import LicenceTypeFactory, signing_key
    from tongban.catalog.services import item_save_spec
    from tongban.core.events import chain_verify
    from tongban.licences.models import Licence

    from .test_api import Api

    at("2026-09-21 10:00")
    elderly(applicant)
    LicenceTypeFactory(code="YXLRYDZ", name="老年人优待证", department=mzj)
    signing_key(mzj)
    version = item_save_spec(
        spec=spec(
            "mzj",
            basic_code="000107001001",
            name="老年人优待证办理（电子证照）",
            outcome_licence_type="YXLRYDZ",
            form_fields=LICENCE_FORM_FIELDS,
            materials=[{"seq": 1, "name": "户口簿", "necessity": "optional"}],
            questions=[],
        ),
        publish=True,
    )
    code = version.item.implementation_code
    active_rules(code, [AGE_60])
    me = Api(applicant)
    form = {"address": "云溪区学府路 18 号", "category": "60-79周岁", "birth_date": "1950-03-01"}
    created = me.post(
        "/cases",
        {"item": code, "answers": {}, "form_data": form},
        headers={"Idempotency-Key": "instant-licence-1"},
    )
    assert created.status_code == 201, created.content
    case_no = created.json()["case_no"]

    response = me.post(f"/cases/{case_no}/submit")  # the one request
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "issued"

    case = Case.objects.get(case_no=case_no)
    licence = Licence.objects.get(case_no=case_no)
    assert (licence.person, licence.licence_type.code) == (applicant.person, "YXLRYDZ")
    assert licence.data == form
    assert bytes(licence.signature)  # SM2-signed
    assert steps_of(case)[-4:] == [
        ("submit", applicant.pk, str(applicant), "submitted"),
        ("accept", None, "system", "in_review"),
        ("approve", None, "system", "approved"),
        ("issue", None, "system", "issued"),
    ]
    issue = CaseEvent.objects.get(case=case, action="issue")
    assert issue.payload == {
        "result": "老年人优待证",
        "licence": licence.identifier,
        "licence_no": licence.number,
        "automatic": True,
    }
    assert chain_verify().ok


@pytest.mark.parametrize(
    ("path", "value", "shown"),
    [
        ("applicant.id_no", "330100194801010111", "3301**********0111"),
        ("form.address", "云溪区学府路 18 号", "云溪区学府******"),
        ("applicant.age", 76, "76"),
        ("population.residence_permit", True, "是"),
        ("licences.valid_types", [], "（无）"),
        ("population.hukou_district", None, "（无数据）"),
    ],
)
def test_values_read_are_shown_masked_where_personal(path, value, shown):
    from tongban.cases.explanation import shown_value

    assert shown_value(path, value) == shown
