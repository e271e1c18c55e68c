"""Personal data at rest: encryption, blind index, look-ups, the reveal and its access log."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from tests.factories import EnterpriseFactory, PersonFactory, make_id_number
from tongban.core import crypto
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import EventChainHead, Person, PersonalDataAccess
from tongban.core.permissions import Role
from tongban.core.personal_data import (
    access_log,
    access_log_verify,
    person_by_id_number,
    person_lookup_q,
    personal_data_reveal,
)

pytestmark = pytest.mark.django_db

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


# --- crypto ---------------------------------------------------------------------------------


def test_round_trip_and_format():
    stored = crypto.encrypt("33010619850620001X")
    version, key_id, body = stored.split(":", 2)
    assert (version, key_id) == ("v1", "dev1")
    assert len(base64.b64decode(body)) == 12 + 18 + 16
    assert crypto.decrypt(stored) == "33010619850620001X"
    assert crypto.encrypt("x") != crypto.encrypt("x")  # a fresh nonce every time


def test_tampered_value_and_unknown_key_refuse_to_decrypt(settings):
    stored = crypto.encrypt("13912345678")
    body = bytearray(base64.b64decode(stored.split(":", 2)[2]))
    body[-1] ^= 1
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt("v1:dev1:" + base64.b64encode(bytes(body)).decode())
    # the key id is bound to the ciphertext: relabelling a value fails too
    settings.TONGBAN_DATA_KEYS = f"a:{KEY_A},dev1:{crypto.DEV_DATA_KEYS.split(':', 1)[1]}"
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(stored.replace("v1:dev1:", "v1:a:"))
    settings.TONGBAN_DATA_KEYS = f"a:{KEY_A}"
    with pytest.raises(crypto.CryptoError, match="no key with id dev1"):
        crypto.decrypt(stored)


@pytest.mark.parametrize(
    "text",
    ["a:short", "bad id!:" + KEY_A, f"a:{KEY_A},a:{KEY_B}", "a:not base64!"],
)
def test_malformed_keys_are_refused(text):
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_data_keys(text)


def test_production_refuses_to_start_without_keys():
    production = "tongban.config.settings.production"
    cases = [
        ("", "", "must be set in production"),
        (crypto.DEV_DATA_KEYS, crypto.DEV_BLIND_INDEX_KEY, "development data keys"),
        (f"prod1:{KEY_A}", KEY_B, None),
    ]
    for data, index, error in cases:
        with override_settings(
            SETTINGS_MODULE=production, TONGBAN_DATA_KEYS=data, TONGBAN_BLIND_INDEX_KEY=index
        ):
            if error:
                with pytest.raises(ImproperlyConfigured, match=error):
                    crypto.check_configuration()
            else:
                crypto.check_configuration()
                assert crypto.key_ring().current == "prod1"


def test_blind_index_normalises_and_separates_kinds():
    assert crypto.blind_index("id_number", "33010619850620001x") == crypto.blind_index(
        "id_number", " 330106 19850620001X "
    )
    assert crypto.blind_index("phone", "+86 139-1234-5678") == crypto.blind_index(
        "phone", "13912345678"
    )
    assert crypto.blind_index("phone", "13912345678") != crypto.blind_index(
        "id_number", "13912345678"
    )
    assert crypto.blind_index("phone", "") == ""
    assert len(crypto.blind_index("phone", "13912345678")) == 64


# --- fields and look-ups --------------------------------------------------------------------


def test_person_is_stored_encrypted_and_read_back_plain():
    number = make_id_number(7)
    person = PersonFactory(id_number=number, phone="13900000007")
    stored = raw("core_person", "id_number", person.pk)
    assert stored.startswith("v1:dev1:") and number not in stored
    assert raw("core_person", "id_number_index", person.pk) == crypto.blind_index(
        "id_number", number
    )
    assert "13900000007" not in raw("core_person", "phone", person.pk)
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.phone) == (number, "13900000007")


def test_exact_lookups_use_the_blind_index():
    number = make_id_number(8)
    person = PersonFactory(id_number=number, phone="13900000008")
    PersonFactory()
    assert list(Person.objects.filter(id_number=number)) == [person]
    assert list(Person.objects.filter(id_number=number.lower())) == [person]
    assert list(Person.objects.filter(id_number__iexact=number)) == [person]
    assert list(Person.objects.filter(id_number__in=[number, "x"])) == [person]
    assert list(Person.objects.filter(phone="139 0000 0008")) == [person]
    assert Person.objects.filter(id_number__in=[]).count() == 0
    assert list(Person.objects.filter(person_lookup_q(id_number=number))) == [person]
    assert person_by_id_number(number) == person
    assert person_by_id_number("") is None
    assert Person.objects.exclude(id_number=number).count() == 1
    # through a relation
    enterprise = EnterpriseFactory(legal_representative=person, phone="0571-87654321")
    assert enterprise.__class__.objects.filter(legal_representative__id_number=number).get() == (
        enterprise
    )
    assert enterprise.__class__.objects.filter(phone="057187654321").get() == enterprise


@pytest.mark.parametrize("lookup", ["contains", "icontains", "startswith", "endswith", "gt"])
def test_partial_lookups_are_refused(lookup):
    with pytest.raises(FieldError, match="cannot search encrypted personal data"):
        Person.objects.filter(**{f"phone__{lookup}": "5678"}).count()


def test_id_number_stays_unique():
    number = make_id_number(9)
    PersonFactory(id_number=number)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(id_number=number.replace("X", "x"))
    assert Person.objects.filter(id_number=number).count() == 1


def test_update_fields_and_blank_values_keep_the_index_in_step():
    person = PersonFactory(phone="13900000010")
    person.phone = "13900000011"
    person.save(update_fields=["phone", "phone_index"])
    assert Person.objects.get(phone="13900000011") == person
    person.phone = ""
    person.save()
    assert raw("core_person", "phone", person.pk) == ""
    assert raw("core_person", "phone_index", person.pk) == ""


def test_other_models_are_encrypted_too():
    from django.utils import timezone

    from tongban.hotline.models import MissedCall

    call = MissedCall.objects.create(phone="13812345678", called_at=timezone.now())
    assert "13812345678" not in raw("hotline_missedcall", "phone", call.pk)
    assert MissedCall.objects.filter(phone="138-1234-5678").get() == call


# --- reveal and the access log --------------------------------------------------------------


@pytest.fixture
def subject_person():
    return PersonFactory(name="王芳", id_number=make_id_number(21), phone="13900000021")


def test_reveal_records_who_whose_why_when(clerk, subject_person):
    _subject, values = personal_data_reveal(
        actor=clerk,
        kind="person",
        ref=str(subject_person.pk),
        fields=["id_number", "phone"],
        purpose="identity_check",
        reason="窗口核验 330199-20261122-00001",
        ip="10.0.0.8",
    )
    assert values == {"id_number": make_id_number(21), "phone": "13900000021"}
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.person, row.subject_kind, row.subject_ref) == (
        clerk,
        subject_person,
        "person",
        str(subject_person.pk),
    )
    assert row.fields == ["id_number", "phone"]
    assert row.purpose == "identity_check"
    assert row.ip == "10.0.0.8"
    assert row.subject_label == "王*（3301**********" + make_id_number(21)[-4:] + "）"
    assert row.prev_hash == "0" * 64
    assert access_log_verify() == []


def test_reveal_refusals_change_nothing(staff_factory, clerk, subject_person):
    operator = staff_factory(Role.HOTLINE_OPERATOR, username="op")
    with pytest.raises(PermissionDenied):
        personal_data_reveal(
            actor=operator,
            kind="person",
            ref=str(subject_person.pk),
            fields=["phone"],
            purpose="contact",
            reason="回访工单",
        )
    with pytest.raises(NotFound):
        personal_data_reveal(
            actor=clerk,
            kind="person",
            ref="999999",
            fields=["phone"],
            purpose="contact",
            reason="回访工单",
        )
    for kwargs, field in (
        ({"reason": "短"}, "reason"),
        ({"purpose": "curiosity"}, "purpose"),
        ({"fields": ["address"]}, "fields"),
    ):
        args = dict(fields=["phone"], purpose="contact", reason="回访工单 12345") | kwargs
        with pytest.raises(ValidationFailed) as exc:
            personal_data_reveal(actor=clerk, kind="person", ref=str(subject_person.pk), **args)
        assert exc.value.field == field
    assert PersonalDataAccess.objects.count() == 0


def test_access_log_is_hash_chained_and_detects_edits(clerk, subject_person):
    for n in range(3):
        personal_data_reveal(
            actor=clerk,
            kind="person",
            ref=str(subject_person.pk),
            fields=["phone"],
            purpose="contact",
            reason=f"回访第 {n + 1} 次",
        )
    rows = list(PersonalDataAccess.objects.order_by("at", "id"))
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:2]]
    assert EventChainHead.objects.get(table="core.personaldataaccess").hash == rows[-1].hash
    assert access_log_verify() == []
    PersonalDataAccess.objects.filter(pk=rows[1].pk).update(reason="改过")
    assert access_log_verify() == [f"#{rows[1].pk}: content does not match its hash"]
    PersonalDataAccess.objects.filter(pk=rows[2].pk).delete()
    assert "the newest access record is missing" in access_log_verify()


def test_retention_purge_of_oldest_rows_keeps_the_chain_valid(clerk, subject_person):
    for n in range(3):
        personal_data_reveal(
            actor=clerk,
            kind="person",
            ref=str(subject_person.pk),
            fields=["phone"],
            purpose="contact",
            reason=f"回访第 {n + 1} 次",
        )
    oldest = PersonalDataAccess.objects.order_by("at", "id").first()
    PersonalDataAccess.objects.filter(pk=oldest.pk).delete()
    assert access_log_verify() == []


def test_reveal_page_masks_until_a_reason_is_given(client, clerk, subject_person):
    client.force_login(clerk)
    url = f"/console/personal-data/reveal/person/{subject_person.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "139****0021" in html and "13900000021" not in html
    assert "no-store" in page["Cache-Control"]
    bad = client.post(url, {"fields": ["phone"], "purpose": "contact", "reason": ""})
    assert bad.status_code == 422
    assert "13900000021" not in bad.content.decode()
    assert PersonalDataAccess.objects.count() == 0
    ok = client.post(url, {"fields": ["phone"], "purpose": "contact", "reason": "回访工单 X1"})
    assert ok.status_code == 200
    html = ok.content.decode()
    assert "13900000021" in html and make_id_number(21) not in html
    assert PersonalDataAccess.objects.get().fields == ["phone"]


def test_reveal_page_is_not_found_for_staff_without_the_permission(
    client, staff_factory, subject_person
):
    client.force_login(staff_factory(Role.SUPERVISOR, username="sup"))
    url = f"/console/personal-data/reveal/person/{subject_person.pk}/"
    assert client.get(url).status_code == 404
    response = client.post(url, {"fields": ["phone"], "purpose": "contact", "reason": "看看号码"})
    assert response.status_code == 404
    assert PersonalDataAccess.objects.count() == 0


def test_access_log_page_filters_and_exports(client, clerk, supervisor, subject_person):
    other = PersonFactory(id_number=make_id_number(22))
    for person in (subject_person, other):
        personal_data_reveal(
            actor=clerk,
            kind="person",
            ref=str(person.pk),
            fields=["id_number"],
            purpose="case_handling",
            reason="审查办件 330199-20261122-00002",
            ip="10.0.0.9",
        )
    assert access_log(person_id_number=make_id_number(22)).get().person == other
    assert access_log(actor="nobody").count() == 0
    client.force_login(supervisor)
    page = client.get("/console/personal-data/access-log/", {"id_number": make_id_number(21)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "审查办件 330199-20261122-00002" in html
    assert page.context["page"].paginator.count == 1
    bad = client.get(
        "/console/personal-data/access-log/", {"date_from": "2026-11-22", "date_to": "2026-11-01"}
    )
    assert bad.status_code == 422
    export = client.get("/console/personal-data/access-log/export.csv", {"actor": "clerk"})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode()
    lines = text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("时间,工作人员账号")
    assert len(lines) == 3
    assert make_id_number(21) not in text and make_id_number(22) not in text


def test_access_log_is_for_supervisors_only(client, clerk):
    client.force_login(clerk)
    assert client.get("/console/personal-data/access-log/").status_code == 403
    assert client.get("/console/personal-data/access-log/export.csv").status_code == 403
