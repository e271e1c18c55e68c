"""Grid test data: the small hotline district (``tests.hotline.factories.hotline_world``) with
two grids — 望湖 (云溪街道: 望湖社区 and a square boundary) and 湖滨 (东湖街道: 湖滨社区) — and
a grid worker for each."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.hotline.factories import hotline_world, staff
from tongban.core import addresses
from tongban.core.permissions import Role
from tongban.grid.services import grid_create, grid_worker_assign
from tongban.hotline import clocks, dispatch, suggestions
from tongban.hotline.classifier import registry

# A square around 望湖社区 (lon 120.10–120.12, lat 30.20–30.22), GeoJSON order.
WANGHU_RING = [[120.10, 30.20], [120.12, 30.20], [120.12, 30.22], [120.10, 30.22]]
INSIDE = {"longitude": "120.110000", "latitude": "30.210000"}
OUTSIDE = {"longitude": "120.200000", "latitude": "30.300000"}


@pytest.fixture(autouse=True)
def _fresh_hotline_caches():
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
def grid_a(world):
    return grid_create(
        code="yx-wh-01",
        name="望湖第一网格",
        street=world.yunxi,
        communities=[world.wanghu],
        boundary=WANGHU_RING,
    )


@pytest.fixture
def grid_b(world):
    return grid_create(
        code="dh-hb-01", name="湖滨第一网格", street=world.donghu, communities=[world.hubin]
    )


@pytest.fixture
def worker_a(world, grid_a):
    user = staff(Role.GRID_WORKER, world.yunxi_unit, "grid_a")
    grid_worker_assign(grid=grid_a, worker=user)
    return user


@pytest.fixture
def worker_b(world, grid_b):
    user = staff(Role.GRID_WORKER, world.donghu_unit, "grid_b")
    grid_worker_assign(grid=grid_b, worker=user)
    return user


@pytest.fixture
def operator(world):
    return staff(Role.HOTLINE_OPERATOR, world.centre, "operator")


@pytest.fixture
def handler(world):
    return staff(Role.HANDLER, world.cgj, "handler")


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
