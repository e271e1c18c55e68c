"""Backup and restore of a whole instance: a consistent database snapshot, the stored files and a
manifest with checksums (``tongban backup DIR`` / ``tongban restore DIR``, docs/backup.md).

A backup directory holds

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the platform runs) or
  ``database.pgdump`` (``pg_dump --format=custom``, one consistent snapshot);
- ``files/``: every file of the default storage (materials, attachments, licence PDFs …) and the
  data directory's own data (the dispatch models), under their storage names;
- ``manifest.json``: when, from which database engine, the applied migrations, the SHA-256 and size
  of every file (the database dump included), and per table its row count and a digest of its rows
  in primary-key order, so a restore proves that every table came back as it was.

Secrets are not copied unless asked (``--with-secrets``): production takes them from the
environment, and a backup medium should not carry the key that decrypts the signing keys.

A restore goes into an empty instance only (no tables in the database, no files in the storage),
checks every checksum before it writes anything, and compares every table with the manifest
afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "tongban-backup/1"
MANIFEST = "manifest.json"
FILES = "files"
STORAGE_PREFIX = "storage/"
DATA_PREFIX = "data/"
# Data-directory folders that hold data (not caches): copied with the database.
DATA_DIRS = ("dispatch-models",)
# Files in the data directory that hold secrets: only with ``with_secrets``.
SECRET_FILES = ("secret_key", "licence_key_secret")
CHUNK = 1 << 20


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class TableDigest:
    rows: int
    sha256: str


@dataclass
class Summary:
    directory: Path
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


# --- helpers --------------------------------------------------------------------------------


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _normal(value):
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def table_digests() -> dict[str, TableDigest]:
    """Every table of the project's models (and their many-to-many tables): row count and the
    SHA-256 of its rows in primary-key order, as this database connection returns them."""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        return _digests_with(cursor, existing)


def _storage_names(directory: str = "") -> Iterator[str]:
    try:
        dirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(dirs):
        yield from _storage_names(f"{directory}/{sub}" if directory else sub)


def _data_dir_files(with_secrets: bool) -> Iterator[tuple[str, Path]]:
    root = Path(settings.DATA_DIR)
    for folder in DATA_DIRS:
        base = root / folder
        if base.is_dir():
            for path in sorted(p for p in base.rglob("*") if p.is_file()):
                yield path.relative_to(root).as_posix(), path
    if with_secrets:
        for name in SECRET_FILES:
            if (root / name).is_file():
                yield name, root / name


def _vendor() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def _pg_bin(tool: str) -> str:
    configured = os.environ.get("TONGBAN_PG_BIN", "")
    if configured:
        return str(Path(configured) / tool)
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), key=_version_key)
    if candidates:
        return str(candidates[-1])
    found = shutil.which(tool)
    if not found:
        raise BackupError(f"{tool} not found: install PostgreSQL's client or set TONGBAN_PG_BIN")
    return found


def _version_key(path: Path) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in path.parts[-3].split("."))
    except ValueError:
        return (0,)


def _pg_env() -> dict[str, str]:
    conf = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(conf.get("HOST") or "localhost"),
            "PGPORT": str(conf.get("PORT") or "5432"),
            "PGUSER": str(conf.get("USER") or ""),
            "PGDATABASE": str(conf.get("NAME") or ""),
        }
    )
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    return env


def _run(args: list[str]) -> None:
    # The arguments are the PostgreSQL tools and our own paths and settings, no outside input.
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[:2000]}")


# --- backup ---------------------------------------------------------------------------------


def backup(
    directory: Path, *, with_secrets: bool = False, progress: Callable[[str], None] | None = None
) -> Summary:
    """Write a backup of this instance into ``directory`` (created; it must be empty)."""
    say = progress or (lambda _m: None)
    started = dt.datetime.now(dt.UTC)
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup goes into a new directory")
    (directory / FILES).mkdir(parents=True, exist_ok=True)

    vendor = _vendor()
    say(f"database ({vendor}) …")
    if vendor == "sqlite":
        if connection.in_atomic_block:  # the backup API would wait for this transaction forever
            raise BackupError("a SQLite backup cannot run inside an open transaction")
        dump = directory / "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(dump)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif vendor == "postgresql":
        dump = directory / "database.pgdump"
        digests = _pg_dump_with_digests(dump)
    else:  # pragma: no cover - only the two supported engines
        raise BackupError(f"unsupported database engine: {vendor}")
    if vendor == "sqlite":
        digests = _snapshot_digests(dump)

    say("files …")
    files: dict[str, dict] = {}
    for name in _storage_names():
        path = directory / FILES / (STORAGE_PREFIX + name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, path.open("wb") as target:
            shutil.copyfileobj(source, target, CHUNK)
        sha, size = _sha256_file(path)
        files[STORAGE_PREFIX + name] = {"sha256": sha, "size": size}
    for name, source_path in _data_dir_files(with_secrets):
        path = directory / FILES / (DATA_PREFIX + name)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_path, path)
        sha, size = _sha256_file(path)
        files[DATA_PREFIX + name] = {"sha256": sha, "size": size}

    dump_sha, dump_size = _sha256_file(dump)
    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "database": {"vendor": vendor, "file": dump.name, "sha256": dump_sha, "size": dump_size},
        "migrations": sorted(
            f"{app}.{name}"
            for app, name in MigrationRecorder.Migration.objects.values_list("app", "name")
        ),
        "tables": {t: {"rows": d.rows, "sha256": d.sha256} for t, d in digests.items()},
        "files": files,
        "with_secrets": with_secrets,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    summary = Summary(
        directory=directory,
        tables=len(digests),
        rows=sum(d.rows for d in digests.values()),
        files=len(files),
        bytes=dump_size + sum(f["size"] for f in files.values()),
    )
    summary.seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    return summary


def _pg_dump_with_digests(dump: Path) -> dict[str, TableDigest]:
    """pg_dump and the table digests from one snapshot: the digests are read in a repeatable-read
    transaction whose snapshot pg_dump is given, so both see exactly the same rows."""
    if connection.in_atomic_block:  # inside a caller's transaction: dump, then read
        _run([_pg_bin("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump)])
        return table_digests()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(
            [
                _pg_bin("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(dump),
            ]
        )
        return table_digests()


def current_digests() -> dict[str, TableDigest]:
    """The digests of this instance's tables as a backup records them."""
    if _vendor() != "sqlite":
        return table_digests()
    # Read SQLite through a plain connection to a copy, as the backup's digests were read (the
    # Django connection converts some column types, which would change the digest).
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return _snapshot_digests(copy)


