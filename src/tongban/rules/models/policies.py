from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyAudience(models.TextChoices):
    PERSON = "person", _("惠民政策")
    ENTERPRISE = "enterprise", _("惠企政策")


class Policy(models.Model):
    """政策通: a benefit policy with eligibility rules (a RuleSet of its own). With
    ``automatic`` (免申即享) the benefit case is created with no application, on the item
    ``benefit_item_code``."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("政策名称"), max_length=128)
    audience = models.CharField(_("对象"), max_length=16, choices=PolicyAudience.choices)
    summary = models.TextField(_("政策说明"))
    department = models.ForeignKey(
        "core.Department", verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="+"
    )
    rule_set = models.OneToOneField(
        "rules.RuleSet", verbose_name=_("资格规则"), on_delete=models.PROTECT, related_name="policy"
    )
    automatic = models.BooleanField(_("免申即享"), default=False)
    benefit_item_code = models.CharField(_("兑现事项实施编码"), max_length=64, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("惠民惠企政策")
        verbose_name_plural = _("惠民惠企政策")

    def __str__(self) -> str:
        return self.name


class MatchStatus(models.TextChoices):
    ELIGIBLE = "eligible", _("符合条件")
    NOTIFIED = "notified", _("已告知")
    GRANTED = "granted", _("已自动兑现")
    DECLINED = "declined", _("本人放弃")


class PolicyMatch(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="matches")
    person = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        "core.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=MatchStatus.choices, default=MatchStatus.ELIGIBLE
    )
    evaluation = models.ForeignKey(
        "rules.Evaluation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case_no = models.CharField(_("兑现办件编号"), max_length=32, blank=True)
    matched_at = models.DateTimeField(_("匹配时间"), auto_now_add=True)
    notified_at = models.DateTimeField(_("告知时间"), null=True, blank=True)

    class Meta:
        ordering = ["-matched_at", "-id"]
        verbose_name = _("政策匹配")
        verbose_name_plural = _("政策匹配")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "person"],
                condition=models.Q(person__isnull=False),
                name="rules_policy_match_person",
            ),
            models.UniqueConstraint(
                fields=["policy", "enterprise"],
                condition=models.Q(enterprise__isnull=False),
                name="rules_policy_match_enterprise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} → {self.person_id or self.enterprise_id}"
