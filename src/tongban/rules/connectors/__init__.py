"""Data connectors (数据共享): ``fetch(connector, subject, fields) -> {field: value}``.

Kinds: ``platform`` (the platform's own records: ``config = {"source": "persons" | "enterprises"
| <a source registered by an app above, e.g. "cases", "licences">}``), ``table`` (a reference
table an administrator uploads) and ``http`` (another department's JSON API). Every call is
logged as a ``ConnectorCall`` (purpose, case number, masked subject, fields, ok/error, duration);
a timeout, an error or malformed data raises ``SourceUnavailable`` — the caller never approves on
it.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from tongban.core.masking import mask_id_number, redact_text
from tongban.core.models import SecurityEventKind
from tongban.core.security import security_event_record

from ..context import Subject, coerce
from ..models import Connector, ConnectorCall, ConnectorKind
from . import http, platform, table

FETCHERS = {
    ConnectorKind.PLATFORM: platform.fetch,
    ConnectorKind.TABLE: table.fetch,
    ConnectorKind.HTTP: http.fetch,
}


class SourceUnavailable(Exception):
    def __init__(self, connector: Connector, detail: str, *, blocked: bool = False):
        self.connector = connector
        self.detail = detail
        # The SSRF guard refused the address (http.BlockedAddress): an administrator must
        # allow-list the host, retrying will not help.
        self.blocked = blocked
        super().__init__(f"{connector.code}: {detail}")


@dataclass
class CallLog:
    """Whom and why, for the ConnectorCall rows of one evaluation."""

    purpose: str = "case"
    case_no: str = ""
    actor_label: str = "system"
    # The day the data should describe (a replay asks for the platform's records as they were
    # on the decision day of a past case); None: as they are now.
    as_of: dt.date | None = None


def field_types(connector: Connector) -> dict[str, str]:
    out = {}
    for spec in connector.fields or []:
        if isinstance(spec, dict) and spec.get("name"):
            out[str(spec["name"])] = str(spec.get("type") or "string")
    if connector.kind in (ConnectorKind.TABLE, ConnectorKind.PLATFORM):
        out.setdefault("found", "bool")
    return out


def fetch(
    connector: Connector,
    subject: Subject,
    fields: list[str],
    *,
    log: CallLog,
    pending: list[ConnectorCall] | None = None,
) -> dict[str, Any]:
    """Fetch ``fields`` of ``subject`` from ``connector``; values coerced to their declared
    types. A field the source does not have is left out (the rule reading it errors and needs
    review). Raises SourceUnavailable. The ConnectorCall is appended to ``pending`` (saved by the
    caller in one statement) or saved at once."""
    started = time.perf_counter()
    ok, error = True, ""
    try:
        if not connector.is_active:
            raise ValueError("connector disabled")
        if connector.kind == ConnectorKind.PLATFORM and log.as_of is not None:
            raw = platform.fetch(connector, subject, list(fields), as_of=log.as_of)
        else:
            raw = FETCHERS[connector.kind](connector, subject, list(fields))
        if not isinstance(raw, dict):
            raise ValueError("malformed response: not an object")
        types = field_types(connector)
        values: dict[str, Any] = {}
        for name in fields:
            if name in raw and raw[name] is not None:
                try:
                    values[name] = coerce(raw[name], types.get(name, "dyn"))
                except (ValueError, TypeError) as exc:
                    raise ValueError(f"malformed field {name}: {exc}") from None
        return values
    except Exception as exc:
        ok, error = False, redact_text(f"{type(exc).__name__}: {exc}")[:256]
        blocked = isinstance(exc, http.BlockedAddress)
        if blocked:
            security_event_record(
                kind=SecurityEventKind.CONNECTOR_BLOCKED,
                actor_name=log.actor_label[:150],
                target=f"connector:{connector.code}",
                success=False,
                detail={"host": exc.host[:200], "address": exc.address, "purpose": log.purpose},
            )
        raise SourceUnavailable(connector, error, blocked=blocked) from None
    finally:
        call = ConnectorCall(
            connector=connector,
            purpose=log.purpose[:128],
            case_no=log.case_no[:32],
            subject_ref=mask_id_number(subject.id_no),
            fields=sorted(fields),
            ok=ok,
            error=error,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            actor_label=log.actor_label[:64],
        )
        if pending is not None:
            pending.append(call)
        else:
            call.save()
