"""The staff second factor (等保 level 3 身份鉴别): TOTP enrolment, verification after the
password, recovery codes used once, the rate limit, and what an unverified session can reach."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tongban.core.models import RecoveryCode, SecurityEvent
from tongban.core.security_2fa import recovery_code_hash
from tongban.core.services import api_token_create

pytestmark = pytest.mark.django_db

ENROL = "/console/security/2fa/enrol/"
VERIFY = "/console/security/2fa/verify/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def password_login(username: str) -> Client:
    client = Client()
    response = client.post("/console/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    RecoveryCode.objects.bulk_create(
        [
            RecoveryCode(device=static, code_hash=recovery_code_hash(t, salt="s1"))
            for t in ("aaaa1111", "bbbb2222")
        ]
    )
    return device


def stored_match(codes: list[str], user) -> bool:
    """Whether the user's stored hashes are exactly the hashes of these codes."""
    rows = list(RecoveryCode.objects.filter(device__user=user).values_list("code_hash", flat=True))
    salt = rows[0].split("$")[2] if rows else ""
    return sorted(rows) == sorted(recovery_code_hash(c, salt=salt) for c in codes)


def kinds(**filters) -> list[str]:
    return list(
        SecurityEvent.objects.filter(**filters).order_by("id").values_list("kind", flat=True)
    )


