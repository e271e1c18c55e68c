"""Hash-chained histories of the grid app (written only through ``core.events.event_append``):
a grid's changes (stream ``grid:<code>``) and a door-side visit task's steps (stream
``visit:<id>``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.models import ChainedEvent


class GridChange(ChainedEvent):
    """One change of a grid: created, edited (name, communities, boundary, active), a worker
    assigned or unassigned."""

    grid = models.ForeignKey(
        "grid.Grid", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="changes"
    )

    class Meta(ChainedEvent.Meta):
        verbose_name = _("网格变更记录")
        verbose_name_plural = _("网格变更记录")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="grid_change_stream_seq"),
        ]


class VisitTaskEvent(ChainedEvent):
    """One step of a 门边办 task: created for the grid, a visit recorded (served or nobody at
    home)."""

    task = models.ForeignKey(
        "grid.VisitTask",
        verbose_name=_("门边办任务"),
        on_delete=models.PROTECT,
        related_name="events",
    )

    class Meta(ChainedEvent.Meta):
        verbose_name = _("门边办任务记录")
        verbose_name_plural = _("门边办任务记录")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="visit_task_event_stream_seq"),
        ]
