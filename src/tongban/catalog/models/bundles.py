from django.db import models
from django.utils.translation import gettext_lazy as _

from .codes import Audience
from .items import LifeEvent, ServiceItem, Theme


class Bundle(models.Model):
    """一件事: items of several departments applied for once, accepted once, delivered once."""

    code = models.SlugField(_("编码"), max_length=48, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    summary = models.TextField(_("简介"), blank=True)
    audience = models.CharField(
        _("面向"), max_length=16, choices=Audience.choices, default=Audience.PERSON
    )
    form_fields = models.JSONField(_("合并申请表字段"), default=list, blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("主题"), blank=True, related_name="bundles"
    )
    life_events = models.ManyToManyField(
        LifeEvent, verbose_name=_("人生事件"), blank=True, related_name="bundles"
    )
    is_published = models.BooleanField(_("已发布"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="bundle_items")
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("事项"),
        on_delete=models.PROTECT,
        related_name="bundle_memberships",
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("一件事包含的事项")
        verbose_name_plural = _("一件事包含的事项")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.item}"
