from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogueStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("现行")
    RETIRED = "retired", _("已废止")


class OwnerLevel(models.TextChoices):
    """Who owns a subject: a functional department may not push it down to a street (66号文 (五))."""

    DEPARTMENT = "department", _("职能部门")
    STREET = "street", _("属地街道（镇）")
    COMMUNITY = "community", _("社区（村）")


class DispatchCatalogue(models.Model):
    """派单目录, versioned: built from departments' duty lists (三定、权责清单、履职事项清单).

    Exactly one version is published at a time; tickets record the version they were dispatched
    under.
    """

    version = models.PositiveIntegerField(_("版本号"), unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CatalogueStatus.choices, default=CatalogueStatus.DRAFT
    )
    basis = models.CharField(_("编制依据"), max_length=256, blank=True)
    note = models.TextField(_("修订说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="published"),
                name="one_published_dispatch_catalogue",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.get_status_display()})"


class DispatchEntry(models.Model):
    """One line of the catalogue: a subject, the level that owns it and the responsible unit.

    With ``owner_level`` street or community the unit is the one that owns the ticket's address
    (属地); with department it is ``department``.
    """

    catalogue = models.ForeignKey(
        DispatchCatalogue, on_delete=models.CASCADE, related_name="entries"
    )
    subject = models.ForeignKey(
        "hotline.Subject", verbose_name=_("诉求分类"), on_delete=models.PROTECT, related_name="+"
    )
    owner_level = models.CharField(_("责任层级"), max_length=16, choices=OwnerLevel.choices)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    basis = models.CharField(_("职责依据"), max_length=256, blank=True)

    class Meta:
        verbose_name = _("派单目录条目")
        verbose_name_plural = _("派单目录条目")
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "subject"], name="one_entry_per_subject_per_catalogue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.department or self.get_owner_level_display()}"


class DispatchRule(models.Model):
    """A dispatch rule (派单规则), evaluated in ``position`` order; the first match wins.

    Every condition given must hold: the subject (or one of its descendants), any of the
    keywords in title or content, the ticket's region (or one inside it), the ticket type. The
    target is a department, the street owning the address (``to_locality``), or both.
    """

    catalogue = models.ForeignKey(DispatchCatalogue, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveIntegerField(_("顺序"))
    name = models.CharField(_("规则名称"), max_length=64)
    subject = models.ForeignKey(
        "hotline.Subject",
        verbose_name=_("诉求分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    keywords = models.CharField(_("关键词（逗号分隔，任一命中）"), max_length=512, blank=True)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ticket_type = models.CharField(_("诉求类型"), max_length=16, blank=True)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("派至部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_locality = models.BooleanField(_("派至属地街道"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        ordering = ["catalogue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "position"], name="one_rule_per_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class LimitUnit(models.TextChoices):
    MINUTES = "minutes", _("分钟（自然时间）")
    HOURS = "hours", _("小时（自然时间）")
    WORKDAYS = "workdays", _("工作日")


class HandlingLimit(models.Model):
    """Handling limits (办理时限) by type, subject and urgency; the most specific row applies.

    Sign-for (签收) and reply (办理答复) limits are in minutes or hours of calendar time or in
    working days; returns are allowed within ``return_days`` working days of dispatch; an
    extension may add at most ``max_extension_days`` working days.
    """

    name = models.CharField(_("名称"), max_length=64)
    ticket_type = models.CharField(_("诉求类型"), max_length=16, blank=True)
    subject = models.ForeignKey(
        "hotline.Subject",
        verbose_name=_("诉求分类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    urgency = models.CharField(_("紧急程度"), max_length=16, blank=True)
    hazard = models.CharField(_("险情类别"), max_length=16, blank=True)
    sign_value = models.PositiveIntegerField(_("签收时限"))
    sign_unit = models.CharField(_("签收时限单位"), max_length=16, choices=LimitUnit.choices)
    handle_value = models.PositiveIntegerField(_("办理时限"))
    handle_unit = models.CharField(_("办理时限单位"), max_length=16, choices=LimitUnit.choices)
    return_days = models.PositiveSmallIntegerField(_("可退单期限（工作日）"), default=1)
    max_extension_days = models.PositiveSmallIntegerField(_("最长延期（工作日）"), default=10)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")

    def __str__(self) -> str:
        return self.name
