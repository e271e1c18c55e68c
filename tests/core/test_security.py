"""Sessions and passwords (等保 level 3): the staff idle timeout, session rotation on login, the
password policy, and the security headers of every page."""

from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import sys

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def idle_30(settings):
    settings.TONGBAN_STAFF_IDLE_MINUTES = 30


def now():  # the clients logged in just now: their sessions run from the real time
    return dt.datetime.now(dt.UTC)


def test_a_staff_session_ends_after_30_idle_minutes(idle_30, clerk_client):
    with time_machine.travel(now(), tick=False) as traveller:
        assert clerk_client.get("/console/").status_code == 200
        traveller.shift(dt.timedelta(minutes=29))
        assert clerk_client.get("/console/").status_code == 200  # activity renews the clock
        traveller.shift(dt.timedelta(minutes=29))
        assert clerk_client.get("/console/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = clerk_client.get("/console/cases/")
        assert response.status_code == 302
        assert response["Location"].startswith("/console/login/?next=/console/cases/")
        # logged out for good, not only for one request
        assert "_auth_user_id" not in clerk_client.session
        assert clerk_client.get("/console/").status_code == 302


def test_the_api_answers_401_to_an_expired_staff_session(idle_30, clerk_client):
    with time_machine.travel(now(), tick=False) as traveller:
        assert clerk_client.get("/api/v1/cases").status_code == 200
        traveller.shift(dt.timedelta(minutes=45))
        response = clerk_client.get("/api/v1/cases")
        assert response.status_code == 401
        assert response.json()["code"] == "session_expired"
        assert response.json()["message"] == "长时间未操作，登录已失效，请重新登录。"


def test_applicants_keep_the_session_lifetime(idle_30, applicant_a_client):
    with time_machine.travel(now(), tick=False) as traveller:
        assert applicant_a_client.get("/my/cases/").status_code == 200
        traveller.shift(dt.timedelta(hours=2))
        assert applicant_a_client.get("/my/cases/").status_code == 200


def test_the_idle_timeout_can_be_turned_off(settings, clerk_client):
    settings.TONGBAN_STAFF_IDLE_MINUTES = 0
    with time_machine.travel(now(), tick=False) as traveller:
        assert clerk_client.get("/console/").status_code == 200
        traveller.shift(dt.timedelta(hours=3))
        assert clerk_client.get("/console/").status_code == 200


def test_login_gives_a_new_session_key(clerk):
    client = Client()
    client.get("/console/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    before = client.cookies["sessionid"].value
    response = client.post("/console/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != before
    assert client.cookies["sessionid"]["httponly"]


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("correct-horse-battery", True),
        ("Yunxi2026district", True),
        ("aaaaaaaaaaaaaa", False),  # one class
        ("1234567890123", False),  # numeric and one class
        ("password123", False),  # on the bundled list of breached passwords
        ("short-1", False),  # under 10 characters
    ],
)
def test_the_password_policy(password, accepted):
    if accepted:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_a_too_simple_password_is_refused_in_chinese():
    with pytest.raises(ValidationError) as caught:
        validate_password("abcdefghijkl")
    assert "密码须包含小写字母、大写字母、数字、其他符号中的至少 2 种。" in caught.value.messages


def test_every_page_sends_the_security_headers(anonymous_client):
    response = anonymous_client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_production_settings_turn_on_hsts_and_secure_cookies(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.TONGBAN_STAFF_IDLE_MINUTES]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings.production",
        "TONGBAN_SECRET_KEY": "x" * 50,
        "TONGBAN_DATA_DIR": str(tmp_path),
        # production refuses to start without personal-data keys (docs/personal-data.md)
        "TONGBAN_DATA_KEYS": "k1:" + base64.b64encode(b"k" * 32).decode(),
        "TONGBAN_BLIND_INDEX_KEY": base64.b64encode(b"i" * 32).decode(),
    }
    env.pop("TONGBAN_STAFF_IDLE_MINUTES", None)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[31536000, true, true, true, true, true, 30]"
