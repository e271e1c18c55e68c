"""提醒办: expiry reminders for licences, sent once through the notifications service.

A licence of a type with an expiry gets one reminder, due ``LicenceType.reminder_days`` calendar
days before ``valid_until`` (the day of issue if that is already past). ``reminders_send`` (run
daily by ``tongban licences remind``) sends each due reminder once: the reminder row is locked
and marked sent in the transaction that stores the notification, so two runs never send twice.
A reminder of a licence no longer valid (revoked, superseded, already expired) is closed
without sending.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import workdays
from tongban.core.events import event_append
from tongban.core.notifications import notify

from .. import wallet
from ..models import Licence, LicenceEvent, LicenceStatus, Reminder, ReminderKind
from ..selectors import licence_state

BATCH = 500


def reminders_schedule(*, licence: Licence) -> None:
    """Plan the expiry reminder of ``licence`` (types with an expiry date only); idempotent."""
    if licence.valid_until is None or licence.status != LicenceStatus.VALID:
        return
    days = licence.licence_type.reminder_days
    due = max(licence.valid_until - dt.timedelta(days=days), licence.issued_on)
    Reminder.objects.get_or_create(licence=licence, kind=ReminderKind.EXPIRY, due_on=due)


def renewal_link(licence: Licence) -> str:
    """The guide of the renewal item (换证事项), or the holder's wallet when there is none."""
    code = licence.licence_type.renewal_item_code
    try:
        if code:
            return reverse("catalog:guide", args=[code])
    except NoReverseMatch:
        pass
    return reverse("licences:wallet-licence", args=[licence.pk])


def _holder_person(licence: Licence):
    """Whom to tell: the holder, or an enterprise's legal representative (else the first person
    authorised to act for it)."""
    if licence.person_id:
        return licence.person
    enterprise = licence.enterprise
    if enterprise is None:
        return None
    if enterprise.legal_representative_id:
        return enterprise.legal_representative
    link = (
        enterprise.authorisations.filter(revoked_at__isnull=True)
        .select_related("person")
        .order_by("id")
        .first()
    )
    return link.person if link is not None else None


def _send_one(reminder_id: int, today: dt.date) -> bool:
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("licence__licence_type", "licence__person", "licence__enterprise")
            .filter(pk=reminder_id, sent_at__isnull=True)
            .first()
        )
        if reminder is None:  # another run sent it
            return False
        licence = reminder.licence
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
        person = _holder_person(licence)
        if licence_state(licence, today=today) != "valid" or person is None:
            return False
        days = (licence.valid_until - today).days
        title = _("证照到期提醒：%(name)s") % {"name": licence.licence_type.name}
        body = _(
            "您的%(name)s（编号 %(no)s）将于 %(until)s 到期（还有 %(days)s 天），请及时办理换证。"
        ) % {
            "name": licence.licence_type.name,
            "no": licence.number,
            "until": licence.valid_until.isoformat(),
            "days": days,
        }
        link = renewal_link(licence)
        notify(person=person, title=title, body=body, link=link)
        event_append(
            model=LicenceEvent,
            stream=wallet.licence_stream(licence),
            action="reminded",
            actor_label="system",
            payload={"kind": reminder.kind, "due_on": reminder.due_on, "link": link},
            licence=licence,
        )
    return True


def reminders_send(*, today: dt.date | None = None) -> int:
    """Send the reminders due on or before ``today`` that were not sent yet; return how many."""
    today = today or workdays.business_date(timezone.now())
    sent = 0
    while True:
        ids = list(
            Reminder.objects.filter(sent_at__isnull=True, due_on__lte=today)
            .order_by("due_on", "id")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return sent
        for pk in ids:
            sent += _send_one(pk, today)
