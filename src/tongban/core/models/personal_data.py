from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessPurpose(models.TextChoices):
    """Why a staff member looked at a person's full ID number or phone (查看事由)."""

    CASE_HANDLING = "case_handling", _("办件受理、审查")
    IDENTITY_CHECK = "identity_check", _("窗口核验身份")
    CONTACT = "contact", _("联系申请人或来电人、回访")
    DELIVERY = "delivery", _("证照送达、寄递")
    SUPERVISION = "supervision", _("监督检查、投诉核查")
    LEGAL_REQUEST = "legal_request", _("依法协查")
    OTHER = "other", _("其他（须写明）")


FIELD_LABELS = {
    "id_number": _("身份证号码"),
    "phone": _("手机号码"),
    "caller_phone": _("来电号码"),
    "holder_id_no": _("证件号码"),
}
FORM_FIELD_LABEL = _("申请表")


class AccessSubject(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人/企业")
    TICKET = "ticket", _("12345 工单")
    LICENCE = "licence", _("电子证照")


class PersonalDataAccess(models.Model):
    """One unmasked view of a person's data by staff (个人信息访问记录).

    Append-only and hash-chained (each row stores the SHA-256 of its predecessor; the chain's
    newest row is anchored in ``EventChainHead``); written only by
    ``core.personal_data.personal_data_reveal``. A retention purge may delete the oldest rows
    (by ``at``): the chain is then verified from the oldest row that remains.
    """

    at = models.DateTimeField(_("访问时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("访问人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("访问人名称"), max_length=150)
    subject_kind = models.CharField(_("对象类型"), max_length=16, choices=AccessSubject.choices)
    subject_ref = models.CharField(_("对象编号"), max_length=64, db_index=True)
    # The person whose data it is, where one is known (no constraint: the log outlives them).
    person = models.ForeignKey(
        "core.Person",
        verbose_name=_("当事人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    subject_label = models.CharField(_("对象（脱敏）"), max_length=128, blank=True)
    fields = models.JSONField(_("查看字段"), default=list)
    purpose = models.CharField(_("查看事由"), max_length=24, choices=AccessPurpose.choices)
    reason = models.CharField(_("说明"), max_length=200)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    prev_hash = models.CharField(_("前序摘要"), max_length=64)
    hash = models.CharField(_("摘要"), max_length=64, unique=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        indexes = [models.Index(fields=["actor", "at"], name="pd_access_actor_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} → {self.subject_label}"

    def field_labels(self) -> list[str]:
        # An application form's own field is logged as "form:<code>".
        return [
            str(
                FIELD_LABELS.get(f)
                or (f"{FORM_FIELD_LABEL}：{f[5:]}" if f.startswith("form:") else f)
            )
            for f in self.fields
        ]
