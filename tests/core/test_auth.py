"""Logging in: argon2 password hashes, django-axes lockout, the two login pages."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher, make_password
from django.test import Client, override_settings

from tongban.config.settings import base
from tongban.core.models import User
from tongban.core.permissions import Role
from tongban.core.services import staff_create

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
LOGIN_PAGES = ["/console/login/", "/login/"]


def test_base_settings_hash_passwords_with_argon2():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert get_hasher("default").algorithm == "argon2"
        encoded = make_password("云溪-password-2026")
        assert encoded.startswith("argon2$argon2id$")
        assert "云溪-password-2026" not in encoded
        assert check_password("云溪-password-2026", encoded)
        assert not check_password("云溪-password-2027", encoded)


def test_staff_accounts_are_stored_with_argon2_and_can_log_in(department):
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = staff_create(
            username="clerk2",
            password=PASSWORD,
            display_name="林窗口",
            department=department,
            roles=[Role.WINDOW_CLERK],
        )
        assert identify_hasher(user.password).algorithm == "argon2"
        client = Client()
        response = client.post("/console/login/", {"username": "clerk2", "password": PASSWORD})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_an_older_hash_is_upgraded_to_argon2_at_login(clerk):
    assert identify_hasher(User.objects.get(pk=clerk.pk).password).algorithm == "md5"
    with override_settings(
        PASSWORD_HASHERS=[*base.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        client = Client()
        response = client.post("/console/login/", {"username": "clerk", "password": PASSWORD})
        assert response.status_code == 302
    assert User.objects.get(pk=clerk.pk).password.startswith("argon2$argon2id$")


def _attempt(client: Client, url: str, username: str, password: str, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def _authenticated(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_five_bad_passwords_lock_the_account_out_even_with_the_right_one(url, clerk):
    client = Client()
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        response = _attempt(client, url, "clerk", f"wrong-{attempt}")
        assert response.status_code == 200, attempt  # the form again, with its error
        assert not _authenticated(client)
    response = _attempt(client, url, "clerk", "wrong-5")
    assert response.status_code == 429

    response = _attempt(client, url, "clerk", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录已被暂时锁定" in html
    assert "<title>错误：" in html
    assert not _authenticated(client)
    assert Client().get("/console/").status_code == 302  # nothing else let in either


def test_lockout_is_shared_by_both_login_pages(clerk):
    client = Client()
    for attempt in range(5):
        _attempt(client, LOGIN_PAGES[attempt % 2], "clerk", "wrong")
    assert _attempt(client, "/login/", "clerk", PASSWORD).status_code == 429
    assert _attempt(client, "/console/login/", "clerk", PASSWORD).status_code == 429


def test_a_spoofed_forwarded_address_does_not_lift_the_lockout(clerk):
    client = Client()
    for _attempt_no in range(5):
        _attempt(client, "/console/login/", "clerk", "wrong", HTTP_X_FORWARDED_FOR="10.0.0.9")
    response = _attempt(
        client, "/console/login/", "clerk", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert response.status_code == 429
    assert not _authenticated(client)


def test_lockout_does_not_touch_other_accounts(clerk, staff_factory):
    staff_factory(Role.REVIEWER, username="reviewer")
    client = Client()
    for _attempt_no in range(5):
        _attempt(client, "/console/login/", "clerk", "wrong")
    response = _attempt(Client(), "/console/login/", "reviewer", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/console/"


def test_a_successful_login_before_the_limit_resets_the_count(clerk):
    client = Client()
    for _attempt_no in range(4):
        assert _attempt(client, "/console/login/", "clerk", "wrong").status_code == 200
    assert AccessAttempt.objects.get(username="clerk").failures_since_start == 4

    response = _attempt(client, "/console/login/", "clerk", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clerk.pk)
    assert not AccessAttempt.objects.filter(username="clerk").exists()

    client = Client()
    for _attempt_no in range(4):
        assert _attempt(client, "/console/login/", "clerk", "wrong").status_code == 200
    response = _attempt(client, "/console/login/", "clerk", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clerk.pk)


def test_a_failed_attempt_does_not_record_the_password(clerk):
    _attempt(Client(), "/console/login/", "clerk", "my-secret-guess")
    attempt = AccessAttempt.objects.get(username="clerk")
    assert "my-secret-guess" not in attempt.post_data
    assert "my-secret-guess" not in attempt.get_data


def test_portal_login_works_for_an_applicant(applicant_a):
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()

    response = _attempt(client, "/login/", "applicant_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(applicant_a.pk)
    home = client.get("/").content.decode()
    assert applicant_a.person.masked_id_number in home


def test_portal_login_refuses_a_wrong_password_with_a_message(applicant_a):
    client = Client()
    response = _attempt(client, "/login/", "applicant_a", "wrong-password")
    assert response.status_code == 200
    assert "<title>错误：" in response.content.decode()
    assert not _authenticated(client)


def test_login_honours_a_safe_next_and_ignores_another_site(applicant_a):
    response = Client().post(
        "/login/?next=/console/", {"username": "applicant_a", "password": PASSWORD}
    )
    assert response["Location"] == "/console/"
    response = Client().post(
        "/login/?next=https://evil.example/", {"username": "applicant_a", "password": PASSWORD}
    )
    assert response["Location"] == "/"


def test_console_login_sends_staff_to_the_console(clerk):
    client = Client()
    response = _attempt(client, "/console/login/", "clerk", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/console/")
    assert client.get("/console/").status_code == 200
