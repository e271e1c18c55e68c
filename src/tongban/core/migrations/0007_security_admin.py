import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_personal_data"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SecurityEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="时间"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("login_ok", "登录成功"),
                            ("login_failed", "登录失败"),
                            ("login_locked", "连续登录失败，账号被锁定"),
                            ("logout", "退出登录"),
                            ("session_timeout", "长时间未操作，自动退出"),
                            ("two_factor_enrolled", "绑定双因素认证"),
                            ("two_factor_ok", "双因素验证成功"),
                            ("two_factor_failed", "双因素验证失败"),
                            ("two_factor_recovery_used", "使用恢复码登录"),
                            ("two_factor_recovery_renewed", "重新生成恢复码"),
                            ("two_factor_reset", "重置双因素认证"),
                            ("password_changed", "修改密码"),
                            ("role_granted", "授予角色"),
                            ("role_revoked", "撤销角色"),
                            ("role_refused", "角色分配被拒绝"),
                            ("permission_denied", "越权访问被拒绝"),
                            ("rate_limited", "请求过于频繁被限制"),
                            ("key_rotated", "密钥轮换"),
                            ("backup", "数据备份"),
                            ("restore", "数据恢复"),
                            ("audit_exported", "导出审计日志"),
                            ("personal_data_exported", "导出个人信息访问记录"),
                            ("audit_purged", "清理超过保存期限的审计日志"),
                            ("connector_blocked", "数据连接器访问内部地址被拒绝"),
                        ],
                        max_length=40,
                        verbose_name="事件类型",
                    ),
                ),
                ("success", models.BooleanField(default=True, verbose_name="是否成功")),
                (
                    "actor_name",
                    models.CharField(blank=True, max_length=150, verbose_name="操作人账号"),
                ),
                (
                    "ip",
                    models.GenericIPAddressField(blank=True, null=True, verbose_name="IP 地址"),
                ),
                ("user_agent", models.CharField(blank=True, max_length=300, verbose_name="客户端")),
                ("target", models.CharField(blank=True, max_length=300, verbose_name="对象")),
                ("detail", models.JSONField(blank=True, default=dict, verbose_name="详情")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
            ],
            options={
                "verbose_name": "安全审计事件",
                "verbose_name_plural": "安全审计事件",
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(fields=["kind", "at"], name="core_secevent_kind_at"),
                    models.Index(fields=["actor_name", "at"], name="core_secevent_actor_at"),
                ],
            },
        ),
    ]
