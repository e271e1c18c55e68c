"""API authentication: session cookie (with CSRF) for pages, bearer tokens for scripts."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .services import api_token_authenticate


class BearerToken(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class StaffOrApplicantSession(SessionAuth):
    """Django's session login; unsafe methods need the CSRF token as pages send it."""


API_AUTH = [BearerToken(), StaffOrApplicantSession(csrf=True)]
