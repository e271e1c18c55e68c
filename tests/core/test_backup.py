"""`tongban backup DIR` and `tongban restore DIR`: a demo instance round-trips into an empty one
with every table and file equal; damaged backups and non-empty targets are refused."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from tongban.core import backup as backups
from tongban.core.models import Region


def _tongban(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tongban", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


class _EmptyInstance:
    """A second, empty tongban instance: its own data directory and (on PostgreSQL) database."""

    def __init__(self, root: Path):
        self.root = root
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tongban.config.settings.local",
            "TONGBAN_DATA_DIR": str(root / "data"),
            "TONGBAN_DEBUG": "0",
        }
        self.database = ""
        if connection.vendor == "postgresql":
            self.database = f"restore_{uuid.uuid4().hex[:12]}"
            with self._admin() as admin:
                admin.execute(f'CREATE DATABASE "{self.database}"')
            conf = connection.settings_dict
            self.env["DATABASE_URL"] = (
                f"postgres://{conf['USER']}@{conf['HOST']}:{conf['PORT']}/{self.database}"
            )
        else:
            self.env.pop("DATABASE_URL", None)

    def _admin(self):
        conf = connection.settings_dict
        return psycopg.connect(
            host=conf["HOST"],
            port=conf["PORT"],
            user=conf["USER"],
            password=conf.get("PASSWORD") or None,
            dbname="postgres",
            autocommit=True,
        )

    def drop(self):
        if self.database:
            with self._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture
def empty_instance(tmp_path):
    instance = _EmptyInstance(tmp_path / "other")
    yield instance
    instance.drop()


def _comparable(manifest: dict) -> dict:
    return {"tables": manifest["tables"], "files": manifest["files"]}


@pytest.mark.django_db(transaction=True)
def test_a_demo_instance_round_trips_with_every_table_and_file_equal(tmp_path, empty_instance):
    call_command("demo", "load", stdout=io.StringIO())
    default_storage.save("cases/2026/11/scan.pdf", ContentFile(b"%PDF-1.4 scan of an ID card"))
    default_storage.save("hotline/photo.jpg", ContentFile(bytes(range(256)) * 40))

    out = io.StringIO()
    call_command("backup", str(tmp_path / "first"), stdout=out)
    assert out.getvalue().startswith("OK: backup in ")
    manifest = backups.read_manifest(tmp_path / "first")
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"]["core_region"]["rows"] == Region.objects.count() > 0
    assert manifest["tables"]["cases_case"]["rows"] > 0
    assert manifest["tables"]["hotline_ticket"]["rows"] > 0
    assert {"storage/cases/2026/11/scan.pdf", "storage/hotline/photo.jpg"} <= set(manifest["files"])
    assert backups.verify(tmp_path / "first") == []

    restored = _tongban("restore", str(tmp_path / "first"), env=empty_instance.env)
    assert restored.returncode == 0, restored.stderr
    assert "every table matches the backup" in restored.stdout

    again = _tongban("backup", str(tmp_path / "second"), env=empty_instance.env)
    assert again.returncode == 0, again.stderr
    second = backups.read_manifest(tmp_path / "second")
    assert _comparable(second) == _comparable(manifest)
    assert (empty_instance.root / "data" / "media" / "hotline" / "photo.jpg").read_bytes() == bytes(
        range(256)
    ) * 40


@pytest.mark.django_db(transaction=True)  # SQLite's backup API cannot copy an open transaction
def test_a_restore_into_an_instance_that_has_data_is_refused(tmp_path):
    Region.objects.create(code="330106", name="西湖区", level="district")
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    before = Region.objects.count()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    assert Region.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_written(tmp_path, empty_instance):
    default_storage.save("cases/a.pdf", ContentFile(b"original"))
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    (tmp_path / "b" / "files" / "storage" / "cases" / "a.pdf").write_bytes(b"altered")

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("restore", str(tmp_path / "b"), "--verify-only", stdout=out)
    assert "checksum differs: files/storage/cases/a.pdf" in out.getvalue()

    restored = _tongban("restore", str(tmp_path / "b"), env=empty_instance.env)
    assert restored.returncode != 0
    assert "damaged, nothing restored" in restored.stderr
    assert not (empty_instance.root / "data" / "media" / "cases" / "a.pdf").exists()


@pytest.mark.django_db
def test_backup_needs_a_new_or_empty_directory_and_a_known_format(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("something")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "full"), stdout=io.StringIO())

    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "manifest.json").write_text(json.dumps({"format": "other/9"}))
    with pytest.raises(CommandError, match="unknown backup format"):
        call_command("restore", str(tmp_path / "odd"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a tongban backup"):
        call_command("restore", str(tmp_path / "nothing"), stdout=io.StringIO())
