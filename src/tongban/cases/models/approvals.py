"""The signers of a multi-signer review step (会签 / 或签 / 票签 / 依次审批, and 加签 on any step).

A step's mode and its signers are configured in ``ItemProcedure.steps``; when the step's task
opens, one ``StepSigner`` row per signer is written. A signer may sign when every signer it
waits for (``waits_for``: the one before it in 依次审批, or a signer added before it by 加签)
has signed. The rows change only through ``services.approvals``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StepMode(models.TextChoices):
    SINGLE = "single", _("一人办理")
    ALL = "all", _("会签")
    ANY = "any", _("或签")
    VOTE = "vote", _("票签")
    SEQUENCE = "sequence", _("依次审批")


MULTI_SIGNER_MODES = frozenset({StepMode.ALL, StepMode.ANY, StepMode.VOTE, StepMode.SEQUENCE})


class SignerStatus(models.TextChoices):
    PENDING = "pending", _("待签署")
    SIGNED = "signed", _("已签署")
    CANCELLED = "cancelled", _("已取消")


class Vote(models.TextChoices):
    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("不同意")


class StepOutcome(models.TextChoices):
    PASSED = "passed", _("通过")
    REJECTED = "rejected", _("未通过")


class StepSigner(models.Model):
    """One signer of a review task's step, with its signature once given."""

    task = models.ForeignKey("cases.ReviewTask", on_delete=models.CASCADE, related_name="signers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="step_signatures"
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    waits_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("须在其后签署"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=SignerStatus.choices, default=SignerStatus.PENDING
    )
    vote = models.CharField(_("表决"), max_length=16, choices=Vote.choices, blank=True)
    opinion = models.TextField(_("意见"), blank=True)
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("加签人"),
    )
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("委派人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("环节签署人")
        verbose_name_plural = _("环节签署人")
        constraints = [
            # A person signs a step once: never two live rows of one signer on one task.
            models.UniqueConstraint(
                fields=["task", "user"],
                condition=~Q(status="cancelled"),
                name="step_signer_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.user}"
