from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311Key(models.Model):
    """An Open311 client application's api_key (only its SHA-256 is stored)."""

    name = models.CharField(_("应用名称"), max_length=64)
    prefix = models.CharField(_("前缀"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 应用密钥")
        verbose_name_plural = _("Open311 应用密钥")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
