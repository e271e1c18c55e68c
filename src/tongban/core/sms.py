"""SMS delivery of stored notifications (run by the ``deliver_sms`` task, core/tasks.py).

The backend is a dotted path in ``TONGBAN_SMS_BACKEND`` (a class with ``send(phone, text)``);
the default, ``ConsoleSmsBackend``, writes the message to the log with the number masked, so a
demo or a test never sends anything.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .masking import mask_phone
from .models import Notification

logger = logging.getLogger("tongban.notifications")


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> str:
        logger.info("SMS to %s: %s", mask_phone(phone), text)
        return "logged"


def sms_backend():
    path = getattr(settings, "TONGBAN_SMS_BACKEND", "") or "tongban.core.sms.ConsoleSmsBackend"
    return import_string(path)()


def deliver_notification_sms(*, notification_id: int) -> str:
    """Hand the notification to the SMS backend and record how it went (one update)."""
    notification = Notification.objects.select_related("person").filter(pk=notification_id).first()
    if notification is None:
        return "gone"
    phone = notification.person.phone
    if not phone:
        status = "no_phone"
    else:
        try:
            status = sms_backend().send(phone, f"【通办】{notification.title}：{notification.body}")
        except Exception:  # a failed SMS must not undo the case change
            logger.exception("SMS backend failed for notification %s", notification.pk)
            status = "failed"
    status = str(status)[:16]
    Notification.objects.filter(pk=notification.pk).update(sms_status=status)
    return status
