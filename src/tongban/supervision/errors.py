"""Error codes of the supervision app (stable slugs clients and tests match on)."""

from __future__ import annotations

from enum import StrEnum

from tongban.core.errors import DomainError


class SupervisionErrorCode(StrEnum):
    SUBJECT_NOT_FOUND = "subject_not_found"
    TEXT_REQUIRED = "text_required"
    ALREADY_RESOLVED = "already_resolved"
    EXPLANATION_REQUIRED = "explanation_required"
    ORDER_NOT_OPEN = "order_not_open"
    ORDER_NOT_RESPONDED = "order_not_responded"
    DUE_INVALID = "due_invalid"
    MONTH_IN_FUTURE = "month_in_future"
    MONTH_INVALID = "month_invalid"
    NOT_YOUR_DEPARTMENT = "not_your_department"
    WEIGHTS_INVALID = "weights_invalid"


class SupervisionRefused(DomainError):
    """A supervision rule refused the action (nothing changed)."""

    status_code = 409
