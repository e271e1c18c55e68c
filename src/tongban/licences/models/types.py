from django.db import models
from django.utils.translation import gettext_lazy as _


class HolderKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")


class ValidityKind(models.TextChoices):
    YEARS = "years", _("固定年限")
    UNTIL = "until", _("至指定日期")
    PERMANENT = "permanent", _("长期有效")


class LicenceType(models.Model):
    """证照类型: what a licence of this kind says (照面信息), who issues it, how long it is valid.

    ``code`` is the licence type code of the national identifier (GB/T 36904) and the code that
    catalogue items (``outcome_licence_type``) and materials (``licence_type``) refer to.
    ``fields``: ``[{"name": "address", "label": "经营场所", "type": "text|date|number|choice",
    "required": true, "choices": [...], "personal": false}]`` — ``personal`` fields are masked on
    public verification pages. ``layout``: how the PDF is drawn (title, colour, field order,
    paper size); documented in docs/licences.md."""

    code = models.CharField(_("证照类型代码"), max_length=64, unique=True)
    name = models.CharField(_("证照名称"), max_length=128)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("发证部门"),
        on_delete=models.PROTECT,
        related_name="licence_types",
    )
    holder_kind = models.CharField(
        _("持证主体类型"), max_length=16, choices=HolderKind.choices, default=HolderKind.PERSON
    )
    fields = models.JSONField(_("照面信息字段"), default=list, blank=True)
    validity_kind = models.CharField(
        _("有效期规则"), max_length=16, choices=ValidityKind.choices, default=ValidityKind.YEARS
    )
    validity_years = models.PositiveSmallIntegerField(_("有效年限"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    has_photo = models.BooleanField(_("含持证人照片"), default=False)
    layout = models.JSONField(_("版式"), default=dict, blank=True)
    number_prefix = models.CharField(_("证号前缀"), max_length=16, blank=True)
    # the items whose approval issues this licence (catalog implementation codes); the item's own
    # ``outcome_licence_type`` names the type too — either is enough
    issuing_items = models.JSONField(_("发证事项"), default=list, blank=True)
    renewal_item_code = models.CharField(_("换证事项实施编码"), max_length=64, blank=True)
    reminder_days = models.PositiveSmallIntegerField(
        _("到期提醒提前天数"), default=30, help_text=_("到期前多少个自然日提醒持证人")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")

    def __str__(self) -> str:
        return self.name
