from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .codes import (
    ApplicantKind,
    Audience,
    ExerciseLevel,
    HandlingType,
    ItemType,
    OnlineDepth,
    SpecialProcedureKind,
    VersionStatus,
)


class Theme(models.Model):
    """A theme people or enterprises browse by (生育收养, 户籍办理, 开办企业 …)."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    audience = models.CharField(_("面向"), max_length=16, choices=Audience.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["audience", "order", "code"]
        verbose_name = _("主题")
        verbose_name_plural = _("主题")

    def __str__(self) -> str:
        return self.name


class LifeEvent(models.Model):
    """A life event (出生, 上学, 就业, 退休 …) or enterprise stage (开办, 变更 …)."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    audience = models.CharField(_("面向"), max_length=16, choices=Audience.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["audience", "order", "code"]
        verbose_name = _("人生事件")
        verbose_name_plural = _("人生事件")

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    """A service item's identity: who implements it under which codes. Elements are versioned."""

    implementation_code = models.CharField(_("实施编码"), max_length=31, unique=True)
    basic_code = models.CharField(_("基本编码"), max_length=12, db_index=True)
    handling_suffix = models.CharField(_("业务办理项序号"), max_length=2, default="00")
    exercise_level = models.CharField(
        _("行使层级"), max_length=1, choices=ExerciseLevel.choices, default=ExerciseLevel.COUNTY
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("实施主体"),
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    local_basic_code = models.CharField(_("地方基本编码"), max_length=64, blank=True)
    local_implementation_code = models.CharField(_("地方实施编码"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["implementation_code"]
        verbose_name = _("事项")
        verbose_name_plural = _("事项")

    def __str__(self) -> str:
        return self.implementation_code

    @property
    def handling_item_code(self) -> str:
        """业务办理项编码 (33): the implementation code and a 2-digit handling-item suffix."""
        return self.implementation_code + self.handling_suffix


class ServiceItemVersion(models.Model):
    """One version of an item's elements: draft → published → retired.

    Editing a published item creates a new draft; a case keeps the version it was filed under.
    """

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    name = models.CharField(_("事项名称"), max_length=128)
    aliases = models.CharField(
        _("别名"), max_length=256, blank=True, help_text=_("群众常用的叫法，用顿号或逗号分隔。")
    )
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    applicant_kind = models.CharField(
        _("服务对象"), max_length=16, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    summary = models.TextField(_("事项简介"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    legal_limit_days = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    legal_limit_note = models.CharField(_("法定时限说明"), max_length=256, blank=True)
    promised_limit_days = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"))
    promised_limit_note = models.CharField(_("承诺时限说明"), max_length=256, blank=True)
    handling_type = models.CharField(
        _("办件类型"), max_length=16, choices=HandlingType.choices, default=HandlingType.PROMISED
    )
    visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    visits_reason = models.CharField(_("必须现场办理原因"), max_length=256, blank=True)
    online_depth = models.CharField(
        _("网上办理深度"),
        max_length=16,
        choices=OnlineDepth.choices,
        default=OnlineDepth.FULLY_ONLINE,
    )
    channels = models.JSONField(_("办理渠道"), default=list, blank=True)
    deliveries = models.JSONField(_("送达方式"), default=list, blank=True)
    process_steps = models.JSONField(_("办理流程"), default=list, blank=True)
    form_fields = models.JSONField(_("申请表字段"), default=list, blank=True)
    outcome_name = models.CharField(_("办理结果名称"), max_length=128, blank=True)
    outcome_licence_type = models.CharField(_("结果证照类型代码"), max_length=64, blank=True)
    charges_fee = models.BooleanField(_("是否收费"), default=False)
    consult_phone = models.CharField(_("咨询电话"), max_length=64, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=64, blank=True)
    location = models.CharField(_("办理地点"), max_length=256, blank=True)
    hours = models.CharField(_("办理时间"), max_length=256, blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("主题"), blank=True, related_name="versions"
    )
    life_events = models.ManyToManyField(
        LifeEvent, verbose_name=_("人生事件"), blank=True, related_name="versions"
    )
    quality_problems = models.JSONField(_("质量检查结果"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["item", "-version"]
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="item_version_unique"),
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="published"),
                name="one_published_version_per_item",
            ),
            models.CheckConstraint(
                condition=models.Q(promised_limit_days__lte=models.F("legal_limit_days")),
                name="promised_limit_within_legal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def alias_list(self) -> list[str]:
        return [a for a in (p.strip() for p in self.aliases.replace("、", ",").split(",")) if a]


class LegalBasis(models.Model):
    """设定依据: one law or regulation clause."""

    version = models.ForeignKey(
        ServiceItemVersion, on_delete=models.CASCADE, related_name="legal_bases"
    )
    law_name = models.CharField(_("法律法规名称"), max_length=128)
    document_number = models.CharField(_("依据文号"), max_length=128, blank=True)
    clause_number = models.CharField(_("条款号"), max_length=64, blank=True)
    clause_text = models.TextField(_("条款内容"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("设定依据")
        verbose_name_plural = _("设定依据")

    def __str__(self) -> str:
        return f"{self.law_name} {self.clause_number}"


class SpecialProcedure(models.Model):
    """特别程序: a stage whose time does not count against the limit (行政许可法 第四十五条)."""

    version = models.ForeignKey(
        ServiceItemVersion, on_delete=models.CASCADE, related_name="special_procedures"
    )
    kind = models.CharField(_("种类"), max_length=24, choices=SpecialProcedureKind.choices)
    limit_days = models.PositiveSmallIntegerField(_("时限"))
    limit_unit = models.CharField(
        _("时限单位"),
        max_length=16,
        default="workday",
        choices=[("workday", _("工作日")), ("day", _("自然日"))],
    )
    note = models.CharField(_("说明"), max_length=256, blank=True)
    responsible = models.CharField(_("负责单位"), max_length=128, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")

    def __str__(self) -> str:
        return self.get_kind_display()


class Fee(models.Model):
    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("收费项目"), max_length=128)
    standard = models.CharField(_("收费标准"), max_length=256)
    basis = models.CharField(_("收费依据"), max_length=256)
    reducible = models.BooleanField(_("是否允许减免"), default=False)
    reduction_basis = models.CharField(_("减免依据"), max_length=256, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")

    def __str__(self) -> str:
        return self.name


class Faq(models.Model):
    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(_("问题"), max_length=256)
    answer = models.TextField(_("解答"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")

    def __str__(self) -> str:
        return self.question
