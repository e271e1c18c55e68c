"""容缺受理 and 告知承诺制: the item's acceptance policy, a case's deferral (materials owed by a
deadline), its signed commitment, the post-check task (事中事后核查) and the bar on commitments
after a false one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.workdays import business_date

DEFAULT_SUPPLEMENT_DAYS = 5  # working days to hand in deferred materials
DEFAULT_POST_CHECK_DAYS = 20  # working days from the decision to the post-check's due date
DEFAULT_BAR_DAYS = 365  # calendar days without commitments after a false one


class DeferralBlocks(models.TextChoices):
    DECISION = "decision", _("补齐前不作出准予决定")
    DELIVERY = "delivery", _("补齐前不送达办理结果")


class AcceptancePolicy(models.Model):
    """How an item accepts with deferred materials and on commitments (edited by an
    administrator; an item without one uses the defaults)."""

    item = models.OneToOneField(
        "catalog.ServiceItem",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="acceptance_policy",
    )
    supplement_days = models.PositiveSmallIntegerField(
        _("容缺补齐期限（工作日）"), default=DEFAULT_SUPPLEMENT_DAYS
    )
    deferral_blocks = models.CharField(
        _("容缺材料未补齐时"),
        max_length=16,
        choices=DeferralBlocks.choices,
        default=DeferralBlocks.DECISION,
    )
    commitment_text = models.TextField(_("告知承诺书文本"), blank=True)
    commitment_version = models.PositiveIntegerField(_("承诺书版本"), default=1)
    post_check_days = models.PositiveSmallIntegerField(
        _("核查期限（工作日）"), default=DEFAULT_POST_CHECK_DAYS
    )
    bar_days = models.PositiveSmallIntegerField(
        _("虚假承诺后不得承诺的期限（日）"), default=DEFAULT_BAR_DAYS
    )

    class Meta:
        verbose_name = _("容缺与告知承诺配置")
        verbose_name_plural = _("容缺与告知承诺配置")

    def __str__(self) -> str:
        return str(self.item)


class Deferral(models.Model):
    """容缺受理: the materials a case was accepted without, and the deadline to hand them in."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="deferral")
    materials = models.ManyToManyField("catalog.Material", related_name="+")
    due = models.DateField(_("补齐期限"), db_index=True)
    blocks = models.CharField(_("未补齐时"), max_length=16, choices=DeferralBlocks.choices)
    supplied_at = models.DateTimeField(_("补齐时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期补齐"), default=False)
    created_at = models.DateTimeField(_("受理时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("容缺受理")
        verbose_name_plural = _("容缺受理")
        indexes = [models.Index(fields=["supplied_at", "due"], name="deferral_open_due")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.due}"

    @property
    def overdue(self) -> bool:
        """Past its deadline with materials still owed (by today's business date)."""
        return self.supplied_at is None and business_date(timezone.now()) > self.due


class CommitmentChannel(models.TextChoices):
    WEB = "web", _("网上签署")
    WINDOW = "window", _("窗口签署")


class Commitment(models.Model):
    """告知承诺书 as signed: the exact text and its version, when and through which channel, and
    the materials it replaces."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="commitment")
    materials = models.ManyToManyField("catalog.Material", related_name="+")
    text = models.TextField(_("承诺书文本"))
    text_version = models.PositiveIntegerField(_("承诺书版本"))
    text_sha256 = models.CharField(_("文本摘要"), max_length=64)
    channel = models.CharField(_("签署渠道"), max_length=16, choices=CommitmentChannel.choices)
    signed_at = models.DateTimeField(_("签署时间"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("告知承诺书")
        verbose_name_plural = _("告知承诺书")

    def __str__(self) -> str:
        return f"{self.case_id} v{self.text_version}"


class PostCheckStatus(models.TextChoices):
    PENDING = "pending", _("待核查")
    PASSED = "passed", _("核查属实")
    FAILED = "failed", _("承诺不实")


class PostCheck(models.Model):
    """事中事后核查: the department checks what the commitment stood in for, by a due date."""

    commitment = models.OneToOneField(
        Commitment, on_delete=models.CASCADE, related_name="post_check"
    )
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="post_check")
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="post_checks"
    )
    due = models.DateField(_("核查期限"), db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PostCheckStatus.choices,
        default=PostCheckStatus.PENDING,
        db_index=True,
    )
    finding = models.TextField(_("核查意见"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("事中事后核查")
        verbose_name_plural = _("事中事后核查")
        indexes = [models.Index(fields=["department", "status", "due"], name="postcheck_queue")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.status}"


class CommitmentBar(models.Model):
    """An applicant with a recorded false commitment may not choose commitment until ``until``."""

    person = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="commitment_bars",
    )
    enterprise = models.ForeignKey(
        "core.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="commitment_bars",
    )
    until = models.DateField(_("不得承诺至"), db_index=True)
    reason = models.CharField(_("原因"), max_length=256)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("虚假承诺记录")
        verbose_name_plural = _("虚假承诺记录")

    def __str__(self) -> str:
        return f"→ {self.until}"
