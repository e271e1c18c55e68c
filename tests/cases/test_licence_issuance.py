"""Issuance from cases (制证): an approved case of an item that yields a licence type gets one
licence, made from the case's data; the ISSUE step names it; a case not approved gets none."""

from __future__ import annotations

import pytest

from tests.catalog.specs import spec
from tests.licences.factories import LicenceTypeFactory, signing_key
from tongban.cases.models import CaseEvent
from tongban.cases.services import (
    case_accept,
    case_create,
    case_decide,
    case_issue,
    case_material_add,
    case_submit,
    task_complete,
)
from tongban.cases.services.licensing import case_licence_issue
from tongban.cases.states import TransitionRefused
from tongban.catalog.services import item_save_spec
from tongban.core.errors import PermissionDenied
from tongban.core.events import chain_verify
from tongban.licences.models import Licence, LicenceEvent

from .conftest import PNG
from .helpers import submitted_case

pytestmark = pytest.mark.django_db

FORM_FIELDS = [
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
FORM = {"address": "云溪区学府路 18 号", "category": "80周岁以上", "birth_date": "1944-05-01"}


@pytest.fixture
def licence_type(mzj):
    lt = LicenceTypeFactory(code="YXLRYDZ", name="老年人优待证", department=mzj)
    signing_key(mzj)
    return lt


@pytest.fixture
def licence_code(mzj, licence_type):
    version = item_save_spec(
        spec=spec(
            "mzj",
            basic_code="000107001001",
            name="老年人优待证办理（电子证照）",
            outcome_licence_type="YXLRYDZ",
            form_fields=FORM_FIELDS,
        ),
        publish=True,
    )
    return version.item.implementation_code


def _reviewed(applicant, clerk, reviewer, code):
    case = case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
        form_data=FORM,
    )
    case_material_add(actor=applicant, case=case, seq=1, status="licence")
    case_material_add(actor=applicant, case=case, seq=2, name="照片.png", data=PNG)
    case = case_submit(actor=applicant, case=case)
    case = case_accept(actor=clerk, case=case)
    return task_complete(actor=reviewer, case=case, opinion="符合条件")


def test_approval_issues_the_licence_from_the_case_data(
    applicant, clerk, reviewer, approver, licence_code
):
    case = _reviewed(applicant, clerk, reviewer, licence_code)
    case = case_decide(actor=approver, case=case, approve=True)
    licence = Licence.objects.get(case_no=case.case_no)
    assert licence.person == applicant.person
    assert licence.holder_name == "张晓明"
    assert licence.data == {
        "address": "云溪区学府路 18 号",
        "category": "80周岁以上",
        "birth_date": "1944-05-01",
    }
    assert licence.licence_type.code == "YXLRYDZ"
    assert licence.imported is False
    # 制证: the ISSUE step names the licence
    case = case_issue(actor=approver, case=case)
    event = CaseEvent.objects.get(case=case, action="issue")
    assert event.payload == {
        "result": "老年人优待证",
        "licence": licence.identifier,
        "licence_no": licence.number,
    }
    assert Licence.objects.filter(case_no=case.case_no).count() == 1
    assert chain_verify().ok


def test_issuance_is_idempotent(applicant, clerk, reviewer, approver, licence_code):
    case = _reviewed(applicant, clerk, reviewer, licence_code)
    case = case_decide(actor=approver, case=case, approve=True)
    first = case_licence_issue(actor=approver, case=case)
    again = case_licence_issue(actor=None, case=case)
    assert first.pk == again.pk
    assert Licence.objects.filter(case_no=case.case_no).count() == 1


def test_issuing_from_a_case_not_approved_is_refused(
    applicant, clerk, reviewer, approver, licence_code
):
    case = _reviewed(applicant, clerk, reviewer, licence_code)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(TransitionRefused) as caught:
        case_licence_issue(actor=approver, case=case)
    assert caught.value.code == "licence_refused"
    assert caught.value.message == "办件尚未准予许可（当前状态为“审查中”），不能制发证照。"
    assert Licence.objects.count() == 0
    assert LicenceEvent.objects.count() == 0
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_denied_case_yields_no_licence(applicant, clerk, reviewer, approver, licence_code):
    case = _reviewed(applicant, clerk, reviewer, licence_code)
    case = case_decide(actor=approver, case=case, approve=False, reason="年龄不符合条件")
    assert Licence.objects.count() == 0
    with pytest.raises(TransitionRefused):
        case_licence_issue(actor=approver, case=case)
    assert Licence.objects.count() == 0


def test_an_item_without_a_licence_type_yields_none(applicant, clerk, reviewer, approver, code):
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    case = task_complete(actor=reviewer, case=case, opinion="符合条件")
    case = case_decide(actor=approver, case=case, approve=True)
    assert case_licence_issue(actor=approver, case=case) is None
    case = case_issue(actor=approver, case=case)
    assert CaseEvent.objects.get(case=case, action="issue").payload == {"result": "老年人优待证"}
    assert Licence.objects.count() == 0


def test_a_failed_issuance_leaves_the_approval_and_the_issue_step_retries(
    applicant, clerk, reviewer, approver, licence_code, licence_type
):
    """No signing key at approval: approved all the same; 制证 tries again once there is one."""
    licence_type.department.signing_keys.all().delete()
    case = _reviewed(applicant, clerk, reviewer, licence_code)
    case = case_decide(actor=approver, case=case, approve=True)
    assert case.status == "approved"
    assert case.licence_error
    assert Licence.objects.count() == 0
    signing_key(licence_type.department)
    case = case_issue(actor=approver, case=case)
    licence = Licence.objects.get(case_no=case.case_no)
    assert CaseEvent.objects.get(case=case, action="issue").payload["licence"] == licence.identifier


def test_only_issuing_staff_may_issue_a_new_licence(
    applicant, clerk, reviewer, approver, licence_code, licence_type
):
    licence_type.department.signing_keys.all().delete()
    case = _reviewed(applicant, clerk, reviewer, licence_code)
    case = case_decide(actor=approver, case=case, approve=True)
    signing_key(licence_type.department)
    with pytest.raises(PermissionDenied):
        case_licence_issue(actor=reviewer, case=case)
    with pytest.raises(PermissionDenied):
        case_issue(actor=clerk, case=case)  # the clerk may hand results out, not sign licences
    assert Licence.objects.count() == 0
    assert case_licence_issue(actor=None, case=case) is not None  # the system (秒批)


def test_an_enterprise_licence_for_a_case_filed_by_a_person_is_not_issued(
    applicant, clerk, reviewer, approver, mzj
):
    """设立登记 filed by a person: the enterprise does not exist on the platform yet, so the
    platform issues no licence (it comes from the registration system by import) and the ISSUE
    step goes ahead with the item's result."""
    LicenceTypeFactory(code="YYZZ", name="营业执照", department=mzj, holder_kind="enterprise")
    signing_key(mzj)
    version = item_save_spec(
        spec=spec(
            "mzj", basic_code="000107001009", name="个体工商户设立登记", outcome_licence_type="YYZZ"
        ),
        publish=True,
    )
    code = version.item.implementation_code
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    case = task_complete(actor=reviewer, case=case, opinion="符合条件")
    case = case_decide(actor=approver, case=case, approve=True)
    assert case_licence_issue(actor=approver, case=case) is None
    case = case_issue(actor=approver, case=case)
    assert case.status == "issued"
    assert "licence" not in CaseEvent.objects.get(case=case, action="issue").payload
    assert Licence.objects.count() == 0
