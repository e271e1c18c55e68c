"""Personal bearer tokens for scripts and integrations: shown once, stored as SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..errors import CoreErrorCode, ValidationFailed
from ..models import ApiToken, User
from .audit import audit

TOKEN_PREFIX = "tb_"
LAST_USED_GRANULARITY = dt.timedelta(minutes=5)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *, user: User, name: str = "", days: int | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain text is returned once and never stored."""
    days = settings.TONGBAN_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 3660:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT, _("有效天数：应在 1 至 3660 之间。"), field="days"
        )
    if not user.is_active:
        raise ValidationFailed(CoreErrorCode.INVALID_INPUT, _("用户：该账号已停用。"), field="user")
    prefix = secrets.token_hex(4)
    plain = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:64],
            prefix=prefix,
            key_hash=_digest(plain),
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        audit(
            stream=f"user:{user.pk}",
            action="token_created",
            actor=actor,
            payload={"prefix": prefix, "name": name[:64], "days": days},
        )
    return token, plain


def api_token_revoke(*, prefix: str, actor: User | None = None) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(prefix=prefix).first()
        if token is None:
            raise ValidationFailed(
                CoreErrorCode.TOKEN_INVALID,
                _("令牌：没有前缀为 %(p)s 的令牌。"),
                field="prefix",
                p=prefix[:12],
            )
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit(
                stream=f"user:{token.user_id}",
                action="token_revoked",
                actor=actor,
                payload={"prefix": prefix},
            )
    return token


def api_token_authenticate(key: str) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to; None otherwise.

    One indexed query (a SHA-256 of the key, never a slow password hash), which also reads the
    user's person record when there is one; a write at most every ``LAST_USED_GRANULARITY``.
    """
    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 128:
        return None
    try:
        token = ApiToken.objects.select_related("user__person").get(key_hash=_digest(key))
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