def test_staff_without_a_device_are_sent_to_enrolment_and_cannot_use_the_console(
    require_2fa, clerk
):
    client = password_login("clerk")
    response = client.get("/console/cases/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fconsole%2Fcases%2F"
    assert client.get("/console/").status_code == 302
    api = client.get("/api/v1/cases")
    assert api.status_code == 401
    assert api.json()["code"] == "second_factor_required"


def test_enrolment_shows_the_qr_and_secret_and_a_right_code_confirms_it(require_2fa, clerk):
    client = password_login("clerk")
    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=clerk)
    assert device.confirmed is False
    secret = re.search(r'class="security-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert len(secret) == 32  # 20 random bytes in base32

    wrong = client.post(ENROL, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 422
    assert "验证码不正确或已过期" in wrong.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False

    done = client.post(ENROL, {"code": code_for(device), "next": "/console/cases/"})
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert stored_match(codes, clerk)
    stored = "".join(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not any(code in stored for code in codes)  # hashed, never in plain text
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/console/cases/").status_code == 200  # the session is verified
    assert kinds(actor=clerk) == ["login_ok", "two_factor_failed", "two_factor_enrolled"]
    # a second enrolment is refused: a stolen password must not add a device
    assert client.get(ENROL)["Location"] == "/console/security/"


def test_login_without_the_code_is_refused(require_2fa, clerk):
    enrolled(clerk)
    client = password_login("clerk")
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fconsole%2F"
    assert client.get(ENROL)["Location"] == "/console/security/2fa/verify/"
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get("/admin/").status_code == 302


def test_a_wrong_code_is_refused_and_a_right_code_accepted(require_2fa, clerk):
    device = enrolled(clerk)
    client = password_login("clerk")
    wrong = client.post(VERIFY, {"code": "12345a"})
    assert wrong.status_code == 422
    html = wrong.content.decode()
    assert "<title>错误：" in html
    assert "验证码不正确或已过期，请查看验证器应用中的最新 6 位数字。" in html
    assert client.get("/console/").status_code == 302
    before = client.session.session_key
    right = client.post(VERIFY, {"code": code_for(device), "next": "/console/cases/"})
    assert right.status_code == 302
    assert right["Location"] == "/console/cases/"
    assert client.session.session_key != before  # a new session key once verified
    assert client.get("/console/").status_code == 200
    assert client.get("/api/v1/cases").status_code == 200
    assert kinds(actor=clerk) == ["login_ok", "two_factor_failed", "two_factor_ok"]


def test_a_code_is_accepted_only_once(require_2fa, clerk):
    device = enrolled(clerk)
    code = code_for(device)
    first = password_login("clerk")
    assert first.post(VERIFY, {"code": code})["Location"] == "/console/"
    second = password_login("clerk")
    assert second.post(VERIFY, {"code": code}).status_code == 422


def test_wrong_codes_are_rate_limited_per_account(require_2fa, clerk):
    device = enrolled(clerk)
    client = password_login("clerk")
    for _attempt in range(5):
        assert client.post(VERIFY, {"code": "999999x"}).status_code == 422
    limited = client.post(VERIFY, {"code": code_for(device)})
    assert limited.status_code == 429
    assert "请求过于频繁" in limited.content.decode()
    assert client.get("/console/").status_code == 302  # still not verified
    assert kinds(actor=clerk)[-1] == "rate_limited"
    event = SecurityEvent.objects.get(kind="rate_limited")
    assert event.detail["scope"] == "two_factor"


def test_a_recovery_code_works_once(require_2fa, clerk):
    enrolled(clerk)
    client = password_login("clerk")
    assert client.post(VERIFY, {"code": "AAAA-1111"})["Location"] == "/console/"
    assert list(RecoveryCode.objects.values_list("code_hash", flat=True)) == [
        recovery_code_hash("bbbb2222", salt="s1")
    ]
    again = password_login("clerk")
    assert again.post(VERIFY, {"code": "aaaa1111"}).status_code == 422
    event = SecurityEvent.objects.get(kind="two_factor_recovery_used")
    assert event.detail == {"left": 1}


def test_renewing_recovery_codes_replaces_the_old_ones(require_2fa, clerk):
    device = enrolled(clerk)
    client = password_login("clerk")
    client.post(VERIFY, {"code": code_for(device)})
    page = client.post("/console/security/2fa/recovery/")
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", page.content.decode())
    assert len(codes) == 10
    assert "aaaa1111" not in codes
    assert RecoveryCode.objects.count() == 10
    assert stored_match(codes, clerk)


def test_applicants_are_never_asked(require_2fa, applicant_a):
    client = Client()
    response = client.post("/login/", {"username": "applicant_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/my/cases/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_optional_when_not_required(clerk):
    client = password_login("clerk")
    assert client.get("/console/").status_code == 200


def test_a_staff_token_needs_an_enrolled_owner(require_2fa, clerk):
    _token, plain = api_token_create(user=clerk)
    headers = {"Authorization": f"Bearer {plain}"}
    assert Client().get("/api/v1/cases", headers=headers).status_code == 401
    enrolled(clerk)
    assert Client().get("/api/v1/cases", headers=headers).status_code == 200


def test_a_bogus_token_does_not_unlock_an_unverified_session(require_2fa, clerk):
    enrolled(clerk)
    client = password_login("clerk")
    response = client.get("/api/v1/cases", headers={"Authorization": "Bearer tb_nope"})
    assert response.status_code == 401


def test_recovery_codes_are_stored_as_salted_pbkdf2_hashes():
    stored = recovery_code_hash("aaaa1111", salt="0123abcd")
    algorithm, iterations, salt, digest = stored.split("$")
    assert (algorithm, iterations, salt, len(digest)) == ("pbkdf2_sha256", "20000", "0123abcd", 64)
    assert stored == recovery_code_hash("aaaa1111", salt="0123abcd")
    assert stored != recovery_code_hash("aaaa1111", salt="0123abce")
    assert "aaaa1111" not in stored


def test_a_wrong_recovery_code_uses_nothing_and_counts_as_a_failure(require_2fa, clerk):
    enrolled(clerk)
    client = password_login("clerk")
    wrong = client.post(VERIFY, {"code": "cccc3333"})
    assert wrong.status_code == 422
    assert "验证码不正确或已过期" in wrong.content.decode()
    assert RecoveryCode.objects.count() == 2
    assert kinds(kind__startswith="two_factor") == ["two_factor_failed"]
    static = StaticDevice.objects.get(user=clerk)
    assert static.throttling_failure_count == 1
    assert client.get("/console/").status_code == 302  # still not verified


def test_the_migration_hashes_existing_plain_text_codes(clerk):
    migration = import_module("tongban.core.migrations.0008_security_followups")
    static = StaticDevice.objects.create(user=clerk, name="recovery", confirmed=True)
    StaticToken.objects.bulk_create(
        [StaticToken(device=static, token=t) for t in ("aaaa1111", "bbbb2222")]
    )
    migration.hash_existing_codes(apps, None)
    assert not StaticToken.objects.exists()
    rows = list(RecoveryCode.objects.filter(device=static).values_list("code_hash", flat=True))
    salt = rows[0].split("$")[2]
    assert sorted(rows) == sorted(
        recovery_code_hash(c, salt=salt) for c in ("aaaa1111", "bbbb2222")
    )
