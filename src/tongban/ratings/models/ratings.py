from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.models import ChainedEvent


class Level(models.IntegerChoices):
    """GB/T 39734: five levels; 差评 = the last two."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})


class ServiceKind(models.TextChoices):
    """What is rated (一事一评 online, 一次一评 at the counter)."""

    CASE = "case", _("办件")
    VISIT = "visit", _("窗口服务")
    TICKET = "ticket", _("12345 工单")


class RatingChannel(models.TextChoices):
    WEB = "web", _("网页")
    SMS = "sms", _("短信链接")
    DEVICE = "device", _("窗口评价器")
    CALLBACK = "callback", _("热线回访")
    DEFAULT = "default", _("逾期默认")


class QuestionSet(models.Model):
    """The versioned question set of a channel: online (整体满意度 + 办事效率, 办事指南精确度,
    办事便捷度, 平台操作性) or offline (整体满意度 + 服务效率, 服务水平, 服务态度).
    ``questions``: ``[{"code": "efficiency", "label": "办事效率"}]``; ``reasons``: the optional
    reasons offered per level band (``{"bad": [...], "good": [...]}``)."""

    scope = models.CharField(_("适用"), max_length=16)  # "online" | "offline"
    version = models.PositiveSmallIntegerField(_("版本"))
    questions = models.JSONField(_("评价指标"), default=list)
    reasons = models.JSONField(_("可选原因"), default=dict, blank=True)
    is_active = models.BooleanField(_("使用中"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["scope", "-version"]
        verbose_name = _("评价指标集")
        verbose_name_plural = _("评价指标集")
        constraints = [
            models.UniqueConstraint(fields=["scope", "version"], name="ratings_question_version")
        ]

    def __str__(self) -> str:
        return f"{self.scope} v{self.version}"


class Rating(models.Model):
    """One rating of one service event; never edited, hidden or deleted. A follow-up rating
    (追评) points at the first with ``follow_up_of``. An appeal re-check can mark a rating as
    mistaken or malicious (``appeal_result``) without deleting it."""

    service_kind = models.CharField(_("评价对象"), max_length=16, choices=ServiceKind.choices)
    service_ref = models.CharField(_("办件或工单编号"), max_length=40)
    department = models.ForeignKey(
        "core.Department", verbose_name=_("被评价部门"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被评价工作人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_received",
    )
    item_code = models.CharField(_("事项实施编码"), max_length=64, blank=True)
    channel = models.CharField(_("评价渠道"), max_length=16, choices=RatingChannel.choices)
    question_set = models.ForeignKey(
        QuestionSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("整体满意度"), choices=Level.choices)
    answers = models.JSONField(_("分项评价"), default=dict, blank=True)
    reasons = models.JSONField(_("原因"), default=list, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("追评的原评价"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    person = models.ForeignKey(
        "core.Person",
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    real_name = models.BooleanField(_("实名评价"), default=True)
    device = models.CharField(_("评价设备"), max_length=64, blank=True)
    address_hash = models.CharField(_("来源地址摘要"), max_length=64, blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), db_index=True)
    flagged = models.BooleanField(_("待核查"), default=False)
    flag_reason = models.CharField(_("核查原因"), max_length=256, blank=True)
    appeal_result = models.CharField(_("申诉复核结论"), max_length=16, blank=True)

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [
            models.UniqueConstraint(
                fields=["service_kind", "service_ref"],
                condition=models.Q(follow_up_of__isnull=True),
                name="ratings_one_per_service",
            ),
            models.UniqueConstraint(
                fields=["follow_up_of"],
                condition=models.Q(follow_up_of__isnull=False),
                name="ratings_one_follow_up",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "rated_at"]),
            models.Index(fields=["level", "rated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.service_kind}:{self.service_ref} {self.level}"


class RatingLink(models.Model):
    """A signed, single-use, expiring rating link sent by SMS; only its token's hash is kept."""

    token_hash = models.CharField(max_length=64, unique=True)
    service_kind = models.CharField(max_length=16, choices=ServiceKind.choices)
    service_ref = models.CharField(max_length=40)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价链接")
        verbose_name_plural = _("评价链接")

    def __str__(self) -> str:
        return f"{self.service_kind}:{self.service_ref}"


