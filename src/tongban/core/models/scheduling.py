from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ScheduledRun(models.Model):
    """One run of a periodic job for one slot of its schedule (tongban.core.scheduler).

    The unique (job, slot) pair is the lock: however many schedulers run (one per server), the
    first to insert the row runs the job for that slot, the others skip it.
    """

    job = models.CharField(_("任务"), max_length=64)
    slot = models.DateTimeField(_("计划时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    host = models.CharField(_("运行主机"), max_length=128, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    output = models.TextField(_("输出"), blank=True)

    class Meta:
        ordering = ["-slot", "job"]
        verbose_name = _("定时任务运行记录")
        verbose_name_plural = _("定时任务运行记录")
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
