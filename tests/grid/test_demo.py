"""The grid demo: 10 grids with a worker each, events solved on the spot and dispatched, valid
hash chains, idempotent."""

from __future__ import annotations

import pytest

from tongban.core import demo as core_demo
from tongban.core.events import chain_verify
from tongban.grid import demo
from tongban.grid.models import Grid, GridAssignment, GridEvent
from tongban.hotline.models import Ticket, TicketEvent


@pytest.fixture
def district(db):
    core_demo.load(out=lambda _line: None)


def test_demo_grids_workers_and_events(district):
    lines = []
    created = demo.load(out=lines.append, count=60)
    assert Grid.objects.count() == 10
    assert GridAssignment.objects.count() == 10
    assert GridAssignment.objects.filter(worker__username="grid", grid__code="yx-01").exists()
    assert GridEvent.objects.count() == 60
    assert created["grid events (solved on the spot)"] == 56
    assert created["grid events (today, through the services)"] == 4
    on_spot = GridEvent.objects.filter(resolution="on_spot")
    assert on_spot.count() == 58
    assert set(Ticket.objects.filter(grid_event__in=on_spot).values_list("status", flat=True)) == {
        "closed"
    }
    assert GridEvent.objects.filter(resolution="dispatched").count() == 2
    for event in GridEvent.objects.select_related("ticket", "grid"):
        assert event.ticket.source == "grid"
        assert event.grid.communities.filter(pk=event.ticket.region_id).exists()
    report = chain_verify([TicketEvent])
    assert report.problems == []
    assert report.events == 58 * 2 + 2  # on the spot: create + self_resolve; else create only
    # a second run creates nothing
    again = []
    assert demo.load(out=again.append, count=60) == {}
    assert again == ["grid: nothing to do (already loaded)"]
    assert GridEvent.objects.count() == 60
