"""Reads of the grid app. A grid worker sees only their own grids' events and visit tasks;
the hotline centre and supervisors see every grid."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from tongban.core.errors import NotFound
from tongban.core.permissions import Perm, has_perm

from .models import Grid, GridAssignment, GridEvent, VisitStatus, VisitTask

CENTRE_PERMS = (Perm.TICKET_DISPATCH, Perm.SUPERVISION_VIEW)


def sees_all_grids(user) -> bool:
    return any(has_perm(user, p) for p in CENTRE_PERMS)


def grids_of(user) -> list[Grid]:
    """The active grids ``user`` is assigned to (with their communities)."""
    if not getattr(user, "pk", None):
        return []
    cached = getattr(user, "_grid_grids", None)
    if cached is None:
        cached = list(
            Grid.objects.filter(is_active=True, assignments__worker_id=user.pk)
            .select_related("street")
            .prefetch_related("communities")
            .order_by("code")
        )
        user._grid_grids = cached
    return cached


def visible_grids(user) -> QuerySet[Grid]:
    if sees_all_grids(user):
        return Grid.objects.filter(is_active=True)
    if not has_perm(user, Perm.GRID_REPORT):
        return Grid.objects.none()
    return Grid.objects.filter(is_active=True, assignments__worker_id=user.pk)


def events_for_user(user, *, grid_code: str = "", resolution: str = "") -> QuerySet[GridEvent]:
    """The events of the grids ``user`` sees, newest first."""
    qs = GridEvent.objects.filter(grid__in=visible_grids(user))
    if grid_code:
        qs = qs.filter(grid__code=grid_code)
    if resolution:
        qs = qs.filter(resolution=resolution)
    return qs.select_related("grid", "ticket", "ticket__subject").order_by("-reported_at", "-pk")


def get_event_for_user(*, user, ticket_no: str) -> GridEvent:
    event = events_for_user(user).filter(ticket__ticket_no=ticket_no).first()
    if event is None:
        raise NotFound()
    return event


def tasks_for_user(user, *, status: str = VisitStatus.OPEN) -> QuerySet[VisitTask]:
    qs = VisitTask.objects.filter(grid__in=visible_grids(user))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related(
        "grid", "community", "case", "case__applicant", "case__item_version"
    ).order_by("created_at", "pk")


def get_task_for_user(*, user, pk: int) -> VisitTask:
    task = tasks_for_user(user, status="").filter(pk=pk).first()
    if task is None:
        raise NotFound()
    return task


def grid_for_community(community_id: int) -> Grid | None:
    return (
        Grid.objects.filter(is_active=True, communities__id=community_id).order_by("code").first()
    )


def grid_summaries(user, *, everything: bool = False) -> list[Grid]:
    """The visible grids (every active one with ``everything``, for commands) with their
    workers and counts of events and open visit tasks."""
    grids = Grid.objects.filter(is_active=True) if everything else visible_grids(user)
    return list(
        grids.select_related("street")
        .prefetch_related(
            "communities",
            Prefetch("assignments", queryset=GridAssignment.objects.select_related("worker")),
        )
        .annotate(
            event_count=Count("events", distinct=True),
            open_tasks=Count(
                "visit_tasks", filter=Q(visit_tasks__status=VisitStatus.OPEN), distinct=True
            ),
        )
        .order_by("code")
    )
