from django.db import models
from django.utils.translation import gettext_lazy as _

from ..identifiers import credit_code_field_validator, region_code_field_validator


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("区/县")
    STREET = "street", _("街道/镇")
    COMMUNITY = "community", _("社区/村")


class Region(models.Model):
    """A statutory division: district (6-digit code) > street/town (9) > community/village (12)."""

    code = models.CharField(
        _("区划代码"), max_length=12, unique=True, validators=[region_code_field_validator]
    )
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("区划")
        verbose_name_plural = _("区划")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="district", parent__isnull=True)
                | models.Q(parent__isnull=False),
                name="region_only_district_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentKind(models.TextChoices):
    BUREAU = "bureau", _("职能部门")
    SERVICE_CENTRE = "service_centre", _("政务服务中心/便民服务中心")
    SERVICE_STATION = "service_station", _("社区/村便民服务站")
    HOTLINE_CENTRE = "hotline_centre", _("12345 热线中心")
    OTHER = "other", _("其他单位")


class Department(models.Model):
    """A department or unit (部门/实施主体), attached to the region whose level it serves."""

    code = models.SlugField(_("单位编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    kind = models.CharField(
        _("类型"), max_length=24, choices=DepartmentKind.choices, default=DepartmentKind.BUREAU
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="departments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[credit_code_field_validator],
    )
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["region__code", "code"]
        verbose_name = _("部门/单位")
        verbose_name_plural = _("部门/单位")

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        return self.region.level
