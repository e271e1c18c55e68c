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
    # [B] bundles, 容缺受理, 告知承诺制 (b1)
    NOT_DEFERRABLE = "not_deferrable"
    NOT_COMMITTABLE = "not_committable"
    COMMITMENT_BARRED = "commitment_barred"
    SUPPLEMENT_OWED = "supplement_owed"
    POST_CHECK_DONE = "post_check_done"
    BUNDLE_NOT_READY = "bundle_not_ready"
    BUNDLE_PARTIAL_REFUSED = "bundle_partial_refused"
    # [B] approval operations (services.approvals)
    NOT_A_SIGNER = "not_a_signer"
    ALREADY_SIGNED = "already_signed"
    NOT_YOUR_TURN = "not_your_turn"
    STEP_UNKNOWN = "step_unknown"
    REVIEWER_INVALID = "reviewer_invalid"
    NOT_DELEGATED = "not_delegated"
    URGED_RECENTLY = "urged_recently"
    # [W] delivery by pickup locker (services.delivery)
    LOCKER_UNAVAILABLE = "locker_unavailable"
