"""Private signing keys, encrypted at rest with a key-encryption key (KEK) from the environment.

``TONGBAN_LICENCE_KEY_SECRET`` holds the secret the KEK is derived from. A private key is stored
as ``sm4hmac1:<base64 iv ‖ ciphertext ‖ tag>``: SM4-CBC (PKCS#7 padding) under one derived key,
then HMAC-SHA256 under another over the format tag, the key id, the IV and the ciphertext
(encrypt-then-MAC), so a stored key cannot be altered or moved to another key id unnoticed.

Local and test settings without the variable use a development secret kept in the data
directory (``DATA_DIR/licence_key_secret``, made on first use; docs/licences.md). Production
settings never do: signing refuses to start (``KeystoreUnavailable``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from django.conf import settings
from gmssl import sm4

from .crypto import PrivateKey

FORMAT = "sm4hmac1"
DEV_SECRET_FILE = "licence_key_secret"


class KeystoreUnavailable(RuntimeError):
    """No key-encryption secret where one is required (production settings)."""


class KeystoreError(ValueError):
    """A stored private key that cannot be decrypted (wrong secret, altered, other key id)."""


def is_production() -> bool:
    module = getattr(settings, "SETTINGS_MODULE", "") or ""
    return module.endswith(".production")


def _secret() -> bytes:
    configured = getattr(settings, "TONGBAN_LICENCE_KEY_SECRET", "")
    if configured:
        return configured.encode()
    if is_production():
        raise KeystoreUnavailable(
            "TONGBAN_LICENCE_KEY_SECRET is not set: production refuses to sign licences"
        )
    path = Path(settings.DATA_DIR) / DEV_SECRET_FILE
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def keystore_source() -> str:
    """Where the KEK comes from: "environment" or "development" (raises in production)."""
    if getattr(settings, "TONGBAN_LICENCE_KEY_SECRET", ""):
        return "environment"
    _secret()
    return "development"


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return hmac.new(secret, b"tongban-licence-kek/" + purpose, hashlib.sha256).digest()


def _keys() -> tuple[bytes, bytes]:
    secret = _secret()
    return _derive(secret, b"sm4")[:16], _derive(secret, b"mac")


def _tag(mac_key: bytes, key_id: str, iv: bytes, ciphertext: bytes) -> bytes:
    message = FORMAT.encode() + b"\0" + key_id.encode() + b"\0" + iv + ciphertext
    return hmac.new(mac_key, message, hashlib.sha256).digest()


def encrypt_private_key(private: PrivateKey, *, key_id: str) -> str:
    enc_key, mac_key = _keys()
    iv = secrets.token_bytes(16)
    cipher = sm4.CryptSM4()
    cipher.set_key(enc_key, sm4.SM4_ENCRYPT)
    ciphertext = cipher.crypt_cbc(iv, private.d.to_bytes(32, "big"))
    blob = iv + ciphertext + _tag(mac_key, key_id, iv, ciphertext)
    return f"{FORMAT}:{base64.b64encode(blob).decode()}"


_cache: dict[tuple[str, str, bytes], PrivateKey] = {}


def decrypt_private_key(token: str, *, key_id: str) -> PrivateKey:
    enc_key, mac_key = _keys()
    cache_key = (key_id, token, mac_key)
    if cache_key in _cache:
        return _cache[cache_key]
    fmt, _sep, body = (token or "").partition(":")
    if fmt != FORMAT:
        raise KeystoreError("unknown private key format")
    try:
        blob = base64.b64decode(body, validate=True)
    except ValueError as exc:
        raise KeystoreError("stored private key is not base64") from exc
    if len(blob) < 16 + 16 + 32:
        raise KeystoreError("stored private key is truncated")
    iv, ciphertext, tag = blob[:16], blob[16:-32], blob[-32:]
    if not hmac.compare_digest(tag, _tag(mac_key, key_id, iv, ciphertext)):
        raise KeystoreError("stored private key does not authenticate (wrong secret or altered)")
    cipher = sm4.CryptSM4()
    cipher.set_key(enc_key, sm4.SM4_DECRYPT)
    plain = cipher.crypt_cbc(iv, ciphertext)
    private = PrivateKey.from_hex(plain.hex())
    if len(_cache) > 256:
        _cache.clear()
    _cache[cache_key] = private
    return private
