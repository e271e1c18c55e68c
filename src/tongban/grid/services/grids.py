"""Grids and their workers: create and edit a grid (name, communities, boundary, active), assign
and unassign grid workers. Each change is a hash-chained ``GridChange`` on ``grid:<code>``.

``actor`` is the staff member making the change (``grid.manage``) or ``None`` for the system
(the demo, a deployment's set-up script)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.models import Region, User
from tongban.core.models.regions import RegionLevel
from tongban.core.permissions import Perm, Role, has_role, require_perm

from ..errors import GridErrorCode, GridRefused
from ..geometry import ring_of
from ..models import Grid, GridAssignment
from .history import grid_change_append

NAME_MAX = 64


def _invalid(message, field: str, **params) -> ValidationFailed:
    return ValidationFailed(GridErrorCode.INVALID_INPUT, message, field=field, **params)


def _require_manager(actor) -> None:
    if actor is not None:
        require_perm(actor, Perm.GRID_MANAGE)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise _invalid(_("网格名称：请填写，不超过 64 个字。"), "name")
    return name


def _clean_communities(street: Region, communities: Iterable[Region]) -> list[Region]:
    out = list(communities)
    for community in out:
        if community.level != RegionLevel.COMMUNITY or community.parent_id != street.pk:
            raise _invalid(
                _("包含社区：%(name)s 不是%(street)s的社区。"),
                "communities",
                name=community.name,
                street=street.name,
            )
    return out


def _clean_ring(boundary) -> list:
    if not boundary:
        return []
    try:
        return [[lon, lat] for lon, lat in ring_of(boundary)]
    except (TypeError, ValueError):
        raise ValidationFailed(
            GridErrorCode.INVALID_BOUNDARY,
            _("网格边界：应为至少 3 个不同的 [经度, 纬度] 坐标点。"),
            field="boundary",
        ) from None


def grid_create(
    *,
    code: str,
    name: str,
    street: Region,
    communities: Iterable[Region] = (),
    boundary: list | None = None,
    actor=None,
) -> Grid:
    """网格: a polygon and/or a list of communities of one street (at least one of the two)."""
    _require_manager(actor)
    code = (code or "").strip()
    if not code or len(code) > 32:
        raise _invalid(_("网格编码：请填写，不超过 32 个字符。"), "code")
    name = _clean_name(name)
    if street is None or street.level != RegionLevel.STREET:
        raise _invalid(_("所属街道：应为街道或镇。"), "street")
    communities = _clean_communities(street, communities)
    ring = _clean_ring(boundary)
    if not ring and not communities:
        raise _invalid(_("网格范围：请画出边界或选择包含的社区。"), "boundary")
    if Grid.objects.filter(code=code).exists():
        raise _invalid(_("网格编码：%(code)s 已被使用。"), "code", code=code)
    with transaction.atomic():
        grid = Grid.objects.create(code=code, name=name, street=street, boundary=ring)
        if communities:
            grid.communities.set(communities)
        grid_change_append(
            grid,
            actor=actor,
            action="create",
            payload={
                "name": name,
                "street": street.code,
                "communities": sorted(c.code for c in communities),
                "boundary_points": len(ring),
            },
            new_stream=True,
        )
    return grid


def _locked(code: str) -> Grid:
    grid = Grid.objects.select_for_update().filter(code=code).select_related("street").first()
    if grid is None:
        raise NotFound(_("没有找到网格 %(code)s。") % {"code": str(code)[:40]})
    return grid


def grid_update(
    *,
    actor,
    code: str,
    name: str,
    communities: Iterable[Region] = (),
    boundary: list | None = None,
    is_active: bool = True,
) -> Grid:
    """Edit a grid: its name, communities (of its own street), boundary and whether it is in
    use. The street and code stay (events and tasks are filed under them). Refused, with
    nothing changed: without ``grid.manage``, a bad name, a community of another street, a bad
    boundary, neither boundary nor communities."""
    _require_manager(actor)
    name = _clean_name(name)
    with transaction.atomic():
        grid = _locked(code)
        communities = _clean_communities(grid.street, communities)
        ring = _clean_ring(boundary)
        if not ring and not communities:
            raise _invalid(_("网格范围：请画出边界或选择包含的社区。"), "boundary")
        before = {
            "name": grid.name,
            "communities": sorted(grid.communities.values_list("code", flat=True)),
            "boundary": grid.boundary,
            "is_active": grid.is_active,
        }
        after = {
            "name": name,
            "communities": sorted(c.code for c in communities),
            "boundary": ring,
            "is_active": bool(is_active),
        }
        changed = sorted(k for k in after if after[k] != before[k])
        if not changed:
            return grid
        grid.name, grid.boundary, grid.is_active = name, ring, bool(is_active)
        grid.save(update_fields=["name", "boundary", "is_active"])
        grid.communities.set(communities)
        payload = {k: after[k] for k in changed if k != "boundary"}
        if "boundary" in changed:
            payload["boundary_points"] = len(ring)
        grid_change_append(
            grid, actor=actor, action="update", payload={"changed": changed, **payload}
        )
    return grid


def grid_worker_assign(*, grid: Grid, worker: User, actor=None) -> GridAssignment:
    """Assign a grid worker (a staff member with the 网格员 role) to a grid; idempotent."""
    _require_manager(actor)
    if not has_role(worker, Role.GRID_WORKER):
        raise ValidationFailed(
            GridErrorCode.NOT_A_GRID_WORKER,
            _("网格员：%(name)s 没有网格员角色。"),
            field="worker",
            name=str(worker),
        )
    with transaction.atomic():
        grid = _locked(grid.code)
        assignment, created = GridAssignment.objects.get_or_create(
            grid=grid, worker=worker, defaults={"assigned_at": timezone.now()}
        )
        if created:
            grid_change_append(
                grid, actor=actor, action="assign", payload={"worker": worker.username}
            )
    return assignment


def grid_worker_unassign(*, grid: Grid, worker: User, actor=None) -> None:
    """Take a grid worker off a grid (their reported events stay filed under the grid)."""
    _require_manager(actor)
    with transaction.atomic():
        grid = _locked(grid.code)
        deleted, _rows = GridAssignment.objects.filter(grid=grid, worker=worker).delete()
        if not deleted:
            raise GridRefused(
                GridErrorCode.INVALID_INPUT,
                _("网格员：%(name)s 不在此网格。"),
                field="worker",
                name=str(worker),
            )
        grid_change_append(
            grid, actor=actor, action="unassign", payload={"worker": worker.username}
        )
