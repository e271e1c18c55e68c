from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_STEPS = [
    {"code": "handle", "name": "承办", "role": "reviewer", "limit_days": 0},
    {"code": "decide", "name": "批准", "role": "approver", "limit_days": 0},
]


class ItemProcedure(models.Model):
    """How a department handles an item: its review steps (承办 → 审核 → 批准), who may take each,
    how tasks are assigned, and whether on-site verification needs two reviewers (第三十四条).

    Items without a row use ``DEFAULT_STEPS``.
    """

    item = models.OneToOneField(
        "catalog.ServiceItem", on_delete=models.CASCADE, related_name="procedure"
    )
    steps = models.JSONField(_("审查环节"), default=list)
    assignment = models.CharField(
        _("派件方式"),
        max_length=16,
        default="random",
        choices=[
            ("random", _("随机派件")),
            ("least_loaded", _("任务最少者优先")),
            ("pool", _("任务池自行领取")),
        ],
    )
    two_reviewers = models.BooleanField(_("需两名工作人员核查"), default=False)

    class Meta:
        verbose_name = _("办理流程")
        verbose_name_plural = _("办理流程")

    def __str__(self) -> str:
        return str(self.item)


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待领取")
    CLAIMED = "claimed", _("办理中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class ReviewTask(models.Model):
    """One review step of a case, in its department's pool until someone claims it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="tasks")
    step = models.CharField(_("环节"), max_length=32)
    step_name = models.CharField(_("环节名称"), max_length=32)
    role = models.CharField(_("岗位"), max_length=32)
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="review_tasks"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_tasks",
    )
    opinion = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("审查任务")
        verbose_name_plural = _("审查任务")

    def __str__(self) -> str:
        return f"{self.case} · {self.step_name}"
