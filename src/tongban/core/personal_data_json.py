"""Personal data inside JSON columns: the application form's ID numbers and phones.

``Case.form_data`` and ``BundleCase.form_data`` hold the answers of an item's application form.
The values of its fields of type ``id_number`` and ``phone`` are stored as envelope strings —
the same ``v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`` as ``EncryptedCharField`` (core/
crypto.py, same keys) — while the other answers stay plain JSON (queries such as
``form_data__home_visit=True`` keep working).

``EncryptedJSONField`` does both directions in one place, so every reader gets plain values:

- on read (``from_db_value``) ``open_values`` decrypts every envelope string, at any depth;
- on save (``pre_save``) ``seal_values`` encrypts the values of the codes the row names
  (``model.personal_data_codes()``: the form's fields of those types), and — on every write
  path, ``QuerySet.update()`` and ``bulk_update()`` included (``get_prep_value``) — any string
  that looks like an 18-digit ID number, a mobile or a landline number. A plain string that
  merely looks like an envelope is encrypted too, so nothing plain is ever mistaken for one.

The in-memory value stays plain; ``tongban keys status|rotate`` count and re-encrypt the
envelopes of these columns as well (``personal_data_keys``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django.db import models

from .crypto import CryptoError, decrypt, encrypt

ENVELOPE = re.compile(r"^v1:[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/]+={0,2}$")
_LOOKS_SENSITIVE = re.compile(
    r"^(?:\d{17}[\dXx]"  # an 18-digit ID number
    r"|(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"  # a mainland mobile
    r"|0\d{2,3}-?\d{7,8})$"  # a landline with its area code
)
CODES_METHOD = "personal_data_codes"


def is_envelope(value: Any) -> bool:
    return isinstance(value, str) and bool(ENVELOPE.match(value))


def looks_sensitive(value: str) -> bool:
    return bool(_LOOKS_SENSITIVE.match(value.strip()))


def _sealed(value: str) -> bool:
    """A genuine envelope under a known key (a look-alike typed by someone is not)."""
    if not is_envelope(value):
        return False
    try:
        decrypt(value)
    except CryptoError:
        return False
    return True


def _seal_one(value: Any, sensitive: bool) -> Any:
    if isinstance(value, dict):
        return {k: _seal_one(v, False) for k, v in value.items()}
    if isinstance(value, list):
        return [_seal_one(v, False) for v in value]
    if not isinstance(value, str) or not value or _sealed(value):
        return value
    if sensitive or looks_sensitive(value) or is_envelope(value):
        return encrypt(value)
    return value


def seal_values(data: Any, codes: Iterable[str] = ()) -> Any:
    """A copy of ``data`` with the values of ``codes`` (top level) and every string that looks
    like an ID number or a phone encrypted. Values already sealed are kept as they are."""
    if not isinstance(data, dict):
        return _seal_one(data, False) if isinstance(data, list) else data
    wanted = set(codes)
    return {k: _seal_one(v, k in wanted) for k, v in data.items()}


def open_values(data: Any) -> Any:
    """A copy of ``data`` with every envelope string decrypted (``CryptoError`` if one does
    not decrypt: an altered value or a missing key)."""
    if isinstance(data, dict):
        return {k: open_values(v) for k, v in data.items()}
    if isinstance(data, list):
        return [open_values(v) for v in data]
    if is_envelope(data):
        return decrypt(data)
    return data


def envelope_key_ids(data: Any) -> list[str]:
    """The key id of every envelope in ``data`` (for ``keys status``)."""
    if isinstance(data, dict):
        return [k for v in data.values() for k in envelope_key_ids(v)]
    if isinstance(data, list):
        return [k for v in data for k in envelope_key_ids(v)]
    if is_envelope(data):
        return [data.split(":", 2)[1]]
    return []


def reseal(data: Any, current: str) -> Any:
    """``data`` with every envelope not under the key ``current`` re-encrypted under it."""
    if isinstance(data, dict):
        return {k: reseal(v, current) for k, v in data.items()}
    if isinstance(data, list):
        return [reseal(v, current) for v in data]
    if is_envelope(data) and data.split(":", 2)[1] != current:
        return encrypt(decrypt(data))
    return data


class EncryptedJSONField(models.JSONField):
    """A JSONField whose ID numbers and phones are stored encrypted (see the module)."""

    def from_db_value(self, value, expression, connection):
        return open_values(super().from_db_value(value, expression, connection))

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        codes_of = getattr(model_instance, CODES_METHOD, None)
        codes = codes_of() if callable(codes_of) and isinstance(value, dict) and value else ()
        return seal_values(value, codes)

    def get_prep_value(self, value):
        if isinstance(value, dict | list):
            value = seal_values(value)
        return super().get_prep_value(value)


# --- raw column access (rotation, status, data migrations) ------------------------------------


def _load(raw: Any) -> Any:
    if isinstance(raw, str | bytes | bytearray):
        return json.loads(raw)
    return raw  # a driver that parses JSON itself


def json_batches(connection, table: str, pk: str, column: str, *, extra=(), size: int = 500):
    """Batches of ``(pk, raw value, parsed value, *extra columns)`` in primary-key order, rows
    whose value mentions an envelope or not (the caller decides)."""
    q = connection.ops.quote_name
    cols = ", ".join([q(pk), q(column), *(q(c) for c in extra)])
    last = None
    while True:
        where = f"WHERE {q(pk)} > %s " if last is not None else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {cols} FROM {q(table)} {where}"  # noqa: S608 - quoted model names
                f"ORDER BY {q(pk)} LIMIT {int(size)}",
                [last] if last is not None else [],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield [(r[0], r[1], _load(r[1]) if r[1] is not None else None, *r[2:]) for r in rows]
        last = rows[-1][0]


def json_write(connection, table: str, pk: str, column: str, updates) -> int:
    """Write ``(pk, old raw value, new parsed value)`` rows, each only if its stored value is
    still the one read (compare-and-set); returns how many were written."""
    if not updates:
        return 0
    q = connection.ops.quote_name
    mark = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"UPDATE {q(table)} SET {q(column)} = {mark} "  # noqa: S608 - quoted model names
        f"WHERE {q(pk)} = %s AND {q(column)} = {mark}"
    )
    written = 0
    with connection.cursor() as cursor:
        for row_pk, old, new in updates:
            old_text = old if isinstance(old, str) else json.dumps(old, ensure_ascii=False)
            cursor.execute(sql, [json.dumps(new, ensure_ascii=False), row_pk, old_text])
            written += cursor.rowcount
    return written
