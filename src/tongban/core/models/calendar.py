from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose holiday schedule an administrator entered from the State Council notice.

    A year beyond ``chinese-calendar`` counts as covered only once it has a row here.
    """

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("依据文号"), max_length=128)
    notes = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("年度放假安排")
        verbose_name_plural = _("年度放假安排")

    def __str__(self) -> str:
        return str(self.year)


class CalendarOverride(models.Model):
    """One date that is a holiday or an adjusted working day (调休上班); wins over the package."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否上班"))
    name = models.CharField(_("名称"), max_length=64, blank=True)
    calendar_year = models.ForeignKey(
        CalendarYear,
        verbose_name=_("年度安排"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="overrides",
    )
    source = models.CharField(_("依据"), max_length=128, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        kind = _("上班") if self.is_workday else _("放假")
        return f"{self.date} {kind} {self.name}"
