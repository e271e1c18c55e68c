from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.personal_data_json import EncryptedJSONField

from ..application_form import personal_data_codes
from ..states import CaseStatus


class Channel(models.TextChoices):
    WEB = "web", _("网上办理")
    MOBILE = "mobile", _("掌上办理")
    KIOSK = "kiosk", _("自助终端")
    WINDOW = "window", _("窗口办理")
    HOTLINE = "hotline", _("热线转办")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    MAIL = "mail", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")
    LOCKER = "locker", _("自助取件柜")


class Case(models.Model):
    """办件: one application under one item version (or a bundle's child case, [B])."""

    case_no = models.CharField(_("办件编号"), max_length=32, unique=True)
    item_version = models.ForeignKey(
        "catalog.ServiceItemVersion",
        verbose_name=_("事项版本"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("实施部门"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant = models.ForeignKey(
        "core.Person", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases"
    )
    enterprise = models.ForeignKey(
        "core.Enterprise",
        verbose_name=_("申请单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮办代办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_cases",
    )
    agent_authorisation = models.CharField(_("授权说明"), max_length=256, blank=True)
    channel = models.CharField(_("申报渠道"), max_length=16, choices=Channel.choices)
    answers = models.JSONField(_("情形回答"), default=dict, blank=True)
    # ID numbers and phones encrypted at rest, plain in memory (docs/personal-data.md)
    form_data = EncryptedJSONField(_("申请表"), default=dict, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=24,
        choices=CaseStatus.choices,
        default=CaseStatus.DRAFT,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # NULL, not "", when absent: the unique constraint must ignore cases without a key.
    idempotency_key = models.CharField(_("幂等键"), max_length=128, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Dates copied from events when they happen, for queues and statistics to filter on.
    # Clocks and cards are computed from the events themselves (selectors.clock).
    received_at = models.DateTimeField(_("收件时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    legal_due = models.DateField(_("法定期限"), null=True, blank=True, db_index=True)
    promised_due = models.DateField(_("承诺期限"), null=True, blank=True, db_index=True)
    delivery_method = models.CharField(
        _("送达方式"), max_length=16, blank=True, choices=DeliveryMethod.choices
    )
    decision_reason = models.TextField(_("决定理由"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"], name="case_idempotency_key_per_creator"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"]),
            # The work queue: a tab's cases in order of their due date (0002_queue_indexes).
            models.Index(fields=["status", "promised_due"], name="case_queue_status_promised"),
            models.Index(
                fields=["department", "status", "promised_due"], name="case_queue_dept_promised"
            ),
            models.Index(fields=["status", "received_at"], name="case_queue_status_received"),
            models.Index(fields=["status", "decided_at"], name="case_queue_status_decided"),
            # 我的任务 (0015_queue_indexes): the cases under review, by due date, read alone to
            # join a reviewer's thousands of tasks and to sort them.
            models.Index(
                fields=["promised_due", "id"],
                condition=models.Q(status__in=[CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED]),
                name="case_queue_mine_promised",
            ),
            # The KPI window (supervision.kpis): decided_at in the period, whatever the status.
            models.Index(fields=["decided_at"], name="case_decided_at"),
        ]

    def __str__(self) -> str:
        return self.case_no

    def personal_data_codes(self) -> set[str]:
        """The form's fields whose values are encrypted (types id_number and phone)."""
        return personal_data_codes(self.item_version.form_fields)

    @property
    def stream(self) -> str:
        return f"case:{self.case_no}"


class CaseNumberCounter(models.Model):
    """The last sequence number given out per region and day (case numbers are readable)."""

    region_code = models.CharField(max_length=12)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "day"], name="one_counter_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code}-{self.day:%Y%m%d}: {self.last}"


class ApplicantBar(models.Model):
    """行政许可法 第七十八、七十九条: an applicant barred from an item for 1 or 3 years."""

    person = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="bars"
    )
    enterprise = models.ForeignKey(
        "core.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="bars"
    )
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.CASCADE, related_name="bars")
    until = models.DateField(_("禁止申请至"))
    reason = models.CharField(_("原因"), max_length=256)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("申请限制")
        verbose_name_plural = _("申请限制")

    def __str__(self) -> str:
        return f"{self.item} → {self.until}"
