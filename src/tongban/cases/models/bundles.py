"""一件事 (bundles): one application, one acceptance, a child case per item in parallel, and one
delivery. The de-duplicated materials are stored once on the bundle application; each child's
material rows point at the same stored file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.models import ChainedEvent
from tongban.core.personal_data_json import EncryptedJSONField

from ..application_form import personal_data_codes
from ..states import BundleStatus


class BundlePolicy(models.Model):
    """Per bundle: may the applicant continue with the approved items when one is denied."""

    bundle = models.OneToOneField(
        "catalog.Bundle", on_delete=models.CASCADE, related_name="case_policy"
    )
    partial_allowed = models.BooleanField(_("一项不予许可时可继续办理其余事项"), default=True)

    class Meta:
        verbose_name = _("一件事办理配置")
        verbose_name_plural = _("一件事办理配置")

    def __str__(self) -> str:
        return str(self.bundle)


class BundleCase(models.Model):
    """一件事申请: the applicant's one application for a bundle; its children are cases."""

    bundle_no = models.CharField(_("一件事编号"), max_length=32, unique=True)
    bundle = models.ForeignKey(
        "catalog.Bundle", verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        "core.Person", on_delete=models.PROTECT, related_name="bundle_cases"
    )
    enterprise = models.ForeignKey(
        "core.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("申报渠道"), max_length=16)
    answers = models.JSONField(_("情形回答"), default=dict, blank=True)
    # ID numbers and phones encrypted at rest, plain in memory (docs/personal-data.md)
    form_data = EncryptedJSONField(_("合并申请表"), default=dict, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=BundleStatus.choices,
        default=BundleStatus.SUBMITTED,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    materials_count = models.PositiveSmallIntegerField(_("材料数"), default=0)
    materials_without_bundle = models.PositiveSmallIntegerField(_("分别办理的材料数"), default=0)
    partial_confirmed = models.BooleanField(_("已选择继续办理已准予事项"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("出件时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"], name="bundle_case_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return self.bundle_no

    def personal_data_codes(self) -> set[str]:
        """The combined form's fields whose values are encrypted (types id_number and phone);
        the items' own fields are also caught by their values (EncryptedJSONField)."""
        return personal_data_codes(self.bundle.form_fields)

    @property
    def stream(self) -> str:
        return f"bundle:{self.bundle_no}"


class BundleMember(models.Model):
    """A child case of a bundle application (one per included item)."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE, related_name="members")
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="bundle_member"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.bundle_case_id} · {self.case_id}"


class BundleMaterial(models.Model):
    """A de-duplicated material of a bundle application, stored once (its file, if uploaded)
    and shared by every child case that needs it."""

    bundle_case = models.ForeignKey(
        BundleCase, on_delete=models.CASCADE, related_name="shared_materials"
    )
    name = models.CharField(_("材料名称"), max_length=128)
    status = models.CharField(_("状态"), max_length=16)
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=128, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    used_by = models.PositiveSmallIntegerField(_("共享事项数"), default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class BundleEvent(ChainedEvent):
    """One step of a bundle application's own history (its children keep theirs)."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.PROTECT, related_name="events")

    class Meta(ChainedEvent.Meta):
        verbose_name = _("一件事事件")
        verbose_name_plural = _("一件事事件")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="bundle_event_stream_seq"),
        ]
