"""Encryption of personal data at rest (个人信息加密存储) and its blind index (盲索引).

A value is stored as ``v1:<key id>:<base64(nonce ‖ AES-256-GCM ciphertext ‖ tag)>``. Keys come
from ``TONGBAN_DATA_KEYS`` ("id1:base64key,id2:base64key"; the first is current, the others
still decrypt older values until ``tongban keys rotate`` has re-encrypted them). The key id is
bound to the ciphertext as associated data, so a value cannot be moved under another key's id.

Exact look-up uses a keyed blind index in a sibling column: HMAC-SHA-256 under
``TONGBAN_BLIND_INDEX_KEY`` of the kind ("id_number", "phone") and the normalised value. The
lookups ``exact``, ``iexact`` and ``in`` on an ``EncryptedCharField`` are rewritten to the index
column, so ``Person.objects.filter(id_number=…)`` keeps working; any other lookup (contains,
startswith, ordering by the value …) cannot work on ciphertext and raises ``FieldError``.

Local and test settings fall back to fixed development keys; production settings refuse to
start without both (``check_configuration``, called from ``CoreConfig.ready``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models import Lookup

VERSION = "v1"
STORED_LENGTH = 255
INDEX_LENGTH = 64
# Development keys: public, for local and test setups only (production refuses them).
DEV_DATA_KEYS = "dev1:" + base64.b64encode(b"tongban-development-data-key-32b").decode()
DEV_BLIND_INDEX_KEY = base64.b64encode(b"tongban-development-blind-index!").decode()

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class CryptoError(Exception):
    """A stored value that cannot be decrypted (unknown key id, altered, wrong key)."""


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, AESGCM]
    index_key: bytes


def is_production() -> bool:
    return (getattr(settings, "SETTINGS_MODULE", "") or "").endswith(".production")


def parse_data_keys(text: str) -> dict[str, bytes]:
    """``"id1:base64key,id2:base64key"`` → ordered {id: 32-byte key}; raises on a bad entry."""
    keys: dict[str, bytes] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(f"TONGBAN_DATA_KEYS: bad key id in entry {key_id!r}")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ImproperlyConfigured(f"TONGBAN_DATA_KEYS: key {key_id} is not base64") from exc
        if len(raw) != 32:
            raise ImproperlyConfigured(f"TONGBAN_DATA_KEYS: key {key_id} is not 32 bytes")
        if key_id in keys:
            raise ImproperlyConfigured(f"TONGBAN_DATA_KEYS: key id {key_id} given twice")
        keys[key_id] = raw
    return keys


def _configured(*, strict: bool = False) -> tuple[str, str]:
    """The configured keys, or the development keys where none are set. ``strict`` (at
    start-up) refuses missing or development keys in production settings, so that a running
    production instance never reaches the fallback."""
    data = getattr(settings, "TONGBAN_DATA_KEYS", "") or ""
    index = getattr(settings, "TONGBAN_BLIND_INDEX_KEY", "") or ""
    if strict and is_production():
        if not data or not index:
            raise ImproperlyConfigured(
                "TONGBAN_DATA_KEYS and TONGBAN_BLIND_INDEX_KEY must be set in production"
            )
        if data == DEV_DATA_KEYS or index == DEV_BLIND_INDEX_KEY:
            raise ImproperlyConfigured("production refuses the development data keys")
    return data or DEV_DATA_KEYS, index or DEV_BLIND_INDEX_KEY


@functools.cache
def _ring(data: str, index: str) -> KeyRing:
    keys = parse_data_keys(data)
    if not keys:
        raise ImproperlyConfigured("TONGBAN_DATA_KEYS names no key")
    try:
        index_key = base64.b64decode(index, validate=True)
    except binascii.Error as exc:
        raise ImproperlyConfigured("TONGBAN_BLIND_INDEX_KEY is not base64") from exc
    if len(index_key) < 32:
        raise ImproperlyConfigured("TONGBAN_BLIND_INDEX_KEY must be at least 32 bytes")
    return KeyRing(
        current=next(iter(keys)),
        keys={key_id: AESGCM(raw) for key_id, raw in keys.items()},
        index_key=index_key,
    )


def key_ring() -> KeyRing:
    """The keys in force (cached per setting value, so tests may override the settings)."""
    return _ring(*_configured())


def check_configuration() -> None:
    """Raise ``ImproperlyConfigured`` for missing (in production) or malformed keys."""
    _ring(*_configured(strict=True))


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(VERSION + ":")


def key_id_of(stored: str | None) -> str | None:
    """The key id a stored value is encrypted under (None for plain or empty values)."""
    if not is_encrypted(stored):
        return None
    return stored.split(":", 2)[1]


def encrypt(plain: str, *, key_id: str | None = None) -> str:
    ring = key_ring()
    key_id = key_id or ring.current
    nonce = os.urandom(12)
    sealed = ring.keys[key_id].encrypt(nonce, plain.encode(), f"{VERSION}:{key_id}".encode())
    return f"{VERSION}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(stored: str) -> str:
    """The plain value; a value without the version prefix is returned as it is (a row the
    data migration has not reached yet)."""
    if not is_encrypted(stored):
        return stored
    try:
        _version, key_id, body = stored.split(":", 2)
        raw = base64.b64decode(body, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise CryptoError("malformed encrypted value") from exc
    aead = key_ring().keys.get(key_id)
    if aead is None:
        raise CryptoError(f"no key with id {key_id} in TONGBAN_DATA_KEYS")
    try:
        return aead.decrypt(raw[:12], raw[12:], f"{VERSION}:{key_id}".encode()).decode()
    except Exception as exc:  # InvalidTag: altered value or wrong key
        raise CryptoError(f"value under key {key_id} does not decrypt") from exc


# --- blind index ----------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_PHONE_PREFIX = re.compile(r"^(?:\+|00)?86(?=1[3-9]\d{9}$)")


def normalise(kind: str, value: str | None) -> str:
    """The form a value is indexed in: no spaces, upper-case X; a phone also loses hyphens
    and a +86 / 0086 country prefix before a mobile number."""
    text = _SPACES.sub("", value or "").upper()
    if kind == "phone":
        text = _PHONE_PREFIX.sub("", text.replace("-", ""))
    return text


def blind_index(kind: str, value: str | None, *, key: bytes | None = None) -> str:
    """HMAC-SHA-256 of the normalised value ("" for an empty value, so blanks still match)."""
    text = normalise(kind, value)
    if not text:
        return ""
    key = key if key is not None else key_ring().index_key
    return hmac.new(key, f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()


# --- model fields ---------------------------------------------------------------------------


class EncryptedCharField(models.CharField):
    """A CharField stored encrypted; ``max_length`` is the plain value's (for forms and
    validation), the column itself holds up to ``STORED_LENGTH`` characters.

    ``kind`` names the blind index ("id_number", "phone"); ``index_field`` the sibling
    ``BlindIndexField`` that exact lookups use (empty: the field cannot be looked up)."""

    def __init__(self, *args, kind: str = "", index_field: str = "", **kwargs):
        self.kind = kind
        self.index_field = index_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if self.index_field:
            kwargs["index_field"] = self.index_field
        return name, path, args, kwargs

    def db_type_parameters(self, connection):
        params = super().db_type_parameters(connection)
        params["max_length"] = STORED_LENGTH
        return params

    def cast_db_type(self, connection):
        return connection.data_types["CharField"] % {"max_length": STORED_LENGTH}

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or is_encrypted(value):
            return value
        return encrypt(value)


class BlindIndexField(models.CharField):
    """The keyed blind index of ``source`` (an ``EncryptedCharField`` of the same model),
    recomputed whenever the row is saved."""

    def __init__(self, *args, source: str = "", kind: str = "", **kwargs):
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", INDEX_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for key, default in (("max_length", INDEX_LENGTH), ("editable", False), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = blind_index(self.kind, getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


# --- lookups: exact matches go to the blind index -------------------------------------------


def _index_column(lhs):
    field = lhs.target
    if not getattr(field, "index_field", ""):
        raise FieldError(f"{field.model.__name__}.{field.name} has no blind index to look up")
    return field.model._meta.get_field(field.index_field).get_col(lhs.alias)


@EncryptedCharField.register_lookup
class EncryptedExact(Lookup):
    lookup_name = "exact"
    can_use_none_as_rhs = True

    def __init__(self, lhs, rhs):
        if not hasattr(lhs, "target") or not hasattr(lhs, "alias"):
            raise FieldError("an encrypted field can be matched only as a column")
        field = lhs.target
        super().__init__(_index_column(lhs), None if rhs is None else blind_index(field.kind, rhs))

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        lhs_sql, params = self.process_lhs(compiler, connection)
        if self.rhs is None:
            return f"{lhs_sql} IS NULL", params
        return f"{lhs_sql} = %s", (*params, self.rhs)


@EncryptedCharField.register_lookup
class EncryptedIExact(EncryptedExact):
    lookup_name = "iexact"  # the index is case-normalised already


@EncryptedCharField.register_lookup
class EncryptedIn(Lookup):
    lookup_name = "in"

    def __init__(self, lhs, rhs):
        if not hasattr(lhs, "target") or not hasattr(lhs, "alias"):
            raise FieldError("an encrypted field can be matched only as a column")
        field = lhs.target
        values = sorted({blind_index(field.kind, v) for v in rhs if v is not None})
        super().__init__(_index_column(lhs), values)

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        lhs_sql, params = self.process_lhs(compiler, connection)
        if not self.rhs:
            from django.core.exceptions import EmptyResultSet

            raise EmptyResultSet
        marks = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs_sql} IN ({marks})", (*params, *self.rhs)


def _refuse(name: str):
    class Refused(Lookup):
        lookup_name = name

        def __init__(self, lhs, rhs):
            raise FieldError(
                f"'{name}' cannot search encrypted personal data: use an exact match "
                "(the blind index)"
            )

    Refused.__name__ = f"Refused{name.title()}"
    return Refused


for _name in (
    "contains",
    "icontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "regex",
    "iregex",
    "gt",
    "gte",
    "lt",
    "lte",
    "range",
):
    EncryptedCharField.register_lookup(_refuse(_name))
