"""Grid management (网格管理, ``grid.manage``): create and edit a grid, assign and take off its
workers — through the services and the console pages; every change a hash-chained
``GridChange``; refusals change nothing; only administrators with ``grid.manage``."""

from __future__ import annotations

import pytest

from tests.hotline.factories import staff
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.events import chain_verify
from tongban.core.permissions import Role
from tongban.grid import selectors
from tongban.grid.models import Grid, GridAssignment, GridChange
from tongban.grid.services import grid_create, grid_update, grid_worker_assign, grid_worker_unassign

from .conftest import WANGHU_RING, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return staff(Role.ADMINISTRATOR, world.centre, "grid_admin")


@pytest.fixture
def new_worker(world):
    return staff(Role.GRID_WORKER, world.yunxi_unit, "grid_new")


def _state(grid: Grid):
    g = Grid.objects.get(pk=grid.pk)
    return (
        g.name,
        g.is_active,
        g.boundary,
        sorted(g.communities.values_list("code", flat=True)),
        sorted(GridAssignment.objects.filter(grid=g).values_list("worker__username", flat=True)),
        GridChange.objects.filter(grid=g).count(),
    )


def test_create_edit_assign_and_unassign_write_the_grid_history(world, admin, new_worker):
    grid = grid_create(
        actor=admin, code="yx-wh-09", name="望湖第九网格", street=world.yunxi, boundary=WANGHU_RING
    )
    grid_update(
        actor=admin,
        code="yx-wh-09",
        name="望湖第九网格（调整）",
        communities=[world.wanghu],
        boundary=WANGHU_RING,
        is_active=True,
    )
    grid_worker_assign(grid=grid, worker=new_worker, actor=admin)
    grid_worker_assign(grid=grid, worker=new_worker, actor=admin)  # idempotent: no event
    assert [g.code for g in selectors.grids_of(new_worker)] == ["yx-wh-09"]
    grid_worker_unassign(grid=grid, worker=new_worker, actor=admin)
    new_worker._grid_grids = None
    assert selectors.grids_of(new_worker) == []

    changes = list(GridChange.objects.filter(grid=grid).order_by("seq"))
    assert [(c.stream, c.seq, c.action, c.actor) for c in changes] == [
        ("grid:yx-wh-09", 1, "create", admin),
        ("grid:yx-wh-09", 2, "update", admin),
        ("grid:yx-wh-09", 3, "assign", admin),
        ("grid:yx-wh-09", 4, "unassign", admin),
    ]
    assert changes[0].payload == {
        "name": "望湖第九网格",
        "street": world.yunxi.code,
        "communities": [],
        "boundary_points": 4,
    }
    assert changes[1].payload == {
        "changed": ["communities", "name"],
        "communities": [world.wanghu.code],
        "name": "望湖第九网格（调整）",
    }
    assert changes[2].payload == {"worker": "grid_new"}
    assert chain_verify([GridChange]).problems == []


