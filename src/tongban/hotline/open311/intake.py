"""POST Service Request: check every parameter, then file the ticket through ``ticket_create``.

Every problem is collected and answered at once in the spec's error format; nothing is written
unless all parameters are right and the hotline's own rules accept the ticket (``ticket_create``
runs in one transaction). What happens to each parameter:

- ``service_code`` → the ticket's subject (404 when no active service has it);
- ``description`` (required here, ≤ 4,000 characters) → content; ``attribute[title]`` or the
  description's first sentence → title;
- ``lat``/``long`` (both), ``address_string`` and/or ``address_id`` (a region code: the
  address becomes that street's or community's full name) → location; at least one is required;
- ``last_name`` + ``first_name`` → caller name, ``phone`` → caller phone (validated);
- ``attribute[ticket_type|urgency|hazard|confidential|anonymous]`` (see the service
  definition) → the ticket's type, urgency, hazard, confidentiality and anonymity;
- ``media_url`` (http/https) is kept in the ticket's creation event, with the key's prefix;
- ``email``, ``device_id`` and ``account_id`` are accepted and not stored: the hotline calls
  people back by phone, and keeps no more personal data than it uses.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import QueryDict
from django.utils.translation import gettext as _

from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_phone
from tongban.core.models import Region

from ..models import Source, Ticket, TicketType, Urgency
from ..services import ticket_create
from .errors import Open311Error, from_domain
from .mapping import ATTRIBUTE_CODES, MAX_DESCRIPTION, Service, service_for

MAX_TITLE = 128
MAX_ADDRESS = 200
MAX_NAME = 64
MAX_MEDIA_URL = 500
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


@dataclass
class NewRequest:
    service: Service
    fields: dict[str, Any]
    channel: dict[str, str]


def _value(data: QueryDict, name: str) -> str:
    return (data.get(name) or "").strip()


def attributes_of(data: QueryDict) -> dict[str, list[str]]:
    """``attribute[code]=v`` and ``attribute[code][]=v1&attribute[code][]=v2``."""
    found: dict[str, list[str]] = {}
    for name in data:
        match = _ATTRIBUTE.match(name)
        if match:
            found.setdefault(match.group(1), []).extend(v.strip() for v in data.getlist(name))
    return found


def title_from(description: str) -> str:
    first = _SENTENCE_END.split(description.strip(), maxsplit=1)[0].strip()
    first = first or description.strip()
    return first if len(first) <= 40 else first[:39] + "…"


def _caller_name(first: str, last: str) -> str:
    if first.isascii() and last.isascii():
        return f"{first} {last}".strip()
    return f"{last}{first}"


def _coordinate(raw: str, name: str, bound: int, errors: list) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not -bound <= value <= bound:
        errors.append(
            (
                400,
                _("%(name)s：应为 -%(b)s 到 %(b)s 之间的 WGS84 坐标。")
                % {"name": name, "b": bound},
            )
        )
        return None
    return value.quantize(Decimal("0.000001"))


def _region_address(code: str) -> str | None:
    region = Region.objects.select_related("parent__parent").filter(code=code).first()
    if region is None:
        return None
    names = []
    while region is not None:
        names.append(region.name)
        region = region.parent
    return "".join(reversed(names))


def _choice(attributes, code, allowed, default, errors):
    values = attributes.get(code) or []
    if not values or values[0] == "":
        return default
    value = values[0].lower()
    if value not in allowed:
        keys = ", ".join(key for key, _name in ATTRIBUTE_CODES[code].values)
        errors.append(
            (400, _("attribute[%(code)s]：取值应为 %(keys)s 之一。") % {"code": code, "keys": keys})
        )
        return default
    return allowed[value]


def parse(data: QueryDict) -> NewRequest:
    """The ticket a POST describes, or an Open311Error listing everything wrong with it."""
    errors: list[tuple[int, str]] = []

    service = None
    code = _value(data, "service_code")
    if not code:
        errors.append((400, _("service_code：必须提供服务编码（见 services.json）。")))
    else:
        service = service_for(code)
        if service is None:
            errors.append(
                (404, _("service_code：没有编码为 %(code)s 的服务。") % {"code": code[:32]})
            )

    description = _value(data, "description")
    if not description:
        errors.append((400, _("description：请描述诉求内容。")))
    elif len(description) > MAX_DESCRIPTION:
        errors.append((400, _("description：不能超过 %(n)s 个字符。") % {"n": MAX_DESCRIPTION}))

    # Location: lat & long, or address_string, or address_id.
    lat_raw, long_raw = _value(data, "lat"), _value(data, "long")
    latitude = longitude = None
    if bool(lat_raw) != bool(long_raw):
        errors.append((400, _("lat、long：经度和纬度需同时提供。")))
    elif lat_raw:
        latitude = _coordinate(lat_raw, "lat", 90, errors)
        longitude = _coordinate(long_raw, "long", 180, errors)
    address = _value(data, "address_string")
    if len(address) > MAX_ADDRESS:
        errors.append((400, _("address_string：不能超过 %(n)s 个字符。") % {"n": MAX_ADDRESS}))
    address_id = _value(data, "address_id")
    if address_id:
        region_address = _region_address(address_id)
        if region_address is None:
            errors.append(
                (400, _("address_id：没有代码为 %(code)s 的区划。") % {"code": address_id[:16]})
            )
        elif not address:
            address = region_address
    if not (lat_raw or long_raw or address or address_id):
        errors.append((400, _("位置：请提供 lat 和 long，或 address_string，或 address_id。")))

    attributes = attributes_of(data)
    ticket_type = _choice(
        attributes, "ticket_type", {t.value: t.value for t in TicketType}, TicketType.HELP, errors
    )
    urgency = _choice(
        attributes, "urgency", {u.value: u.value for u in Urgency}, Urgency.NORMAL, errors
    )
    hazard = _choice(
        attributes,
        "hazard",
        {"none": "", "life_property": "life_property", "utilities": "utilities"},
        "",
        errors,
    )
    flags = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
    confidential = _choice(attributes, "confidential", flags, False, errors)
    anonymous = _choice(attributes, "anonymous", flags, False, errors)
    title = (attributes.get("title") or [""])[0]
    if len(title) > MAX_TITLE:
        errors.append((400, _("attribute[title]：不能超过 %(n)s 个字符。") % {"n": MAX_TITLE}))

    caller_name = _caller_name(_value(data, "first_name"), _value(data, "last_name"))
    if len(caller_name) > MAX_NAME:
        errors.append(
            (400, _("first_name、last_name：姓名不能超过 %(n)s 个字符。") % {"n": MAX_NAME})
        )
    phone = _value(data, "phone")
    if phone and not anonymous:
        try:
            phone = validate_phone(phone)
        except DomainError as exc:
            errors.append((400, f"phone: {exc.message}"))

    channel = {}
    media_url = _value(data, "media_url")
    if media_url:
        try:
            if len(media_url) > MAX_MEDIA_URL:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append((400, _("media_url：应为 http 或 https 网址，不超过 500 个字符。")))
        else:
            channel["media_url"] = media_url

    if errors:
        raise Open311Error(errors)
    assert service is not None
    fields = {
        "ticket_type": ticket_type,
        "title": title or title_from(description),
        "content": description,
        "caller_name": "" if anonymous else caller_name,
        "caller_phone": "" if anonymous else phone,
        "anonymous": anonymous,
        "confidential": confidential,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "urgency": urgency,
        "hazard": hazard,
        "subject_code": service.subject.code,
    }
    return NewRequest(service=service, fields=fields, channel=channel)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def request_create(*, data: QueryDict, key_prefix: str, idempotency_key: str = "") -> Ticket:
    """File the ticket the POST describes (source ``open311``, filed by no person).

    ``idempotency_key`` (the client's ``Idempotency-Key`` header, an extension to the spec) makes
    a retried POST answer the ticket the first one created, per api_key."""
    new = parse(data)
    idempotency_key = idempotency_key.strip()
    scoped_key = f"open311:{key_prefix}:{idempotency_key}"[:64] if idempotency_key else ""
    try:
        return ticket_create(
            actor=None,
            source=Source.OPEN311,
            idempotency_key=scoped_key,
            open311_token=new_token(),
            channel_info={"open311_key": key_prefix, **new.channel},
            **new.fields,
        )
    except DomainError as exc:
        raise from_domain(exc) from None
