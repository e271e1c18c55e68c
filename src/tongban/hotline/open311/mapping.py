"""How the hotline's subjects and tickets appear to Open311 clients (reads only).

- A **service** is an active leaf of the subject taxonomy whose ancestors are active too:
  ``service_code`` = ``Subject.code``, ``service_name`` its name, ``group`` the name of its
  level-1 ancestor, ``keywords`` its keywords, comma separated.
- A **service request** is a ticket: ``service_request_id`` = ``ticket_no``; ``status`` is
  ``closed`` for closed and merged tickets, ``open`` otherwise; ``agency_responsible`` the
  current unit; ``expected_datetime`` the handling limit.
- **Privacy.** GET answers are public (no api_key). They never carry the caller's name, phone or
  e-mail; the description and the reply are passed through ``redact_text`` (ID and mobile
  numbers masked) and the caller's own name and phone are masked wherever they appear in them.
  Confidential tickets (保密, GB/T 33358) and reports (举报, whose reporter is protected) are not
  published at all: they answer 404 like a ticket that does not exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core.masking import mask_name, mask_phone, redact_text

from ..models import DispatchCatalogue, Hazard, Subject, Ticket, TicketEvent, TicketType, Urgency
from ..states import TicketStatus, TriageOutcome
from .render import w3c

MAX_DESCRIPTION = 4000
MAX_REQUESTS = 1000
DEFAULT_SPAN = dt.timedelta(days=90)
REQUEST_TYPES = ("realtime", "batch")

CLOSED_STATES = (TicketStatus.CLOSED, TicketStatus.MERGED)


def request_type() -> str:
    """``realtime`` (POST answers the service_request_id) or ``batch`` (it answers a token that
    ``tokens/{token}`` turns into the id): ``TONGBAN_OPEN311_REQUEST_TYPE``."""
    value = getattr(settings, "TONGBAN_OPEN311_REQUEST_TYPE", "realtime")
    return value if value in REQUEST_TYPES else "realtime"


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED_STATES else "open"


def changeset() -> str:
    """Service Discovery's changeset: when the services last changed, i.e. the dispatch
    catalogue's latest publication (the taxonomy is revised with it)."""
    published = (
        DispatchCatalogue.objects.filter(published_at__isnull=False)
        .order_by("-published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return w3c(published) if published else "2026-01-01T00:00:00+08:00"


# --- services ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    subject: Subject
    group: str
    path: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        subject = self.subject
        return {
            "service_code": subject.code,
            "service_name": subject.name,
            "description": subject.description.strip() or " > ".join(self.path),
            "metadata": True,
            "type": request_type(),
            "keywords": keywords_text(subject.keywords),
            "group": self.group,
        }


_KEYWORD_SPLIT = re.compile(r"[,，、;；\s]+")


def keywords_text(raw: str) -> str:
    """``道路积水 路面积水，内涝`` → ``道路积水, 路面积水, 内涝``."""
    return ", ".join(word for word in _KEYWORD_SPLIT.split(raw or "") if word)


def services() -> list[Service]:
    """The active leaf subjects, in code order (one query)."""
    subjects = list(Subject.objects.filter(active=True).order_by("code"))
    by_id = {subject.pk: subject for subject in subjects}
    parents = {subject.parent_id for subject in subjects if subject.parent_id}
    found = []
    for subject in subjects:
        if subject.pk in parents:
            continue
        chain = [subject]
        while chain[-1].parent_id is not None:
            parent = by_id.get(chain[-1].parent_id)
            if parent is None:  # an inactive ancestor switches the branch off
                break
            chain.append(parent)
        else:
            chain.reverse()
            found.append(
                Service(subject=subject, group=chain[0].name, path=tuple(s.name for s in chain))
            )
    return found


def service_for(code: str) -> Service | None:
    return next((service for service in services() if service.subject.code == code), None)


# --- the service definition: the extra fields a client may send ----------------------------


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: Any
    values: tuple[tuple[str, Any], ...] = ()
    max_length: int | None = None

    def as_dict(self, order: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": False,
            "datatype_description": None,
            "order": order,
            "description": str(self.description),
        }
        if self.max_length:
            data["datatype_description"] = _("不超过 %(n)s 个字符。") % {"n": self.max_length}
        if self.values:
            data["values"] = [{"key": key, "name": str(name)} for key, name in self.values]
        return data


_YES_NO = (("false", gettext_lazy("否")), ("true", gettext_lazy("是")))

ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "ticket_type",
        "singlevaluelist",
        gettext_lazy("诉求类型（不填为“求助”）"),
        tuple((choice.value, choice.label) for choice in TicketType),
    ),
    Attribute(
        "title",
        "string",
        gettext_lazy("标题（不填则取描述的第一句）"),
        max_length=128,
    ),
    Attribute(
        "urgency",
        "singlevaluelist",
        gettext_lazy("紧急程度（不填为“一般”）"),
        tuple((choice.value, choice.label) for choice in Urgency),
    ),
    Attribute(
        "hazard",
        "singlevaluelist",
        gettext_lazy("是否危及生命财产安全或涉及水电气热（决定签收时限）"),
        tuple(("none" if not choice.value else choice.value, choice.label) for choice in Hazard),
    ),
    Attribute(
        "confidential",
        "singlevaluelist",
        gettext_lazy("要求保密：工单保密办理，不对外公开"),
        _YES_NO,
    ),
    Attribute(
        "anonymous",
        "singlevaluelist",
        gettext_lazy("匿名（仅限举报）：不登记姓名和电话"),
        _YES_NO,
    ),
)
ATTRIBUTE_CODES = {attribute.code: attribute for attribute in ATTRIBUTES}


def service_definition(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.subject.code,
        "attributes": [attribute.as_dict(order) for order, attribute in enumerate(ATTRIBUTES, 1)],
    }


