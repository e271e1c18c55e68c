"""Error codes of the ratings app (stable slugs clients and tests match on)."""

from __future__ import annotations

from enum import StrEnum

from tongban.core.errors import DomainError


class RatingErrorCode(StrEnum):
    STAFF_MAY_NOT_RATE = "staff_may_not_rate"
    NOT_RATEABLE = "not_rateable"
    ALREADY_RATED = "already_rated"
    FOLLOW_UP_EXISTS = "follow_up_exists"
    NOTHING_TO_FOLLOW = "nothing_to_follow"
    LINK_INVALID = "link_invalid"
    LINK_EXPIRED = "link_expired"
    LINK_USED = "link_used"
    DEVICE_INVALID = "device_invalid"
    DEVICE_STAFF_MODE = "device_staff_mode"
    DEVICE_BUSY = "device_busy"
    NO_PENDING_REQUEST = "no_pending_request"
    INVALID_LEVEL = "invalid_level"
    INVALID_INPUT = "invalid_input"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    STALE = "stale"
    NOT_YOUR_DEPARTMENT = "not_your_department"
    SAME_REVIEWER = "same_reviewer"
    APPEAL_EXISTS = "appeal_exists"
    NO_APPEAL = "no_appeal"
    ALREADY_REVIEWED = "already_reviewed"
    NOT_FLAGGED = "not_flagged"
    RATED_STAFF = "rated_staff"


class RatingRefused(DomainError):
    """A rule of the rating system refused the request; nothing was stored."""

    status_code = 409


class RatingForbidden(DomainError):
    """Somebody who may not rate (a staff session, a staff-mode device) tried to."""

    status_code = 403
