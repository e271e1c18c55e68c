"""The environment switches that shape settings (config/scaleout.py): off by default, and a
clear error for a value that cannot work."""

from __future__ import annotations

import pytest

from tongban.config import scaleout


def test_tasks_backends():
    assert scaleout.tasks_setting("immediate")["default"] == {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "notifications", "reports"],
    }
    assert scaleout.tasks_setting("database")["default"]["BACKEND"] == (
        "django_tasks_db.DatabaseBackend"
    )
    assert scaleout.tasks_setting("rq")["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    with pytest.raises(ValueError, match="TONGBAN_TASKS must be one of immediate, database, rq"):
        scaleout.tasks_setting("celery")


def test_rq_queues_share_the_redis_url():
    queues = scaleout.rq_queues_setting("redis://10.0.0.5:6379/2")
    assert sorted(queues) == ["default", "notifications", "reports"]
    assert queues["reports"] == {"URL": "redis://10.0.0.5:6379/2", "DEFAULT_TIMEOUT": 900}


def test_cache_urls():
    assert scaleout.cache_setting("")["default"]["BACKEND"].endswith("LocMemCache")
    assert scaleout.cache_setting("redis://127.0.0.1:6379/1?key_prefix=yx")["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
        "KEY_PREFIX": "yx",
        "TIMEOUT": 300,
    }
    assert scaleout.cache_setting("db://tongban_cache")["default"]["LOCATION"] == "tongban_cache"
    with pytest.raises(ValueError, match="unsupported scheme 'memcached'"):
        scaleout.cache_setting("memcached://127.0.0.1:11211")


def test_media_storage():
    assert scaleout.media_storage_setting("filesystem", lambda name, default="": default) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    env = {"AWS_STORAGE_BUCKET_NAME": "yx-media", "AWS_S3_ENDPOINT_URL": "http://s3.local"}
    s3 = scaleout.media_storage_setting("s3", lambda name, default="": env.get(name, default))
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["default_acl"]) == (
        "yx-media",
        "http://s3.local",
        "private",
    )
    assert (options["querystring_auth"], options["querystring_expire"]) == (True, 60)
    with pytest.raises(ValueError, match="TONGBAN_MEDIA_STORAGE must be filesystem or s3"):
        scaleout.media_storage_setting("ftp", lambda name, default="": default)


def test_replica_url():
    default = {"ENGINE": "django.db.backends.postgresql"}
    assert scaleout.replica_setting("", default, conn_max_age=60) is None
    replica = scaleout.replica_setting(
        "postgres://ro@10.0.0.12:5432/tongban", default, conn_max_age=60
    )
    assert (replica["HOST"], replica["USER"], replica["TEST"]) == (
        "10.0.0.12",
        "ro",
        {"MIRROR": "default"},
    )
    with pytest.raises(ValueError, match="same database engine"):
        scaleout.replica_setting(
            "postgres://ro@h/db", {"ENGINE": "django.db.backends.sqlite3"}, conn_max_age=0
        )
