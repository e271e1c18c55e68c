"""Grid events (网格事件): which of the worker's grids an event lies in, and the report itself."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core import addresses
from tongban.core.errors import ValidationFailed
from tongban.core.permissions import Perm, require_perm
from tongban.hotline.services.grid_events import grid_event_create
from tongban.hotline.states import TicketStatus

from .. import selectors
from ..errors import GridErrorCode, GridRefused
from ..geometry import contains
from ..models import EventResolution, Grid, GridEvent


def _number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def locate(grids: list[Grid], *, address: str, latitude=None, longitude=None) -> Grid:
    """The grid among ``grids`` the event lies in: the one whose boundary holds the browser's
    position, else the one whose communities include the community the address names.
    Refused when it lies in none of them."""
    lon, lat = _number(longitude), _number(latitude)
    if lon is not None and lat is not None:
        for grid in grids:
            if grid.boundary and contains(grid.boundary, lon, lat):
                return grid
    match = addresses.resolve_address(address) if address else None
    if match is not None and match.community is not None:
        for grid in grids:
            if any(c.pk == match.community.pk for c in grid.communities.all()):
                return grid
    if match is None and (lon is None or lat is None):
        raise ValidationFailed(
            GridErrorCode.LOCATION_REQUIRED,
            _("事发地址：请写明所在社区（村），或在手机上允许定位。"),
            field="address",
        )
    raise GridRefused(
        GridErrorCode.OUTSIDE_GRID,
        _("事发地点不在您负责的网格（%(grids)s）内，请转交所在网格或拨打 12345 反映。"),
        field="address",
        grids="、".join(g.name for g in grids),
    )


def grid_event_report(
    *,
    actor,
    title: str,
    content: str,
    address: str,
    ticket_type: str = "help",
    latitude=None,
    longitude=None,
    subject_code: str | None = None,
    attachments=(),
    solved_on_spot: bool = False,
    resolution: str = "",
    idempotency_key: str = "",
) -> GridEvent:
    """上报事件: checks the place lies in one of the worker's grids, then files the ticket (source
    grid) and records it with the grid, in one transaction. Solved on the spot (自行处置) it is
    closed at once; otherwise it flows into the normal dispatch."""
    require_perm(actor, Perm.GRID_REPORT)
    key = (idempotency_key or "").strip()[:64]
    if key:
        done = GridEvent.objects.filter(
            reporter=actor, ticket__idempotency_key=key, ticket__created_by=actor
        ).first()
        if done is not None:
            return done
    grids = selectors.grids_of(actor)
    if not grids:
        raise GridRefused(GridErrorCode.NO_GRID, _("您还没有负责的网格，请联系街道管理员。"))
    address = (address or "").strip()
    grid = locate(grids, address=address, latitude=latitude, longitude=longitude)
    with transaction.atomic():
        ticket = grid_event_create(
            actor=actor,
            title=title,
            content=content,
            address=address,
            ticket_type=ticket_type,
            latitude=latitude,
            longitude=longitude,
            subject_code=subject_code,
            attachments=attachments,
            solved_on_spot=solved_on_spot,
            resolution=resolution,
            idempotency_key=key,
        )
        on_spot = solved_on_spot and ticket.status == TicketStatus.CLOSED
        event, _created = GridEvent.objects.get_or_create(
            ticket=ticket,
            defaults={
                "grid": grid,
                "reporter": actor,
                "resolution": EventResolution.ON_SPOT if on_spot else EventResolution.DISPATCHED,
                "reported_at": ticket.created_at,
            },
        )
    return event
