"""Notifications: stored for the portal and handed to an SMS backend after the transaction.

The backend is a dotted path in ``TONGBAN_SMS_BACKEND`` (a class with ``send(phone, text)``);
the default, ``ConsoleSmsBackend``, writes the message to the log with the number masked, so a
demo or a test never sends anything.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .masking import mask_phone
from .models import Department, Notification, Person, StaffNotice
from .permissions import Role

User = get_user_model()

logger = logging.getLogger("tongban.notifications")


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> str:
        logger.info("SMS to %s: %s", mask_phone(phone), text)
        return "logged"


def _backend():
    path = getattr(settings, "TONGBAN_SMS_BACKEND", "tongban.core.notifications.ConsoleSmsBackend")
    return import_string(path)()


def _send_sms(notification: Notification) -> None:
    """Hand the notification to the SMS backend and record how it went (one update)."""
    phone = notification.person.phone
    if not phone:
        status = "no_phone"
    else:
        try:
            status = _backend().send(phone, f"【通办】{notification.title}：{notification.body}")
        except Exception:  # a failed SMS must not undo the case change
            logger.exception("SMS backend failed for notification %s", notification.pk)
            status = "failed"
    Notification.objects.filter(pk=notification.pk).update(sms_status=str(status)[:16])


def notify(
    *, person: Person, title: str, body: str, link: str = "", sms: bool = True
) -> Notification:
    """Store a notification in the caller's transaction; the SMS goes out only once that
    transaction commits (and never undoes it when it fails)."""
    notification = Notification.objects.create(
        person=person, title=title[:128], body=body, link=link[:256]
    )
    if sms:
        transaction.on_commit(lambda: _send_sms(notification), robust=True)
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
