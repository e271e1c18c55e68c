"""Grid events through the services: solved on the spot, dispatched, refused (nothing written)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tongban.core.errors import DomainError, PermissionDenied, ValidationFailed
from tongban.grid.errors import GridErrorCode
from tongban.grid.models import EventResolution, GridEvent
from tongban.grid.services import grid_create, grid_event_report, grid_worker_assign
from tongban.hotline.models import Ticket, TicketAttachment, TicketEvent

from .conftest import INSIDE, OUTSIDE


def photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(out, format="JPEG")
    return SimpleUploadedFile("scene.jpg", out.getvalue(), content_type="image/jpeg")


def report(actor, **overrides):
    kwargs = {
        "title": "",
        "content": "望湖路 12 号门口窨井盖缺失，有人踩空的危险。",
        "address": "云溪区云溪街道望湖社区望湖路 12 号",
        "ticket_type": "help",
    }
    kwargs.update(overrides)
    return grid_event_report(actor=actor, **kwargs)


def nothing_written():
    assert Ticket.objects.count() == 0
    assert GridEvent.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_solved_on_the_spot_is_closed_at_once(worker_a, grid_a):
    event = report(
        worker_a,
        content="望湖路 12 号楼道堆放杂物堵塞通道。",
        solved_on_spot=True,
        resolution="已联系住户当场清理，通道恢复畅通。",
        attachments=[photo()],
        **INSIDE,
    )
    ticket = Ticket.objects.get(pk=event.ticket_id)
    assert event.grid == grid_a
    assert event.reporter == worker_a
    assert event.resolution == EventResolution.ON_SPOT
    assert ticket.source == "grid"
    assert ticket.status == "closed"
    assert ticket.solved is True
    assert ticket.reply == "已联系住户当场清理，通道恢复畅通。"
    assert ticket.dispatched_at is None
    assert str(ticket.latitude) == "30.210000"
    assert str(ticket.longitude) == "120.110000"
    assert ticket.street == grid_a.street
    assert list(ticket.events.order_by("seq").values_list("action", "to_state")) == [
        ("create", "received"),
        ("self_resolve", "closed"),
    ]
    assert TicketAttachment.objects.filter(ticket=ticket).count() == 1


def test_an_event_that_cannot_be_solved_flows_into_dispatch(worker_a, grid_a, world):
    event = report(worker_a)  # 井盖 → the catalogue's rule names 城管局
    ticket = Ticket.objects.get(pk=event.ticket_id)
    assert event.resolution == EventResolution.DISPATCHED
    assert ticket.status == "dispatched"  # 秒派
    assert ticket.department == world.cgj
    assert ticket.auto_dispatched is True
    assert "self_resolve" not in set(ticket.events.values_list("action", flat=True))


def test_a_dispatched_event_not_auto_dispatched_waits_for_the_dispatcher(worker_a, grid_a):
    event = report(worker_a, content="望湖社区有居民反映楼上夜间有异响。")
    ticket = Ticket.objects.get(pk=event.ticket_id)
    assert event.resolution == EventResolution.DISPATCHED
    assert ticket.status == "received"  # in the dispatcher's queue
    assert ticket.closed_at is None
    assert ticket.department is None


def test_an_event_outside_the_workers_grids_is_refused(worker_a, worker_b):
    with pytest.raises(DomainError) as info:
        report(worker_a, address="云溪区东湖街道湖滨社区湖滨路 6 号")
    assert info.value.code == GridErrorCode.OUTSIDE_GRID
    assert "望湖第一网格" in info.value.message
    nothing_written()


def test_a_position_outside_the_boundary_and_an_address_elsewhere_is_refused(worker_a):
    with pytest.raises(DomainError) as info:
        report(worker_a, address="云溪区东湖街道湖滨路 6 号", **OUTSIDE)
    assert info.value.code == GridErrorCode.OUTSIDE_GRID
    nothing_written()


def test_a_position_inside_the_boundary_places_an_event_with_a_vague_address(worker_a, grid_a):
    event = report(worker_a, address="望湖路与观澜路路口", **INSIDE)
    assert event.grid == grid_a


def test_without_a_place_the_worker_is_asked_for_one(worker_a):
    with pytest.raises(ValidationFailed) as info:
        report(worker_a, address="门口")
    assert info.value.code == GridErrorCode.LOCATION_REQUIRED
    assert info.value.field == "address"
    nothing_written()


def test_solved_on_the_spot_needs_what_was_done(worker_a):
    with pytest.raises(ValidationFailed) as info:
        report(worker_a, solved_on_spot=True, resolution="  ")
    assert info.value.field == "resolution"
    assert info.value.message == "处置情况：请填写。"
    nothing_written()


def test_only_grid_workers_report_events(operator, handler, grid_a):
    for actor in (operator, handler):
        with pytest.raises(PermissionDenied):
            report(actor)
    nothing_written()


def test_a_worker_without_a_grid_is_told_so(world):
    from tests.hotline.factories import staff
    from tongban.core.permissions import Role

    lonely = staff(Role.GRID_WORKER, world.yunxi_unit, "lonely")
    with pytest.raises(DomainError) as info:
        report(lonely)
    assert info.value.code == GridErrorCode.NO_GRID
    nothing_written()


def test_the_same_key_files_one_event(worker_a):
    first = report(worker_a, idempotency_key="k-1", solved_on_spot=True, resolution="已处理")
    again = report(worker_a, idempotency_key="k-1", solved_on_spot=True, resolution="已处理")
    assert first.pk == again.pk
    assert GridEvent.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_a_worker_of_two_grids_reports_in_either(world, worker_a, grid_b):
    grid_worker_assign(grid=grid_b, worker=worker_a)
    event = report(worker_a, address="云溪区东湖街道湖滨社区湖滨路 6 号")
    assert event.grid == grid_b


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"boundary": [[1, 1], [2, 2]]}, "boundary"),
        ({"boundary": None, "communities": []}, "boundary"),
        ({"code": ""}, "code"),
    ],
)
def test_grid_create_refuses_bad_input(world, kwargs, field):
    base = {
        "code": "g1",
        "name": "网格",
        "street": world.yunxi,
        "communities": [world.wanghu],
        "boundary": None,
    }
    base.update(kwargs)
    with pytest.raises(ValidationFailed) as info:
        grid_create(**base)
    assert info.value.field == field


def test_a_grid_holds_only_its_streets_communities(world):
    with pytest.raises(ValidationFailed) as info:
        grid_create(code="g1", name="网格", street=world.yunxi, communities=[world.hubin])
    assert info.value.message == "包含社区：湖滨社区 不是云溪街道的社区。"


def test_only_grid_workers_are_assigned(world, grid_a, handler):
    with pytest.raises(ValidationFailed) as info:
        grid_worker_assign(grid=grid_a, worker=handler)
    assert info.value.code == GridErrorCode.NOT_A_GRID_WORKER
