"""Key management for the encrypted columns: status per key id, rotation to the current key and
re-computing the blind indexes (``tongban keys status|rotate|reindex``).

Both rotation and re-indexing work in batches of rows in primary-key order, each batch in its own
transaction, and write a row only if its stored value is still the one that was read (a
concurrent edit wins; the next run picks the row up). Rotation selects only rows not yet under
the current key, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Field
from django.db.models.options import Options

from .crypto import (
    VERSION,
    BlindIndexField,
    EncryptedCharField,
    blind_index,
    decrypt,
    encrypt,
    is_encrypted,
    key_id_of,
    key_ring,
)
from .personal_data_json import (
    EncryptedJSONField,
    envelope_key_ids,
    json_batches,
    json_write,
    reseal,
)


@dataclass(frozen=True)
class EncryptedColumn:
    label: str  # "core.Person.id_number"
    table: str
    pk: str
    column: str
    kind: str
    index_column: str | None


def _fields_of(field_type: type) -> Iterator[tuple[Options, Field]]:
    """(model options, field) of every managed, concrete model field of ``field_type``."""
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        for field in opts.concrete_fields:
            if isinstance(field, field_type):
                yield opts, field


def encrypted_columns() -> list[EncryptedColumn]:
    found = []
    for opts, field in _fields_of(EncryptedCharField):
        index = None
        if field.index_field:
            target = opts.get_field(field.index_field)
            assert isinstance(target, BlindIndexField)
            index = target.column
        found.append(
            EncryptedColumn(
                label=f"{opts.label}.{field.name}",
                table=opts.db_table,
                pk=opts.pk.column,
                column=field.column,
                kind=field.kind,
                index_column=index,
            )
        )
    return sorted(found, key=lambda c: c.label)


@dataclass(frozen=True)
class EncryptedJSONColumn:
    label: str  # "cases.Case.form_data"
    table: str
    pk: str
    column: str


def encrypted_json_columns() -> list[EncryptedJSONColumn]:
    """JSON columns with encrypted values inside (``EncryptedJSONField``)."""
    found = [
        EncryptedJSONColumn(
            label=f"{opts.label}.{field.name}",
            table=opts.db_table,
            pk=opts.pk.column,
            column=field.column,
        )
        for opts, field in _fields_of(EncryptedJSONField)
    ]
    return sorted(found, key=lambda c: c.label)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _batches(col: EncryptedColumn, size: int, where: str = "", params=()) -> Iterator[list]:
    last = None
    while True:
        clauses = [f"{_q(col.column)} <> ''"] + ([where] if where else [])
        args = list(params)
        if last is not None:
            clauses.append(f"{_q(col.pk)} > %s")
            args.append(last)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_q(col.pk)}, {_q(col.column)} FROM {_q(col.table)} "  # noqa: S608 - quoted model names
                f"WHERE {' AND '.join(clauses)} ORDER BY {_q(col.pk)} LIMIT {int(size)}",
                args,
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def keys_status() -> dict[str, Counter]:
    """Per column: how many values under each key id ("plain" for unencrypted ones)."""
    status = {}
    for col in encrypted_columns():
        counts: Counter = Counter()
        for rows in _batches(col, 5000):
            for _pk, value in rows:
                counts[key_id_of(value) or "plain"] += 1
        status[col.label] = counts
    for jcol in encrypted_json_columns():
        counts = Counter()
        for rows in json_batches(connection, jcol.table, jcol.pk, jcol.column, size=2000):
            for _pk, _raw, value in rows:
                counts.update(envelope_key_ids(value))
        status[jcol.label] = counts
    return status


@dataclass
class Progress:
    column: str
    done: int
    skipped: int


def keys_rotate(
    *, batch: int = 500, progress: Callable[[Progress], None] | None = None
) -> dict[str, int]:
    """Re-encrypt every value not under the current key; returns rows rewritten per column."""
    current = key_ring().current
    prefix = f"{VERSION}:{current}:"
    result = {}
    for col in encrypted_columns():
        done = skipped = 0
        # NOT LIKE with the prefix: ':' and the key id's characters are no LIKE wildcards
        # except '_', which only widens the match (a row is then re-checked below).
        for rows in _batches(col, batch, f"{_q(col.column)} NOT LIKE %s", [prefix + "%"]):
            updates = []
            for pk, value in rows:
                if value.startswith(prefix):
                    continue
                plain = decrypt(value)
                sets = [encrypt(plain)]
                if col.index_column:
                    sets.append(blind_index(col.kind, plain))
                updates.append((pk, value, sets))
            done_now = _write(col, updates)
            done += done_now
            skipped += len(updates) - done_now
            if progress:
                progress(Progress(col.label, done, skipped))
        result[col.label] = done
    for jcol in encrypted_json_columns():
        result[jcol.label] = _rotate_json(jcol, current, batch, progress)
    return result


def _rotate_json(col: EncryptedJSONColumn, current: str, batch: int, progress) -> int:
    """Re-encrypt the envelopes not under ``current`` inside a JSON column, row by row with
    compare-and-set (a concurrent save wins and is already under the current key)."""
    done = skipped = 0
    for rows in json_batches(connection, col.table, col.pk, col.column, size=batch):
        updates = []
        for pk, raw, value in rows:
            if any(k != current for k in envelope_key_ids(value)):
                updates.append((pk, raw, reseal(value, current)))
        with transaction.atomic():
            done_now = json_write(connection, col.table, col.pk, col.column, updates)
        done += done_now
        skipped += len(updates) - done_now
        if progress and updates:
            progress(Progress(col.label, done, skipped))
    return done


def keys_reindex(
    *, batch: int = 500, progress: Callable[[Progress], None] | None = None
) -> dict[str, int]:
    """Recompute every blind index with the current TONGBAN_BLIND_INDEX_KEY (idempotent)."""
    result = {}
    for col in encrypted_columns():
        if not col.index_column:
            continue
        done = skipped = 0
        for rows in _batches(col, batch):
            updates = []
            for pk, value in rows:
                plain = decrypt(value)
                # Keep the stored value as it is (plain rows get encrypted on the way).
                stored = value if is_encrypted(value) else encrypt(plain)
                updates.append((pk, value, [stored, blind_index(col.kind, plain)]))
            done_now = _write(col, updates)
            done += done_now
            skipped += len(updates) - done_now
            if progress:
                progress(Progress(col.label, done, skipped))
        result[col.label] = done
    return result


def _write(col: EncryptedColumn, updates: list[tuple]) -> int:
    """Compare-and-set each row: written only if its value is still the one read."""
    if not updates:
        return 0
    sets = f"{_q(col.column)} = %s"
    if col.index_column:
        sets += f", {_q(col.index_column)} = %s"
    sql = f"UPDATE {_q(col.table)} SET {sets} WHERE {_q(col.pk)} = %s AND {_q(col.column)} = %s"  # noqa: S608 - quoted model names
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for pk, old, values in updates:
            cursor.execute(sql, [*values, pk, old])
            written += cursor.rowcount
    return written
