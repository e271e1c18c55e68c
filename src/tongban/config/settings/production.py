"""Production: PostgreSQL (DATABASE_URL), HTTPS, secrets from the environment only."""

from django.core.exceptions import ImproperlyConfigured

from .. import scaleout
from ..env import env_bool, env_int, env_str
from .base import *  # noqa: F403

DEBUG = False
if not env_str("TONGBAN_SECRET_KEY"):
    raise ImproperlyConfigured("TONGBAN_SECRET_KEY must be set in production")
for _name in ("TONGBAN_SECRET_KEY", "TONGBAN_LICENCE_KEY_SECRET"):
    if env_str(_name).startswith("change-me"):  # deploy/env.example's placeholders
        raise ImproperlyConfigured(
            f"{_name} still holds the placeholder of deploy/env.example: generate it "
            "(docs/deploy.md, section 2)"
        )
SECURE_SSL_REDIRECT = env_bool("TONGBAN_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("TONGBAN_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Every staff account needs its second factor (等保 level 3 身份鉴别).
TONGBAN_REQUIRE_2FA = env_bool("TONGBAN_REQUIRE_2FA", True)

# Persistent database connections, for SQLite too (PostgreSQL's come from DATABASE_URL with the
# same default): a new connection per request costs a connect and its set-up statements, and
# closing SQLite's last one checkpoints the WAL (an fsync) every time.
DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("TONGBAN_DB_CONN_MAX_AGE", 60))  # noqa: F405

# Background tasks go to the database queue, run by `tongban worker` (docs/deploy.md).
TONGBAN_TASKS = env_str("TONGBAN_TASKS", "database")
TASKS = scaleout.tasks_setting(TONGBAN_TASKS)
