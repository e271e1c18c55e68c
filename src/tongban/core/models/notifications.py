from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to a person: shown in the portal and, through the SMS backend, sent out."""

    person = models.ForeignKey(
        "core.Person",
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=128)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=256, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    sms_status = models.CharField(_("短信"), max_length=16, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.title


class StaffNotice(models.Model):
    """A work notice to a staff member (工作提醒): an urge, a supervision order, a red card.
    Shown on the console's home page; ``key`` makes a notice idempotent (one per red card)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="staff_notices",
    )
    title = models.CharField(_("标题"), max_length=128)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=256, blank=True)
    key = models.CharField(_("去重键"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("工作提醒")
        verbose_name_plural = _("工作提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="core_staff_notice_key"
            )
        ]

    def __str__(self) -> str:
        return self.title
