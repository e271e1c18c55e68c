"""Self-service terminals (自助终端) and the SMS codes visitors identify with."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kiosk(models.Model):
    """One self-service terminal in a hall or a 24-hour self-service room (24小时自助区)."""

    code = models.SlugField(_("终端编号"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    location = models.CharField(_("位置"), max_length=128, blank=True)
    hall = models.ForeignKey(
        "hall.Hall",
        verbose_name=_("所在大厅"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("自助终端")
        verbose_name_plural = _("自助终端")

    def __str__(self) -> str:
        return self.name


class KioskCode(models.Model):
    """An SMS code sent to a person who identifies at a kiosk: only its HMAC is stored; it is
    single-use, expires after minutes and is spent after a few wrong tries."""

    person = models.ForeignKey(
        "core.Person", verbose_name=_("自然人"), on_delete=models.CASCADE, related_name="+"
    )
    kiosk = models.ForeignKey(
        Kiosk, verbose_name=_("终端"), on_delete=models.CASCADE, related_name="codes"
    )
    digest = models.CharField(_("摘要"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"), db_index=True)
    expires_at = models.DateTimeField(_("有效期至"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("自助终端验证码")
        verbose_name_plural = _("自助终端验证码")
        indexes = [models.Index(fields=["person", "created_at"], name="selfservice_code_person")]

    def __str__(self) -> str:
        return f"{self.kiosk} · {self.created_at:%Y-%m-%d %H:%M}"
