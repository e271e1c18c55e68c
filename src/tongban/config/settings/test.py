"""The test suite: SQLite unless DATABASE_URL names a (throwaway) PostgreSQL."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 tested apart
AXES_FAILURE_LIMIT = 5
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# `demo load` in tests: a small case history (the real demo makes 2,000).
TONGBAN_DEMO_CASES = 40
# `demo load` in tests: a small ticket history (the real demo makes 20,000).
TONGBAN_DEMO_TICKETS = 60
# Tests travel in time with logged-in clients; the staff idle timeout is tested on its own
# (tests/core/test_security.py turns it on).
TONGBAN_STAFF_IDLE_MINUTES = 0
# The suite logs in and posts far more often than a person; tests/core/test_ratelimit.py sets
# real limits for itself.
TONGBAN_RATE_LIMITS = {
    "login": (100_000, 0, 60),
    "ticket_submit": (100_000, 0, 60),
    "licence_verify": (100_000, 0, 60),
    "rating": (100_000, 0, 60),
}
# The read replica's routing is tested against the test database itself (a TEST MIRROR);
# tests/deploy/test_replica.py turns the replica reads on.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
TONGBAN_REPLICA_READS = False
# The rules tests' local JSON server listens on 127.0.0.1; tests/rules/test_ssrf.py clears this
# to test the SSRF guard itself.
TONGBAN_CONNECTOR_ALLOWED_HOSTS = ["127.0.0.1"]
# The dashboard's KPI cache would carry figures from one test's data into the next (the memory
# cache lives as long as the process); tests/supervision/test_dashboard_cache.py turns it on.
TONGBAN_DASHBOARD_CACHE_SECONDS = 0
TONGBAN_DASHBOARD_CACHE_TODAY_SECONDS = 0
