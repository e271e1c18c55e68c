"""并单 (merging repeated tickets): the suggestions the intake check and the periodic sweep
record, and what the operator decided. The merge itself is ``Ticket.merged_into`` (the
duplicate points at the group's primary ticket, which carries the handling)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MergeRule(models.TextChoices):
    PLACE = "place", _("同街道同分类")
    TEXT = "text", _("内容相似")


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已并单")
    DISMISSED = "dismissed", _("不是重复件")
    SPLIT = "split", _("已拆分")
    OBSOLETE = "obsolete", _("已失效")


class FoundBy(models.TextChoices):
    INTAKE = "intake", _("登记时")
    SWEEP = "sweep", _("定期排查")


class MergeSuggestion(models.Model):
    """A newer ticket that may repeat an earlier open one (``target``)."""

    ticket = models.ForeignKey(
        "hotline.Ticket",
        verbose_name=_("疑似重复工单"),
        on_delete=models.CASCADE,
        related_name="merge_suggestions",
    )
    target = models.ForeignKey(
        "hotline.Ticket",
        verbose_name=_("并入工单"),
        on_delete=models.CASCADE,
        related_name="merge_suggested_into",
    )
    rule = models.CharField(_("规则"), max_length=8, choices=MergeRule.choices)
    score = models.FloatField(_("相似度"))
    found_by = models.CharField(_("发现方式"), max_length=8, choices=FoundBy.choices)
    found_at = models.DateTimeField(_("发现时间"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.PENDING,
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("并单建议")
        verbose_name_plural = _("并单建议")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target"], name="merge_suggestion_pair"),
        ]
        indexes = [models.Index(fields=["status", "found_at"], name="merge_suggestion_status")]

    def __str__(self) -> str:
        return f"{self.ticket} → {self.target}"
