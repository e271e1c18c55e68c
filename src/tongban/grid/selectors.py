"""Reads of the grid app. A grid worker sees only their own grids' events and visit tasks;
the hotline centre and supervisors see every grid."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from tongban.core.errors import NotFound
from tongban.core.models import Region, User
from tongban.core.models.regions import RegionLevel
from tongban.core.permissions import Perm, Role, has_perm

from .models import Grid, GridAssignment, GridChange, GridEvent, VisitStatus, VisitTask

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


# --------------------------------------------------------------------------- management


def street_choices() -> list[tuple[str, str]]:
    return list(
        Region.objects.filter(level=RegionLevel.STREET).order_by("code").values_list("code", "name")
    )


def community_choices(street_code: str | None = None) -> list[tuple[str, str]]:
    """(code, "街道 · 社区") of the communities, of one street when given."""
    qs = Region.objects.filter(level=RegionLevel.COMMUNITY).select_related("parent")
    if street_code:
        qs = qs.filter(parent__code=street_code)
    return [
        (c.code, f"{c.parent.name} · {c.name}" if c.parent_id else c.name)
        for c in qs.order_by("code")
    ]


def regions_by_code(codes) -> list[Region]:
    return list(Region.objects.filter(code__in=list(codes)).order_by("code"))


def grid_workers() -> list[User]:
    """Active staff with the 网格员 role."""
    return list(
        User.objects.filter(is_active=True, groups__name=Role.GRID_WORKER)
        .distinct()
        .order_by("username")
    )


def staff_user(pk: int) -> User | None:
    return User.objects.filter(pk=pk).first()


def grids_for_management() -> QuerySet[Grid]:
    """Every grid (active or not) with its street, communities and workers."""
    return (
        Grid.objects.select_related("street")
        .prefetch_related(
            "communities",
            Prefetch("assignments", queryset=GridAssignment.objects.select_related("worker")),
        )
        .order_by("code")
    )


def grid_for_management(code: str) -> Grid:
    grid = grids_for_management().filter(code=code).first()
    if grid is None:
        raise NotFound()
    return grid


def grid_changes(grid: Grid, limit: int = 50) -> list[GridChange]:
    return list(
        GridChange.objects.filter(grid=grid).select_related("actor").order_by("-seq")[:limit]
    )
