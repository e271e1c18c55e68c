"""免申即享 and 可能符合条件的政策: policy matching creates the benefit case with no application,
approved by the rules and signed "system"; the portal page lists each person's own matches with
the rules that held, and links to the benefit case or the guide."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_staff
from tongban.cases.models import Case, CaseEvent
from tongban.core.permissions import Role
from tongban.rules.models import Evaluation, Policy, PolicyAudience, PolicyMatch
from tongban.rules.services import policies_match, rule_set_save

from .instant_helpers import AGE_60, client_for, population, text_of

pytestmark = pytest.mark.django_db

NOT_RECEIVING = {
    "name": "尚未领取长寿补贴",
    "expression": "!population.longevity_subsidy",
    "message": "已在领取长寿补贴。",
    "severity": "blocking",
}


def policy(code_of_item, mzj, *, automatic=True, code="longevity"):
    rule_set = rule_set_save(
        rule_set=None,
        item_code="",
        name="政策资格",
        mode="instant",
        rules=[AGE_60, NOT_RECEIVING],
        actor=None,
    )
    return Policy.objects.create(
        code=code,
        name="高龄老人长寿补贴（免申即享）" if automatic else "老年人优待政策",
        audience=PolicyAudience.PERSON,
        summary="符合条件的老人无需申请，系统自动核定发放。",
        department=mzj,
        rule_set=rule_set,
        automatic=automatic,
        benefit_item_code=code_of_item,
    )


@pytest.fixture
def people(applicant, other_applicant):
    applicant.person.birth_date = dt.date(1940, 5, 1)  # 86
    applicant.person.save()
    other_applicant.person.birth_date = dt.date(1990, 5, 1)
    other_applicant.person.save()
    population(
        {
            applicant.person.id_number: {"longevity_subsidy": False},
            other_applicant.person.id_number: {"longevity_subsidy": False},
        }
    )
    return applicant, other_applicant


def test_an_automatic_policy_creates_and_approves_the_benefit_case(at, people, code, mzj):
    at("2026-09-21 10:00")
    applicant, _other = people
    p = policy(code, mzj)
    policies_match(policy=p, today=dt.date(2026, 9, 21))

    match = PolicyMatch.objects.get(policy=p)
    assert match.person_id == applicant.person.pk  # the 36-year-old is not eligible
    assert match.status == "granted"
    case = Case.objects.get(case_no=match.case_no)
    assert (case.status, case.applicant_id, case.created_by_id, case.channel) == (
        "approved",
        applicant.person.pk,
        None,
        "web",
    )
    assert list(
        CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", "actor_label")
    ) == [
        ("create", "system"),
        ("submit", "system"),
        ("accept", "system"),
        ("approve", "system"),
    ]
    assert not CaseEvent.objects.filter(case=case, actor__isnull=False).exists()
    evaluation = Evaluation.objects.get(pk=match.evaluation_id)
    assert (evaluation.case_no, evaluation.automatic_decision, evaluation.outcome) == (
        case.case_no,
        True,
        "pass",
    )
    # matching again creates nothing new
    policies_match(policy=p, today=dt.date(2026, 9, 22))
    assert Case.objects.filter(item_version__item__implementation_code=code).count() == 1

    # the person's page: the match, why, and the benefit case
    page = client_for(applicant).get("/my/policies/")
    assert page.status_code == 200
    text = text_of(page)
    assert "免申即享：已为您自动兑现" in text
    assert "高龄老人长寿补贴（免申即享）" in text
    assert "年满60周岁 符合 年龄（周岁）： 86" in text
    assert f"查看兑现办件 {case.case_no}" in text
    # and the benefit case explains itself, with the human review offered
    text = text_of(client_for(applicant).get(f"/my/cases/{case.case_no}/"))
    assert "系统是怎样作出决定的" in text


def test_a_policy_to_apply_for_links_to_the_guide(at, people, code, mzj):
    at("2026-09-21 10:00")
    applicant, _other = people
    p = policy(code, mzj, automatic=False, code="elderly")
    policies_match(policy=p, today=dt.date(2026, 9, 21))
    assert not Case.objects.exists()
    text = text_of(client_for(applicant).get("/my/policies/"))
    assert "可以申请的政策" in text
    assert "老年人优待政策" in text
    page = client_for(applicant).get("/my/policies/").content.decode()
    assert f'href="/items/{code}/"' in page


def test_the_page_shows_only_ones_own_matches(at, people, code, mzj, anonymous_client):
    at("2026-09-21 10:00")
    _applicant, other = people
    p = policy(code, mzj)
    policies_match(policy=p, today=dt.date(2026, 9, 21))
    text = text_of(client_for(other).get("/my/policies/"))
    assert "高龄老人长寿补贴" not in text
    assert "暂时没有找到您可能符合条件的政策。" in text

    response = anonymous_client.get("/my/policies/")
    assert response.status_code == 302 and "/login" in response["Location"]
    staff = make_staff(Role.REVIEWER, department=mzj, username="mz_reviewer")
    assert client_for(staff).get("/my/policies/").status_code == 403
    assert client_for(other).post("/my/policies/").status_code == 405
