"""The grid's lists (the worker's home, events and visit tasks, the grid management list, the
API lists) read the same number of queries for few and for many rows."""

from __future__ import annotations

import itertools

import pytest

from tests.hotline.factories import staff
from tests.query_counts import page_queries
from tongban.core.permissions import Role
from tongban.grid.models import Grid, GridEvent, VisitTask
from tongban.grid.services import grid_create, grid_event_report, visit_tasks_sync
from tongban.hotline.models import Ticket

from .conftest import client_for
from .test_visits import item, make_case  # noqa: F401

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


@pytest.fixture
def add(world, worker_a, grid_a, make_case):  # noqa: F811
    """``add(n)``: n events reported by the worker (every other one solved on the spot), n
    home-visit tasks in the worker's grid and n more grids of the street."""

    def make(n: int) -> None:
        for i in range(n):
            k = next(_seq)
            grid_event_report(
                actor=worker_a,
                title="",
                content=f"望湖路 {k} 号门口窨井盖缺失，有人踩空的危险。",
                address=f"云溪区云溪街道望湖社区望湖路 {k} 号",
                ticket_type="help",
                solved_on_spot=bool(i % 2),
                resolution="已设置警示标志并通知维修。" if i % 2 else "",
            )
            make_case(f"云溪区云溪街道望湖社区观澜路 {k} 号", form_data={"home_visit": True})
            grid_create(
                code=f"yx-wh-{k + 10:02d}",
                name=f"望湖第{k + 10}网格",
                street=world.yunxi,
                communities=[world.wanghu],
            )
        visit_tasks_sync()

    return make


def test_every_list_reads_the_same_queries_for_2_and_8_rows(add, worker_a, world):
    admin = staff(Role.ADMINISTRATOR, world.centre, "grid_admin")
    worker, manager = client_for(worker_a), client_for(admin)
    pages = [
        (worker, "/console/grid/"),
        (worker, "/console/grid/events/"),
        (worker, "/console/grid/visits/"),
        (worker, "/api/v1/grid/grids"),
        (worker, "/api/v1/grid/events"),
        (worker, "/api/v1/grid/visits"),
        (manager, "/console/grid/manage/"),
    ]
    add(2)
    few = {url: page_queries(client, url) for client, url in pages}
    add(6)
    assert (GridEvent.objects.count(), VisitTask.objects.count(), Grid.objects.count()) == (8, 8, 9)
    assert Ticket.objects.count() == 8
    assert {url: page_queries(client, url) for client, url in pages} == few
