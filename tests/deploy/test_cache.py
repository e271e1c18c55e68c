"""CACHE_URL=redis://…: rate limits and sessions in a shared Redis (a real redis-server started
here when installed: `make test` installs it through scripts/install-debian.sh)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tests.factories import UserFactory
from tongban.config.scaleout import cache_setting
from tongban.core import ratelimit

from .conftest import free_port

redis = pytest.importorskip("redis")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (scripts/install-debian.sh redis-server)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/1"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def shared_cache(settings, redis_url):
    settings.CACHES = cache_setting(redis_url)
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    return client


def test_rate_limits_count_in_redis(shared_cache):
    now = 1_800_000_000.0
    outcomes = [ratelimit.hit("login:10.0.0.1", 2, 60, now=now)[0] for _ in range(3)]
    assert outcomes == [True, True, False]
    keys = [key.decode() for key in shared_cache.keys("*ratelimit*")]
    assert keys == [f"tongban:1:ratelimit:login:10.0.0.1:{int(now // 60)}"]
    assert int(shared_cache.get(keys[0])) == 3


@pytest.mark.django_db
def test_sessions_are_kept_in_redis_and_the_database(settings, shared_cache):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    user = UserFactory(username="zhang")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    key = client.session.session_key
    cached = [k.decode() for k in shared_cache.keys("*sessions*")]
    assert cached == [f"tongban:1:django.contrib.sessions.cached_db{key}"]
    assert Session.objects.filter(session_key=key).exists()
