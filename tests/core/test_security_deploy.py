"""Item 7 of the security issue, checked: CSRF on forms and on cookie-authenticated API calls,
session rotation on login (tests/core/test_security.py), and Django's deployment check over the
production settings with each remaining warning explained."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# The warnings `tongban check --deploy` may still give, and why (docs/security.md, "Headers").
ENV_EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "env.example"
EXPLAINED = {
    # HSTS preload is a promise to the browsers' built-in list that cannot be taken back
    # quickly; each deployment decides it for its own domain (TONGBAN_HSTS_SECONDS is on).
    "security.W021",
}


def test_a_cross_site_form_post_without_the_token_is_refused(clerk):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/console/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_cookie_authenticated_api_post_needs_the_csrf_token(clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    refused = client.post(
        "/api/v1/tickets", data={"content": "路灯不亮"}, content_type="application/json"
    )
    assert refused.status_code == 403
    client.get("/console/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    allowed = client.post(
        "/api/v1/tickets",
        data={"content": "路灯不亮"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert allowed.status_code != 403


def test_the_deployment_check_over_production_settings(tmp_path):
    key = base64.b64encode(os.urandom(32)).decode()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings.production",
        "TONGBAN_SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "TONGBAN_DATA_DIR": str(tmp_path),
        "TONGBAN_DATA_KEYS": f"k1:{key}",
        "TONGBAN_BLIND_INDEX_KEY": key,
    }
    for name in (
        "TONGBAN_REQUIRE_2FA",
        "TONGBAN_HSTS_SECONDS",
        "TONGBAN_SSL_REDIRECT",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the test run itself, never in deployment
    ):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "ERROR"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    found = {word.strip("():") for word in output.split() if word.startswith("(security.")}
    assert found <= EXPLAINED, output
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TONGBAN_REQUIRE_2FA, s.X_FRAME_OPTIONS, s.SESSION_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["True", "DENY", "True", "True", "True", "31536000"]


@pytest.mark.parametrize("name", ["TONGBAN_SECRET_KEY", "TONGBAN_LICENCE_KEY_SECRET"])
def test_production_refuses_the_placeholders_of_env_example(tmp_path, name):
    key = base64.b64encode(os.urandom(32)).decode()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings.production",
        "TONGBAN_SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "TONGBAN_DATA_DIR": str(tmp_path),
        "TONGBAN_DATA_KEYS": f"k1:{key}",
        "TONGBAN_BLIND_INDEX_KEY": key,
    }
    placeholder = re.search(rf"^{name}=(.*)$", ENV_EXAMPLE.read_text(), re.M).group(1)
    env[name] = placeholder
    done = subprocess.run(
        [sys.executable, "-m", "django", "check"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert f"{name} still holds the placeholder of deploy/env.example" in done.stderr
