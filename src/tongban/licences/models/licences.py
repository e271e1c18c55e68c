from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.crypto import BlindIndexField, EncryptedCharField
from tongban.core.models import ChainedEvent

from .types import HolderKind


class LicenceStatus(models.TextChoices):
    """Stored statuses. "expired" is not stored: a valid licence past ``valid_until`` reads as
    expired (selectors compute it from the date)."""

    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已注销")
    SUPERSEDED = "superseded", _("已换发")


class Licence(models.Model):
    """An issued e-licence (电子证照), signed with SM2 over SM3.

    ``identifier`` is the national e-licence identifier (GB/T 36904):
    ``1.2.156.3005.2.{type code}.{issuer's credit code}.{serial}.{version:03d}.{check}``.
    ``payload`` holds the exact signed bytes (UTF-8 JSON, sorted keys, no whitespace) and
    ``signature`` the DER-encoded SM2 signature made with ``key``. A change or renewal issues a
    new version (``previous`` → the superseded one). ``case_no`` names the case it was issued
    from (licences sit below cases: no foreign key); imported licences have ``imported``."""

    identifier = models.CharField(_("电子证照标识"), max_length=160, unique=True)
    licence_type = models.ForeignKey(
        "licences.LicenceType",
        verbose_name=_("证照类型"),
        on_delete=models.PROTECT,
        related_name="licences",
    )
    number = models.CharField(_("证照编号"), max_length=64, db_index=True)
    serial = models.CharField(_("顺序号"), max_length=32)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("前一版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    holder_kind = models.CharField(_("持证主体类型"), max_length=16, choices=HolderKind.choices)
    person = models.ForeignKey(
        "core.Person",
        verbose_name=_("持证人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licences",
    )
    enterprise = models.ForeignKey(
        "core.Enterprise",
        verbose_name=_("持证单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licences",
    )
    holder_name = models.CharField(_("持证主体名称"), max_length=128)
    holder_id_no = EncryptedCharField(
        _("持证主体证件号码"), max_length=32, kind="id_number", index_field="holder_id_no_index"
    )
    holder_id_no_index = BlindIndexField(
        _("持证主体证件号码索引"), source="holder_id_no", kind="id_number", db_index=True
    )
    data = models.JSONField(_("照面信息"), default=dict, blank=True)
    photo = models.FileField(_("照片"), upload_to="licences/photos/", blank=True)
    issuer = models.ForeignKey(
        "core.Department",
        verbose_name=_("发证部门"),
        on_delete=models.PROTECT,
        related_name="licences_issued",
    )
    issued_on = models.DateField(_("发证日期"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    status_reason = models.CharField(_("注销或换发原因"), max_length=256, blank=True)
    case_no = models.CharField(_("来源办件编号"), max_length=32, blank=True, db_index=True)
    imported = models.BooleanField(_("外部导入"), default=False)
    source_system = models.CharField(_("来源系统"), max_length=64, blank=True)
    payload = models.BinaryField(_("签名原文"))
    signature = models.BinaryField(_("签名值（DER）"))
    key = models.ForeignKey(
        "licences.SigningKey",
        verbose_name=_("签名密钥"),
        on_delete=models.PROTECT,
        related_name="licences",
    )
    check_value = models.CharField(_("校验码"), max_length=16)
    pdf = models.FileField(_("版式文件"), upload_to="licences/pdf/", blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "number", "version"], name="licence_number_version"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "licence_type", "status"]),
            models.Index(fields=["enterprise", "licence_type", "status"]),
            models.Index(fields=["status", "valid_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.licence_type_id} {self.number}"


class LicenceSerialCounter(models.Model):
    """The last serial used per licence type and issuer (one row locked per issuance)."""

    licence_type = models.ForeignKey("licences.LicenceType", on_delete=models.CASCADE)
    issuer = models.ForeignKey("core.Department", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "issuer", "year"], name="licence_serial_counter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence_type_id}/{self.issuer_id}/{self.year}: {self.last}"


class LicenceEvent(ChainedEvent):
    """A licence's history: issued, imported, superseded, revoked, reminded, shared, read."""

    licence = models.ForeignKey("licences.Licence", on_delete=models.PROTECT, related_name="events")

    class Meta(ChainedEvent.Meta):
        verbose_name = _("证照事件")
        verbose_name_plural = _("证照事件")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="licence_event_stream_seq"),
        ]
        indexes = [models.Index(fields=["licence", "seq"])]


class GranteeKind(models.TextChoices):
    DEPARTMENT = "department", _("政务部门（免证办）")
    SHARE_LINK = "share_link", _("分享链接")


class Authorisation(models.Model):
    """The holder's authorisation for someone else to use a licence (purpose, scope, expiry).

    A department reading it for 免证办 holds one per case; a share link holds one per link
    (only the SHA-256 of the link's token is stored)."""

    licence = models.ForeignKey(
        Licence, verbose_name=_("证照"), on_delete=models.CASCADE, related_name="authorisations"
    )
    grantee_kind = models.CharField(_("被授权方类型"), max_length=16, choices=GranteeKind.choices)
    grantee_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("被授权部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grantee_name = models.CharField(_("被授权方"), max_length=128, blank=True)
    purpose = models.CharField(_("用途"), max_length=256)
    scope = models.JSONField(_("授权范围"), default=list, blank=True)
    case_no = models.CharField(_("办件编号"), max_length=32, blank=True)
    token_hash = models.CharField(_("链接摘要"), max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(_("有效期至"))
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("用证授权")
        verbose_name_plural = _("用证授权")

    def __str__(self) -> str:
        return f"{self.licence_id} → {self.grantee_name or self.grantee_department_id}"


class AccessChannel(models.TextChoices):
    VERIFY = "verify", _("扫码核验")
    SHARE_LINK = "share_link", _("分享链接")
    MATERIAL = "material", _("免证办调用")
    API = "api", _("接口调用")
    COUNTER = "counter", _("窗口亮证")


class LicenceAccess(models.Model):
    """Every use of a licence by someone other than its holder; the holder sees this log."""

    licence = models.ForeignKey(
        Licence, verbose_name=_("证照"), on_delete=models.CASCADE, related_name="accesses"
    )
    authorisation = models.ForeignKey(
        Authorisation,
        verbose_name=_("授权"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accesses",
    )
    channel = models.CharField(_("方式"), max_length=16, choices=AccessChannel.choices)
    accessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accessor_label = models.CharField(_("使用方"), max_length=128, blank=True)
    purpose = models.CharField(_("用途"), max_length=256, blank=True)
    case_no = models.CharField(_("办件编号"), max_length=32, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("用证记录")
        verbose_name_plural = _("用证记录")

    def __str__(self) -> str:
        return f"{self.licence_id} {self.channel} {self.accessor_label}"


class ReminderKind(models.TextChoices):
    EXPIRY = "expiry", _("到期提醒")


class Reminder(models.Model):
    """提醒办: one reminder per licence and kind, sent once when due."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("提醒类型"), max_length=16, choices=ReminderKind.choices)
    due_on = models.DateField(_("提醒日期"), db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("证照提醒")
        verbose_name_plural = _("证照提醒")
        constraints = [
            models.UniqueConstraint(fields=["licence", "kind", "due_on"], name="licence_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.kind} {self.due_on}"
