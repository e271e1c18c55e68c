from enum import StrEnum


class CaseErrorCode(StrEnum):
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    STALE = "stale"
    NOT_YOURS = "not_yours"
    ITEM_NOT_AVAILABLE = "item_not_available"
    APPLICANT_BARRED = "applicant_barred"
    MATERIALS_MISSING = "materials_missing"
    UPLOAD_REFUSED = "upload_refused"
    CORRECTION_TOO_LATE = "correction_too_late"
    CORRECTION_EMPTY = "correction_empty"
    REASON_REQUIRED = "reason_required"
    EXTENSION_USED = "extension_used"
    TASK_TAKEN = "task_taken"
    NO_TASK = "no_task"
    CALENDAR = "calendar"
    LICENCE_REFUSED = "licence_refused"
    NOT_AUTOMATIC = "not_automatic"
    HUMAN_REVIEW_REQUESTED = "human_review_requested"
