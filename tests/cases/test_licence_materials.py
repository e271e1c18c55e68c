"""免证办: a material that a licence type of the platform replaces is attached from the
applicant's valid licence (consent recorded, read logged); expired and revoked licences never
are; a licence revoked after attachment shows as such and stops the submission."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.licences.factories import LicenceTypeFactory, issue, signing_key
from tongban.cases.models import CaseEvent, CaseMaterial
from tongban.cases.services import (
    case_create,
    case_material_add,
    case_material_remove,
    case_submit,
)
from tongban.cases.services.licensing import attached_licences
from tongban.core.errors import DomainError, ValidationFailed
from tongban.licences.models import AccessChannel, Authorisation, GranteeKind, LicenceAccess
from tongban.licences.services import licence_revoke

from .conftest import PNG

pytestmark = pytest.mark.django_db

FORM = {"address": "云溪区学府路 18 号"}


@pytest.fixture
def id_card_type(db):
    """The item's material 1 (居民身份证, licence type SFZ) becomes a type the platform issues."""
    lt = LicenceTypeFactory(code="SFZ", name="居民身份证")
    signing_key(lt.department)
    return lt


def _create(applicant, code):
    return case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
        form_data=FORM,
    )


def test_a_valid_licence_is_attached_when_the_application_starts(
    applicant, code, id_card_type, mzj
):
    licence = issue(id_card_type, holder=applicant.person)
    case = _create(applicant, code)
    row = CaseMaterial.objects.get(case=case)
    assert (row.material.seq, row.status, row.licence_identifier) == (
        1,
        "licence",
        licence.identifier,
    )
    assert row.note == f"从电子证照库调取：{licence.number}"
    consent = Authorisation.objects.get(licence=licence)
    assert consent.grantee_kind == GranteeKind.DEPARTMENT
    assert consent.grantee_department == mzj
    assert consent.case_no == case.case_no
    assert consent.purpose == (
        f"办理“老年人优待证办理”（{case.case_no}）：作为申请材料“居民身份证”（免证办）"
    )
    assert consent.scope == ["face", "material"]
    assert consent.created_by == applicant
    access = LicenceAccess.objects.get(licence=licence)
    assert (access.channel, access.accessor_label, access.case_no, access.authorisation) == (
        AccessChannel.MATERIAL,
        mzj.name,
        case.case_no,
        consent,
    )
    event = CaseEvent.objects.get(case=case, action="material_added")
    assert event.payload == {
        "seq": 1,
        "status": "licence",
        "sha256": "",
        "licence": licence.identifier,
        "automatic": True,
    }
    # the upload step is skipped: with the photo the application is complete
    case_material_add(actor=applicant, case=case, seq=2, name="照片.png", data=PNG)
    assert case_submit(actor=applicant, case=case).status == "submitted"


def test_an_expired_licence_is_never_attached(applicant, code, id_card_type):
    issue(
        id_card_type,
        holder=applicant.person,
        issued_on=dt.date(2015, 1, 5),
        valid_until=dt.date(2025, 1, 5),
    )
    case = _create(applicant, code)
    assert not CaseMaterial.objects.filter(case=case).exists()
    with pytest.raises(ValidationFailed) as caught:
        case_material_add(actor=applicant, case=case, seq=1, status="licence")
    assert caught.value.message == (
        "电子证照库中没有您有效的“居民身份证”（已过期、已注销的证照不能使用），请上传“居民身份证”。"
    )
    assert not CaseMaterial.objects.filter(case=case).exists()
    assert not Authorisation.objects.exists()
    assert not LicenceAccess.objects.exists()


def test_a_revoked_licence_is_never_attached(applicant, code, id_card_type):
    licence = issue(id_card_type, holder=applicant.person)
    licence_revoke(licence=licence, reason="证件遗失", actor_label="测试")
    case = _create(applicant, code)
    assert not CaseMaterial.objects.filter(case=case).exists()
    with pytest.raises(ValidationFailed):
        case_material_add(actor=applicant, case=case, seq=1, status="licence")
    assert not Authorisation.objects.exists()


def test_someone_elses_licence_is_not_attached(applicant, other_applicant, code, id_card_type):
    issue(id_card_type, holder=other_applicant.person)
    case = _create(applicant, code)
    assert not CaseMaterial.objects.filter(case=case).exists()


def test_choosing_the_licence_attaches_it(applicant, code, id_card_type):
    """A licence issued after the draft was started: the applicant picks 使用电子证照."""
    case = _create(applicant, code)
    licence = issue(id_card_type, holder=applicant.person)
    row = case_material_add(actor=applicant, case=case, seq=1, status="licence")
    assert row.licence_identifier == licence.identifier
    assert Authorisation.objects.filter(licence=licence, case_no=case.case_no).count() == 1
    assert LicenceAccess.objects.filter(licence=licence).count() == 1


def test_removing_the_licence_withdraws_the_consent(applicant, code, id_card_type):
    licence = issue(id_card_type, holder=applicant.person)
    case = _create(applicant, code)
    row = CaseMaterial.objects.get(case=case)
    case_material_remove(actor=applicant, case=case, material_id=row.pk)
    consent = Authorisation.objects.get(licence=licence)
    assert consent.revoked_at is not None


def test_a_licence_revoked_after_attachment_shows_and_stops_submission(
    applicant, code, id_card_type
):
    licence = issue(id_card_type, holder=applicant.person)
    case = _create(applicant, code)
    case_material_add(actor=applicant, case=case, seq=2, name="照片.png", data=PNG)
    licence_revoke(licence=licence, reason="证件遗失", actor_label="测试")
    rows = list(CaseMaterial.objects.filter(case=case))
    states = attached_licences(rows)
    attached = next(r for r in rows if r.licence_identifier)
    assert states[attached.pk][1] == "revoked"
    with pytest.raises(DomainError) as caught:
        case_submit(actor=applicant, case=case)
    assert caught.value.message == (
        "所用的电子证照已失效（已过期、已注销或已换发）：居民身份证。请撤销该选择后上传材料。"
    )
    case.refresh_from_db()
    assert case.status == "draft"


def test_a_declared_licence_of_a_type_the_platform_does_not_issue_stands(applicant, code):
    """No platform type SFZ: the applicant's choice of e-licence is recorded as before."""
    case = _create(applicant, code)
    row = case_material_add(actor=applicant, case=case, seq=1, status="licence")
    assert (row.status, row.licence_identifier) == ("licence", "")
    assert not Authorisation.objects.exists()


def _page_text(user, url: str) -> str:
    import re
    from html import unescape

    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(url)
    assert response.status_code == 200
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", main).split()))


def test_the_reviewer_sees_the_attached_licence_and_its_state_today(
    applicant, clerk, reviewer, code, id_card_type
):
    from tongban.cases.services import case_accept

    licence = issue(id_card_type, holder=applicant.person)
    case = _create(applicant, code)
    case_material_add(actor=applicant, case=case, seq=2, name="照片.png", data=PNG)
    case = case_accept(actor=clerk, case=case_submit(actor=applicant, case=case))
    url = f"/console/cases/{case.case_no}/"
    text = _page_text(reviewer, url)
    assert f"从电子证照库调取： {licence.identifier} 有效" in text
    licence_revoke(licence=licence, reason="证件遗失", actor_label="测试")
    text = _page_text(reviewer, url)
    assert f"从电子证照库调取： {licence.identifier} 已注销" in text
