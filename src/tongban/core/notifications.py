"""Notifications: stored for the portal and handed to an SMS backend after the transaction.

Delivery is a background task (``core.tasks.deliver_sms``, ``core.sms``): inline in development
and tests, on ``tongban worker`` in production. The backend is a dotted path in
``TONGBAN_SMS_BACKEND``; the default, ``ConsoleSmsBackend``, logs the message with the number
masked, so a demo or a test never sends anything.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Department, Notification, Person, StaffNotice
from .permissions import Role
from .sms import ConsoleSmsBackend
from .tasks import deliver_sms

User = get_user_model()

__all__ = ["ConsoleSmsBackend", "notify", "staff_notify", "staff_notify_heads"]


def _send_sms(notification_id: int) -> None:
    """Queue the SMS of a stored notification (``deliver_sms``; inline with the immediate task
    backend, on a worker with the database or RQ backend)."""
    deliver_sms.enqueue(notification_id)


def notify(
    *, person: Person, title: str, body: str, link: str = "", sms: bool = True
) -> Notification:
    """Store a notification in the caller's transaction; the SMS goes out only once that
    transaction commits (and never undoes it when it fails)."""
    notification = Notification.objects.create(
        person=person, title=title[:128], body=body, link=link[:256]
    )
    if sms:
        transaction.on_commit(lambda: _send_sms(notification.pk), robust=True)
    return notification


def notifications_mark_read(*, person: Person) -> int:
    return Notification.objects.filter(person=person, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def staff_notify(*, user, title: str, body: str, link: str = "", key: str = "") -> StaffNotice:
    """A work notice to a staff member, in the caller's transaction. With ``key`` the notice is
    sent once: a second call with the same user and key returns the first notice."""
    if key:
        notice, _created = StaffNotice.objects.get_or_create(
            user=user, key=key[:128], defaults={"title": title[:128], "body": body, "link": link}
        )
        return notice
    return StaffNotice.objects.create(user=user, title=title[:128], body=body, link=link[:256])


def staff_notify_heads(
    *, department: Department, title: str, body: str, link: str = "", key: str = ""
) -> list[StaffNotice]:
    """Notify every active department head (部门负责人) of the department."""
    heads = User.objects.filter(
        is_active=True,
        staff__department=department,
        groups__name=Role.DEPARTMENT_HEAD,
    ).distinct()
    return [staff_notify(user=head, title=title, body=body, link=link, key=key) for head in heads]


def staff_notices_mark_read(*, user) -> int:
    return StaffNotice.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
