from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.crypto import BlindIndexField, EncryptedCharField
from tongban.core.models import ChainedEvent

from ..states import TicketStatus, TriageOutcome


class Source(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网站")
    MOBILE = "mobile", _("移动端")
    MINI = "mini", _("小程序")
    GRID = "grid", _("网格员上报")
    OPEN311 = "open311", _("Open311 接口")
    IMPORTED = "imported", _("外部导入")


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    NORMAL = "normal", _("一般")


class Hazard(models.TextChoices):
    """What the sign-for limit depends on (a city rule: 15 min / 30 min / 1 working day)."""

    NONE = "", _("无")
    LIFE_PROPERTY = "life_property", _("危及生命财产安全")
    UTILITIES = "utilities", _("水电气热")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


# The columns the hotline reports read (``hotline/reports.py``), carried in the covering index.
REPORT_COLUMNS = [
    "id",
    "status",
    "ticket_type",
    "source",
    "subject",
    "department",
    "street",
    "region",
    "dispatched_at",
    "signed_at",
    "sign_due",
    "replied_at",
    "handle_due",
    "address",
]


class Ticket(models.Model):
    """工单: one citizen request, from any source, and where it stands."""

    ticket_no = models.CharField(_("工单编号"), max_length=32, unique=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    ticket_type = models.CharField(_("诉求类型"), max_length=16, choices=TicketType.choices)
    subject = models.ForeignKey(
        "hotline.Subject",
        verbose_name=_("诉求分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    title = models.CharField(_("标题"), max_length=128)
    content = models.TextField(_("诉求内容"))
    caller_name = models.CharField(_("来电人"), max_length=64, blank=True)
    caller_phone = EncryptedCharField(
        _("联系电话"), max_length=20, blank=True, kind="phone", index_field="caller_phone_index"
    )
    caller_phone_index = BlindIndexField(
        _("联系电话索引"), source="caller_phone", kind="phone", db_index=True
    )
    anonymous = models.BooleanField(_("匿名"), default=False)
    confidential = models.BooleanField(_("要求保密"), default=False)
    caller_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    address = models.CharField(_("事发地址"), max_length=200, blank=True)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text=_("地址解析到的社区或街道"),
    )
    street = models.ForeignKey(
        "core.Region",
        verbose_name=_("属地街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="street_tickets",
    )
    locality_unresolved = models.BooleanField(_("需人工确认属地"), default=False)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    hazard = models.CharField(
        _("险情类别"), max_length=16, choices=Hazard.choices, blank=True, default=""
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.RECEIVED
    )
    triage = models.CharField(
        _("分办结果"), max_length=24, choices=TriageOutcome.choices, blank=True
    )
    triage_note = models.TextField(_("分办说明"), blank=True)
    catalogue = models.ForeignKey(
        "hotline.DispatchCatalogue",
        verbose_name=_("派单目录版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text=_("当前主办单位"),
    )
    dispatch_count = models.PositiveSmallIntegerField(_("派单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    assigned_by_centre = models.BooleanField(
        _("中心指定承办"), default=False, help_text=_("三次派单无人承接后由中心指定，不得退单")
    )
    escalated = models.BooleanField(_("已提级督办"), default=False)
    # The classifier's suggestion ([D]) and whether the ticket was dispatched without a person.
    suggested_subject = models.ForeignKey(
        "hotline.Subject",
        verbose_name=_("建议分类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("建议承办单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggestion_confidence = models.FloatField(_("建议置信度"), null=True, blank=True)
    auto_dispatched = models.BooleanField(_("秒派"), default=False)
    # Denormalised from the events for the queues and overdue lists (recomputed on transitions).
    created_at = models.DateTimeField(_("登记时间"), db_index=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    sign_due = models.DateTimeField(_("签收期限"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    handle_due = models.DateTimeField(_("办理期限"), null=True, blank=True)
    extended_from = models.DateTimeField(
        _("延期前办理期限"), null=True, blank=True, help_text=_("批准延期前的办理期限")
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    solved = models.BooleanField(_("是否解决"), null=True, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    open311_token = models.CharField(_("Open311 令牌"), max_length=40, blank=True, db_index=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        indexes = [
            models.Index(fields=["status", "handle_due"], name="ticket_status_due"),
            models.Index(fields=["department", "status"], name="ticket_department_status"),
            models.Index(fields=["street", "status"], name="ticket_street_status"),
            models.Index(fields=["subject", "created_at"], name="ticket_subject_created"),
            # [G] the hotline reports: every figure of a period from index-only scans
            # (PostgreSQL; other databases ignore ``include``)
            models.Index(
                fields=["created_at"],
                include=REPORT_COLUMNS,
                name="ticket_report_cover",
            ),
            # The KPI windows (supervision.kpis): the tickets replied, closed and created in a
            # period, each counted from its index alone (0009_kpi_indexes).
            models.Index(
                fields=["replied_at"],
                include=["handle_due", "department", "street"],
                name="ticket_replied_at",
            ),
            models.Index(
                fields=["closed_at"],
                include=["reopen_count", "dispatch_count", "department", "street"],
                name="ticket_closed_at",
            ),
            models.Index(
                fields=["created_at"],
                include=["merged_into", "department", "street"],
                name="ticket_created_kpi",
            ),
            # A callback's or assignment's ticket looked up for its department and street
            # (supervision.kpis ``via``) from the index alone (0009_kpi_indexes).
            models.Index(fields=["id"], include=["department", "street"], name="ticket_kpi_groups"),
            # The ticket queue (selectors.ticket_queue, 0010_queue_indexes): a unit's tabs by
            # status and due, counted and listed from the index; the centre's tabs counted with
            # a word filter from the index alone (the titles included); 已提级督办; 已超期 listed
            # by due from the index.
            models.Index(
                fields=["department", "status", "handle_due"], name="ticket_dept_status_due"
            ),
            models.Index(
                fields=["status", "handle_due"], include=["title"], name="ticket_status_due_title"
            ),
            models.Index(
                fields=["status"], condition=models.Q(escalated=True), name="ticket_escalated"
            ),
            models.Index(
                fields=["handle_due"],
                condition=models.Q(status__in=["dispatched", "handling", "return_requested"]),
                name="ticket_open_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="ticket_idempotency",
            ),
        ]

    def __str__(self) -> str:
        return self.ticket_no


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    SIGNED = "signed", _("办理中")
    RETURN_REQUESTED = "return_requested", _("退单审核中")
    RETURNED = "returned", _("已退回")
    REPLIED = "replied", _("已答复")
    WITHDRAWN = "withdrawn", _("已撤回")
    RELEASED = "released", _("已解除协办")  # [G] a co-handler released by the centre


class TicketAssignment(models.Model):
    """One dispatch of a ticket to one unit (a department or a street's office).

    Re-dispatch adds a row; the old ones stay (the whole history is kept). Joint tickets
    ([G]) have one lead and co-handlers.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="ticket_assignments",
    )
    role = models.CharField(
        _("承办角色"), max_length=8, choices=AssignmentRole.choices, default=AssignmentRole.LEAD
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
    )
    round = models.PositiveSmallIntegerField(_("派单轮次"), default=1)
    dispatched_at = models.DateTimeField(_("派单时间"))
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("派单人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    by_centre_decision = models.BooleanField(_("中心指定"), default=False)
    sign_due = models.DateTimeField(_("签收期限"))
    return_due = models.DateTimeField(_("退单期限"))
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handle_due = models.DateTimeField(_("办理期限"))
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("派单记录")
        verbose_name_plural = _("派单记录")
        ordering = ["ticket", "dispatched_at"]
        indexes = [
            models.Index(fields=["department", "status"], name="assignment_department_status"),
            # The KPI window: dispatched in the period, counted from the index alone
            # (0009_kpi_indexes).
            models.Index(
                fields=["dispatched_at"],
                include=["department", "status", "signed_at", "sign_due", "ticket"],
                name="assignment_dispatched_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} → {self.department}"


class Decision(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("同意")
    REFUSED = "refused", _("不同意")


class ReturnReason(models.TextChoices):
    NOT_OUR_DUTY = "not_our_duty", _("不属于本单位职责")
    WRONG_LOCALITY = "wrong_locality", _("不属于本辖区")
    INFO_INSUFFICIENT = "info_insufficient", _("诉求信息不全，无法办理")
    DUPLICATE = "duplicate", _("重复工单")
    OTHER_CHANNEL = "other_channel", _("应通过法定途径解决")
    OTHER = "other", _("其他")


class TicketReturn(models.Model):
    """退单: a unit says the ticket is not theirs; the dispatcher judges (派单异议审核)."""

    assignment = models.ForeignKey(
        TicketAssignment, on_delete=models.CASCADE, related_name="returns"
    )
    reason = models.CharField(_("退单原因"), max_length=24, choices=ReturnReason.choices)
    explanation = models.TextField(_("退单说明"))
    suggested_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("建议承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        _("审核结果"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("退单申请")
        verbose_name_plural = _("退单申请")
        indexes = [models.Index(fields=["requested_at"], name="ticket_return_requested")]

    def __str__(self) -> str:
        return f"{self.assignment} {self.get_reason_display()}"


class TicketExtension(models.Model):
    """延期: a unit asks for more time before the limit; the hotline centre decides."""

    assignment = models.ForeignKey(
        TicketAssignment, on_delete=models.CASCADE, related_name="extensions"
    )
    reason = models.TextField(_("延期理由"))
    requested_due = models.DateTimeField(_("申请延至"))
    requested_at = models.DateTimeField(_("申请时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        _("审核结果"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        indexes = [models.Index(fields=["requested_at"], name="ticket_extension_requested")]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.requested_due:%Y-%m-%d}"


class TicketEvent(ChainedEvent):
    """One step of a ticket's history (hash-chained, stream ``ticket:<ticket_no>``)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")

    class Meta(ChainedEvent.Meta):
        verbose_name = _("工单事件")
        verbose_name_plural = _("工单事件")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="ticket_event_stream_seq"),
        ]
        indexes = [models.Index(fields=["ticket", "seq"])]


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="tickets/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=128)
    content_type = models.CharField(_("类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工单附件")
        verbose_name_plural = _("工单附件")

    def __str__(self) -> str:
        return self.name


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("待回访")
    DONE = "done", _("已回访")
    UNREACHABLE = "unreachable", _("无法联系")


class Callback(models.Model):
    """回访: the centre calls the caller back after the reply and records satisfaction."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callbacks")
    due = models.DateTimeField(_("回访期限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("联系次数"), default=0)
    satisfaction = models.CharField(
        _("满意度"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    solved = models.BooleanField(_("是否解决"), null=True, blank=True)
    note = models.TextField(_("回访记录"), blank=True)
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        indexes = [
            models.Index(fields=["status", "due"], name="callback_status_due"),
            models.Index(fields=["status", "done_at"], name="callback_status_done"),
            # The KPI window: done in the period, whatever the status, counted from the index
            # alone (0009_kpi_indexes).
            models.Index(
                fields=["done_at"], include=["ticket", "satisfaction"], name="callback_done_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} {self.get_status_display()}"


class MissedCallStatus(models.TextChoices):
    PENDING = "pending", _("待回拨")
    CALLED_BACK = "called_back", _("已回拨")
    UNREACHABLE = "unreachable", _("无法接通")


class MissedCall(models.Model):
    """漏接电话: kept for a call-back (国办函〔2025〕66号 (四))."""

    phone = EncryptedCharField(
        _("来电号码"), max_length=20, kind="phone", index_field="phone_index"
    )
    phone_index = BlindIndexField(_("来电号码索引"), source="phone", kind="phone", db_index=True)
    called_at = models.DateTimeField(_("来电时间"), db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=MissedCallStatus.choices,
        default=MissedCallStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("回拨次数"), default=0)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("漏接来电")
        verbose_name_plural = _("漏接来电")

    def __str__(self) -> str:
        return f"{self.called_at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class TicketNumberCounter(models.Model):
    """The last ticket sequence number given out per day (``12345-20261121-000042``)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d}: {self.last}"
