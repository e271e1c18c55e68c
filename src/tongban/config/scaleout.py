"""Deployment switches that shape several settings at once (docs/deploy.md): the task queue,
the shared cache, object storage for uploaded files and the read replica. Each is off by
default; the environment turns it on, never code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import dj_database_url

TASK_QUEUES = ["default", "notifications", "reports"]
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}


def tasks_setting(kind: str) -> dict:
    """``TASKS`` for ``TONGBAN_TASKS``: immediate (inline, development and tests), database
    (queued in the database for ``tongban worker``) or rq (queued in Redis)."""
    if kind not in TASK_BACKENDS:
        raise ValueError(f"TONGBAN_TASKS must be one of {', '.join(TASK_BACKENDS)}, got {kind!r}")
    return {"default": {"BACKEND": TASK_BACKENDS[kind], "QUEUES": list(TASK_QUEUES)}}


def rq_queues_setting(redis_url: str) -> dict:
    """django-rq's ``RQ_QUEUES``: every task queue in the Redis of ``REDIS_URL``."""
    return {name: {"URL": redis_url, "DEFAULT_TIMEOUT": 900} for name in TASK_QUEUES}


def cache_setting(url: str) -> dict:
    """``CACHES`` from ``CACHE_URL``: redis:// or rediss:// (Django's RedisCache, shared by
    every process and server), locmem:// (one process) or db://<table> (the database)."""
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    parts = urlsplit(url)
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    prefix = options.pop("key_prefix", "tongban")
    if parts.scheme in {"redis", "rediss", "unix"}:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url.split("?", 1)[0],
                "KEY_PREFIX": prefix,
                "TIMEOUT": 300,
            }
        }
    if parts.scheme == "locmem":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if parts.scheme == "db":
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": parts.netloc or "tongban_cache",
                "KEY_PREFIX": prefix,
            }
        }
    raise ValueError(f"CACHE_URL: unsupported scheme {parts.scheme!r} (redis, rediss, locmem, db)")


def media_storage_setting(kind: str, env) -> dict:
    """``STORAGES["default"]`` for ``TONGBAN_MEDIA_STORAGE``: the file system under
    MEDIA_ROOT, or an S3-compatible object store (django-storages) that is never public:
    files are private objects, handed out only by the permission-checked views."""
    if kind in ("", "filesystem"):
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ValueError(f"TONGBAN_MEDIA_STORAGE must be filesystem or s3, got {kind!r}")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME", "tongban-media"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env("AWS_S3_REGION_NAME", "") or None,
            "access_key": env("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", "") or None,
            "location": env("AWS_LOCATION", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": int(env("AWS_QUERYSTRING_EXPIRE", "60") or 60),
            "file_overwrite": False,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", "") or None,
            "signature_version": "s3v4",
        },
    }


def replica_setting(url: str, default: dict, *, conn_max_age: int) -> dict | None:
    """The ``replica`` database (a PostgreSQL streaming replica) from ``DATABASE_REPLICA_URL``;
    None when unset."""
    if not url:
        return None
    replica = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    replica.setdefault("TEST", {})["MIRROR"] = "default"
    if default.get("ENGINE") != replica.get("ENGINE"):
        raise ValueError("DATABASE_REPLICA_URL must use the same database engine as DATABASE_URL")
    return replica
