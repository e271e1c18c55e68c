"""Why the knowledge base refused a change (stable slugs; messages are in the services)."""

from __future__ import annotations

from enum import StrEnum

from tongban.core.errors import DomainError, ValidationFailed


class KnowledgeErrorCode(StrEnum):
    TITLE_REQUIRED = "title_required"
    CONTENT_REQUIRED = "content_required"
    TOO_LONG = "too_long"
    VALIDITY_ORDER = "validity_order"
    VALIDITY_PAST = "validity_past"
    UNKNOWN_DEPARTMENT = "unknown_department"
    UNKNOWN_SUBJECT = "unknown_subject"
    NOT_YOUR_DEPARTMENT = "not_your_department"
    STATE_NOT_ALLOWED = "state_not_allowed"
    NOTE_REQUIRED = "note_required"
    REASON_REQUIRED = "reason_required"
    CATALOGUE_ARTICLE = "catalogue_article"
    STALE = "stale"


class KnowledgeError(DomainError):
    """A rule of the knowledge base refused the request; nothing was changed."""

    status_code = 409


class KnowledgeInvalid(ValidationFailed):
    """Bad input for an article: the message names the field."""
