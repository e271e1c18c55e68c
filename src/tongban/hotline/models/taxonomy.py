from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.Model):
    """诉求分类: a three-level subject taxonomy, e.g. 城乡建设 > 市政设施 > 道路积水.

    ``code`` is dotted by level (``03``, ``03.02``, ``03.02.05``) and doubles as the Open311
    ``service_code``. Tickets are filed under a leaf (level 3) where one fits.
    """

    code = models.CharField(_("分类编码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("层级"))
    description = models.TextField(_("说明"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=256, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=3), name="subject_level_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
