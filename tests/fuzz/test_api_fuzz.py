"""API fuzzing with schemathesis: every operation of /api/v1/openapi.json, as each role, with
generated input — no response is a server error, and every response conforms to the schema.

`make test` runs a bounded number of examples per operation and role (``TONGBAN_FUZZ_EXAMPLES``,
default 3, derandomised so a run is repeatable); `make fuzz` runs 100 on both databases."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.core.permissions import Role
from tongban.core.services import api_token_create

EXAMPLES = int(os.environ.get("TONGBAN_FUZZ_EXAMPLES", "3"))
ROLES = [
    "anonymous",
    "applicant",
    Role.WINDOW_CLERK,
    Role.REVIEWER,
    Role.HOTLINE_OPERATOR,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI handler, whose request signals would close the test's
    database connection (and its transaction) after each one; Django's test client disconnects
    them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def role_headers(db, department) -> dict[str, dict[str, str]]:
    """Request headers of each role: none for anonymous, a bearer token for the others."""
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in ROLES[1:]:
        if role == "applicant":
            user = UserFactory(username="fuzz_applicant")
            PersonFactory(user=user)
        else:
            user = make_staff(role, department=department, username=f"fuzz_{role}")
        headers[role] = {"Authorization": f"Bearer {api_token_create(user=user, name='fuzz')[1]}"}
    return headers


def _schema():
    from tongban.config.api import api
    from tongban.config.wsgi import application

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = application  # requests go through Django's WSGI handler, in this process
    return loaded


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_fails_or_breaks_its_schema(case, role_headers):
    for headers in role_headers.values():  # every generated request, as each role
        case.call_and_validate(
            headers=headers,
            checks=[
                not_a_server_error,
                response_schema_conformance,
                status_code_conformance,
                content_type_conformance,
            ],
        )
