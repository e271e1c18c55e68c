"""Security events (等保 level 3 安全审计): one call records who did what, when, from where,
against what and whether it succeeded; the retention purge is the only thing that deletes.

``security_event_record`` never breaks the request it describes: a failure to write is logged
(without personal data) and swallowed. A refused action's event is recorded by the view or
middleware that answers the refusal, after the service's transaction has rolled back. The login
signals (``user_logged_in`` …) are connected here: they are not domain behaviour.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import DatabaseError, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from . import ratelimit
from .models import SecurityEvent, SecurityEventKind
from .ratelimit import client_address

logger = logging.getLogger(__name__)

MIN_RETENTION_DAYS = 180
Kind = SecurityEventKind


def _ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _actor_of(request: HttpRequest | None, actor):
    if actor is not None:
        return actor
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


def security_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    actor=None,
    actor_name: str = "",
    target: str = "",
    success: bool = True,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent | None:
    """Append one security event; returns it (None if the database refused the write)."""
    actor = _actor_of(request, actor)
    name = actor_name or (actor.get_username() if actor is not None else "")
    event = SecurityEvent(
        kind=str(Kind(kind)),
        success=success,
        actor=actor,
        actor_name=name[:150],
        ip=_ip(request),
        user_agent=(request.headers.get("User-Agent", "") if request is not None else "")[:300],
        target=str(target)[:300],
        detail=detail or {},
    )
    try:
        with transaction.atomic():
            event.save()
    except DatabaseError:
        logger.exception("could not record security event %s", kind)
        return None
    return event


# ---------------------------------------------------------------- login and logout


@receiver(user_logged_in, dispatch_uid="tongban_security_login")
def _logged_in(sender, request, user, **kwargs):
    security_event_record(kind=Kind.LOGIN_OK, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="tongban_security_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))[:150]
    security_event_record(
        kind=Kind.LOGIN_FAILED, request=request, actor_name=username, success=False
    )


@receiver(user_logged_out, dispatch_uid="tongban_security_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "_tongban_logout_reason", "")
        kind = Kind.SESSION_TIMEOUT if reason == "idle" else Kind.LOGOUT
        security_event_record(kind=kind, request=request, actor=user)


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    security_event_record(
        kind=Kind.LOGIN_LOCKED, request=request, actor_name=str(username or "")[:150], success=False
    )


try:  # django-axes: a username locked out after repeated failures
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="tongban_security_locked_out")
except ImportError:  # pragma: no cover - axes is a dependency
    pass


def _rate_limited(request, scope: str, wait: int) -> None:
    security_event_record(
        kind=Kind.RATE_LIMITED,
        request=request,
        target=request.path[:300],
        success=False,
        detail={"scope": scope, "retry_after": wait},
    )


if _rate_limited not in ratelimit.ON_LIMITED:
    ratelimit.ON_LIMITED.append(_rate_limited)


# ---------------------------------------------------------------- retention


def retention_days() -> int:
    days = int(getattr(settings, "TONGBAN_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    return max(days, MIN_RETENTION_DAYS)


def personal_data_access_model():
    """qpii's personal-data access log (``core.PersonalDataAccess``), when it is installed."""
    try:
        return apps.get_model("core", "PersonalDataAccess")
    except LookupError:
        return None


def audit_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete security events and personal-data access records older than the retention
    period (never anything younger); the purge itself is recorded."""
    now = now or timezone.now()
    days = retention_days()
    cutoff = now - dt.timedelta(days=days)
    counts = {"security_events": SecurityEvent.objects.purge_before(cutoff)}
    access = personal_data_access_model()
    if access is not None:
        counts["personal_data_access"] = access.objects.filter(at__lt=cutoff)._raw_delete(
            access.objects.db
        )
    security_event_record(
        kind=Kind.AUDIT_PURGED,
        actor_name="system",
        detail={"retention_days": days, "cutoff": cutoff.isoformat(), **counts},
    )
    return counts
