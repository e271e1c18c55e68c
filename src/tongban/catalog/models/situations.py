from django.db import models
from django.utils.translation import gettext_lazy as _

from .bundles import Bundle, BundleItem
from .items import ServiceItemVersion
from .materials import Material


class SituationQuestion(models.Model):
    """One question of an item's (or a bundle's) situation tree (情形导办).

    A question with ``shown_if`` is asked only when that option of an earlier question was
    chosen, which makes the questions a small decision tree.
    """

    version = models.ForeignKey(
        ServiceItemVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
    )
    bundle = models.ForeignKey(
        Bundle, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("编码"), max_length=32)
    text = models.CharField(_("问题"), max_length=256)
    help_text = models.CharField(_("说明"), max_length=256, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    shown_if = models.ForeignKey(
        "SituationOption",
        verbose_name=_("前置选项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("情形问题")
        verbose_name_plural = _("情形问题")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__isnull=False, bundle__isnull=True)
                | models.Q(version__isnull=True, bundle__isnull=False),
                name="question_of_item_or_bundle",
            ),
            models.UniqueConstraint(fields=["version", "code"], name="question_code_per_version"),
            models.UniqueConstraint(fields=["bundle", "code"], name="question_code_per_bundle"),
        ]

    def __str__(self) -> str:
        return self.text


class SituationOption(models.Model):
    """An answer; choosing it adds or removes materials (and, in a bundle, items)."""

    question = models.ForeignKey(
        SituationQuestion, on_delete=models.CASCADE, related_name="options"
    )
    code = models.SlugField(_("编码"), max_length=32)
    label = models.CharField(_("选项"), max_length=128)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    adds_materials = models.ManyToManyField(
        Material, verbose_name=_("增加材料"), blank=True, related_name="added_by"
    )
    removes_materials = models.ManyToManyField(
        Material, verbose_name=_("免交材料"), blank=True, related_name="removed_by"
    )
    adds_condition = models.CharField(_("增加条件"), max_length=256, blank=True)
    excludes_items = models.ManyToManyField(
        BundleItem, verbose_name=_("不需办理的事项"), blank=True, related_name="excluded_by"
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("情形选项")
        verbose_name_plural = _("情形选项")
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_code_per_question"),
        ]

    def __str__(self) -> str:
        return self.label
