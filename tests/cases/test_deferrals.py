"""容缺受理: accepted with a deferrable material missing, a supplement deadline in working days,
the approval (or the delivery) waiting for it, supplied on time and late, overdue ones listed for
supervision; a material not marked deferrable refused."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import selectors
from tongban.cases.models import AcceptancePolicy, Case, CaseEvent, Deferral, MaterialStatus
from tongban.cases.models.commitments import DeferralBlocks
from tongban.cases.services import (
    case_accept,
    case_create,
    case_decide,
    case_deliver,
    case_issue,
    case_material_add,
    task_complete,
)
from tongban.core.errors import DomainError, ValidationFailed
from tongban.core.events import chain_verify

from .conftest import PNG
from .deferral_helpers import accepted, filed

pytestmark = pytest.mark.django_db
D = MaterialStatus.DEFERRED


def _to_decision(case, reviewer):
    return task_complete(actor=reviewer, case=case, opinion="材料齐全，符合条件")


def test_accepted_with_the_photo_deferred_waits_and_is_supplied_on_time(
    at, applicant, clerk, reviewer, approver, flex_code
):
    at("2026-11-02 10:00")  # a Monday
    case = accepted(applicant, clerk, flex_code, photo=D)
    deferral = Deferral.objects.get(case=case)
    assert (deferral.due, deferral.blocks, deferral.supplied_at) == (
        dt.date(2026, 11, 9),  # 5 working days
        "decision",
        None,
    )
    assert [m.name for m in deferral.materials.all()] == ["近期免冠照片"]
    case = _to_decision(case, reviewer)
    version = case.version
    with pytest.raises(DomainError) as refused:
        case_decide(actor=approver, case=case, approve=True)
    assert refused.value.code == "supplement_owed"
    assert refused.value.message == (
        "容缺材料尚未补齐：近期免冠照片（补齐期限 2026-11-09）。补齐前不能作出准予许可决定。"
    )
    assert (Case.objects.get(pk=case.pk).status, Case.objects.get(pk=case.pk).version) == (
        "in_review",
        version,
    )
    at("2026-11-05 09:00")
    case_material_add(actor=applicant, case=case, seq=2, name="照片.png", data=PNG)
    deferral.refresh_from_db()
    assert deferral.late is False
    assert deferral.supplied_at is not None
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert (last.action, last.payload) == ("supplemented", {"due": "2026-11-09", "late": False})
    case = case_decide(actor=approver, case=Case.objects.get(pk=case.pk), approve=True)
    assert case.status == "approved"
    assert chain_verify().problems == []


def test_a_late_supplement_is_listed_overdue_then_recorded_late(
    at, applicant, clerk, reviewer, approver, flex_code
):
    at("2026-11-02 10:00")
    case = accepted(applicant, clerk, flex_code, photo=D)
    at("2026-11-09 16:00")
    assert list(selectors.overdue_supplements()) == []  # due today: not yet overdue
    at("2026-11-10 09:00")
    overdue = list(selectors.overdue_supplements())
    assert [d.case.case_no for d in overdue] == [case.case_no]
    assert list(selectors.overdue_supplements(department_id=case.department_id + 999)) == []
    case_material_add(actor=applicant, case=case, seq=2, name="照片.png", data=PNG)
    deferral = Deferral.objects.get(case=case)
    assert deferral.late is True
    assert list(selectors.overdue_supplements()) == []
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert last.payload == {"due": "2026-11-09", "late": True}


def test_an_item_may_let_the_decision_go_and_hold_the_delivery(
    at, applicant, clerk, reviewer, approver, flex_code
):
    at("2026-11-02 10:00")
    case = filed(applicant, flex_code, photo=D)
    AcceptancePolicy.objects.create(
        item_id=case.item_version.item_id, supplement_days=3, deferral_blocks="delivery"
    )
    case = case_accept(actor=clerk, case=case)
    assert Deferral.objects.get(case=case).due == dt.date(2026, 11, 5)
    case = _to_decision(case, reviewer)
    case = case_decide(actor=approver, case=case, approve=True)
    case = case_issue(actor=approver, case=case)
    with pytest.raises(DomainError) as refused:
        case_deliver(actor=clerk, case=case, method="electronic")
    assert refused.value.code == "supplement_owed"
    assert "补齐前不能送达办理结果" in refused.value.message
    assert Case.objects.get(pk=case.pk).status == "issued"
    case_material_add(actor=applicant, case=case, seq=2, name="照片.png", data=PNG)
    case = case_deliver(actor=clerk, case=Case.objects.get(pk=case.pk), method="electronic")
    assert case.status == "delivered"


def test_a_material_not_marked_deferrable_is_refused(applicant, flex_code):
    case = case_create(
        actor=applicant,
        item_code=flex_code,
        applicant=applicant.person,
        channel="web",
        answers={},
        form_data={"address": "x"},
    )
    for seq in (3, 4):
        with pytest.raises(ValidationFailed) as refused:
            case_material_add(actor=applicant, case=case, seq=seq, status=D)
        assert refused.value.code == "upload_refused"
        assert "不允许容缺" in refused.value.message
    assert case.materials.count() == 0
    assert Case.objects.get(pk=case.pk).version == case.version


def test_a_case_without_deferred_materials_has_no_deferral(applicant, clerk, flex_code):
    case = accepted(applicant, clerk, flex_code)
    assert not Deferral.objects.filter(case=case).exists()
    assert DeferralBlocks.DECISION == "decision"
