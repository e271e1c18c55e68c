"""Verification: the selector, the public page /verify/{no}, the API and keys.json.

Unknown numbers, tampered data (every field of the payload), a wrong key id and a truncated
signature each answer "not valid: why" — never "valid", never a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from tests.factories import DepartmentFactory
from tests.licences.factories import LicenceTypeFactory, issue, signing_key
from tongban.licences import canonical
from tongban.licences.models import Licence, LicenceAccess
from tongban.licences.selectors import verify_licence
from tongban.licences.services import key_rotate, licence_reissue, licence_revoke

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 3)


@pytest.fixture
def licence():
    return issue(LicenceTypeFactory(code="LNYHZ", name="老年人优待证"))


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    else:
        yield path, node


def _altered(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value is None:
        return "2099-12-31"
    return (value + "X") if value else "X"


def test_a_fresh_licence_is_valid_with_masked_face(licence):
    result = verify_licence(licence.number, check=licence.check_value, today=TODAY)
    assert (result.valid, result.state, result.reasons) == (True, "valid", [])
    assert result.signature_ok and result.check_ok
    face = dict(result.face)
    assert face["持证人"] == licence.holder_name[0] + "*" * (len(licence.holder_name) - 1)
    assert face["证件号码"] == licence.holder_id_no[:4] + "*" * 10 + licence.holder_id_no[-4:]
    assert face["住址"] == "住***"
    assert face["出生日期"] == "1950-**-**"
    assert face["优待类别"] == "60-79周岁"


def test_tampering_with_any_field_of_the_payload_is_detected(licence):
    payload = canonical.parse_payload(bytes(licence.payload))
    paths = [path for path, _ in _leaves(payload)]
    assert len(paths) >= 20
    for path in paths:
        tampered = json.loads(bytes(licence.payload))
        node = tampered
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = _altered(node[path[-1]])
        Licence.objects.filter(pk=licence.pk).update(payload=canonical.canonical_bytes(tampered))
        result = verify_licence(licence.number, today=TODAY)
        assert not result.valid, path
        assert not result.signature_ok, path
        assert any("SM2 签名验证失败" in r for r in result.reasons), path
    Licence.objects.filter(pk=licence.pk).update(payload=licence.payload)
    assert verify_licence(licence.number, today=TODAY).valid


def test_non_canonical_payload_bytes_are_detected(licence):
    spaced = json.dumps(json.loads(bytes(licence.payload)), ensure_ascii=False, indent=1)
    Licence.objects.filter(pk=licence.pk).update(payload=spaced.encode())
    result = verify_licence(licence.number, today=TODAY)
    assert not result.valid
    assert "签名原文已损坏，不是规范的 UTF-8 JSON。" in result.reasons


def test_a_record_edited_behind_the_signature_is_detected(licence):
    Licence.objects.filter(pk=licence.pk).update(holder_name="冒名顶替", data={"category": "x"})
    result = verify_licence(licence.number, today=TODAY)
    assert result.signature_ok and not result.valid
    assert result.reasons == ["证照记录与签名原文不一致：holder.name、data。"]


def test_wrong_key_id_is_detected(licence):
    other = signing_key(DepartmentFactory(code="other-dept"))
    Licence.objects.filter(pk=licence.pk).update(key=other)
    result = verify_licence(licence.number, today=TODAY)
    assert not result.valid and not result.signature_ok
    assert any("密钥标识" in r for r in result.reasons)


@pytest.mark.parametrize("cut", [1, 10, 40, 71])
def test_truncated_signature_is_not_valid(licence, cut):
    signature = bytes(licence.signature)
    Licence.objects.filter(pk=licence.pk).update(signature=signature[:-cut])
    result = verify_licence(licence.number, today=TODAY)
    assert not result.valid and not result.signature_ok
    assert "签名值格式错误（不完整或不是 DER 编码的 SM2 签名）。" in result.reasons


def test_wrong_check_value_is_not_valid(licence):
    result = verify_licence(licence.number, check="AAAAAAAA", today=TODAY)
    assert not result.valid and result.check_ok is False


@pytest.mark.parametrize("number", ["NOPE123", "", "../../etc", "x" * 300, "'; drop table"])
def test_unknown_numbers(number):
    result = verify_licence(number)
    assert (result.valid, result.state, result.licence) == (False, "unknown", None)
    assert result.reasons[0].startswith("没有编号为")


def test_expired_revoked_and_superseded(licence):
    with time_machine.travel(dt.datetime(2031, 3, 2, 2, tzinfo=dt.UTC), tick=False):
        result = verify_licence(licence.number)
    assert (result.valid, result.state) == (False, "expired")
    assert result.reasons == ["该证照已于 2031-03-01 到期。"]
    with time_machine.travel(dt.datetime(2026, 4, 1, 2, tzinfo=dt.UTC), tick=False):
        licence_revoke(licence=licence, reason="骗取优待")
        result = verify_licence(licence.number)
    assert (result.valid, result.state, result.status_date) == (False, "revoked", "2026-04-01")
    assert result.reasons == ["该证照已于 2026-04-01 注销，原因：骗取优待"]
    assert result.signature_ok  # the signature is fine; the licence is not


def test_reissue_old_qr_says_superseded_new_one_valid():
    licence_type = LicenceTypeFactory()
    old = issue(licence_type)
    with time_machine.travel(dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC), tick=False):
        new = licence_reissue(licence=old, data=old.data, reason="换证", actor=None)
        by_old_qr = verify_licence(old.number, check=old.check_value)
        by_new_qr = verify_licence(new.number, check=new.check_value)
    assert (by_old_qr.state, by_old_qr.valid, by_old_qr.identifier) == (
        "superseded",
        False,
        old.identifier,
    )
    assert by_old_qr.reasons == ["该证照已于 2026-03-10 换发新版本（第 2 版），原因：换证"]
    assert by_new_qr.valid and by_new_qr.identifier == new.identifier


def test_page_valid(client, licence):
    with time_machine.travel(dt.datetime(2026, 3, 3, 2, tzinfo=dt.UTC), tick=False):
        response = client.get(f"/verify/{licence.number}?c={licence.check_value}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "核验结果：有效" in body and licence.identifier in body
    assert licence.key.public_key in body and "BEGIN PUBLIC KEY" in body
    assert licence.holder_id_no not in body and licence.holder_name not in body
    assert "<script" not in body.split("</head>")[1]


def test_page_tampered_and_unknown_never_500(client, licence):
    Licence.objects.filter(pk=licence.pk).update(signature=b"\x30\x02\x01")
    response = client.get(f"/verify/{licence.number}")
    assert response.status_code == 200
    assert "核验结果：无效" in response.content.decode()
    response = client.get("/verify/NO-SUCH-1")
    assert response.status_code == 404
    assert "没有编号为 NO-SUCH-1 的电子证照。" in response.content.decode()


def test_verify_start_form(client, licence):
    response = client.get("/verify/")
    assert response.status_code == 200
    response = client.get("/verify/", {"no": ""})
    assert "错误：" in response.content.decode().split("</title>")[0]
    response = client.get("/verify/", {"no": licence.number})
    assert response.status_code == 302 and response["Location"] == f"/verify/{licence.number}"


def test_api_verify(client, licence):
    with time_machine.travel(dt.datetime(2026, 3, 3, 2, tzinfo=dt.UTC), tick=False):
        data = client.get(
            f"/api/v1/licences/{licence.number}/verify?c={licence.check_value}"
        ).json()
    assert data["valid"] is True and data["state"] == "valid" and data["reasons"] == []
    assert data["identifier"] == licence.identifier and data["key_id"] == licence.key.key_id
    assert data["check_ok"] is True
    response = client.get("/api/v1/licences/NOPE/verify")
    assert response.status_code == 404 and response.json()["valid"] is False
    licence_revoke(licence=licence, reason="撤销")
    data = client.get(f"/api/v1/licences/{licence.number}/verify").json()
    assert (data["valid"], data["state"], data["status_reason"]) == (False, "revoked", "撤销")


def test_keys_json_lists_active_and_retired(client, licence):
    department = licence.licence_type.department
    old = licence.key
    new = key_rotate(department=department)
    data = client.get("/.well-known/tongban/keys.json").json()
    by_id = {k["key_id"]: k for k in data["keys"]}
    assert by_id[old.key_id]["status"] == "retired" and by_id[old.key_id]["retired_at"]
    assert by_id[new.key_id]["status"] == "active" and by_id[new.key_id]["retired_at"] is None
    entry = by_id[new.key_id]
    assert entry["algorithm"] == "SM2" and entry["public_key_hex"] == new.public_key
    assert entry["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert entry["department"] == {
        "code": department.code,
        "name": department.name,
        "credit_code": department.credit_code,
    }
    assert client.get("/api/v1/licences/keys").json()["keys"] == data["keys"]


def test_scans_by_others_are_logged_for_the_holder(
    anonymous_client, clerk_client, clerk, applicant_a, applicant_a_client
):
    licence = issue(LicenceTypeFactory(), holder=applicant_a.person)
    url = f"/verify/{licence.number}?c={licence.check_value}"
    assert applicant_a_client.get(url).status_code == 200  # the holder: not a use by others
    assert LicenceAccess.objects.filter(licence=licence).count() == 0
    anonymous_client.get(url)
    clerk_client.get(url)
    anonymous_client.get(f"/api/v1/licences/{licence.number}/verify")
    anonymous_client.get("/verify/NO-SUCH-1")
    rows = list(
        LicenceAccess.objects.filter(licence=licence)
        .order_by("pk")
        .values_list("channel", "accessor_id", "accessor_label")
    )
    assert rows == [
        ("verify", None, "匿名扫码"),
        ("counter", clerk.pk, str(clerk)),
        ("api", None, "公开接口"),
    ]
