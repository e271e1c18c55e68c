"""Data-migration steps for encrypted columns (used by the ``*_personal_data`` migrations).

They work on the raw column values through the migration's connection, so they are independent
of the field classes a historical model would apply: ``encrypt_step`` encrypts every plain
value under the current key and fills the blind index; ``decrypt_step`` (its reverse) writes
the plain values back.
"""

from __future__ import annotations

from django.db import migrations

from .crypto import blind_index, decrypt, encrypt, is_encrypted

BATCH = 1000


def _rows(connection, table: str, pk: str, column: str):
    q = connection.ops.quote_name
    last = None
    with connection.cursor() as cursor:
        while True:
            where = f"WHERE {q(pk)} > %s " if last is not None else ""
            cursor.execute(
                f"SELECT {q(pk)}, {q(column)} FROM {q(table)} {where}"  # noqa: S608 - quoted model names
                f"ORDER BY {q(pk)} LIMIT {BATCH}",
                [last] if last is not None else [],
            )
            batch = cursor.fetchall()
            if not batch:
                return
            yield batch
            last = batch[-1][0]


def _encrypt(model_name: str, app_label: str, field: str, index: str | None, kind: str):
    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        opts = model._meta
        table, pk = opts.db_table, opts.pk.column
        column = opts.get_field(field).column
        connection = schema_editor.connection
        q = connection.ops.quote_name
        sets = f"{q(column)} = %s" + (f", {q(opts.get_field(index).column)} = %s" if index else "")
        with connection.cursor() as cursor:
            for batch in _rows(connection, table, pk, column):
                updates = []
                for row_pk, value in batch:
                    if not value:
                        continue
                    plain = decrypt(value) if is_encrypted(value) else value
                    stored = value if is_encrypted(value) else encrypt(plain)
                    params = [stored] + ([blind_index(kind, plain)] if index else [])
                    updates.append([*params, row_pk])
                if updates:
                    cursor.executemany(f"UPDATE {q(table)} SET {sets} WHERE {q(pk)} = %s", updates)  # noqa: S608 - quoted model names

    return run


def _decrypt(model_name: str, app_label: str, field: str):
    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        opts = model._meta
        column = opts.get_field(field).column
        connection = schema_editor.connection
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            for batch in _rows(connection, opts.db_table, opts.pk.column, column):
                updates = [[decrypt(v), pk] for pk, v in batch if is_encrypted(v)]
                if updates:
                    cursor.executemany(
                        f"UPDATE {q(opts.db_table)} SET {q(column)} = %s "  # noqa: S608 - quoted model names
                        f"WHERE {q(opts.pk.column)} = %s",
                        updates,
                    )

    return run


def encrypt_step(
    app_label: str, model_name: str, field: str, *, index: str | None, kind: str
) -> migrations.RunPython:
    """Encrypt ``field`` of every row and fill ``index``; reversible (decrypts)."""
    return migrations.RunPython(
        _encrypt(model_name, app_label, field, index, kind),
        _decrypt(model_name, app_label, field),
        elidable=False,
    )
