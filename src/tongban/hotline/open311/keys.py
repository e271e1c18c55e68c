"""Open311 api_keys for client applications (a city app, a partner platform …).

A key looks like ``o311_<prefix>_<secret>``: the 8-hex-digit prefix names it in lists and
revocation; only the SHA-256 of the whole key is stored, so the plain text is shown once, when
it is created, and never again. Creation and revocation are recorded in core's hash-chained
audit log (stream ``open311_key:<prefix>``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import CoreErrorCode, ValidationFailed
from tongban.core.services.audit import audit

from ..models import Open311Key

KEY_PREFIX = "o311_"
MAX_KEY_LENGTH = 128
# last_used_at is written at most once a minute per key, not on every request.
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


def _digest(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def open311_key_create(*, name: str, actor=None) -> tuple[Open311Key, str]:
    """A new key for the client application ``name``; returns the record and the plain key."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(CoreErrorCode.INVALID_INPUT, _("应用名称：不能为空。"), field="name")
    if len(name) > 64:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT, _("应用名称：不能超过 64 个字符。"), field="name"
        )
    with transaction.atomic():
        prefix = secrets.token_hex(4)
        while Open311Key.objects.filter(prefix=prefix).exists():  # pragma: no cover - 1 in 4e9
            prefix = secrets.token_hex(4)
        plain = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        key = Open311Key.objects.create(
            name=name, prefix=prefix, key_hash=_digest(plain), created_by=actor
        )
        audit(
            stream=f"open311_key:{prefix}",
            action="open311_key_created",
            actor=actor,
            payload={"prefix": prefix, "name": name},
        )
    return key, plain


def open311_key_revoke(*, prefix: str, actor=None) -> Open311Key:
    """Revoke the key with this prefix (again: no change). It stops working at once."""
    prefix = (prefix or "").strip()
    with transaction.atomic():
        key = Open311Key.objects.select_for_update().filter(prefix=prefix).first()
        if key is None:
            raise ValidationFailed(
                CoreErrorCode.TOKEN_INVALID,
                _("密钥：没有前缀为 %(p)s 的 Open311 密钥。"),
                field="prefix",
                p=prefix[:12],
            )
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit(
                stream=f"open311_key:{prefix}",
                action="open311_key_revoked",
                actor=actor,
                payload={"prefix": prefix},
            )
    return key


def open311_key_verify(plain: str) -> Open311Key | None:
    """The active key ``plain`` is, or None (unknown, malformed or revoked).

    Marks it used (``last_used_at``, at most once a minute)."""
    if not plain or not plain.startswith(KEY_PREFIX) or len(plain) > MAX_KEY_LENGTH:
        return None
    key = Open311Key.objects.filter(key_hash=_digest(plain)).first()
    if key is None or key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def open311_keys() -> QuerySet[Open311Key]:
    return Open311Key.objects.order_by("-created_at", "-pk")
