"""Grids (网格) and the grid workers (网格员) assigned to them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Grid(models.Model):
    """网格: a part of a street, drawn as a polygon (``boundary``: a ring of [lon, lat] pairs,
    GeoJSON order) and/or given as a list of communities (社区/村)."""

    code = models.SlugField(_("网格编码"), max_length=32, unique=True)
    name = models.CharField(_("网格名称"), max_length=64)
    street = models.ForeignKey(
        "core.Region",
        verbose_name=_("所属街道"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    communities = models.ManyToManyField(
        "core.Region", verbose_name=_("包含社区"), blank=True, related_name="grids"
    )
    boundary = models.JSONField(
        _("网格边界"), default=list, blank=True, help_text=_("经纬度坐标环：[[经度, 纬度], …]")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GridAssignment(models.Model):
    """A grid worker's assignment to a grid (a worker may serve several grids)."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="assignments")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("网格员"),
        on_delete=models.PROTECT,
        related_name="grid_assignments",
    )
    assigned_at = models.DateTimeField(_("分配时间"))

    class Meta:
        verbose_name = _("网格员分配")
        verbose_name_plural = _("网格员分配")
        constraints = [
            models.UniqueConstraint(fields=["grid", "worker"], name="grid_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.grid}"