def _snapshot_digests(dump: Path) -> dict[str, TableDigest]:
    """The digests of a SQLite snapshot file, read through a plain sqlite3 connection."""
    snapshot = sqlite3.connect(dump)
    try:
        return _digests_with(snapshot.cursor(), set(_sqlite_tables(snapshot)))
    finally:
        snapshot.close()


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    ]


def _digests_with(cursor, existing: set[str]) -> dict[str, TableDigest]:
    result: dict[str, TableDigest] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in existing:
            continue
        # Table and column names come from the models, never from input.
        query = f'SELECT * FROM "{meta.db_table}" ORDER BY "{meta.pk.column}"'  # noqa: S608
        cursor.execute(query)
        digest, count = hashlib.sha256(), 0
        while rows := cursor.fetchmany(2000):
            for row in rows:
                digest.update(json.dumps([_normal(v) for v in row], default=str).encode() + b"\n")
            count += len(rows)
        result[meta.db_table] = TableDigest(rows=count, sha256=digest.hexdigest())
    return dict(sorted(result.items()))


# --- restore --------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} not found: not a tongban backup directory")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise BackupError(f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r} (expected {FORMAT})")
    return manifest


def verify(directory: Path) -> list[str]:
    """Every file of the backup against the manifest: the problems found (empty when intact)."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    problems: list[str] = []
    database = manifest["database"]
    expected = [(directory / database["file"], database)]
    expected += [(directory / FILES / name, meta) for name, meta in manifest["files"].items()]
    for path, meta in expected:
        if not path.is_file():
            problems.append(f"missing: {path.relative_to(directory)}")
            continue
        sha, size = _sha256_file(path)
        if (sha, size) != (meta["sha256"], meta["size"]):
            problems.append(f"checksum differs: {path.relative_to(directory)}")
    return problems


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(directory: Path, *, progress: Callable[[str], None] | None = None) -> Summary:
    """Restore a backup into this (empty) instance and compare every table with the manifest."""
    say = progress or (lambda _m: None)
    started = dt.datetime.now(dt.UTC)
    directory = Path(directory)
    manifest = read_manifest(directory)
    if problems := verify(directory):
        raise BackupError("the backup is damaged, nothing restored: " + "; ".join(problems[:10]))
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"the backup is of a {manifest['database']['vendor']} database; this instance uses "
            f"{vendor} (copy across engines with dumpdata/loaddata instead)"
        )
    known = {f"{migration.app_label}.{migration.name}" for migration in _loader_migrations()}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            "the backup was made by a newer version (unknown migrations: "
            + ", ".join(unknown[:5])
            + "): upgrade the code first"
        )
    if not _database_is_empty():
        raise BackupError("the database is not empty: restore goes into an empty instance only")
    storage_names = [n for n in manifest["files"] if n.startswith(STORAGE_PREFIX)]
    for name in storage_names:
        if default_storage.exists(name[len(STORAGE_PREFIX) :]):
            raise BackupError(f"the file storage is not empty ({name}): restore needs it empty")

    say("database …")
    dump = directory / manifest["database"]["file"]
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        _run(
            [
                _pg_bin("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                connection.settings_dict.get("NAME") or "",
                str(dump),
            ]
        )
    connection.close()

    say("files …")
    data_root = Path(settings.DATA_DIR)
    for name in manifest["files"]:
        source_path = directory / FILES / name
        if name.startswith(STORAGE_PREFIX):
            target = name[len(STORAGE_PREFIX) :]
            with source_path.open("rb") as handle:
                saved = default_storage.save(target, File(handle, name=target))
            if saved != target:
                raise BackupError(f"the storage renamed {target} to {saved}")
        elif name.startswith(DATA_PREFIX):
            target_path = data_root / name[len(DATA_PREFIX) :]
            target_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source_path, target_path)

    say("checking every table …")
    digests = current_digests()
    summary = Summary(directory=directory, tables=len(digests), files=len(manifest["files"]))
    summary.rows = sum(d.rows for d in digests.values())
    for table, meta in manifest["tables"].items():
        got = digests.get(table)
        if got is None:
            summary.problems.append(f"table {table} missing after restore")
        elif (got.rows, got.sha256) != (meta["rows"], meta["sha256"]):
            summary.problems.append(
                f"table {table}: {got.rows} rows restored, {meta['rows']} in the backup"
                if got.rows != meta["rows"]
                else f"table {table}: content differs"
            )
    summary.bytes = manifest["database"]["size"] + sum(
        f["size"] for f in manifest["files"].values()
    )
    summary.seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    return summary


def _loader_migrations():
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values()
