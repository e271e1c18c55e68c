"""The security-event audit log (等保 level 3 安全审计): append-only, purged only past retention."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityEventKind(models.TextChoices):
    """Event kinds. Slugs never change once released."""

    LOGIN_OK = "login_ok", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGIN_LOCKED = "login_locked", _("连续登录失败，账号被锁定")
    LOGOUT = "logout", _("退出登录")
    SESSION_TIMEOUT = "session_timeout", _("长时间未操作，自动退出")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("绑定双因素认证")
    TWO_FACTOR_OK = "two_factor_ok", _("双因素验证成功")
    TWO_FACTOR_FAILED = "two_factor_failed", _("双因素验证失败")
    TWO_FACTOR_RECOVERY_USED = "two_factor_recovery_used", _("使用恢复码登录")
    TWO_FACTOR_RECOVERY_RENEWED = "two_factor_recovery_renewed", _("重新生成恢复码")
    TWO_FACTOR_RESET = "two_factor_reset", _("重置双因素认证")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    ROLE_GRANTED = "role_granted", _("授予角色")
    ROLE_REVOKED = "role_revoked", _("撤销角色")
    ROLE_REFUSED = "role_refused", _("角色分配被拒绝")
    PERMISSION_DENIED = "permission_denied", _("越权访问被拒绝")
    RATE_LIMITED = "rate_limited", _("请求过于频繁被限制")
    KEY_ROTATED = "key_rotated", _("密钥轮换")
    BACKUP = "backup", _("数据备份")
    RESTORE = "restore", _("数据恢复")
    AUDIT_EXPORTED = "audit_exported", _("导出审计日志")
    PERSONAL_DATA_EXPORTED = "personal_data_exported", _("导出个人信息访问记录")
    AUDIT_PURGED = "audit_purged", _("清理超过保存期限的审计日志")
    CONNECTOR_BLOCKED = "connector_blocked", _("数据连接器访问内部地址被拒绝")


class ImmutableRecord(Exception):
    """An audit record was about to be changed or deleted."""


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecord("security events are never changed")

    def delete(self):
        raise ImmutableRecord("security events are deleted only by the retention purge")

    def purge_before(self, cutoff) -> int:
        """Delete the events older than ``cutoff`` (the retention purge; nothing else deletes)."""
        doomed = self.model.objects.filter(at__lt=cutoff)
        return doomed._raw_delete(doomed.db)


class SecurityEvent(models.Model):
    """One security event: who, what, when, from where, against what, and whether it succeeded."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("事件类型"), max_length=40, choices=SecurityEventKind.choices)
    success = models.BooleanField(_("是否成功"), default=True)
    # No database constraint: the record outlives the account it names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    target = models.CharField(_("对象"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("安全审计事件")
        verbose_name_plural = _("安全审计事件")
        indexes = [
            models.Index(fields=["kind", "at"], name="core_secevent_kind_at"),
            models.Index(fields=["actor_name", "at"], name="core_secevent_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.actor_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord("security events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord("security events are deleted only by the retention purge")


class RecoveryCode(models.Model):
    """One single-use second-factor recovery code, kept only as a salted PBKDF2-SHA256 hash
    (``pbkdf2_sha256$<iterations>$<salt>$<hex digest>``): the code itself is shown once, when it
    is made, and checked by hashing what the person types (core/security_2fa.py)."""

    device = models.ForeignKey(
        "otp_static.StaticDevice",
        verbose_name=_("恢复码设备"),
        on_delete=models.CASCADE,
        related_name="recovery_codes",
    )
    code_hash = models.CharField(_("恢复码摘要"), max_length=160)

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")

    def __str__(self) -> str:
        return f"recovery code {self.pk} of device {self.device_id}"
