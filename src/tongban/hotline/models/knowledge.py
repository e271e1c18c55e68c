from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已下架")


class ArticleSource(models.TextChoices):
    MANUAL = "manual", _("人工编写")
    CATALOG = "catalog", _("办事指南")


class Article(models.Model):
    """知识库条目 (GB/T 33358: laws, policies, duties and service items, searchable).

    Operators see published articles inside their validity only; articles past it are flagged
    to the owning department. Guides of published catalogue items are mirrored as articles
    with source ``catalog`` (``item_code`` names the item).
    """

    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容"))
    subject = models.ForeignKey(
        "hotline.Subject",
        verbose_name=_("诉求分类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    keywords = models.CharField(_("关键词"), max_length=256, blank=True)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    state = models.CharField(
        _("审核状态"), max_length=16, choices=ArticleState.choices, default=ArticleState.DRAFT
    )
    source = models.CharField(
        _("来源"), max_length=16, choices=ArticleSource.choices, default=ArticleSource.MANUAL
    )
    item_code = models.CharField(_("事项编码"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    views = models.PositiveIntegerField(_("引用次数"), default=0)

    class Meta:
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识库")
        indexes = [models.Index(fields=["state", "valid_until"], name="article_state_valid")]

    def __str__(self) -> str:
        return self.title
