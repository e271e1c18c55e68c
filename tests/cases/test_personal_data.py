"""Personal data of cases: the application form's ID numbers and phones encrypted at rest
(Case.form_data, BundleCase.form_data), plain through the services; masked on the staff case
page and in the staff API; 「查看完整信息」 reveals them with exactly one access-log row; key
rotation and the data migration cover the form."""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from tests.catalog.specs import spec
from tests.factories import DepartmentFactory, make_id_number, make_staff
from tongban.cases import application_form
from tongban.cases.models import Case, CaseEvent, MaterialStatus
from tongban.cases.services import case_create, case_form_save, case_material_add, case_submit
from tongban.catalog.services import item_save_spec
from tongban.core.crypto import DEV_DATA_KEYS, key_id_of
from tongban.core.errors import NotFound
from tongban.core.models import PersonalDataAccess
from tongban.core.permissions import Role
from tongban.core.personal_data import personal_data_reveal
from tongban.core.personal_data_json import open_values, seal_values
from tongban.core.personal_data_keys import keys_rotate, keys_status
from tongban.core.services import api_token_create

from .conftest import PNG

pytestmark = pytest.mark.django_db

SPOUSE_ID = make_id_number(77)
SPOUSE_ID_MASKED = SPOUSE_ID[:4] + "*" * 10 + SPOUSE_ID[-4:]
PHONE = "13712345678"
OFFICE = "0571-87654321"
FORM_FIELDS = [
    {"code": "phone", "label": "联系电话", "type": "phone"},
    {"code": "spouse_id", "label": "配偶身份证号", "type": "id_number", "required": False},
    {"code": "office", "label": "单位电话", "type": "phone", "required": False},
    {"code": "address", "label": "联系地址", "type": "text"},
]
FORM = {"phone": PHONE, "spouse_id": SPOUSE_ID, "office": OFFICE, "address": "学府路 18 号"}
KEY_A = "a:" + base64.b64encode(b"a" * 32).decode()
KEY_B = "b:" + base64.b64encode(b"b" * 32).decode()


@pytest.fixture
def form_code(mzj):
    version = item_save_spec(spec=spec("mzj", form_fields=FORM_FIELDS), publish=True)
    return version.item.implementation_code


@pytest.fixture
def case(applicant, form_code):
    draft = case_create(
        actor=applicant,
        item_code=form_code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
        form_data=FORM,
    )
    case_material_add(actor=applicant, case=draft, seq=1, status=MaterialStatus.LICENCE)
    case_material_add(actor=applicant, case=draft, seq=2, name="照片.png", data=PNG)
    return case_submit(actor=applicant, case=draft)


def raw_form(case) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT form_data FROM cases_case WHERE id = %s", [case.pk])
        value = cursor.fetchone()[0]
    return json.loads(value) if isinstance(value, str) else value


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- at rest ----------------------------------------------------------------------------------


def test_form_values_are_ciphertext_in_the_database_and_plain_through_the_service(case):
    stored = raw_form(case)
    assert stored["address"] == "学府路 18 号"
    for code in ("phone", "spouse_id", "office"):
        assert stored[code].startswith("v1:dev1:"), code
    assert PHONE not in json.dumps(stored) and SPOUSE_ID not in json.dumps(stored)
    assert Case.objects.get(pk=case.pk).form_data == FORM
    # the selectors' readers and JSON key look-ups still see plain values
    assert Case.objects.filter(pk=case.pk).values_list("form_data__phone", flat=True)[0] == PHONE
    assert Case.objects.filter(pk=case.pk, form_data__address="学府路 18 号").exists()


def test_a_form_save_keeps_values_sealed_and_its_event_names_fields_only(applicant, form_code):
    case = case_create(
        actor=applicant,
        item_code=form_code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
        form_data=FORM,
    )
    case_form_save(actor=applicant, case=case, values={"office": "0571-86001234"})
    assert raw_form(case)["office"].startswith("v1:dev1:")
    assert Case.objects.get(pk=case.pk).form_data["office"] == "0571-86001234"
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event.payload == {"fields": ["office"]}
    for e in CaseEvent.objects.filter(case=case):
        assert PHONE not in json.dumps(e.payload) and SPOUSE_ID not in json.dumps(e.payload)


def test_every_write_path_seals_numbers_found_by_their_look(case):
    # QuerySet.update() knows no form spec: numbers are recognised by their shape
    Case.objects.filter(pk=case.pk).update(
        form_data={"note": "普通文字", "mobile": "13600001111", "fake": "v1:dev1:AAAA"}
    )
    stored = raw_form(case)
    assert stored["note"] == "普通文字"
    assert stored["mobile"].startswith("v1:dev1:")
    assert stored["fake"].startswith("v1:dev1:") and stored["fake"] != "v1:dev1:AAAA"
    assert Case.objects.get(pk=case.pk).form_data == {
        "note": "普通文字",
        "mobile": "13600001111",
        "fake": "v1:dev1:AAAA",
    }


def test_seal_and_open_are_inverse_and_keep_sealed_values():
    sealed = seal_values(FORM, {"phone", "spouse_id"})
    assert sealed["address"] == FORM["address"]
    assert seal_values(sealed, {"phone"}) == sealed  # already sealed: kept as it is
    assert open_values(sealed) == FORM
    assert application_form.personal_data_codes(FORM_FIELDS) == {
        "phone",
        "spouse_id",
        "office",
        "id_number",
    }


