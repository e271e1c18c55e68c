"""Open311 responses in JSON and XML, built from the same Python data.

The spec's JSON is the "Spark convention" mapping of its XML: a container element whose
children all repeat (``<services><service>…``) is a JSON array; any other element is an object
member; an empty element is ``null``. So one structure — a list of dicts for collections, a dict
for a single record — renders to both, given the name of the XML root and of its items.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("json", "xml")
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# The element each repeated child of a container is called in XML.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}

# XML 1.0 forbids most control characters even escaped; drop them rather than emit a document
# no parser accepts (a description may contain anything a caller or a client typed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def w3c(value: dt.datetime | None) -> str | None:
    """A W3C date-time with its offset, in Asia/Shanghai: ``2026-11-21T09:30:00+08:00``."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        item_tag = ITEM_TAGS[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item_tag), child)
    else:
        text = _text(value)
        if text:
            element.text = text


def to_xml(root: str, data: Any) -> bytes:
    """The UTF-8 document, declaration first; ElementTree escapes ``<``, ``&`` and quotes."""
    element = ET.Element(root)
    _fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return w3c(value)
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_json_default).encode("utf-8")


def respond(
    data: Any, *, fmt: str, root: str, status: int = 200, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def respond_errors(
    errors: Sequence[tuple[int, str]],
    *,
    fmt: str,
    status: int,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The spec's error format: ``[{"code": 400, "description": "…"}]`` or
    ``<errors><error><code>400</code><description>…</description></error></errors>``."""
    data = [{"code": code, "description": str(description)} for code, description in errors]
    return respond(data, fmt=fmt, root="errors", status=status, headers=headers)
