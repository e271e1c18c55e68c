"""The grid API under /api/v1/ (the same rules as the grid workers' pages: a worker sees only
their own grids' events and visit tasks; only workers report events and record visits)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from tongban.core.access import rule
from tongban.core.permissions import Perm, has_perm, require_perm

from . import selectors, services
from .models import GridEvent, VisitTask

router = Router(tags=["grid"])
LIMIT = 50


class GridOut(Schema):
    code: str
    name: str
    street: str
    communities: list[str]
    boundary: list[list[float]]


class EventIn(Schema):
    content: str = Field(..., max_length=5000)
    address: str = Field(..., max_length=200)
    title: str = Field("", max_length=128)
    ticket_type: str = "help"
    latitude: float | None = None
    longitude: float | None = None
    subject_code: str | None = None
    solved_on_spot: bool = False
    resolution: str = Field("", max_length=2000)
    idempotency_key: str = Field("", max_length=64)


class GridEventOut(Schema):
    ticket_no: str
    grid: str
    resolution: str
    status: str
    title: str
    address: str
    reported_at: dt.datetime


class VisitOut(Schema):
    id: int
    case_no: str
    grid: str
    community: str
    status: str
    attempts: int
    version: int


class VisitIn(Schema):
    outcome: str
    note: str = Field("", max_length=500)
    expected_version: int | None = None


def _user(request: HttpRequest):
    """The caller; refused unless a grid worker or one who sees every grid."""
    user = request.auth if hasattr(request.auth, "pk") else request.user
    if not (selectors.sees_all_grids(user) or has_perm(user, Perm.GRID_REPORT)):
        require_perm(user, Perm.GRID_REPORT)
    return user


def _event(e: GridEvent) -> dict:
    return {
        "ticket_no": e.ticket.ticket_no,
        "grid": e.grid.code,
        "resolution": e.resolution,
        "status": e.ticket.status,
        "title": e.ticket.title,
        "address": e.ticket.address,
        "reported_at": e.reported_at,
    }


def _visit(t: VisitTask) -> dict:
    return {
        "id": t.pk,
        "case_no": t.case.case_no,
        "grid": t.grid.code,
        "community": t.community.name,
        "status": t.status,
        "attempts": t.attempts,
        "version": t.version,
    }


@rule("perm:grid.report|perm:ticket.dispatch|perm:supervision.view")
@router.get("/grid/grids", response=list[GridOut], summary="The grids I may see")
def grids(request: HttpRequest):
    user = _user(request)
    return [
        {
            "code": g.code,
            "name": g.name,
            "street": g.street.name,
            "communities": [c.name for c in g.communities.all()],
            "boundary": g.boundary,
        }
        for g in selectors.grid_summaries(user)
    ]


@rule("perm:grid.report|perm:ticket.dispatch|perm:supervision.view")
@router.get("/grid/events", response=list[GridEventOut], summary="Grid events, newest first")
def events(request: HttpRequest, grid: str = "", resolution: str = ""):
    user = _user(request)
    qs = selectors.events_for_user(user, grid_code=grid[:32], resolution=resolution[:16])
    return [_event(e) for e in qs[:LIMIT]]


@rule("perm:grid.report")
@router.post("/grid/events", response={201: GridEventOut}, summary="Report a grid event")
def report(request: HttpRequest, body: EventIn):
    event = services.grid_event_report(actor=_user(request), **body.dict())
    return Status(201, _event(event))


@rule("perm:grid.report|perm:ticket.dispatch|perm:supervision.view")
@router.get("/grid/visits", response=list[VisitOut], summary="Open home-visit tasks (门边办)")
def visits(request: HttpRequest):
    user = _user(request)
    return [_visit(t) for t in selectors.tasks_for_user(user)[:LIMIT]]


@rule("perm:grid.report")
@router.post("/grid/visits/{task_id}", response=VisitOut, summary="Record a home visit")
def visit(request: HttpRequest, task_id: int, body: VisitIn):
    task = services.visit_record(actor=_user(request), task_id=task_id, **body.dict())
    return _visit(task)
