from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClassifierStatus(models.TextChoices):
    CANDIDATE = "candidate", _("待启用")
    ACTIVE = "active", _("使用中")
    RETIRED = "retired", _("已停用")


class ClassifierModel(models.Model):
    """A trained dispatch classifier ([D] 智能派单) known to the platform.

    The model itself lives on disk (``path``, written with skops, never pickle); this row keeps
    its manifest and the evaluation report it was activated from. At most one is active; the
    previous active one is kept (retired) for rollback."""

    name = models.CharField(_("名称"), max_length=64)
    path = models.CharField(_("模型目录"), max_length=512)
    manifest = models.JSONField(_("模型清单"), default=dict)
    evaluation = models.JSONField(_("评估报告"), default=dict, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ClassifierStatus.choices,
        default=ClassifierStatus.CANDIDATE,
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("启用人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("派单模型")
        verbose_name_plural = _("派单模型")
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="active"),
                name="hotline_one_active_classifier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class DispatchSuggestion(models.Model):
    """What the classifier suggested for a ticket, and what became of it.

    One row per ticket scored at intake (the operator's live suggestions are not stored until
    the ticket is registered). ``final_subject`` is written when the ticket is concluded, so the
    platform can measure its own accuracy week by week and see drift."""

    ticket = models.ForeignKey(
        "hotline.Ticket", on_delete=models.CASCADE, related_name="suggestions"
    )
    model = models.ForeignKey(
        "hotline.ClassifierModel",
        verbose_name=_("模型"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    # [{"subject": code, "confidence": 0.93, "department": code | None}, ...] best first
    candidates = models.JSONField(_("候选分类"), default=list)
    top_subject = models.ForeignKey(
        "hotline.Subject",
        verbose_name=_("首选分类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confidence = models.FloatField(_("置信度"), default=0.0)
    auto_dispatched = models.BooleanField(_("秒派"), default=False)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    final_subject = models.ForeignKey(
        "hotline.Subject",
        verbose_name=_("最终分类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("建议时间"), auto_now_add=True, db_index=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("派单建议")
        verbose_name_plural = _("派单建议")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.top_subject_id} ({self.confidence:.2f})"
