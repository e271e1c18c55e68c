"""Error codes of the licences app (stable slugs; clients and tests match on them)."""

from enum import StrEnum

from tongban.core.errors import DomainError


class LicenceErrorCode(StrEnum):
    INVALID_DATA = "invalid_data"
    HOLDER_MISMATCH = "holder_mismatch"
    TYPE_INACTIVE = "type_inactive"
    NO_ISSUER_CODE = "no_issuer_code"
    NO_SIGNING_KEY = "no_signing_key"
    KEYSTORE_UNAVAILABLE = "keystore_unavailable"
    NOT_VALID = "not_valid"
    REASON_REQUIRED = "reason_required"
    VERSION_LIMIT = "version_limit"
    DUPLICATE_NUMBER = "duplicate_number"
    SEAL_MISMATCH = "seal_mismatch"
    # l2 adds its codes below (wallet, sharing, 免证办, import, reminders)
    LINK_INVALID = "share_link_invalid"
    LINK_EXPIRED = "share_link_expired"
    LINK_REVOKED = "share_link_revoked"
    SHARE_INVALID = "share_invalid"
    ALREADY_WITHDRAWN = "authorisation_already_withdrawn"


class LicenceRefused(DomainError):
    """A rule of the licences app refused the request (nothing changed)."""

    status_code = 409
