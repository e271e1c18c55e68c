"""告知承诺制: the signed text (exact version, time, channel), the post-check task, a decision at
once, a failed post-check revoking the decision and the e-licence, the bar on later commitments,
and the refusals."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_staff
from tests.licences.factories import LicenceTypeFactory, signing_key
from tongban.cases.models import (
    AcceptancePolicy,
    Case,
    CaseEvent,
    Commitment,
    CommitmentBar,
    MaterialStatus,
    PostCheck,
)
from tongban.cases.services import (
    case_create,
    case_decide,
    case_material_add,
    task_complete,
)
from tongban.cases.services.commitments import post_check_fail, post_check_pass
from tongban.catalog.services import item_save_spec
from tongban.core.errors import DomainError, NotFound, PermissionDenied
from tongban.core.events import chain_verify
from tongban.core.models import Notification
from tongban.core.permissions import Role
from tongban.licences.models import Licence

from .deferral_helpers import accepted, deferral_spec
from .test_licence_issuance import FORM as LICENCE_FORM
from .test_licence_issuance import FORM_FIELDS

pytestmark = pytest.mark.django_db
C = MaterialStatus.COMMITMENT


def _approved(applicant, clerk, reviewer, approver, code, form=None):
    case = accepted(applicant, clerk, code, record=C, form=form)
    case = task_complete(actor=reviewer, case=case, opinion="依承诺办理")
    return case_decide(actor=approver, case=case, approve=True)


def test_a_commitment_is_recorded_with_its_text_and_a_post_check(
    at, applicant, clerk, reviewer, approver, flex_code
):
    at("2026-11-02 10:00")
    case = accepted(applicant, clerk, flex_code, record=C)
    commitment = Commitment.objects.get(case=case)
    assert commitment.text_version == 1
    assert commitment.channel == "web"
    assert commitment.signed_by == applicant
    assert "无犯罪记录证明" in commitment.text
    for part in ("证明义务", "证明内容", "法律责任"):
        assert part in commitment.text
    assert commitment.text_sha256 == hashlib.sha256(commitment.text.encode()).hexdigest()
    assert [m.name for m in commitment.materials.all()] == ["无犯罪记录证明"]
    check = PostCheck.objects.get(case=case)
    assert (check.status, check.due, check.department_id) == (
        "pending",
        dt.date(2026, 11, 30),  # 20 working days
        case.department_id,
    )
    # decided at once: nothing waits for the replaced material
    case = task_complete(actor=reviewer, case=case, opinion="依承诺办理")
    assert case_decide(actor=approver, case=case, approve=True).status == "approved"


def test_the_items_own_text_and_version_are_signed(at, applicant, clerk, flex_code):
    from tongban.catalog.models import ServiceItem

    item = ServiceItem.objects.get(implementation_code=flex_code)
    AcceptancePolicy.objects.create(
        item=item,
        commitment_text="本人承诺无犯罪记录，承诺不实愿承担法律责任。",
        commitment_version=3,
    )
    case = accepted(applicant, clerk, flex_code, record=C)
    commitment = Commitment.objects.get(case=case)
    assert (commitment.text, commitment.text_version) == (
        "本人承诺无犯罪记录，承诺不实愿承担法律责任。",
        3,
    )


def test_a_passed_post_check_closes_it(applicant, clerk, reviewer, approver, flex_code):
    case = _approved(applicant, clerk, reviewer, approver, flex_code)
    check = PostCheck.objects.get(case=case)
    check = post_check_pass(actor=reviewer, check=check, finding="经公安机关核查，无犯罪记录")
    assert (check.status, check.checked_by) == ("passed", reviewer)
    assert Case.objects.get(pk=case.pk).status == "approved"
    with pytest.raises(DomainError) as again:
        post_check_fail(actor=approver, check=PostCheck.objects.get(pk=check.pk), finding="x")
    assert again.value.code == "post_check_done"


@pytest.fixture
def licensed_code(mzj):
    LicenceTypeFactory(code="YXLRYDZ", name="老年人优待证", department=mzj)
    signing_key(mzj)
    version = item_save_spec(
        spec=deferral_spec(
            basic_code="000107001009",
            name="老年人优待证办理（告知承诺）",
            outcome_licence_type="YXLRYDZ",
            form_fields=FORM_FIELDS,
        ),
        publish=True,
    )
    return version.item.implementation_code


def test_a_failed_post_check_revokes_the_decision_and_the_licence_and_bars_commitments(
    at, applicant, clerk, reviewer, approver, licensed_code
):
    at("2026-11-02 10:00")
    case = _approved(applicant, clerk, reviewer, approver, licensed_code, form=LICENCE_FORM)
    licence = Licence.objects.get(case_no=case.case_no)
    assert licence.status == "valid"
    check = PostCheck.objects.get(case=case)
    at("2026-11-20 10:00")
    with pytest.raises(PermissionDenied):  # the revocation is a decision: the approver's
        post_check_fail(actor=reviewer, check=check, finding="有犯罪记录")
    with pytest.raises(DomainError) as empty:
        post_check_fail(actor=approver, check=check, finding="  ")
    assert empty.value.code == "reason_required"
    assert PostCheck.objects.get(pk=check.pk).status == "pending"
    check = post_check_fail(
        actor=approver, check=check, finding="经公安机关核查，申请人有犯罪记录，承诺不实"
    )
    assert check.status == "failed"
    case = Case.objects.get(pk=case.pk)
    assert case.status == "revoked"
    assert case.decision_reason == "经公安机关核查，申请人有犯罪记录，承诺不实"
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert (event.action, event.from_state, event.to_state) == ("revoke", "approved", "revoked")
    licence.refresh_from_db()
    assert licence.status == "revoked"
    bar = CommitmentBar.objects.get(person=applicant.person)
    assert bar.until == dt.date(2027, 11, 20)  # 365 days
    notice = Notification.objects.filter(person=applicant.person).order_by("-pk").first()
    assert notice.title == "审批决定已撤销"
    assert licence.number in notice.body
    assert chain_verify().problems == []

    # The bar: a later commitment is refused until it ends, whatever the item.
    later = case_create(
        actor=applicant,
        item_code=licensed_code,
        applicant=applicant.person,
        channel="web",
        answers={},
        form_data=LICENCE_FORM,
    )
    with pytest.raises(DomainError) as barred:
        case_material_add(actor=applicant, case=later, seq=3, status=C)
    assert barred.value.code == "commitment_barred"
    assert barred.value.message == (
        "申请人有虚假承诺记录，2027-11-20 前不能选择告知承诺，请提交材料原件。"
    )
    assert later.materials.count() == 0
    at("2027-11-21 10:00")
    case_material_add(actor=applicant, case=later, seq=3, status=C)
    assert later.materials.filter(status=C).count() == 1


def test_post_check_refusals(applicant, clerk, reviewer, approver, flex_code, mzj):
    case = accepted(applicant, clerk, flex_code, record=C)
    check = PostCheck.objects.get(case=case)
    with pytest.raises(DomainError) as early:  # before the decision
        post_check_fail(actor=approver, check=check, finding="承诺不实")
    assert early.value.code == "transition_not_allowed"
    outsider = make_staff(Role.APPROVER, username="outsider")
    with pytest.raises(PermissionDenied):
        post_check_fail(actor=outsider, check=check, finding="承诺不实")
    from tongban.cases.services.commitments import get_post_check_for_user

    with pytest.raises(NotFound):
        get_post_check_for_user(user=outsider, pk=check.pk)
    assert get_post_check_for_user(user=approver, pk=check.pk) == check
    assert PostCheck.objects.get(pk=check.pk).status == "pending"
    assert Case.objects.get(pk=case.pk).status == "in_review"


def test_a_commitment_for_a_material_that_does_not_allow_it_is_refused(applicant, flex_code):
    case = case_create(
        actor=applicant,
        item_code=flex_code,
        applicant=applicant.person,
        channel="web",
        answers={},
        form_data={"address": "x"},
    )
    for seq in (2, 4):
        with pytest.raises(DomainError) as refused:
            case_material_add(actor=applicant, case=case, seq=seq, status=C)
        assert "不能以告知承诺替代" in refused.value.message
    assert case.materials.count() == 0


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_post_check_pages(applicant, clerk, reviewer, approver, flex_code):
    case = accepted(applicant, clerk, flex_code, record=MaterialStatus.COMMITMENT)
    check = PostCheck.objects.get(case=case)
    listing = _client(reviewer).get(reverse("cases-console:post-checks"))
    assert listing.status_code == 200
    assert case.case_no in listing.content.decode()
    page = _client(approver).get(reverse("cases-console:post-check", args=[check.pk]))
    assert page.status_code == 200
    assert "告知承诺书" in page.content.decode()
    outsider = make_staff(Role.APPROVER, username="outsider")
    assert (
        _client(outsider).get(reverse("cases-console:post-check", args=[check.pk])).status_code
        == 404
    )
    assert _client(clerk).get(reverse("cases-console:post-checks")).status_code == 403
    early = _client(approver).post(
        reverse("cases-console:post-check", args=[check.pk]),
        {"outcome": "fail", "finding": "承诺不实", "version": check.version},
    )
    assert early.status_code == 409
    assert "不能“撤销审批决定”" in early.content.decode()
    empty = _client(approver).post(
        reverse("cases-console:post-check", args=[check.pk]), {"version": check.version}
    )
    assert empty.status_code == 400
    assert PostCheck.objects.get(pk=check.pk).status == "pending"
    assert Case.objects.get(pk=case.pk).status == "in_review"