# --- service requests ----------------------------------------------------------------------


def public_tickets() -> QuerySet[Ticket]:
    """Every ticket an Open311 client may see, with what its record needs (one query)."""
    latest_event = TicketEvent.objects.filter(ticket=OuterRef("pk")).order_by("-seq")
    # The photo URL an Open311 client sent is kept in the creation event (see intake.py).
    media_url = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), seq=1)
        .annotate(url=KT("payload__channel__media_url"))
        .values("url")
    )
    return (
        Ticket.objects.filter(confidential=False)
        .exclude(ticket_type=TicketType.REPORT)
        .annotate(
            o311_service_code=F("subject__code"),
            o311_service_name=F("subject__name"),
            o311_agency=F("department__name"),
            o311_address_id=F("region__code"),
            o311_merged_into=F("merged_into__ticket_no"),
            o311_updated_at=Subquery(latest_event.values("occurred_at")[:1]),
            o311_media_url=Subquery(media_url[:1]),
        )
        .only(
            "ticket_no",
            "status",
            "triage",
            "content",
            "reply",
            "caller_name",
            "caller_phone",
            "address",
            "latitude",
            "longitude",
            "created_at",
            "closed_at",
            "handle_due",
        )
    )


def public_ticket(ticket_no: str) -> Ticket | None:
    return public_tickets().filter(ticket_no=ticket_no).first()


def ticket_no_for_token(token: str) -> str | None:
    """GET service_request_id from a token (tokens are given out by POST in batch mode)."""
    if not token or len(token) > 40:
        return None
    return Ticket.objects.filter(open311_token=token).values_list("ticket_no", flat=True).first()


def requests_matching(
    *,
    ids: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: list[str] | None = None,
) -> list[Ticket]:
    """GET Service Requests: ``ids`` overrides every other filter; at most 1000, newest first."""
    qs = public_tickets()
    if ids:
        qs = qs.filter(ticket_no__in=ids[:MAX_REQUESTS])
    else:
        if service_codes:
            qs = qs.filter(subject__code__in=service_codes)
        if start is not None:
            qs = qs.filter(created_at__gte=start)
        if end is not None:
            qs = qs.filter(created_at__lte=end)
        wanted = set(statuses or ())
        if wanted == {"open"}:
            qs = qs.exclude(status__in=CLOSED_STATES)
        elif wanted == {"closed"}:
            qs = qs.filter(status__in=CLOSED_STATES)
    return list(qs.order_by("-created_at", "-pk")[:MAX_REQUESTS])


def _scrub(text: str, ticket: Ticket) -> str:
    """Free text as the public may read it: no ID or mobile numbers, not the caller's own name
    or phone."""
    if not text:
        return ""
    if ticket.caller_phone and len(ticket.caller_phone) >= 5:
        text = text.replace(ticket.caller_phone, mask_phone(ticket.caller_phone))
    if ticket.caller_name and len(ticket.caller_name) >= 2:
        text = text.replace(ticket.caller_name, mask_name(ticket.caller_name))
    return redact_text(text)[:MAX_DESCRIPTION]


def status_notes(ticket: Ticket) -> str:
    label = str(TicketStatus(ticket.status).label)
    if ticket.status == TicketStatus.MERGED and ticket.o311_merged_into:
        return _("%(status)s：已并入工单 %(no)s") % {"status": label, "no": ticket.o311_merged_into}
    if ticket.status == TicketStatus.CLOSED and ticket.triage not in ("", TriageOutcome.PROCEDURE):
        return _("%(status)s（%(outcome)s）") % {
            "status": label,
            "outcome": TriageOutcome(ticket.triage).label,
        }
    if ticket.status in (TicketStatus.REPLIED, TicketStatus.CLOSED) and ticket.reply:
        return _("%(status)s：%(reply)s") % {"status": label, "reply": _scrub(ticket.reply, ticket)}
    return label


def service_notice(ticket: Ticket) -> str | None:
    """What happens next, in one sentence."""
    due = ticket.handle_due
    if ticket.status == TicketStatus.RECEIVED:
        return _("热线中心正在分派承办单位。")
    if ticket.status == TicketStatus.DISPATCHED:
        return _("已派至承办单位，等待签收。")
    if ticket.status == TicketStatus.RETURN_REQUESTED:
        return _("承办单位对派单提出异议，热线中心正在审核。")
    if ticket.status == TicketStatus.HANDLING:
        if due:
            return _("承办单位正在办理，应于 %(due)s 前答复。") % {"due": _local(due)}
        return _("承办单位正在办理。")
    if ticket.status == TicketStatus.REPLIED:
        return _("承办单位已答复，热线中心将回访。")
    return None


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _coordinate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def request_record(ticket: Ticket) -> dict[str, Any]:
    """One ``request`` of GET Service Request(s), fields in the spec's order."""
    closed = open311_status(ticket.status) == "closed"
    updated = (ticket.closed_at if closed else None) or ticket.o311_updated_at or ticket.created_at
    return {
        "service_request_id": ticket.ticket_no,
        "status": open311_status(ticket.status),
        "status_notes": status_notes(ticket),
        "service_name": ticket.o311_service_name,
        "service_code": ticket.o311_service_code,
        "description": _scrub(ticket.content, ticket),
        "agency_responsible": ticket.o311_agency,
        "service_notice": service_notice(ticket),
        "requested_datetime": w3c(ticket.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": None if closed else w3c(ticket.handle_due),
        "address": ticket.address or None,
        "address_id": ticket.o311_address_id,
        "zipcode": None,
        "lat": _coordinate(ticket.latitude),
        "long": _coordinate(ticket.longitude),
        "media_url": ticket.o311_media_url or None,
    }
