"""Rate limits (tongban.core.ratelimit): login, the public hotline form, licence verification
and rating links refuse with 429 and Retry-After past their limits, per address and per
account, and the refused request changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, RequestFactory

from tongban.core import ratelimit
from tongban.hotline.models import Ticket

pytestmark = pytest.mark.django_db

# Five seconds into a minute: every request of a test falls in one window.
AT = dt.datetime(2026, 11, 23, 9, 0, 5, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.TONGBAN_RATE_LIMITS = {
        "login": (3, 0, 60),
        "ticket_submit": (100, 2, 60),
        "licence_verify": (2, 0, 60),
        "rating": (2, 0, 60),
    }
    cache.clear()
    with time_machine.travel(AT, tick=False) as traveller:
        yield traveller
    cache.clear()


def test_login_attempts_past_the_limit_get_429_with_retry_after(clerk):
    client = Client()
    for _ in range(3):
        assert client.post("/console/login/", {"username": "clerk", "password": "x"}).status_code
    response = client.post("/console/login/", {"username": "clerk", "password": "x"})
    assert response.status_code == 429
    assert response["Retry-After"] == "55"
    page = response.content.decode()
    assert "请求过于频繁，请 55 秒后再试。" in page
    assert client.get("/console/login/").status_code == 200  # only attempts count


def test_the_limit_is_per_address_and_resets_with_the_window(limits, clerk):
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(3):
        first.post("/console/login/", {"username": "clerk", "password": "x"})
    assert first.post("/console/login/", {"username": "a"}).status_code == 429
    assert second.post("/console/login/", {"username": "a"}).status_code == 200
    limits.shift(dt.timedelta(seconds=60))
    assert first.post("/console/login/", {"username": "a"}).status_code == 200


def test_a_signed_in_account_is_limited_on_its_own(applicant_a):
    client = Client()
    client.force_login(applicant_a, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post("/hotline/new/", {}).status_code == 400  # an incomplete form
    assert client.post("/hotline/new/", {}).status_code == 400
    refused = client.post(
        "/hotline/new/",
        {"ticket_type": "complaint", "content": "路灯不亮", "caller_phone": "13905710002"},
    )
    assert refused.status_code == 429
    assert Ticket.objects.count() == 0


def test_licence_verification_is_limited_on_get():
    client = Client()
    assert client.get("/verify/NO-SUCH-LICENCE").status_code in (200, 404)
    assert client.get("/verify/NO-SUCH-LICENCE").status_code in (200, 404)
    assert client.get("/verify/NO-SUCH-LICENCE").status_code == 429


def test_rating_link_posts_are_limited():
    client = Client()
    for _ in range(2):
        assert client.post("/rate/s/not-a-token/", {"level": "5"}).status_code != 429
    assert client.post("/rate/s/not-a-token/", {"level": "5"}).status_code == 429
    assert client.get("/rate/s/not-a-token/").status_code != 429  # reading is not limited


def test_behind_trusted_proxies_the_forwarded_address_counts(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.1.1.1"
    )
    assert ratelimit.client_address(request) == "127.0.0.1"
    settings.TONGBAN_PROXY_HOPS = 1
    assert ratelimit.client_address(request) == "10.1.1.1"
    settings.TONGBAN_PROXY_HOPS = 2
    assert ratelimit.client_address(request) == "203.0.113.9"


def test_api_refusals_are_json():
    request = RequestFactory().post("/api/v1/tickets")
    response = ratelimit.too_many(request, 12)
    assert response.status_code == 429 and response["Retry-After"] == "12"
    assert json.loads(response.content) == {
        "code": "throttled",
        "message": "请求过于频繁，请 12 秒后再试。",
        "errors": [],
    }
