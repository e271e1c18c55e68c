"""API authentication: session cookie (with CSRF) for pages, bearer tokens for scripts.

Second factor (docs/security.md): a staff session counts only once it has passed its second
factor when ``TONGBAN_REQUIRE_2FA`` is on; a staff member's bearer token is accepted only while
the owner has a confirmed authenticator. Tokens are issued by `tongban token create` on the
server (shell access to the server is itself a strong, separately authenticated channel), shown
once, 256 random bits, stored as SHA-256: possession of one is a cryptographic factor.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from . import security_2fa
from .services import api_token_authenticate


class BearerToken(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token)
        if (
            user is not None
            and security_2fa.required()
            and security_2fa.needs_second_factor(user)
            and not security_2fa.has_device(user)
        ):
            return None
        if user is not None:
            request.user = user
        return user


class StaffOrApplicantSession(SessionAuth):
    """Django's session login; unsafe methods need the CSRF token as pages send it."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        if (
            user is not None
            and security_2fa.required()
            and security_2fa.needs_second_factor(request.user)
            and not security_2fa.is_verified(request.user)
        ):
            return None
        return user


API_AUTH = [BearerToken(), StaffOrApplicantSession(csrf=True)]
