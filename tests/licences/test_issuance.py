"""licence_issue / licence_reissue / licence_revoke through the services."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from stdnum.iso7064 import mod_37_36

from tests.factories import EnterpriseFactory, PersonFactory
from tests.licences.factories import LicenceTypeFactory, issue, sample_data, signing_key
from tongban.core.errors import DomainError, ValidationFailed
from tongban.core.models import AuditEvent
from tongban.licences import canonical, crypto
from tongban.licences.errors import LicenceErrorCode
from tongban.licences.models import (
    HolderKind,
    Licence,
    LicenceEvent,
    LicenceStatus,
    ValidityKind,
)
from tongban.licences.selectors import licence_state, valid_licence_of
from tongban.licences.services import licence_issue, licence_reissue, licence_revoke

pytestmark = pytest.mark.django_db


def test_issue_builds_identifier_payload_signature_and_event():
    licence_type = LicenceTypeFactory(code="LNYHZ", number_prefix="YH")
    person = PersonFactory(name="王大爷")
    licence = issue(licence_type, holder=person, case_no="C2026000001")
    credit = licence_type.department.credit_code
    check = mod_37_36.calc_check_digit(f"LNYHZ{credit}2026000001001")
    assert licence.identifier == f"1.2.156.3005.2.LNYHZ.{credit}.2026000001.001.{check}"
    assert licence.number == "YH2026000001"
    assert licence.serial == "2026000001"
    assert licence.version == 1
    assert licence.holder_name == "王大爷" and licence.holder_id_no == person.id_number
    assert licence.valid_from == dt.date(2026, 3, 2)
    assert licence.valid_until == dt.date(2031, 3, 1)
    payload = canonical.parse_payload(bytes(licence.payload))
    assert payload["identifier"] == licence.identifier
    assert payload["holder"] == {"kind": "person", "name": "王大爷", "id_no": person.id_number}
    assert payload["data"] == {
        "address": "住址示例",
        "birth_date": "1950-03-01",
        "category": "60-79周岁",
    }
    assert payload["case_no"] == "C2026000001"
    assert payload["key_id"] == licence.key.key_id
    public = crypto.PublicKey.from_hex(licence.key.public_key)
    assert crypto.verify(bytes(licence.payload), bytes(licence.signature), public)
    assert len(licence.check_value) == 8
    events = list(LicenceEvent.objects.filter(licence=licence).values_list("action", "seq"))
    assert events == [("issued", 1)]


def test_serials_count_up_per_type_issuer_and_year():
    licence_type = LicenceTypeFactory()
    first = issue(licence_type)
    second = issue(licence_type)
    third = issue(licence_type, issued_on=dt.date(2027, 1, 4))
    assert [first.serial, second.serial, third.serial] == ["2026000001", "2026000002", "2027000001"]


def test_validity_rules():
    years = LicenceTypeFactory(validity_kind=ValidityKind.YEARS, validity_years=3)
    until = LicenceTypeFactory(validity_kind=ValidityKind.UNTIL, valid_until=dt.date(2028, 12, 31))
    permanent = LicenceTypeFactory(validity_kind=ValidityKind.PERMANENT)
    assert issue(years, issued_on=dt.date(2024, 2, 29)).valid_until == dt.date(2027, 2, 27)
    assert issue(until).valid_until == dt.date(2028, 12, 31)
    assert issue(permanent).valid_until is None


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"birth_date": "1950-03-01"}, "category", LicenceErrorCode.INVALID_DATA),
        (
            {"category": "百岁", "birth_date": "1950-03-01"},
            "category",
            LicenceErrorCode.INVALID_DATA,
        ),
        (
            {"category": "60-79周岁", "birth_date": "1950-02-30"},
            "birth_date",
            LicenceErrorCode.INVALID_DATA,
        ),
        (
            {"category": "60-79周岁", "birth_date": "1950-03-01", "colour": "red"},
            "colour",
            LicenceErrorCode.INVALID_DATA,
        ),
        (
            {"category": "60-79周岁", "birth_date": "1950-03-01", "address": "长" * 201},
            "address",
            LicenceErrorCode.INVALID_DATA,
        ),
        ("not a dict", "data", LicenceErrorCode.INVALID_DATA),
    ],
)
def test_bad_data_is_refused_with_the_field_and_nothing_is_written(data, field, code):
    licence_type = LicenceTypeFactory()
    signing_key(licence_type.department)
    with pytest.raises(ValidationFailed) as info:
        licence_issue(licence_type=licence_type, person=PersonFactory(), data=data)
    assert info.value.field == field and info.value.code == code
    assert Licence.objects.count() == 0 and LicenceEvent.objects.count() == 0


def test_number_field_must_be_a_number():
    licence_type = LicenceTypeFactory(holder_kind=HolderKind.ENTERPRISE)
    data = sample_data(licence_type) | {"staff": "十二"}
    with pytest.raises(ValidationFailed) as info:
        issue(licence_type, data=data)
    assert info.value.field == "staff"
    assert (
        issue(licence_type, data=sample_data(licence_type) | {"staff": "12.50"}).data["staff"]
        == "12.5"
    )


def test_holder_kind_must_match():
    person_type = LicenceTypeFactory()
    signing_key(person_type.department)
    with pytest.raises(ValidationFailed) as info:
        licence_issue(
            licence_type=person_type,
            enterprise=EnterpriseFactory(),
            data=sample_data(person_type),
        )
    assert info.value.code == LicenceErrorCode.HOLDER_MISMATCH
    assert "自然人" in info.value.message


def test_no_key_no_credit_code_and_inactive_type_are_refused():
    licence_type = LicenceTypeFactory()
    with pytest.raises(DomainError) as info:
        licence_issue(
            licence_type=licence_type, person=PersonFactory(), data=sample_data(licence_type)
        )
    assert info.value.code == LicenceErrorCode.NO_SIGNING_KEY
    assert "tongban keys create" in info.value.message
    licence_type.department.credit_code = ""
    licence_type.department.save()
    with pytest.raises(DomainError) as info:
        issue(licence_type)
    assert info.value.code == LicenceErrorCode.NO_ISSUER_CODE
    inactive = LicenceTypeFactory(is_active=False)
    with pytest.raises(DomainError) as info:
        issue(inactive)
    assert info.value.code == LicenceErrorCode.TYPE_INACTIVE
    assert Licence.objects.count() == 0


def test_imported_licence_keeps_its_number_and_refuses_a_duplicate():
    licence_type = LicenceTypeFactory(code="YYZZ", holder_kind=HolderKind.ENTERPRISE)
    enterprise = EnterpriseFactory()
    licence = issue(
        licence_type,
        holder=enterprise,
        imported=True,
        source_system="市场监管",
        number=enterprise.credit_code,
    )
    assert licence.number == enterprise.credit_code and licence.imported
    assert LicenceEvent.objects.get(licence=licence).action == "imported"
    with pytest.raises(DomainError) as info:
        issue(licence_type, holder=enterprise, imported=True, number=enterprise.credit_code)
    assert info.value.code == LicenceErrorCode.DUPLICATE_NUMBER
    assert Licence.objects.count() == 1


def test_reissue_makes_a_new_version_linked_to_the_old():
    licence_type = LicenceTypeFactory(holder_kind=HolderKind.ENTERPRISE)
    old = issue(licence_type)
    data = sample_data(licence_type) | {"address": "新地址 8 号"}
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, tzinfo=dt.UTC), tick=False):
        new = licence_reissue(licence=old, data=data, reason="经营场所变更", actor=None)
    old.refresh_from_db()
    assert new.version == 2 and new.number == old.number and new.serial == old.serial
    assert new.identifier.split(".")[-2] == "002"
    assert new.previous_id == old.pk
    assert canonical.parse_payload(bytes(new.payload))["previous"] == old.identifier
    assert new.issued_on == dt.date(2026, 5, 6) and new.valid_until == dt.date(2031, 5, 5)
    assert old.status == LicenceStatus.SUPERSEDED and old.status_reason == "经营场所变更"
    assert licence_state(old) == "superseded"
    assert [e.action for e in LicenceEvent.objects.filter(licence=old).order_by("seq")] == [
        "issued",
        "superseded",
    ]
    with pytest.raises(DomainError) as info:
        licence_reissue(licence=old, data=data, reason="again", actor=None)
    assert info.value.code == LicenceErrorCode.NOT_VALID
    assert Licence.objects.count() == 2


def test_revoke_and_states_over_time():
    licence = issue(LicenceTypeFactory(validity_years=1), issued_on=dt.date(2026, 1, 5))
    assert licence.valid_until == dt.date(2027, 1, 4)
    assert licence_state(licence, today=dt.date(2027, 1, 4)) == "valid"
    assert licence_state(licence, today=dt.date(2027, 1, 5)) == "expired"
    with time_machine.travel(dt.datetime(2027, 1, 5, 1, tzinfo=dt.UTC), tick=False):
        assert licence_state(licence) == "expired"
        assert valid_licence_of(type_code=licence.licence_type.code, person=licence.person) is None
    with pytest.raises(ValidationFailed) as info:
        licence_revoke(licence=licence, reason="  ")
    assert info.value.code == LicenceErrorCode.REASON_REQUIRED
    revoked = licence_revoke(licence=licence, reason="告知承诺核查不实", actor_label="核查")
    assert revoked.status == LicenceStatus.REVOKED and licence_state(revoked) == "revoked"
    event = LicenceEvent.objects.filter(licence=licence).order_by("-seq").first()
    assert (event.action, event.reason, event.actor_label) == (
        "revoked",
        "告知承诺核查不实",
        "核查",
    )
    with pytest.raises(DomainError):
        licence_revoke(licence=licence, reason="twice")


def test_valid_licence_of_picks_the_newest_valid_one():
    licence_type = LicenceTypeFactory()
    person = PersonFactory()
    older = issue(licence_type, holder=person, issued_on=dt.date(2026, 1, 5))
    newer = issue(licence_type, holder=person, issued_on=dt.date(2026, 2, 2))
    today = dt.date(2026, 3, 1)
    assert valid_licence_of(type_code=licence_type.code, person=person, today=today) == newer
    licence_revoke(licence=newer, reason="错误签发")
    assert valid_licence_of(type_code=licence_type.code, person=person, today=today) == older
    assert valid_licence_of(type_code=licence_type.code, person=PersonFactory()) is None


def test_key_rotation_new_licences_use_the_new_key_and_old_ones_still_verify():
    from tongban.licences.selectors import verify_licence
    from tongban.licences.services import key_rotate

    licence_type = LicenceTypeFactory()
    old = issue(licence_type)
    old_key = old.key
    new_key = key_rotate(department=licence_type.department)
    old_key.refresh_from_db()
    assert old_key.status == "retired" and old_key.retired_at is not None
    new = issue(licence_type)
    assert new.key == new_key != old_key
    today = dt.date(2026, 3, 3)
    assert verify_licence(old.number, today=today).valid
    assert verify_licence(new.number, today=today).valid
    assert (
        AuditEvent.objects.filter(stream=f"signing-key:{licence_type.department.code}").count() == 3
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_revocations_have_one_winner():
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL")
    licence = issue(LicenceTypeFactory())
    results: list[str] = []

    def revoke():
        try:
            licence_revoke(licence=licence, reason="并发注销")
            results.append("ok")
        except DomainError as exc:
            results.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=revoke) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["not_valid", "ok"]
    assert LicenceEvent.objects.filter(licence=licence, action="revoked").count() == 1
