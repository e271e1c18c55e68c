from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MaterialStatus(models.TextChoices):
    PROVIDED = "provided", _("已提交")
    LICENCE = "licence", _("电子证照")
    DEFERRED = "deferred", _("容缺后补")
    COMMITMENT = "commitment", _("告知承诺")
    PAPER = "paper", _("窗口收取纸质件")


class CaseMaterial(models.Model):
    """A material of a case: an uploaded file, a paper original seen at the window, an e-licence,
    a deferred material (容缺) or a commitment (告知承诺)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey("catalog.Material", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=MaterialStatus.choices)
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/", blank=True)
    original_name = models.CharField(_("文件名"), max_length=128, blank=True)
    content_type = models.CharField(_("类型"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("大小"), default=0)
    sha256 = models.CharField(_("摘要"), max_length=64, blank=True)
    note = models.CharField(_("说明"), max_length=256, blank=True)
    # 免证办: the e-licence attached from the licence library (its national identifier)
    licence_identifier = models.CharField(_("电子证照标识"), max_length=160, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        ordering = ["material__seq", "id"]
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")

    def __str__(self) -> str:
        return f"{self.case} · {self.material}"
