"""Signing keys: creation, rotation, the keystore (never a private key in clear)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.licences.factories import IssuerFactory, LicenceTypeFactory, issue
from tongban.core.errors import DomainError
from tongban.licences import crypto, keystore
from tongban.licences.errors import LicenceErrorCode
from tongban.licences.models import KeyStatus, LicenceType, SigningKey
from tongban.licences.services import key_create, key_rotate, seal_create

pytestmark = pytest.mark.django_db


def test_key_create_stores_the_private_key_encrypted_only():
    department = IssuerFactory(code="scjg-test")
    key = key_create(department=department)
    assert key.key_id.startswith("scjg-test-") and key.status == KeyStatus.ACTIVE
    assert key.private_key_encrypted.startswith("sm4hmac1:")
    private = keystore.decrypt_private_key(key.private_key_encrypted, key_id=key.key_id)
    assert private.public_key().hex == key.public_key
    assert private.hex not in key.private_key_encrypted
    for row in SigningKey.objects.values_list(flat=False):
        assert private.hex not in " ".join(str(v) for v in row)


def test_second_create_is_refused_rotate_is_the_way():
    department = IssuerFactory()
    first = key_create(department=department)
    with pytest.raises(DomainError) as info:
        key_create(department=department)
    assert "轮换" in info.value.message
    second = key_rotate(department=department)
    first.refresh_from_db()
    assert first.status == KeyStatus.RETIRED and second.status == KeyStatus.ACTIVE
    assert SigningKey.objects.filter(department=department, status=KeyStatus.ACTIVE).count() == 1


def test_a_seal_key_signs_that_seals_licences():
    licence_type = LicenceTypeFactory()
    department = licence_type.department
    key_create(department=department)
    seal = seal_create(department=department, name="行政审批专用章")
    seal_key = key_create(department=department, seal=seal)
    assert issue(licence_type).key == seal_key
    other = IssuerFactory()
    with pytest.raises(DomainError) as info:
        key_create(department=other, seal=seal)
    assert info.value.code == LicenceErrorCode.SEAL_MISMATCH


def test_wrong_secret_or_moved_ciphertext_cannot_decrypt():
    key = key_create(department=IssuerFactory())
    other = key_create(department=IssuerFactory())
    keystore._cache.clear()
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt_private_key(key.private_key_encrypted, key_id=other.key_id)
    with (
        override_settings(TONGBAN_LICENCE_KEY_SECRET="another secret"),
        pytest.raises(keystore.KeystoreError),
    ):
        keystore.decrypt_private_key(key.private_key_encrypted, key_id=key.key_id)
    tampered = key.private_key_encrypted[:-6] + "AAAAA="
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt_private_key(tampered, key_id=key.key_id)


def test_environment_secret_is_used_when_set():
    with override_settings(TONGBAN_LICENCE_KEY_SECRET="s3cret-from-env"):
        key = key_create(department=IssuerFactory())
        assert keystore.keystore_source() == "environment"
        private = keystore.decrypt_private_key(key.private_key_encrypted, key_id=key.key_id)
    assert crypto.PublicKey.from_hex(key.public_key) == private.public_key()


def test_production_without_secret_refuses_to_sign():
    licence_type = LicenceTypeFactory()
    key_create(department=licence_type.department)
    keystore._cache.clear()
    production = override_settings(
        SETTINGS_MODULE="tongban.config.settings.production", TONGBAN_LICENCE_KEY_SECRET=""
    )
    with production, pytest.raises(DomainError) as info:
        issue(licence_type)
    assert info.value.code == LicenceErrorCode.KEYSTORE_UNAVAILABLE
    with production, pytest.raises(DomainError) as info:
        key_create(department=IssuerFactory())
    assert info.value.code == LicenceErrorCode.KEYSTORE_UNAVAILABLE
    assert SigningKey.objects.count() == 1


def _type_form(department, **overrides) -> dict:
    form = {
        "code": "ADMZ1",
        "name": "后台证照",
        "department": department.pk,
        "holder_kind": "person",
        "fields": '[{"name": "category", "label": "类别", "type": "choice", "choices": ["甲"]}]',
        "validity_kind": "years",
        "validity_years": "3",
        "layout": "{}",
        "number_prefix": "HT",
        "issuing_items": "[]",
        "reminder_days": "30",
        "is_active": "on",
    }
    return form | overrides


def test_admin_checks_the_licence_type_field_specification(admin_client):
    department = IssuerFactory()
    bad = admin_client.post(
        "/admin/licences/licencetype/add/",
        _type_form(department, fields='[{"name": "category", "label": "类别", "type": "choice"}]'),
    )
    assert bad.status_code == 200
    assert "选项字段 category 需要至少一个选项。" in bad.content.decode()
    no_years = admin_client.post(
        "/admin/licences/licencetype/add/", _type_form(department, validity_years="")
    )
    assert "“固定年限”需要填写有效年限。" in no_years.content.decode()
    assert not LicenceType.objects.filter(code="ADMZ1").exists()
    done = admin_client.post("/admin/licences/licencetype/add/", _type_form(department))
    assert done.status_code == 302
    saved = LicenceType.objects.get(code="ADMZ1")
    assert saved.fields == [
        {
            "name": "category",
            "label": "类别",
            "type": "choice",
            "required": False,
            "personal": False,
            "choices": ["甲"],
        }
    ]


def test_admin_shows_signing_keys_read_only_without_the_private_key(admin_client):
    key = key_create(department=IssuerFactory())
    page = admin_client.get(f"/admin/licences/signingkey/{key.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert key.public_key in body and key.private_key_encrypted not in body
    assert admin_client.get("/admin/licences/signingkey/add/").status_code == 403
    admin_client.post(f"/admin/licences/signingkey/{key.pk}/delete/", {"post": "yes"})
    assert SigningKey.objects.filter(pk=key.pk).exists()
