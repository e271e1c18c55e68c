"""Monthly range partitioning of the largest append-only tables on PostgreSQL (docs/deploy.md).

The case and ticket event tables grow without end and are read by time (statistics) or by
subject (a timeline, through an index); they are partitioned by month of ``occurred_at``, with a
DEFAULT partition for anything outside the monthly ones. ``partition_operation`` is the
migration step (a no-op on SQLite) that converts a plain table into a partitioned one, keeping
its rows, column defaults, identity sequence, CHECK and foreign-key constraints and indexes;
PostgreSQL requires the partition key in every unique constraint, so the primary key becomes
(id, occurred_at) and the (stream, seq) uniqueness (stream, seq, occurred_at) — the chain's own
lock (``EventChainHead``, one row per stream, locked on every append) is what numbers events
without gaps or repeats, and ``chain_verify`` still proves it. ``ensure_partitions`` (the
``tongban partitions ensure`` command, scheduled monthly) creates the coming months' partitions,
moving any of their rows that landed in the DEFAULT partition.

Tickets themselves are not partitioned: a dozen tables refer to a ticket by its id, and a
foreign key must reference a unique key, which on a partitioned table must include the
partition key — every reference would have to carry the ticket's month.
"""

# Table and column names here are the module's own constants, quoted by _q; bounds are
# ISO timestamps made here: S608 does not apply.
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection as default_connection
from django.db import migrations, transaction
from django.utils import timezone

