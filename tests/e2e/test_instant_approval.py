"""秒批 in a real browser: an elderly applicant submits on the check page, the rules approve in
that request, the confirmation says so, the case page explains each rule with the values read
(the ID number masked), and one click asks for a human review — in standard mode on a desktop
and elderly mode on a phone, each page checked with axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, UserFactory
from tongban.cases.models import Case, CaseEvent, MaterialStatus, ReviewTask
from tongban.cases.services import case_create, case_material_add
from tongban.catalog.services import item_save_spec
from tongban.rules.models import Evaluation

from .conftest import PASSWORD
from .test_apply import Checker, _png, click, heading

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AGE_60 = {
    "name": "年满60周岁",
    "expression": "applicant.age >= 60",
    "message": "申请人在申请之日未满 60 周岁。",
    "severity": "blocking",
}
NO_REPEAT = {
    "name": "本人申请",
    "expression": 'answers.self == "yes"',
    "message": "委托他人办理的，需人工核验授权委托书。",
    "severity": "needs_review",
}


@pytest.fixture
def draft(transactional_db):
    from tongban.rules.services.replay import replay
    from tongban.rules.services.rulesets import rule_set_activate, rule_set_save

    department("mzj", 7)
    code = item_save_spec(spec=spec("mzj"), publish=True).item.implementation_code
    rule_set = rule_set_save(
        rule_set=None,
        item_code=code,
        name="老年人优待证秒批",
        mode="instant",
        rules=[AGE_60, NO_REPEAT],
        actor=None,
    )
    rule_set_activate(
        rule_set=rule_set, report=replay(rule_set=rule_set, since=dt.date(2026, 1, 1)), actor=None
    )
    user = UserFactory(username="wangjg", display_name="王建国")
    person = PersonFactory(
        name="王建国",
        user=user,
        phone="13905710003",
        id_number="330100194801010111",
        birth_date=dt.date(1948, 1, 1),
    )
    case = case_create(
        actor=user,
        item_code=code,
        applicant=person,
        channel="web",
        answers={"self": "yes"},
        form_data={"address": "云溪区西岭街道松林路 21 号", "phone": person.phone},
    )
    case_material_add(actor=user, case=case, seq=1, status=MaterialStatus.LICENCE)
    case_material_add(actor=user, case=case, seq=2, name="照片.png", data=_png())
    return case


@pytest.mark.parametrize(("mode", "width"), [("standard", 1280), ("care", 390)])
def test_an_instant_application_and_its_explanation(live_server, new_page, draft, mode, width):
    page = new_page(width=width, height=844)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    check = Checker(page, mode)
    case_no = draft.case_no

    page.goto(f"{live_server.url}/login/?next=/my/cases/{case_no}/apply/check/")
    page.get_by_label("用户名").fill("wangjg")
    page.get_by_label("密码").fill(PASSWORD)
    click(page, "button", "登录")
    assert heading(page) == "提交前请核对"
    page.get_by_label(re.compile("^本人承诺所填写的信息")).check()
    click(page, "button", "提交申请")

    # approved in the submitting request: the confirmation says so
    assert page.url == f"{live_server.url}/my/cases/{case_no}/submitted/"
    assert heading(page) == "申请已自动准予"
    assert page.get_by_text("符合全部条件，已自动受理并准予").is_visible()
    check("confirmation")
    assert Case.objects.get(case_no=case_no).status == "approved"
    assert list(
        CaseEvent.objects.filter(case__case_no=case_no, action__in=["accept", "approve"])
        .order_by("seq")
        .values_list("action", "actor_label")
    ) == [("accept", "system"), ("approve", "system")]

    # the case page explains every rule with the values read
    click(page, "link", "查看核验说明")
    explanation = page.locator("#explanation")
    assert explanation.get_by_role("heading", level=2).inner_text() == "系统是怎样作出决定的"
    items = [
        " ".join(t.split()) for t in explanation.locator(".rule-explain__item").all_inner_texts()
    ]
    assert len(items) == 2
    assert items[0].startswith("年满60周岁 符合")
    assert "年龄（周岁）：" in items[0]
    assert items[1].startswith("本人申请 符合")
    assert "330100194801010111" not in page.content()  # personal values are masked
    check("case page (explanation)")

    # one click asks for a human review
    click(page, "button", "申请人工复核")
    assert page.url.endswith(f"/my/cases/{case_no}/#explanation")
    assert page.get_by_text("工作人员将在").first.is_visible()
    assert page.get_by_role("button", name="申请人工复核").count() == 0
    check("case page (review requested)")
    assert ReviewTask.objects.filter(case__case_no=case_no, status="open").count() == 1
    assert Evaluation.objects.get(case_no=case_no).human_review_requested_at is not None
    check.assert_clean()
