"""The grid worker's pages over HTTP: the permission matrix (a worker sees only their grids'
events and tasks), reporting without JavaScript, and refusals that change nothing."""

from __future__ import annotations

import pytest

from tests.factories import PersonFactory, UserFactory
from tongban.grid.models import GridEvent
from tongban.hotline.models import Ticket

from .conftest import client_for
from .test_events import report

FORM = {
    "content": "望湖路 12 号楼道堆放杂物堵塞通道。",
    "address": "云溪区云溪街道望湖社区望湖路 12 号",
    "ticket_type": "help",
    "on_spot": "yes",
    "resolution": "已当场劝导清理。",
    "key": "page-key-1",
}


@pytest.fixture
def events(worker_a, worker_b):
    a = report(worker_a, solved_on_spot=True, resolution="已处理", content="望湖甲事件")
    b = report(
        worker_b,
        address="云溪区东湖街道湖滨社区湖滨路 6 号",
        solved_on_spot=True,
        resolution="已处理",
        content="湖滨乙事件",
    )
    return a, b


@pytest.fixture
def citizen(db):
    user = UserFactory(username="citizen")
    PersonFactory(name="张晓明", user=user)
    return user


def test_anonymous_goes_to_the_login(db):
    response = client_for(None).get("/console/grid/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


@pytest.mark.parametrize(
    "path", ["/console/grid/", "/console/grid/events/", "/console/grid/report/"]
)
def test_people_without_grid_work_are_refused(path, handler, citizen):
    assert client_for(handler).get(path).status_code == 403
    assert client_for(citizen).get(path).status_code == 403


def test_a_worker_sees_only_their_grids_events(events, worker_a, worker_b):
    a, b = events
    page = client_for(worker_a).get("/console/grid/events/").content.decode()
    assert a.ticket.ticket_no in page
    assert b.ticket.ticket_no not in page
    assert (
        client_for(worker_a).get(f"/console/grid/events/{a.ticket.ticket_no}/").status_code == 200
    )
    assert (
        client_for(worker_a).get(f"/console/grid/events/{b.ticket.ticket_no}/").status_code == 404
    )
    assert (
        client_for(worker_b).get(f"/console/grid/events/{a.ticket.ticket_no}/").status_code == 404
    )
    # asking for the other grid by its code shows nothing either
    other = client_for(worker_a).get("/console/grid/events/?grid=dh-hb-01").content.decode()
    assert b.ticket.ticket_no not in other


def test_the_centre_sees_every_grid_but_cannot_report(events, operator):
    a, b = events
    client = client_for(operator)
    page = client.get("/console/grid/events/").content.decode()
    assert a.ticket.ticket_no in page and b.ticket.ticket_no in page
    assert client.get("/console/grid/report/").status_code == 403
    assert client.post("/console/grid/report/", FORM).status_code == 403
    assert GridEvent.objects.count() == 2


def test_the_report_form_is_built_for_a_phone(worker_a):
    page = client_for(worker_a).get("/console/grid/report/").content.decode()
    assert 'accept="image/*"' in page
    assert 'capture="environment"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "grid/locate.js" in page
    assert "<script>" not in page  # CSP: no inline script


def test_reporting_without_javascript_redirects_to_the_event(worker_a, grid_a):
    response = client_for(worker_a).post("/console/grid/report/", FORM)
    event = GridEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/grid/events/{event.ticket.ticket_no}/"
    assert event.resolution == "on_spot"
    assert event.ticket.status == "closed"


def test_a_refused_report_shows_the_error_and_writes_nothing(worker_a, worker_b):
    form = {**FORM, "address": "云溪区东湖街道湖滨社区湖滨路 6 号"}
    response = client_for(worker_a).post("/console/grid/report/", form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>错误：" in page
    assert "事发地点不在您负责的网格（望湖第一网格）内" in page
    assert Ticket.objects.count() == 0


def test_on_the_spot_without_what_was_done_is_an_inline_error(worker_a):
    response = client_for(worker_a).post("/console/grid/report/", {**FORM, "resolution": ""})
    assert response.status_code == 400
    assert "当场解决时请写明处置情况。" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_the_home_page_lists_the_workers_grids(worker_a, grid_b):
    page = client_for(worker_a).get("/console/grid/").content.decode()
    assert "望湖第一网格" in page
    assert "湖滨第一网格" not in page
    assert "/console/grid/report/" in page