ZONE = ZoneInfo("Asia/Shanghai")
# table → partition key column: the tables `tongban partitions ensure` keeps partitions for.
PARTITIONED_TABLES = {
    "cases_caseevent": "occurred_at",
    "hotline_ticketevent": "occurred_at",
}


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, moment: dt.datetime) -> Month:
        local = moment.astimezone(ZONE)
        return cls(local.year, local.month)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1, tzinfo=ZONE)

    def suffix(self) -> str:
        return f"p{self.year:04d}{self.month:02d}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def _table_definition(cursor, table: str) -> dict:
    """The constraints and indexes of ``table`` that a rebuilt copy must get again."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid "
        "AND c.conrelid = x.indrelid) ORDER BY i.relname",
        [table],
    )
    indexes = cursor.fetchall()
    for name, definition in indexes:
        if definition.startswith("CREATE UNIQUE"):
            raise RuntimeError(f"{table}: unique index {name} cannot be carried over as is")
    return {"constraints": constraints, "indexes": indexes}


def _with_key(definition: str, column: str) -> str:
    """PRIMARY KEY (id) → PRIMARY KEY (id, occurred_at); the same for UNIQUE (…)."""
    return re.sub(
        r"^(PRIMARY KEY|UNIQUE(?: NULLS NOT DISTINCT)?) \((.*?)\)",
        lambda m: f"{m.group(1)} ({m.group(2)}, {column})",
        definition,
        count=1,
    )


def _without_key(definition: str, column: str) -> str:
    return re.sub(
        r"^(PRIMARY KEY|UNIQUE(?: NULLS NOT DISTINCT)?) \((.*?), " + re.escape(column) + r"\)",
        lambda m: f"{m.group(1)} ({m.group(2)})",
        definition,
        count=1,
    )


def _rebuild(cursor, table: str, column: str, *, partitioned: bool) -> None:
    """Replace ``table`` by a partitioned (or, backwards, a plain) copy with the same rows,
    defaults, identity, constraints and indexes."""
    definition = _table_definition(cursor, table)
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (old_sequence,) = cursor.fetchone()
    temp = f"{table}__rebuild"
    tail = f" PARTITION BY RANGE ({_q(column)})" if partitioned else ""
    cursor.execute(
        f"CREATE TABLE {_q(temp)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING IDENTITY "
        f"INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS){tail}"
    )
    if partitioned:
        cursor.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(temp)} DEFAULT")
        cursor.execute(f"SELECT min({_q(column)}) FROM {_q(table)}")
        (oldest,) = cursor.fetchone()
        _create_months(cursor, temp, table, oldest or timezone.now(), months_ahead=3)
    cursor.execute(f"INSERT INTO {_q(temp)} SELECT * FROM {_q(table)} ORDER BY id")
    cursor.execute(f"DROP TABLE {_q(table)}")
    cursor.execute(f"ALTER TABLE {_q(temp)} RENAME TO {_q(table)}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (new_sequence,) = cursor.fetchone()
    if new_sequence and old_sequence and new_sequence != old_sequence:
        bare = old_sequence.split(".")[-1].strip('"')
        cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {_q(bare)}")
        new_sequence = old_sequence
    if new_sequence:
        cursor.execute(
            f"SELECT setval(%s, COALESCE((SELECT max(id) FROM {_q(table)}), 0) + 1, false)",
            [new_sequence],
        )
    adjust = _with_key if partitioned else _without_key
    for name, kind, text in definition["constraints"]:
        if kind in ("p", "u"):
            text = adjust(text, column)
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {text}")
    for _name, text in definition["indexes"]:
        cursor.execute(text)


def _partition_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return cursor.fetchone()[0]


def _create_months(
    cursor, parent: str, base: str, since: dt.datetime, *, months_ahead: int
) -> list[str]:
    """Monthly partitions of ``parent`` (named after ``base``) from the month of ``since`` to
    ``months_ahead`` months after the current one; rows of a new month that wait in the
    DEFAULT partition are moved into it. Returns the partitions created."""
    created = []
    month, last = Month.of(since), Month.of(timezone.now())
    for _ in range(months_ahead):
        last = last.next()
    column = PARTITIONED_TABLES.get(base, "occurred_at")
    default = f"{base}_default"
    while (month.year, month.month) <= (last.year, last.month):
        name = f"{base}_{month.suffix()}"
        lower, upper = month.start().isoformat(), month.next().start().isoformat()
        if not _partition_exists(cursor, name):
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {_q(default)} WHERE {_q(column)} >= %s "
                f"AND {_q(column)} < %s)",
                [lower, upper],
            )
            if cursor.fetchone()[0]:  # move the month's rows out of DEFAULT, then attach
                cursor.execute(
                    f"CREATE TABLE {_q(name)} (LIKE {_q(parent)} INCLUDING DEFAULTS "
                    "INCLUDING CONSTRAINTS INCLUDING STORAGE)"
                )
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {_q(default)} WHERE {_q(column)} >= %s AND "
                    f"{_q(column)} < %s RETURNING *) INSERT INTO {_q(name)} SELECT * FROM moved",
                    [lower, upper],
                )
                cursor.execute(
                    f"ALTER TABLE {_q(parent)} ATTACH PARTITION {_q(name)} "
                    f"FOR VALUES FROM ('{lower}') TO ('{upper}')"
                )
            else:
                cursor.execute(
                    f"CREATE TABLE {_q(name)} PARTITION OF {_q(parent)} "
                    f"FOR VALUES FROM ('{lower}') TO ('{upper}')"
                )
            created.append(name)
        month = month.next()
    return created


def ensure_partitions(*, months_ahead: int = 3, using=None) -> dict[str, list[str]]:
    """Create this month's and the next ``months_ahead`` months' partitions of every
    partitioned table (PostgreSQL; elsewhere nothing). Table → partitions created."""
    connection = using or default_connection
    result: dict[str, list[str]] = {}
    if connection.vendor != "postgresql":
        return result
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for table in PARTITIONED_TABLES:
            if is_partitioned(cursor, table):
                result[table] = _create_months(
                    cursor, table, table, timezone.now(), months_ahead=months_ahead
                )
    return result


def partitions_of(table: str, *, using=None) -> list[tuple[str, str]]:
    """(partition, bounds) of a partitioned table, in name order; [] elsewhere."""
    connection = using or default_connection
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) "
            "ORDER BY c.relname",
            [table],
        )
        return [(name, bounds) for name, bounds in cursor.fetchall()]


def partition_operation(table: str, column: str) -> migrations.RunPython:
    """The migration step converting ``table`` to monthly partitions of ``column``
    (PostgreSQL only; a no-op on SQLite, in both directions)."""

    def forwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            if not is_partitioned(cursor, table):
                _rebuild(cursor, table, column, partitioned=True)

    def backwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            if is_partitioned(cursor, table):
                _rebuild(cursor, table, column, partitioned=False)

    return migrations.RunPython(forwards, backwards, elidable=False)
