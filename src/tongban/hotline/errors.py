from enum import StrEnum


class TicketErrorCode(StrEnum):
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    STALE = "stale"
    CONTENT_REQUIRED = "content_required"
    REASON_REQUIRED = "reason_required"
    RETURN_TOO_LATE = "return_too_late"
    RETURN_LIMIT = "return_limit"
    ASSIGNED_BY_CENTRE = "assigned_by_centre"
    EXTENSION_TOO_LONG = "extension_too_long"
    EXTENSION_PENDING = "extension_pending"
    NOT_YOUR_TICKET = "not_your_ticket"
    DISPATCH_TARGET = "dispatch_target"
    LEVEL_NOT_ALLOWED = "level_not_allowed"
    NO_DISPATCH_MATCH = "no_dispatch_match"
    UNKNOWN_SUBJECT = "unknown_subject"
    ANONYMOUS_NOT_ALLOWED = "anonymous_not_allowed"
    UPLOAD_REFUSED = "upload_refused"
