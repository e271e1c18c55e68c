"""Licence services: issuance, re-issue, revocation and signing keys (all writes)."""

from .documents import licence_pdf
from .issuance import licence_issue, licence_reissue, licence_revoke
from .keys import key_create, key_rotate, seal_create

__all__ = [
    "key_create",
    "key_rotate",
    "licence_issue",
    "licence_pdf",
    "licence_reissue",
    "licence_revoke",
    "seal_create",
]
