"""Grids and their workers."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed
from tongban.core.models import Region, User
from tongban.core.models.regions import RegionLevel
from tongban.core.permissions import Role, has_role

from ..errors import GridErrorCode
from ..geometry import ring_of
from ..models import Grid, GridAssignment


def _invalid(message, field: str, **params) -> ValidationFailed:
    return ValidationFailed(GridErrorCode.INVALID_INPUT, message, field=field, **params)


def grid_create(
    *,
    code: str,
    name: str,
    street: Region,
    communities: Iterable[Region] = (),
    boundary: list | None = None,
) -> Grid:
    """网格: a polygon and/or a list of communities of one street (at least one of the two)."""
    code = (code or "").strip()
    name = (name or "").strip()
    if not code or len(code) > 32:
        raise _invalid(_("网格编码：请填写，不超过 32 个字符。"), "code")
    if not name or len(name) > 64:
        raise _invalid(_("网格名称：请填写，不超过 64 个字。"), "name")
    if street.level != RegionLevel.STREET:
        raise _invalid(_("所属街道：应为街道或镇。"), "street")
    communities = list(communities)
    for community in communities:
        if community.level != RegionLevel.COMMUNITY or community.parent_id != street.pk:
            raise _invalid(
                _("包含社区：%(name)s 不是%(street)s的社区。"),
                "communities",
                name=community.name,
                street=street.name,
            )
    ring: list = []
    if boundary:
        try:
            ring = [[lon, lat] for lon, lat in ring_of(boundary)]
        except (TypeError, ValueError):
            raise ValidationFailed(
                GridErrorCode.INVALID_BOUNDARY,
                _("网格边界：应为至少 3 个不同的 [经度, 纬度] 坐标点。"),
                field="boundary",
            ) from None
    if not ring and not communities:
        raise _invalid(_("网格范围：请画出边界或选择包含的社区。"), "boundary")
    if Grid.objects.filter(code=code).exists():
        raise _invalid(_("网格编码：%(code)s 已被使用。"), "code", code=code)
    with transaction.atomic():
        grid = Grid.objects.create(code=code, name=name, street=street, boundary=ring)
        if communities:
            grid.communities.set(communities)
    return grid


def grid_worker_assign(*, grid: Grid, worker: User) -> GridAssignment:
    """Assign a grid worker (a staff member with the 网格员 role) to a grid; idempotent."""
    if not has_role(worker, Role.GRID_WORKER):
        raise ValidationFailed(
            GridErrorCode.NOT_A_GRID_WORKER,
            _("网格员：%(name)s 没有网格员角色。"),
            field="worker",
            name=str(worker),
        )
    assignment, _created = GridAssignment.objects.get_or_create(
        grid=grid, worker=worker, defaults={"assigned_at": timezone.now()}
    )
    return assignment
