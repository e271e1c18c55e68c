"""Open311 fuzzing with schemathesis: every operation of /open311/v2/openapi.json with generated
input — no response is a server error, and every response conforms to the documented schema.

POSTs go twice: as generated (mostly refused: no or a wrong api_key) and with a valid api_key, so
that generated descriptions, locations, names, phones and attributes reach the intake itself.
`make test` runs ``TONGBAN_FUZZ_EXAMPLES`` (default 3) examples per operation, derandomised;
`make fuzz` runs 100 on both databases."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.hotline.factories import hotline_world, new_ticket, operator_in
from tongban.hotline.open311.keys import open311_key_create
from tongban.hotline.open311.openapi import SCHEMA

EXAMPLES = int(os.environ.get("TONGBAN_FUZZ_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As in test_api_fuzz: the WSGI handler's request signals would close the test's
    connection (and its transaction) after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(db, settings) -> str:
    """A hotline with a taxonomy, one public ticket, and a valid Open311 api_key."""
    settings.TONGBAN_OPEN311_POSTS_PER_MINUTE = 1_000_000
    world = hotline_world()
    new_ticket(operator_in(world))
    return open311_key_create(name="fuzz")[1]


def _schema():
    from tongban.config.wsgi import application

    loaded = schemathesis.openapi.from_dict(SCHEMA)
    loaded.app = application
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
def test_no_open311_operation_fails_or_breaks_its_schema(case, api_key):
    case.call_and_validate(checks=CHECKS)
    if case.method == "POST" and isinstance(case.body, dict):
        case.body["api_key"] = api_key
        case.call_and_validate(checks=CHECKS)


def test_the_schema_is_served(db):
    response = Client().get("/open311/v2/openapi.json")
    assert response.status_code == 200
    assert response.json() == SCHEMA


def test_a_valid_post_conforms(api_key):
    """One hand-written POST that must be filed (201), to be sure the fuzzing reaches intake."""
    response = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "03.02.05",
            "description": "学府路与望湖路交叉口积水很深，行人无法通行。",
            "address_string": "云溪区云溪街道望湖社区学府路 18 号",
        },
    )
    assert response.status_code == 201
    [record] = response.json()
    assert record["service_request_id"].startswith("12345-")
    assert record["account_id"] is None
