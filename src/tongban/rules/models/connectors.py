from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectorKind(models.TextChoices):
    PLATFORM = "platform", _("平台自有数据")
    TABLE = "table", _("参考数据表")
    HTTP = "http", _("HTTP 接口")


class Connector(models.Model):
    """数据共享: a source of fields for rules (``fetch(subject, fields) -> values``).

    ``code`` is the prefix rules use (``population.hukou_city``). ``fields``:
    ``[{"name": "hukou_city", "type": "string|int|double|bool|date|list", "label": "户籍城市"}]``.
    ``config`` by kind — table: ``{"table": <ReferenceTable id>, "key": "id_no"}``; http:
    ``{"url": "https://…/{id_no}", "auth_header": "Authorization", "auth_env": "ENV_VAR",
    "timeout": 2.0, "mapping": {"field": "json.path"}}`` (the secret itself stays in the
    environment)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=16, choices=ConnectorKind.choices)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("数据提供部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fields = models.JSONField(_("提供字段"), default=list, blank=True)
    config = models.JSONField(_("配置"), default=dict, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("数据连接器")
        verbose_name_plural = _("数据连接器")

    def __str__(self) -> str:
        return self.name


class ReferenceTable(models.Model):
    """A reference table an administrator uploads (CSV/Excel), e.g. a population registry
    extract; rows are keyed by ``key_column`` (an ID number or credit code)."""

    name = models.CharField(_("名称"), max_length=128)
    key_column = models.CharField(_("主键列"), max_length=64)
    columns = models.JSONField(_("列"), default=list)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    source_name = models.CharField(_("源文件"), max_length=256, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("参考数据表")
        verbose_name_plural = _("参考数据表")

    def __str__(self) -> str:
        return self.name


class ReferenceRow(models.Model):
    table = models.ForeignKey(ReferenceTable, on_delete=models.CASCADE, related_name="rows")
    key = models.CharField(_("主键"), max_length=64)
    data = models.JSONField(_("数据"), default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["table", "key"], name="rules_reference_row_key")
        ]

    def __str__(self) -> str:
        return f"{self.table_id}:{self.key}"


class ConnectorCall(models.Model):
    """Who looked at whose data and why: one row per connector call, success or not."""

    connector = models.ForeignKey(
        Connector, verbose_name=_("连接器"), on_delete=models.PROTECT, related_name="calls"
    )
    purpose = models.CharField(_("用途"), max_length=128)
    case_no = models.CharField(_("办件编号"), max_length=32, blank=True, db_index=True)
    subject_ref = models.CharField(_("查询对象（脱敏）"), max_length=64, blank=True)
    fields = models.JSONField(_("查询字段"), default=list)
    ok = models.BooleanField(_("成功"), default=True)
    error = models.CharField(_("错误"), max_length=256, blank=True)
    duration_ms = models.FloatField(_("耗时（毫秒）"), default=0.0)
    actor_label = models.CharField(_("调用方"), max_length=64, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("数据调用记录")
        verbose_name_plural = _("数据调用记录")

    def __str__(self) -> str:
        return f"{self.connector_id} {self.purpose} {self.case_no}"
