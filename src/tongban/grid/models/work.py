"""What grid workers do: events they report (事件) and door-side visits (门边办)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventResolution(models.TextChoices):
    ON_SPOT = "on_spot", _("自行处置")
    DISPATCHED = "dispatched", _("流转派单")


class GridEvent(models.Model):
    """事件: a ticket with source ``grid``, in the grid where it was found."""

    ticket = models.OneToOneField(
        "hotline.Ticket",
        verbose_name=_("工单"),
        on_delete=models.PROTECT,
        related_name="grid_event",
    )
    grid = models.ForeignKey(
        "grid.Grid", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="events"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.CharField(_("处置方式"), max_length=16, choices=EventResolution.choices)
    reported_at = models.DateTimeField(_("上报时间"))

    class Meta:
        verbose_name = _("网格事件")
        verbose_name_plural = _("网格事件")
        indexes = [
            models.Index(fields=["grid", "-reported_at"], name="grid_event_grid_reported"),
            models.Index(fields=["reporter", "-reported_at"], name="grid_event_reporter"),
        ]

    def __str__(self) -> str:
        return f"{self.grid} {self.ticket_id}"


class VisitStatus(models.TextChoices):
    OPEN = "open", _("待上门")
    DONE = "done", _("已上门服务")


class VisitOutcome(models.TextChoices):
    SERVED = "served", _("已上门办理")
    NOT_HOME = "not_home", _("未遇到本人")


class VisitTask(models.Model):
    """门边办: an application marked for a home visit, for the grid worker of the applicant's
    community."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="visit_task"
    )
    grid = models.ForeignKey(
        "grid.Grid", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="visit_tasks"
    )
    community = models.ForeignKey(
        "core.Region", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.OPEN
    )
    created_at = models.DateTimeField(_("派发时间"))
    attempts = models.PositiveSmallIntegerField(_("上门次数"), default=0)
    last_outcome = models.CharField(
        _("上门结果"), max_length=16, choices=VisitOutcome.choices, blank=True
    )
    note = models.TextField(_("上门记录"), blank=True)
    visited_at = models.DateTimeField(_("上门时间"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上门人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("门边办任务")
        verbose_name_plural = _("门边办任务")
        indexes = [models.Index(fields=["grid", "status"], name="visit_task_grid_status")]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.grid}"
