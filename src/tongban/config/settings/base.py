"""Settings shared by every environment. Deployment choices come from environment variables;
domain policy (limits, holidays, rules) lives in the database."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .. import scaleout
from ..env import data_dir, env_bool, env_float, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/tongban
PROJECT_DIR = PACKAGE_DIR.parents[1]
DATA_DIR = data_dir()
MEDIA_ROOT = DATA_DIR / "media"
KEYS_DIR = DATA_DIR / "keys"
STATIC_ROOT = Path(env_str("TONGBAN_STATIC_ROOT", str(DATA_DIR / "static")))


def _secret_key() -> str:
    key = env_str("TONGBAN_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("TONGBAN_DEBUG", False)
ALLOWED_HOSTS = env_list("TONGBAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("TONGBAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tongban.core",
    "tongban.catalog",
    "tongban.rules",
    "tongban.licences",
    "tongban.cases",
    "tongban.hotline",
    "tongban.ratings",
    "tongban.supervision",
    "tongban.grid",
    "tongban.hall",
    "tongban.selfservice",
    "tongban.portal",
    "tongban.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongban.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tongban.core.middleware.IdleTimeoutMiddleware",
    "tongban.core.security_middleware.TwoFactorMiddleware",
    "tongban.core.security_middleware.PermissionDeniedAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tongban.core.middleware.DisplayModeMiddleware",
    "tongban.core.middleware.CalendarRefreshMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongban.config.urls"
WSGI_APPLICATION = "tongban.config.wsgi.application"
ASGI_APPLICATION = "tongban.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.core.context_processors.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# SQLite in WAL mode in the data directory by default; PostgreSQL when DATABASE_URL is set.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("TONGBAN_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "tongban.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "tongban.core.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": env_int("TONGBAN_PASSWORD_CLASSES", 2)},
    },
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# django-axes: lock a username at one address out after repeated failures.
AXES_FAILURE_LIMIT = env_int("TONGBAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("TONGBAN_LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "id_number", "phone"]

SESSION_COOKIE_AGE = env_int("TONGBAN_SESSION_SECONDS", 8 * 3600)
# Staff sessions end after this many minutes without a request (等保 level 3; 0 = off).
TONGBAN_STAFF_IDLE_MINUTES = env_int("TONGBAN_STAFF_IDLE_MINUTES", 30)
# Rate limits (tongban.core.ratelimit): per scope, requests per window per client address, per
# account, and the window in seconds (0 turns a count off); behind N trusted proxies (nginx) the
# client address is read N hops back in X-Forwarded-For.
TONGBAN_RATE_LIMITS = {
    "login": (env_int("TONGBAN_RATE_LOGIN_PER_MINUTE", 20), 0, 60),
    "ticket_submit": (env_int("TONGBAN_RATE_TICKETS_PER_MINUTE", 10), 5, 60),
    "licence_verify": (env_int("TONGBAN_RATE_VERIFY_PER_MINUTE", 60), 0, 60),
    "rating": (env_int("TONGBAN_RATE_RATINGS_PER_MINUTE", 30), 10, 60),
    # second-factor codes: per address and per account in five minutes
    "two_factor": (30, env_int("TONGBAN_RATE_2FA_PER_ACCOUNT", 5), 300),
}
TONGBAN_PROXY_HOPS = env_int("TONGBAN_PROXY_HOPS", 0)
# Periodic jobs run by `tongban scheduler` (docs/scheduler.md): name → (five cron fields in
# Asia/Shanghai time, the tongban command line, what it is for).
TONGBAN_SCHEDULE = {
    "supervision-sweep": ("*/5 * * * *", "supervision sweep", "raise supervision cards"),
    "ratings-invite": ("*/10 * * * *", "ratings invite", "send rating SMS links"),
    "ratings-default": ("30 1 * * *", "ratings auto-default", "default ratings, if enabled"),
    "licences-remind": ("0 8 * * *", "licences remind", "licence expiry reminders"),
    "knowledge-expired": ("0 6 * * *", "knowledge flag-expired", "expired knowledge articles"),
    "policies-match": ("0 2 * * *", "policies match", "policy matching, 免申即享"),
    "report-monthly": ("0 3 1 * *", "report monthly --previous", "last month's report"),
    "hotline-merge-sweep": ("*/15 * * * *", "merge sweep", "merge suggestions (并单)"),
    "grid-visits": ("*/30 * * * *", "grid visits-sync", "门边办 visit tasks for grid workers"),
    "hall-remind": ("0 17 * * *", "hall remind", "SMS reminders for tomorrow's bookings"),
    "hall-no-shows": ("30 21 * * *", "hall no-shows", "missed bookings, numbers left open"),
    "lockers-uncollected": ("0 7 * * *", "lockers flag-uncollected", "uncollected results to mail"),
    "audit-purge": ("40 3 * * *", "audit purge", "delete audit records past retention"),
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# django-csp: a strict policy. No inline scripts or styles, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "tongban_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = []
if (NODE_MODULES / "echarts" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/echarts", NODE_MODULES / "echarts" / "dist"))
FILE_UPLOAD_PERMISSIONS = 0o640
# Every file that arrives (tongban.core.uploads): at most this many MB each and this many files
# in one request; Django refuses a request body (without files) over the same size.
TONGBAN_UPLOAD_MAX_MB = env_int("TONGBAN_UPLOAD_MAX_MB", 20)
TONGBAN_UPLOAD_MAX_FILES = env_int("TONGBAN_UPLOAD_MAX_FILES", 9)

# --- logging: personal data never reaches a log ---------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "tongban.core.masking.PersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["personal_data"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("TONGBAN_LOG_LEVEL", "INFO")},
    "loggers": {
        # Name Django's own loggers so their default (unfiltered) handlers are replaced.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # django-tasks logs every task's start and end at INFO: one line per SMS is noise in
        # `make demo` and the web logs; the worker's operators may lower it to INFO.
        "django_tasks": {"level": env_str("TONGBAN_TASK_LOG_LEVEL", "WARNING")},
    },
}

# --- platform -------------------------------------------------------------------------------
TONGBAN_SITE_NAME = _("通办 · 政务服务平台")
# Who runs this installation, named in the privacy notice (/privacy/), e.g. "云溪区政务服务管理办公室".
TONGBAN_OPERATOR_NAME = env_str("TONGBAN_OPERATOR_NAME", "")
TONGBAN_API_TOKEN_DAYS = env_int("TONGBAN_API_TOKEN_DAYS", 90)
TONGBAN_DEMO_PASSWORD = env_str("TONGBAN_DEMO_PASSWORD", "tongban-demo-2026")
# How many 12345 tickets `demo load` makes (the hotline demo: six months of history).
TONGBAN_DEMO_TICKETS = env_int("TONGBAN_DEMO_TICKETS", 20000)
# The blue card of a case (蓝牌 提示): at most this many working days, or this share of the
# promised limit, left (yellow and red follow the limits themselves; see cases/clocks.py).
TONGBAN_CASE_CARD_POLICY = {
    "blue_days": env_int("TONGBAN_CARD_BLUE_DAYS", 1),
    "blue_share": env_int("TONGBAN_CARD_BLUE_PERCENT", 20) / 100,
}
# 12345 tickets: the classifier's or rules' confidence from which a new ticket is dispatched at
# once (秒派), and the share of the handling time left at which a ticket's card turns blue.
# Unset (None): the active classifier's own threshold for 98 % precision, measured at training
# on held-out folds (its manifest; docs/dispatch-classifier.md); a number overrides it.
TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = env_float(
    "TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE", None
)
TONGBAN_HOTLINE_CARD_BLUE_SHARE = env_float("TONGBAN_HOTLINE_CARD_BLUE_SHARE", 0.2)
# How many minutes after a 秒派 the operator may still undo it (the ticket goes back to the
# dispatcher's queue), as long as the unit has not signed for it.
TONGBAN_HOTLINE_AUTO_DISPATCH_UNDO_MINUTES = env_int(
    "TONGBAN_HOTLINE_AUTO_DISPATCH_UNDO_MINUTES", 10
)
# Open311 GeoReport v2 (/open311/v2/, docs/open311.md): POSTs per api_key a minute, the service
# list's `type`, the jurisdiction_id this endpoint answers for (empty: any) and discovery texts.
TONGBAN_OPEN311_POSTS_PER_MINUTE = env_int("TONGBAN_OPEN311_POSTS_PER_MINUTE", 30)
TONGBAN_OPEN311_REQUEST_TYPE = env_str("TONGBAN_OPEN311_REQUEST_TYPE", "realtime")
TONGBAN_OPEN311_JURISDICTION_ID = env_str("TONGBAN_OPEN311_JURISDICTION_ID", "")
TONGBAN_OPEN311_ENDPOINT_TYPE = env_str("TONGBAN_OPEN311_ENDPOINT_TYPE", "production")
TONGBAN_OPEN311_CONTACT = env_str("TONGBAN_OPEN311_CONTACT", "")
TONGBAN_OPEN311_KEY_SERVICE = env_str("TONGBAN_OPEN311_KEY_SERVICE", "")
# E-licences (docs/licences.md): the secret the SM2 private keys are encrypted with (empty in a
# local or test setup: a development secret is kept in DATA_DIR/licence_key_secret; production
# refuses to sign without it), and the public address printed in the licences' QR codes.
TONGBAN_LICENCE_KEY_SECRET = env_str("TONGBAN_LICENCE_KEY_SECRET", "")
TONGBAN_PUBLIC_URL = env_str("TONGBAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# E-licence use (docs/licences.md): the longest a holder's share link may stay valid, and how long
# the consent given for 免证办 (a department reading a licence for a case) lasts, in days.
TONGBAN_LICENCE_SHARE_MAX_DAYS = env_int("TONGBAN_LICENCE_SHARE_MAX_DAYS", 30)
TONGBAN_LICENCE_CONSENT_DAYS = env_int("TONGBAN_LICENCE_CONSENT_DAYS", 365)
# Ratings (好差评, docs/ratings.md): rectification deadlines in working days (回访核实 / 整改答复),
# per-region overrides as "code=verify/rectify,…" (the longest matching region-code prefix wins),
# the SMS link's lifetime, the optional default rating after N natural days (0 = off), the burst
# thresholds (this many ratings from one device or address within the window, or a device rating
# this many seconds after the service, are flagged for review) and how long a device request waits.
TONGBAN_RECTIFICATION_VERIFY_DAYS = env_int("TONGBAN_RECTIFICATION_VERIFY_DAYS", 1)
TONGBAN_RECTIFICATION_DAYS = env_int("TONGBAN_RECTIFICATION_DAYS", 15)
TONGBAN_RECTIFICATION_REGION_DAYS = env_str("TONGBAN_RECTIFICATION_REGION_DAYS", "")
TONGBAN_RATING_LINK_DAYS = env_int("TONGBAN_RATING_LINK_DAYS", 7)
TONGBAN_RATING_DEFAULT_DAYS = env_int("TONGBAN_RATING_DEFAULT_DAYS", 0)
TONGBAN_RATING_BURST_COUNT = env_int("TONGBAN_RATING_BURST_COUNT", 5)
TONGBAN_RATING_BURST_WINDOW_SECONDS = env_int("TONGBAN_RATING_BURST_WINDOW_SECONDS", 300)
TONGBAN_RATING_QUICK_SECONDS = env_int("TONGBAN_RATING_QUICK_SECONDS", 5)
TONGBAN_RATING_DEVICE_REQUEST_MINUTES = env_int("TONGBAN_RATING_DEVICE_REQUEST_MINUTES", 10)
# Supervision (电子监察, docs/supervision.md): how many days back the sweep reads case events
# for rule violations (refusals without a reason, repeated corrections, offline handling).
TONGBAN_SUPERVISION_LOOKBACK_DAYS = env_int("TONGBAN_SUPERVISION_LOOKBACK_DAYS", 40)

# 秒批 (docs/instant-approval.md): the working days a human review of an automatic decision
# (个人信息保护法第二十四条) is due in, when neither the item's review step nor its promise sets one.
TONGBAN_HUMAN_REVIEW_DAYS = env_int("TONGBAN_HUMAN_REVIEW_DAYS", 5)

# Self-service (docs/selfservice.md): the kiosk's idle limit before it signs the visitor out, the
# SMS identification code's lifetime and request limits (per person: one a minute, this many an
# hour), the locker controller driver, a pickup code's lifetime and the days after which an
# uncollected result is flagged for mailing.
TONGBAN_KIOSK_IDLE_SECONDS = env_int("TONGBAN_KIOSK_IDLE_SECONDS", 120)
TONGBAN_KIOSK_CODE_MINUTES = env_int("TONGBAN_KIOSK_CODE_MINUTES", 5)
TONGBAN_KIOSK_CODES_PER_HOUR = env_int("TONGBAN_KIOSK_CODES_PER_HOUR", 5)
TONGBAN_LOCKER_DRIVER = env_str(
    "TONGBAN_LOCKER_DRIVER", "tongban.selfservice.lockers.SimulatedLocker"
)
TONGBAN_LOCKER_CODE_DAYS = env_int("TONGBAN_LOCKER_CODE_DAYS", 7)
TONGBAN_LOCKER_UNCOLLECTED_DAYS = env_int("TONGBAN_LOCKER_UNCOLLECTED_DAYS", 7)

# Hotline joint handling and merging (docs/hotline.md, "联动" and "并单"): a co-handler's own
# handling limit in working days (never later than the lead's), the window in hours within which
# two tickets of the same street and subject are suggested for merging, the text similarity
# (cosine, 0–1) above which two tickets in the window are suggested whatever their subject, and
# whether intake records suggestions at once (the periodic sweep finds the rest).
TONGBAN_HOTLINE_CO_HANDLING_DAYS = env_int("TONGBAN_HOTLINE_CO_HANDLING_DAYS", 3)
TONGBAN_HOTLINE_MERGE_WINDOW_HOURS = env_int("TONGBAN_HOTLINE_MERGE_WINDOW_HOURS", 72)
TONGBAN_HOTLINE_MERGE_TEXT_THRESHOLD = env_float("TONGBAN_HOTLINE_MERGE_TEXT_THRESHOLD", 0.8)
TONGBAN_HOTLINE_MERGE_ON_INTAKE = env_bool("TONGBAN_HOTLINE_MERGE_ON_INTAKE", True)

# Security (docs/security.md). Second factor (TOTP, django-otp) for every staff account: when on,
# staff without a confirmed device are sent to enrolment and cannot use the console, the API or
# /admin/ until they verify; applicants are never asked. Off here, on in production settings.
TONGBAN_REQUIRE_2FA = env_bool("TONGBAN_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = env_str("TONGBAN_2FA_ISSUER", "通办")
TONGBAN_2FA_RECOVERY_CODES = env_int("TONGBAN_2FA_RECOVERY_CODES", 10)
# Security events and personal-data access records are kept this many days (网络安全法: network
# logs at least six months), then deleted by `tongban audit purge` (TONGBAN_SCHEDULE).
TONGBAN_AUDIT_RETENTION_DAYS = env_int("TONGBAN_AUDIT_RETENTION_DAYS", 180)
if TONGBAN_AUDIT_RETENTION_DAYS < 180:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"TONGBAN_AUDIT_RETENTION_DAYS={TONGBAN_AUDIT_RETENTION_DAYS}: audit logs must be kept at "
        "least 180 days (网络安全法: network logs at least six months). Set 180 or more."
    )
# Data connectors (SSRF guard): hosts an administrator allows even though they resolve to a
# loopback, private, link-local or other internal address, e.g. "10.20.0.5,data.gov.internal".
TONGBAN_CONNECTOR_ALLOWED_HOSTS = env_list("TONGBAN_CONNECTOR_ALLOWED_HOSTS", [])

# --- deployment and scale-out switches (docs/deploy.md), all off by default -------------------
# Background tasks (django-tasks): immediate = run inline in the caller (development, tests);
# database = queued in the database for `tongban worker` (the production default); rq = queued in
# the Redis of REDIS_URL for `tongban worker` (RQ workers).
TONGBAN_TASKS = env_str("TONGBAN_TASKS", "immediate")
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
TASKS = scaleout.tasks_setting(TONGBAN_TASKS)
RQ_QUEUES = scaleout.rq_queues_setting(REDIS_URL)
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "django_rq", "django_tasks_rq"]
# A shared cache (CACHE_URL=redis://host:6379/1) for sessions (cached_db) and rate limits across
# processes and servers; unset: each process has its own memory cache.
CACHE_URL = env_str("CACHE_URL")
CACHES = scaleout.cache_setting(CACHE_URL)
if CACHE_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Uploaded files (materials, e-licence PDFs): filesystem (MEDIA_ROOT) or s3 (AWS_* variables).
TONGBAN_MEDIA_STORAGE = env_str("TONGBAN_MEDIA_STORAGE", "filesystem")
STORAGES = {
    "default": scaleout.media_storage_setting(TONGBAN_MEDIA_STORAGE, env_str),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Protected downloads: "" = streamed by Django; nginx = X-Accel-Redirect to nginx's `internal`
# location TONGBAN_SENDFILE_PREFIX (an alias of MEDIA_ROOT), after the view checked permission.
TONGBAN_SENDFILE = env_str("TONGBAN_SENDFILE", "")
TONGBAN_SENDFILE_PREFIX = env_str("TONGBAN_SENDFILE_PREFIX", "/_protected/")
# A read replica (DATABASE_REPLICA_URL) for reports and dashboards; writes always go to default.
_replica = scaleout.replica_setting(
    env_str("DATABASE_REPLICA_URL"),
    DATABASES["default"],
    conn_max_age=env_int("TONGBAN_DB_CONN_MAX_AGE", 60),
)
if _replica:
    DATABASES["replica"] = _replica
TONGBAN_REPLICA_READS = env_bool("TONGBAN_REPLICA_READS", True)  # off: all reads from default
DATABASE_ROUTERS = ["tongban.config.db_router.ReplicaRouter"]
# Monthly partitions of the event tables on PostgreSQL (`tongban partitions ensure`).
TONGBAN_PARTITION_MONTHS_AHEAD = env_int("TONGBAN_PARTITION_MONTHS_AHEAD", 3)
TONGBAN_SCHEDULE["partitions-ensure"] = (
    "0 4 20 * *",
    "partitions ensure",
    "next months' event table partitions",
)
# Personal data at rest (docs/personal-data.md): AES-256-GCM keys "id1:base64key,id2:…" (the first
# encrypts, the others still decrypt until `tongban keys rotate`), and the blind-index HMAC key
# (base64, ≥ 32 bytes). Empty: fixed development keys; production settings refuse to start.
TONGBAN_DATA_KEYS = env_str("TONGBAN_DATA_KEYS", "")
TONGBAN_BLIND_INDEX_KEY = env_str("TONGBAN_BLIND_INDEX_KEY", "")
# Caches of expensive figures (docs/performance.md, "Profiles"): the supervision dashboard's KPI
# sets per (period, scope) in Django's cache — seconds for a closed period, and for the one that
# holds today; the catalogue's filter facets per audience, and the loaded published versions
# and rendered guide bodies (catalog.selectors.displayed_version), in each process, keyed on the
# search index's revision (dropped with it on publication) and at most this many seconds old
# (what the revision does not see, such as a renamed department, shows after that). 0 turns a
# cache off.
TONGBAN_DASHBOARD_CACHE_SECONDS = env_int("TONGBAN_DASHBOARD_CACHE_SECONDS", 300)
TONGBAN_DASHBOARD_CACHE_TODAY_SECONDS = env_int("TONGBAN_DASHBOARD_CACHE_TODAY_SECONDS", 30)
TONGBAN_FACETS_CACHE_SECONDS = env_int("TONGBAN_FACETS_CACHE_SECONDS", 300)
