from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class RuleSetMode(models.TextChoices):
    INSTANT = "instant", _("秒批（全部通过即自动准予）")
    ASSIST = "assist", _("辅助审查（仅预审）")


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("已启用")
    RETIRED = "retired", _("已停用")


class Severity(models.TextChoices):
    BLOCKING = "blocking", _("否决")
    REVIEW = "needs_review", _("需人工复核")


class RuleSet(models.Model):
    """An ordered list of CEL rules for an item (by implementation code, optionally one
    published version) or for a policy. Only one active set per item; a set becomes active
    only from a replay report (``activated_from``)."""

    name = models.CharField(_("名称"), max_length=128)
    item_code = models.CharField(_("事项实施编码"), max_length=64, blank=True, db_index=True)
    item_version = models.ForeignKey(
        "catalog.ServiceItemVersion",
        verbose_name=_("事项版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(
        _("方式"), max_length=16, choices=RuleSetMode.choices, default=RuleSetMode.ASSIST
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    activated_from = models.ForeignKey(
        "rules.ReplayReport",
        verbose_name=_("依据的回放报告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["item_code", "-id"]
        verbose_name = _("规则集")
        verbose_name_plural = _("规则集")
        constraints = [
            # one active set per item and version scope (the version-less scope counts as 0)
            models.UniqueConstraint(
                models.F("item_code"),
                Coalesce(models.F("item_version"), models.Value(0)),
                condition=models.Q(status="active") & ~models.Q(item_code=""),
                name="rules_one_active_set_per_item",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """One named CEL expression; compiled and type-checked on save. ``fields`` is what the
    compiled expression reads (computed on save), so only the connectors needed are called."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("规则名称"), max_length=128)
    expression = models.TextField(_("表达式（CEL）"))
    message = models.CharField(_("不通过时的说明"), max_length=256)
    severity = models.CharField(
        _("严重程度"), max_length=16, choices=Severity.choices, default=Severity.BLOCKING
    )
    fields = models.JSONField(_("读取字段"), default=list, blank=True)

    class Meta:
        ordering = ["rule_set_id", "position"]
        verbose_name = _("规则")
        verbose_name_plural = _("规则")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "position"], name="rules_rule_position")
        ]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    PASS = "pass", _("全部通过")
    FAIL = "fail", _("未通过")
    REVIEW = "needs_review", _("转人工复核")


class Evaluation(models.Model):
    """One run of a rule set with its full trace (个人信息保护法第二十四条: the explanation of an
    automated decision): ``trace`` = ``[{"rule": name, "expression": …, "values": {field:
    value}, "result": "pass|fail|error", "message": …}]``, plus the sources' availability."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("规则集"), on_delete=models.PROTECT, related_name="evaluations"
    )
    case_no = models.CharField(_("办件编号"), max_length=32, blank=True, db_index=True)
    purpose = models.CharField(_("用途"), max_length=32, default="case")
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    trace = models.JSONField(_("规则轨迹"), default=list)
    sources = models.JSONField(_("数据来源"), default=dict, blank=True)
    automatic_decision = models.BooleanField(_("自动决定"), default=False)
    human_review_requested_at = models.DateTimeField(_("申请人工复核时间"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("规则评估")
        verbose_name_plural = _("规则评估")

    def __str__(self) -> str:
        return f"{self.rule_set_id} {self.case_no} {self.outcome}"


class ReplayReport(models.Model):
    """回放: a draft rule set run against past cases of its item, compared with the human
    decisions. ``matrix`` = ``{"auto_approve": {"approved": n, "denied": n}, "manual": {…}}``;
    ``disagreements`` lists each case with the rule that caused it."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("规则集"), on_delete=models.CASCADE, related_name="replays"
    )
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("截止日期"), null=True, blank=True)
    case_count = models.PositiveIntegerField(_("回放办件数"), default=0)
    agreement = models.FloatField(_("一致率"), null=True, blank=True)
    matrix = models.JSONField(_("混淆矩阵"), default=dict)
    disagreements = models.JSONField(_("不一致办件"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("回放报告")
        verbose_name_plural = _("回放报告")

    def __str__(self) -> str:
        return f"{self.rule_set_id} since {self.since}"
