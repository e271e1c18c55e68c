from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    CASE = "case", _("办件")
    TICKET = "ticket", _("工单")
    RECTIFICATION = "rectification", _("差评整改")


class Colour(models.TextChoices):
    BLUE = "blue", _("蓝牌")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class CardKind(models.TextChoices):
    """Why a card was raised: the deadline cards of [A] and the rule violations a supervisor
    watches."""

    DEADLINE = "deadline", _("办理时限")
    STEP_OVERDUE = "step_overdue", _("环节超时")
    NO_REASON = "no_reason", _("不予受理或不予许可未说明理由")
    DOUBLE_CORRECTION = "double_correction", _("多次要求补正")
    OFFLINE_MUST_ONLINE = "offline_must_online", _("应网办未网办")
    SIGN_OVERDUE = "sign_overdue", _("工单签收超时")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("差评整改超期")


class Card(models.Model):
    """A supervision card (电子监察红黄牌). Immutable: never deleted; resolved only with an
    explanation and a supervisor's sign-off. Raised once per subject, kind and colour."""

    subject_kind = models.CharField(_("对象"), max_length=16, choices=SubjectKind.choices)
    subject_ref = models.CharField(_("编号"), max_length=40)
    department = models.ForeignKey(
        "core.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    colour = models.CharField(_("颜色"), max_length=8, choices=Colour.choices)
    kind = models.CharField(_("类型"), max_length=32, choices=CardKind.choices)
    detail = models.CharField(_("说明"), max_length=256, blank=True)
    raised_at = models.DateTimeField(_("亮牌时间"), db_index=True)
    explanation = models.TextField(_("情况说明"), blank=True)
    resolved_at = models.DateTimeField(_("销牌时间"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    head_notified_at = models.DateTimeField(_("通知部门负责人时间"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("监察牌")
        verbose_name_plural = _("监察牌")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_ref", "kind", "colour"],
                name="supervision_card_once",
            )
        ]
        indexes = [models.Index(fields=["department", "colour", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.subject_ref} {self.colour} {self.kind}"


class Urge(models.Model):
    """催办: a notice to the handler and the department head, recorded in the subject's history."""

    subject_kind = models.CharField(_("对象"), max_length=16, choices=SubjectKind.choices)
    subject_ref = models.CharField(_("编号"), max_length=40, db_index=True)
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    message = models.CharField(_("催办内容"), max_length=256)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("催办时间"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("催办")
        verbose_name_plural = _("催办")

    def __str__(self) -> str:
        return f"{self.subject_ref} {self.at:%Y-%m-%d}"


class OrderStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    RESPONDED = "responded", _("已答复")
    CLOSED = "closed", _("已办结")


class SupervisionOrder(models.Model):
    """督办: a formal order with a deadline and a required written response."""

    subject_kind = models.CharField(_("对象"), max_length=16, choices=SubjectKind.choices)
    subject_ref = models.CharField(_("编号"), max_length=40, db_index=True)
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    requirement = models.TextField(_("督办要求"))
    due = models.DateTimeField(_("答复期限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("督办时间"), auto_now_add=True)
    response = models.TextField(_("书面答复"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")

    def __str__(self) -> str:
        return f"{self.subject_ref} {self.status}"


class MonthlyReport(models.Model):
    """A generated monthly report: the workbook, the PDF and the figures they were made from."""

    month = models.DateField(_("月份"), unique=True)  # the first day of the month
    figures = models.JSONField(_("指标"), default=dict)
    summary = models.TextField(_("综述"), blank=True)
    workbook = models.FileField(_("Excel"), upload_to="reports/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/", blank=True)
    generated_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("月度报告")
        verbose_name_plural = _("月度报告")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ScoreWeights(models.Model):
    """The weights of the monthly performance score sheet (绩效考核), versioned data."""

    name = models.CharField(_("名称"), max_length=64)
    weights = models.JSONField(_("权重"), default=dict)
    is_active = models.BooleanField(_("使用中"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("考核权重")
        verbose_name_plural = _("考核权重")

    def __str__(self) -> str:
        return self.name
