"""Fixtures for hotline tests: the small district of ``factories.hotline_world`` and one user
(and one logged-in client) per persona."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client

from tests.factories import PersonFactory, UserFactory
from tongban.core import addresses
from tongban.core.permissions import Role
from tongban.core.services import api_token_create
from tongban.hotline import clocks, dispatch, suggestions
from tongban.hotline.classifier import registry

from .factories import hotline_world, staff

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _fresh_hotline_caches():
    """Catalogue, limits and the address index are per process: each test starts afresh."""
    for module in (dispatch, clocks, addresses, registry, suggestions):
        module.invalidate()
    dispatch.clear_classifiers()
    yield
    for module in (dispatch, clocks, addresses, registry, suggestions):
        module.invalidate()
    dispatch.clear_classifiers()


@pytest.fixture
def world(db):
    return hotline_world()


@pytest.fixture
def operator(world):
    return staff(Role.HOTLINE_OPERATOR, world.centre, "operator")


@pytest.fixture
def handler(world):
    """城管局 (cgj) handler."""
    return staff(Role.HANDLER, world.cgj, "handler")


@pytest.fixture
def handler2(world):
    """A second 城管局 handler (races)."""
    return staff(Role.HANDLER, world.cgj, "handler2")


@pytest.fixture
def zjj_handler(world):
    return staff(Role.HANDLER, world.zjj, "handler_zjj")


@pytest.fixture
def street_handler(world):
    """云溪街道便民服务中心 handler."""
    return staff(Role.HANDLER, world.yunxi_unit, "handler_yunxi")


@pytest.fixture
def other_street_handler(world):
    """东湖街道便民服务中心 handler."""
    return staff(Role.HANDLER, world.donghu_unit, "handler_donghu")


@pytest.fixture
def supervisor_h(world):
    return staff(Role.SUPERVISOR, world.centre, "supervisor_h")


@pytest.fixture
def grid_worker(world):
    return staff(Role.GRID_WORKER, world.yunxi_unit, "grid")


@pytest.fixture
def citizen(db):
    user = UserFactory(username="citizen")
    PersonFactory(name="张晓明", user=user, phone="13905710001")
    return user


@pytest.fixture
def at():
    """Travel to a Shanghai wall-clock time: ``at("2026-06-02 10:00")`` (time stands still)."""
    travellers = []

    def go(when: str):
        moment = dt.datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


class Api:
    """One persona's JSON client on /api/v1 with a bearer token (anonymous without a user)."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _token, plain = api_token_create(user=user, name="test")
            self.headers["Authorization"] = f"Bearer {plain}"

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body=None, *, headers=None, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body) if body is not None else ""
        return self.client.post(
            f"/api/v1{path}",
            data=data,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def act(self, ticket_no: str, action: str, **body):
        return self.post(f"/tickets/{ticket_no}/actions/{action}", body)


@pytest.fixture
def api():
    """``api(user)`` → an ``Api`` client for that persona (``api()`` is anonymous)."""
    return Api
