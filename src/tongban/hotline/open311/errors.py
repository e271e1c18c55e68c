"""Open311 errors: one or more ``(code, description)`` pairs and the HTTP status to send.

The spec (GeoReport v2, "Errors"): 404 for a resource that does not exist, 403 for a missing or
wrong api_key, 400 for anything else that cannot be done; the body is an array of errors, each
with a code (here the HTTP status of that error) and a description meant for people.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tongban.core.errors import DomainError, NotFound
from tongban.core.errors import PermissionDenied as CorePermissionDenied

from ..errors import TicketErrorCode

# ticket_create's field names → the Open311 parameter a client sent.
_PARAMETERS = {
    "caller_phone": "phone",
    "caller_name": "first_name",
    "content": "description",
    "address": "address_string",
    "subject_code": "service_code",
    "latitude": "lat",
    "longitude": "long",
    "ticket_type": "attribute[ticket_type]",
    "title": "attribute[title]",
    "urgency": "attribute[urgency]",
    "hazard": "attribute[hazard]",
    "anonymous": "attribute[anonymous]",
    "confidential": "attribute[confidential]",
}

# HTTP statuses in the order that decides the response's own status when errors are mixed.
_PRECEDENCE = (403, 429, 404, 405, 400)


class Open311Error(Exception):
    def __init__(self, errors: Iterable[tuple[int, Any]], *, headers: dict[str, str] | None = None):
        self.errors = [(int(code), str(description)) for code, description in errors]
        self.headers = headers or {}
        super().__init__("; ".join(f"{c} {d}" for c, d in self.errors))

    @property
    def status(self) -> int:
        codes = {code for code, _ in self.errors}
        return next((code for code in _PRECEDENCE if code in codes), 400)

    @classmethod
    def one(cls, code: int, description: Any, **kwargs) -> Open311Error:
        return cls([(code, description)], **kwargs)


def from_domain(exc: DomainError) -> Open311Error:
    """A refusal of the hotline's services, in Open311 terms (nothing was written)."""
    if isinstance(exc, NotFound) or exc.code == TicketErrorCode.UNKNOWN_SUBJECT:
        code = 404
    elif isinstance(exc, CorePermissionDenied):
        code = 403
    else:
        code = 400
    description = exc.message
    if exc.field:
        description = f"{_PARAMETERS.get(exc.field, exc.field)}: {description}"
    return Open311Error.one(code, description)