class DeviceMode(models.TextChoices):
    APPLICANT = "applicant", _("评价模式")
    STAFF = "staff", _("工作人员模式（维护中，不接受评价）")


class RatingDevice(models.Model):
    """A window rating device (评价器): a kiosk page bound to one window by a device token
    (hash kept). Only applicant-facing devices may post ratings; a staff session never can."""

    code = models.CharField(_("设备编号"), max_length=32, unique=True)
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    window = models.CharField(_("窗口"), max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    mode = models.CharField(
        _("模式"), max_length=16, choices=DeviceMode.choices, default=DeviceMode.APPLICANT
    )

    class Meta:
        verbose_name = _("窗口评价器")
        verbose_name_plural = _("窗口评价器")

    def __str__(self) -> str:
        return f"{self.code} {self.window}"


class RectificationStatus(models.TextChoices):
    VERIFYING = "verifying", _("待回访核实")
    RECTIFYING = "rectifying", _("整改中")
    REVIEWING = "reviewing", _("待审核")
    CLOSED = "closed", _("已办结")


class RectificationOutcome(models.TextChoices):
    IMMEDIATE = "immediate", _("立行立改")
    DEADLINE = "deadline", _("限期整改")
    EXPLAINED = "explained", _("解释说明")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")


class AppealResult(models.TextChoices):
    """What an appeal re-check (or a flagged-rating review) found; kept on the rating."""

    MISTAKEN = "mistaken", _("误评")
    MALICIOUS = "malicious", _("恶意差评")
    FRAUDULENT = "fraudulent", _("非本人真实评价")


class Rectification(models.Model):
    """差评整改: opened for every 不满意 / 非常不满意 rating; verify within 1 working day,
    rectify and reply within 15 (both configurable per region), supervisor review, the citizen
    informed. Appeal and re-check (申诉复核) by a separate reviewer."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=RectificationStatus.choices,
        default=RectificationStatus.VERIFYING,
    )
    verify_due = models.DateTimeField(_("核实期限"))
    due = models.DateTimeField(_("整改期限"), db_index=True)
    outcome = models.CharField(
        _("整改方式"), max_length=16, choices=RectificationOutcome.choices, blank=True
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    informed_at = models.DateTimeField(_("告知评价人时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appeal_status = models.CharField(
        _("申诉复核"), max_length=16, choices=AppealStatus.choices, blank=True
    )
    appeal_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")

    def __str__(self) -> str:
        return f"{self.rating_id} {self.status}"


class RectificationEvent(ChainedEvent):
    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="events"
    )

    class Meta(ChainedEvent.Meta):
        verbose_name = _("整改事件")
        verbose_name_plural = _("整改事件")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="rectification_event_seq"),
        ]


class ContactView(models.Model):
    """Each time a rectification handler reveals the rater's contact details."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="contact_views"
    )
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("联系方式查看记录")
        verbose_name_plural = _("联系方式查看记录")

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.viewer_id}"


class DeviceRequest(models.Model):
    """ "请您评价本次服务": the clerk's counter screen asks the window's device to show the rating
    page for the service just given. One pending request per device at a time."""

    device = models.ForeignKey(RatingDevice, on_delete=models.PROTECT, related_name="requests")
    service_kind = models.CharField(max_length=16, choices=ServiceKind.choices)
    service_ref = models.CharField(max_length=40)
    case_no = models.CharField(_("办件编号"), max_length=32, blank=True)
    item_code = models.CharField(max_length=64, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("推送时间"))
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)  # rated | cancelled | expired

    class Meta:
        verbose_name = _("窗口评价请求")
        verbose_name_plural = _("窗口评价请求")
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=models.Q(closed_at__isnull=True),
                name="ratings_one_pending_request_per_device",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.service_ref}"


class FlagReview(models.Model):
    """A supervisor's review of a flagged rating (the rating itself is never changed except
    for ``appeal_result`` when the review finds it was not the applicant's own)."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="flag_review")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    genuine = models.BooleanField(_("确认为真实评价"))
    note = models.TextField(_("核查说明"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("异常评价核查")
        verbose_name_plural = _("异常评价核查")

    def __str__(self) -> str:
        return f"{self.rating_id} {self.genuine}"
