"""Error codes of the selfservice app (stable slugs that clients and tests match on)."""

from enum import StrEnum

from tongban.core.errors import DomainError


class SelfserviceErrorCode(StrEnum):
    COMPARTMENT_BUSY = "compartment_busy"
    COMPARTMENT_UNAVAILABLE = "compartment_unavailable"
    CASE_ALREADY_DEPOSITED = "case_already_deposited"
    CASE_NOT_READY = "case_not_ready"
    PICKUP_CODE_INVALID = "pickup_code_invalid"
    PICKUP_CODE_EXPIRED = "pickup_code_expired"
    PICKUP_LOCKED = "pickup_locked"
    LOCKER_FAULT = "locker_fault"
    DEPOSIT_CLOSED = "deposit_closed"
    STALE = "stale"
    ID_NUMBER_UNKNOWN = "id_number_unknown"
    NO_PHONE = "no_phone"
    CODE_RATE_LIMITED = "code_rate_limited"
    CODE_INVALID = "code_invalid"
    KIOSK_INACTIVE = "kiosk_inactive"
    NO_ACCOUNT = "no_account"
    NOT_ON_KIOSK = "not_on_kiosk"


class SelfserviceError(DomainError):
    """A self-service rule refused the request; nothing was changed."""


class ConflictError(SelfserviceError):
    status_code = 409


class RateLimited(SelfserviceError):
    status_code = 429
