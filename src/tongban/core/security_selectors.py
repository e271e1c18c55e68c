"""Reads for the security pages: staff with their roles and second-factor state, and the
security-event log filtered by kind, actor and date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Department, SecurityEvent, SecurityEventKind, User

EVENT_KINDS = SecurityEventKind


def staff_user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username.strip(), staff__isnull=False).first()


def staff_for_security(query: str = "") -> QuerySet[User]:
    users = (
        User.objects.filter(staff__isnull=False, is_active=True)
        .select_related("staff__department")
        .prefetch_related("groups")
        .order_by("username")
    )
    if query:
        users = users.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return users


def staff_accounts(query: str = "") -> QuerySet[User]:
    """Every staff account, disabled ones too, for the system administrator's account page."""
    users = (
        User.objects.filter(staff__isnull=False)
        .select_related("staff__department")
        .prefetch_related("groups")
        .order_by("-is_active", "username")
    )
    if query:
        users = users.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return users


def departments_for_accounts() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).order_by("code")


def enrolled_user_ids(user_ids: list[int]) -> set[int]:
    return set(
        TOTPDevice.objects.filter(user__in=user_ids, confirmed=True).values_list(
            "user_id", flat=True
        )
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def security_events(
    *,
    kind: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[SecurityEvent]:
    """Newest first; dates are business dates (Asia/Shanghai), both ends included."""
    events = SecurityEvent.objects.all()
    if kind:
        events = events.filter(kind=kind)
    if actor:
        events = events.filter(actor_name=actor.strip())
    if date_from:
        events = events.filter(at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return events.order_by("-at", "-id")
