"""SMS rating links (短信评价): signed, single-use, expiring. Only the token's SHA-256 is kept;
a link whose signature does not verify is refused before any lookup."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.notifications import notify

from .. import policy, service_events
from ..errors import RatingErrorCode, RatingRefused
from ..models import Rating, RatingChannel, RatingLink
from ..service_events import ServiceEvent
from .ratings import _record, _refuse_staff

SALT = "tongban.ratings.link"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    base = getattr(settings, "TONGBAN_PUBLIC_URL", "").rstrip("/")
    return f"{base}/rate/s/{token}/"


def link_create(
    *, kind: str, ref: str, days: int | None = None, now: dt.datetime | None = None
) -> tuple[RatingLink, str]:
    """A new link for one service event; returns the row and the token (shown once)."""
    now = now or timezone.now()
    token = signing.Signer(salt=SALT).sign(secrets.token_urlsafe(18))
    link = RatingLink.objects.create(
        token_hash=_hash(token),
        service_kind=kind,
        service_ref=ref,
        expires_at=now + dt.timedelta(days=days or policy.link_days()),
    )
    return link, token


def _invalid() -> RatingRefused:
    return RatingRefused(
        RatingErrorCode.LINK_INVALID,
        _("评价链接无效：请检查短信中的链接是否完整，或登录后在“我的办件”中评价。"),
    )


def _check(link: RatingLink | None, now: dt.datetime) -> RatingLink:
    if link is None:
        raise _invalid()
    if link.used_at is not None:
        raise RatingRefused(
            RatingErrorCode.LINK_USED,
            _("这个评价链接已经使用过了，每个链接只能评价一次。"),
        )
    if link.expires_at <= now:
        raise RatingRefused(
            RatingErrorCode.LINK_EXPIRED,
            _("评价链接已过期：请登录后在“我的办件”中评价。"),
        )
    return link


def link_open(*, token: str, now: dt.datetime | None = None) -> tuple[RatingLink, ServiceEvent]:
    """The link and its service event, if the link may still be used (nothing changes)."""
    try:
        signing.Signer(salt=SALT).unsign(token or "")
    except signing.BadSignature:
        raise _invalid() from None
    link = _check(RatingLink.objects.filter(token_hash=_hash(token)).first(), now or timezone.now())
    event = service_events.resolve(link.service_kind, link.service_ref)
    if event is None:
        raise _invalid()
    return link, event


def rating_submit_link(
    *,
    token: str,
    user=None,
    level: Any,
    answers: dict | None = None,
    reasons: list | None = None,
    comment: str = "",
    address: str = "",
) -> Rating:
    """Rate through an SMS link: the first rating of the event; the link is used up."""
    _refuse_staff(user)
    link, event = link_open(token=token)
    with transaction.atomic():
        link = _check(
            RatingLink.objects.select_for_update().filter(pk=link.pk).first(), timezone.now()
        )
        rating = _record(
            event=event,
            channel=RatingChannel.SMS,
            level=level,
            answers=answers,
            reasons=reasons,
            comment=comment,
            person_id=event.person_id,
            address=address,
            follow_up=False,
        )
        link.used_at = rating.rated_at
        link.save(update_fields=["used_at"])
        return rating


def invitations_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """`tongban ratings invite`: one SMS rating link for each case concluded (and each ticket
    closed, filed by a registered citizen) within the link lifetime that has neither a link nor a
    rating yet. Idempotent: a second run sends nothing new."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=policy.link_days())
    invited = {"case": 0, "ticket": 0}
    linked = RatingLink.objects.values("service_ref")
    rated = Rating.objects.values("service_ref")
    cases = (
        service_events.Case.objects.filter(
            status__in=service_events.CONCLUDED_CASE, decided_at__gt=since, decided_at__lte=now
        )
        .exclude(case_no__in=linked)
        .exclude(case_no__in=rated)
        .select_related("applicant", "item_version")
    )
    for case in cases.iterator(chunk_size=500):
        with transaction.atomic():
            _link, token = link_create(kind="case", ref=case.case_no, now=now)
            notify(
                person=case.applicant,
                title=str(_("请您评价办事服务")),
                body=str(
                    _("您的办件 %(no)s（%(item)s）已办结，欢迎评价：%(url)s")
                    % {"no": case.case_no, "item": case.item_version.name, "url": link_url(token)}
                ),
                link=link_url(token),
            )
        invited["case"] += 1
    tickets = (
        service_events.Ticket.objects.filter(
            status=service_events.TicketStatus.CLOSED,
            closed_at__gt=since,
            closed_at__lte=now,
            caller_user__person__isnull=False,
            department__isnull=False,
        )
        .exclude(ticket_no__in=linked)
        .exclude(ticket_no__in=rated)
        .select_related("caller_user__person")
    )
    for ticket in tickets.iterator(chunk_size=500):
        with transaction.atomic():
            _link, token = link_create(kind="ticket", ref=ticket.ticket_no, now=now)
            notify(
                person=ticket.caller_user.person,
                title=str(_("请您评价 12345 服务")),
                body=str(
                    _("您的诉求 %(no)s 已办结，欢迎评价：%(url)s")
                    % {"no": ticket.ticket_no, "url": link_url(token)}
                ),
                link=link_url(token),
            )
        invited["ticket"] += 1
    return invited
