from django.db import models
from django.utils.translation import gettext_lazy as _

from .codes import MaterialForm, MaterialSource
from .items import ServiceItemVersion


class Necessity(models.TextChoices):
    REQUIRED = "required", _("必要")
    CONDITIONAL = "conditional", _("视情形提交")
    OPTIONAL = "optional", _("非必要")


class MaterialHolder(models.TextChoices):
    """Whose document it is: two items asking for 身份证 share it only for the same person."""

    APPLICANT = "applicant", _("申请人")
    AGENT = "agent", _("受托人/代理人")
    OTHER = "other", _("其他相关人员")


class Material(models.Model):
    """申请材料 of one item version."""

    version = models.ForeignKey(
        ServiceItemVersion, on_delete=models.CASCADE, related_name="materials"
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("材料名称"), max_length=128)
    necessity = models.CharField(
        _("必要性"), max_length=16, choices=Necessity.choices, default=Necessity.REQUIRED
    )
    condition = models.CharField(_("提交条件"), max_length=256, blank=True)
    form = models.CharField(
        _("材料形式"), max_length=24, choices=MaterialForm.choices, default=MaterialForm.ELECTRONIC
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    source = models.CharField(
        _("来源渠道"),
        max_length=16,
        choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    source_note = models.CharField(_("来源说明"), max_length=128, blank=True)
    licence_type = models.CharField(_("可用电子证照类型代码"), max_length=64, blank=True)
    holder = models.CharField(
        _("材料所属人"),
        max_length=16,
        choices=MaterialHolder.choices,
        default=MaterialHolder.APPLICANT,
    )
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="catalog/samples/", blank=True)
    notes = models.TextField(_("填报须知"), blank=True)
    deferrable = models.BooleanField(_("可容缺"), default=False)
    commitment_replaceable = models.BooleanField(_("可告知承诺替代"), default=False)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.UniqueConstraint(fields=["version", "seq"], name="material_seq_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """材料编码: the implementation code and a 3-digit sequence number."""
        return f"{self.version.item.implementation_code}{self.seq:03d}"

    @property
    def dedup_key(self) -> tuple[str, str, str]:
        """Materials with the same key are asked once in a bundle: the same e-licence type, or
        the same name and source, of the same person."""
        if self.licence_type:
            return ("licence", self.licence_type, self.holder)
        return ("name", "".join(self.name.split()) + "|" + self.source, self.holder)


class MaterialReviewTerm(models.Model):
    """A requirement that law no longer allows to be demanded (已取消的证明事项): flagged for review."""

    term = models.CharField(_("关键词"), max_length=64, unique=True)
    reason = models.CharField(_("依据"), max_length=256)

    class Meta:
        ordering = ["term"]
        verbose_name = _("需复核的材料")
        verbose_name_plural = _("需复核的材料")

    def __str__(self) -> str:
        return self.term