def test_rotation_re_encrypts_the_form(settings, case):
    settings.TONGBAN_DATA_KEYS = f"{KEY_A},{DEV_DATA_KEYS}"
    Case.objects.filter(pk=case.pk).update(form_data=FORM)  # sealed under a
    assert keys_status()["cases.Case.form_data"] == {"a": 3}
    settings.TONGBAN_DATA_KEYS = f"{KEY_B},{KEY_A},{DEV_DATA_KEYS}"
    result = keys_rotate(batch=1)
    assert result["cases.Case.form_data"] == 1
    assert keys_status()["cases.Case.form_data"] == {"b": 3}
    stored = raw_form(case)
    assert {key_id_of(stored[c]) for c in ("phone", "spouse_id", "office")} == {"b"}
    settings.TONGBAN_DATA_KEYS = KEY_B  # the old key dropped: the form still reads
    assert Case.objects.get(pk=case.pk).form_data == FORM
    assert keys_rotate()["cases.Case.form_data"] == 0


def test_keys_status_command_lists_the_form_column(case):
    out = io.StringIO()
    call_command("keys", "status", stdout=out)
    assert "cases.Case.form_data: dev1=3" in out.getvalue()
    assert "cases.BundleCase.form_data: empty" in out.getvalue()


# --- pages and API: masked by default --------------------------------------------------------


def test_the_staff_case_page_masks_every_number_even_for_a_full_view_holder(clerk, case):
    html = client_for(clerk).get(f"/console/cases/{case.case_no}/").content.decode()
    person = case.applicant
    assert person.id_number[:4] + "*" * 10 + person.id_number[-4:] in html
    assert SPOUSE_ID_MASKED in html
    assert "137****5678" in html and "0571-****4321" in html
    for full in (person.id_number, person.phone, SPOUSE_ID, PHONE, OFFICE):
        assert full not in html
    assert f"/console/personal-data/reveal/case/{case.case_no}/?next=" in html
    assert "查看完整信息" in html
    assert PersonalDataAccess.objects.count() == 0


def test_reveal_of_a_case_writes_exactly_one_access_row(clerk, case):
    client = client_for(clerk)
    url = f"/console/personal-data/reveal/case/{case.case_no}/"
    page = client.get(url).content.decode()
    assert "申请表：配偶身份证号" in page and SPOUSE_ID_MASKED in page and SPOUSE_ID not in page
    response = client.post(
        url,
        {
            "fields": ["form:spouse_id"],
            "purpose": "case_handling",
            "reason": f"审查 {case.case_no}",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert SPOUSE_ID in html and PHONE not in html
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.subject_kind, row.subject_ref, row.fields, row.purpose) == (
        clerk,
        "case",
        case.case_no,
        ["form:spouse_id"],
        "case_handling",
    )
    assert row.person == case.applicant
    assert row.field_labels() == ["申请表：spouse_id"]


def test_a_case_of_another_department_cannot_be_revealed(case):
    other = DepartmentFactory(code="zjj", name="云溪区住建局")
    outsider = make_staff(Role.REVIEWER, department=other, username="outsider")
    with pytest.raises(NotFound):
        personal_data_reveal(
            actor=outsider,
            kind="case",
            ref=case.case_no,
            fields=["phone"],
            purpose="case_handling",
            reason="审查办件材料",
        )
    assert PersonalDataAccess.objects.count() == 0


def test_the_staff_api_masks_the_applicant_and_the_form(clerk, applicant, case):
    _token, plain = api_token_create(user=clerk, name="t")
    staff = Client().get(
        f"/api/v1/cases/{case.case_no}", headers={"Authorization": f"Bearer {plain}"}
    )
    assert staff.status_code == 200
    body = staff.json()
    person = case.applicant
    assert body["applicant"]["id_number"] == (
        person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    )
    assert body["applicant"]["phone"] == person.phone[:3] + "****" + person.phone[-4:]
    assert body["form_data"] == {
        "phone": "137****5678",
        "spouse_id": SPOUSE_ID_MASKED,
        "office": "0571-****4321",
        "address": "学府路 18 号",
    }
    # the applicant sees their own form as they gave it (not an access to log)
    _token, own = api_token_create(user=applicant, name="t")
    mine = Client().get(f"/api/v1/cases/{case.case_no}", headers={"Authorization": f"Bearer {own}"})
    assert mine.json()["form_data"] == FORM
    assert PersonalDataAccess.objects.count() == 0


def test_no_full_number_on_the_case_page_without_a_log_row(clerk, case):
    """An identity.view_full holder gets the full value only through the reveal flow."""
    html = client_for(clerk).get(f"/console/cases/{case.case_no}/").content.decode()
    numbers = set(re.findall(r"\d{11,18}X?", html))
    assert not numbers & {SPOUSE_ID, PHONE, case.applicant.id_number, case.applicant.phone}


# --- the data migration -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_seals_a_case_made_before_it_and_reverses(applicant, form_code):
    case = case_create(
        actor=applicant,
        item_code=form_code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
        form_data=FORM,
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0012_partitioning")])
    assert raw_form(case) == FORM  # backward: the plain form of a case made before 0013
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0013_form_data_encryption")])
    stored = raw_form(case)
    assert stored["address"] == "学府路 18 号"
    assert all(stored[c].startswith("v1:dev1:") for c in ("phone", "spouse_id", "office"))
    assert Case.objects.get(pk=case.pk).form_data == FORM