def test_an_edit_that_changes_nothing_writes_nothing(world, admin, grid_a):
    before = _state(grid_a)
    grid_update(
        actor=admin,
        code=grid_a.code,
        name=grid_a.name,
        communities=[world.wanghu],
        boundary=WANGHU_RING,
        is_active=True,
    )
    assert _state(grid_a) == before


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"name": ""}, "invalid_input", "name"),
        ({"name": "x" * 65}, "invalid_input", "name"),
        ({"communities": "hubin"}, "invalid_input", "communities"),
        ({"boundary": [[1, 2], [3, 4]]}, "invalid_boundary", "boundary"),
        ({"boundary": [], "communities": []}, "invalid_input", "boundary"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(world, admin, grid_a, kwargs, code, field):
    args = {
        "name": "望湖第一网格",
        "communities": [world.wanghu],
        "boundary": WANGHU_RING,
        "is_active": True,
        **kwargs,
    }
    if args["communities"] == "hubin":
        args["communities"] = [world.hubin]  # a community of another street
    before = _state(grid_a)
    with pytest.raises(ValidationFailed) as exc:
        grid_update(actor=admin, code=grid_a.code, **args)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert _state(grid_a) == before


def test_only_grid_managers_change_grids(world, grid_a, worker_a, operator, handler, new_worker):
    before = _state(grid_a)
    for actor in (worker_a, operator, handler):
        with pytest.raises(PermissionDenied):
            grid_update(actor=actor, code=grid_a.code, name="改名", communities=[world.wanghu])
        with pytest.raises(PermissionDenied):
            grid_worker_assign(grid=grid_a, worker=new_worker, actor=actor)
        with pytest.raises(PermissionDenied):
            grid_worker_unassign(grid=grid_a, worker=worker_a, actor=actor)
    assert _state(grid_a) == before


def test_unassigning_a_worker_not_in_the_grid_is_refused(admin, grid_a, new_worker):
    before = _state(grid_a)
    with pytest.raises(Exception) as exc:
        grid_worker_unassign(grid=grid_a, worker=new_worker, actor=admin)
    assert (exc.value.code, exc.value.field) == ("invalid_input", "worker")
    assert _state(grid_a) == before
    with pytest.raises(NotFound):
        grid_update(actor=admin, code="no-such-grid", name="x", communities=[])


# --------------------------------------------------------------------------- the pages


@pytest.mark.parametrize("who", ["worker_a", "operator", "handler"])
def test_the_pages_refuse_people_without_grid_manage(request, grid_a, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/console/grid/manage/").status_code == 403
    before = _state(grid_a)
    response = client.post(
        f"/console/grid/manage/{grid_a.code}/", {"name": "改名", "communities": ["330199001001"]}
    )
    assert response.status_code == 403
    assert _state(grid_a) == before


def test_anonymous_goes_to_the_login(grid_a):
    response = client_for(None).get("/console/grid/manage/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_an_administrator_creates_edits_and_staffs_a_grid_on_the_pages(
    world, admin, new_worker, grid_a
):
    client = client_for(admin)
    assert client.get("/console/grid/").status_code == 302  # an administrator starts here
    listing = client.get("/console/grid/manage/")
    assert listing.status_code == 200
    assert "望湖第一网格" in listing.content.decode()

    bad = client.post(
        "/console/grid/manage/new/",
        {"code": "yx-wh-02", "name": "", "street": world.yunxi.code, "boundary": "1,2\n3"},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "<title>错误：" in html
    assert "请填写网格名称。" in html
    assert "网格边界：每行写一个“经度,纬度”" in html
    assert not Grid.objects.filter(code="yx-wh-02").exists()

    other_street = client.post(
        "/console/grid/manage/new/",
        {
            "code": "yx-wh-02",
            "name": "望湖第二网格",
            "street": world.yunxi.code,
            "communities": [world.hubin.code],
        },
    )
    assert other_street.status_code == 400
    assert "不是云溪街道的社区" in other_street.content.decode()
    assert not Grid.objects.filter(code="yx-wh-02").exists()

    made = client.post(
        "/console/grid/manage/new/",
        {
            "code": "yx-wh-02",
            "name": "望湖第二网格",
            "street": world.yunxi.code,
            "boundary": "120.10,30.20\n120.12,30.20\n120.12,30.22",
            "is_active": "on",
        },
    )
    assert made.status_code == 302
    assert made["Location"] == "/console/grid/manage/yx-wh-02/"
    grid = Grid.objects.get(code="yx-wh-02")
    assert grid.boundary == [[120.10, 30.20], [120.12, 30.20], [120.12, 30.22]]

    page = client.get("/console/grid/manage/yx-wh-02/")
    assert page.status_code == 200
    assert "grid_new" in page.content.decode()  # offered for assignment

    edited = client.post(
        "/console/grid/manage/yx-wh-02/",
        {"name": "望湖第二网格", "communities": [world.wanghu.code], "boundary": ""},
    )
    assert edited.status_code == 302
    grid.refresh_from_db()
    assert (grid.boundary, grid.is_active) == ([], False)
    assert list(grid.communities.values_list("code", flat=True)) == [world.wanghu.code]

    assert client.post("/console/grid/manage/yx-wh-02/workers/", {"worker": ""}).status_code == 400
    assigned = client.post("/console/grid/manage/yx-wh-02/workers/", {"worker": new_worker.pk})
    assert assigned.status_code == 302
    assert GridAssignment.objects.filter(grid=grid, worker=new_worker).exists()
    removed = client.post(f"/console/grid/manage/yx-wh-02/workers/{new_worker.pk}/remove/")
    assert removed.status_code == 302
    assert not GridAssignment.objects.filter(grid=grid, worker=new_worker).exists()
    assert list(
        GridChange.objects.filter(grid=grid).order_by("seq").values_list("action", flat=True)
    ) == ["create", "update", "assign", "unassign"]
    assert client.get("/console/grid/manage/nope/").status_code == 404
