"""Configuration pages at /admin/ for case handling: each item's procedure (审查环节, 派件方式)
and its stage limits (环节时限: 受理、审查、决定、制证、送达, in working days)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AcceptancePolicy, BundlePolicy, ItemProcedure
from .services import deferrals

LIMIT_FIELDS = [
    "accept_limit_days",
    "review_limit_days",
    "decide_limit_days",
    "issue_limit_days",
    "deliver_limit_days",
]
STAGE_NAMES = [_("受理"), _("审查"), _("决定"), _("制证"), _("送达")]


class ItemProcedureForm(forms.ModelForm):
    class Meta:
        model = ItemProcedure
        fields = ["item", "steps", "assignment", "two_reviewers", *LIMIT_FIELDS]
        error_messages = {name: {"min_value": _("时限不能为负数。")} for name in LIMIT_FIELDS}
        help_texts = {
            "steps": _(
                "JSON 列表，按办理顺序写每个环节的 code、name、role（reviewer 审查人员或 "
                "approver 批准人员），最后一个为作出决定的环节。留空使用默认的“承办 → 批准”。"
                "决定环节之前的环节可加 mode：all 会签、any 或签、vote 票签（须写 quorum "
                "通过票数）、sequence 依次审批，signers 为签署人用户名列表（不写则为本部门"
                "该岗位全部人员）。例如 "
                '{"code": "joint", "name": "会审", "role": "reviewer", "mode": "vote", '
                '"quorum": 2, "signers": ["reviewer", "reviewer2", "reviewer3"]}。'
                "详见 docs/review-steps.md。"
            ),
        }


@admin.register(ItemProcedure)
class ItemProcedureAdmin(admin.ModelAdmin):
    form = ItemProcedureForm
    list_display = ["item", "assignment", "two_reviewers", "stage_limits"]
    list_select_related = ["item"]
    search_fields = ["item__implementation_code"]
    fieldsets = [
        (None, {"fields": ["item"]}),
        (_("审查环节与派件"), {"fields": ["steps", "assignment", "two_reviewers"]}),
        (
            _("环节时限（工作日）"),
            {
                "fields": LIMIT_FIELDS,
                "description": _(
                    "留空即采用法定时限（收件后 5 个工作日内受理；决定后 10 个工作日内送达），"
                    "其余环节不单独设限。环节超过时限，办件亮黄牌；超过法定办结时限，亮红牌。"
                ),
            },
        ),
    ]

    @admin.display(description=_("环节时限"))
    def stage_limits(self, obj: ItemProcedure) -> str:
        values = [getattr(obj, name) for name in LIMIT_FIELDS]
        return " · ".join(
            f"{name} {'—' if value is None else value}"
            for name, value in zip(STAGE_NAMES, values, strict=True)
        )


# [B] 容缺受理 and 告知承诺制 per item, and bundles that may conclude in part (b1).
@admin.register(AcceptancePolicy)
class AcceptancePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "item",
        "supplement_days",
        "deferral_blocks",
        "commitment_version",
        "post_check_days",
        "bar_days",
    ]
    list_select_related = ["item"]
    search_fields = ["item__implementation_code", "item__name"]
    readonly_fields = ["commitment_version"]
    autocomplete_fields = ["item"]

    def save_model(self, request, obj, form, change):
        deferrals.acceptance_policy_save(policy=obj)


@admin.register(BundlePolicy)
class BundlePolicyAdmin(admin.ModelAdmin):
    list_display = ["bundle", "partial_allowed"]
    list_select_related = ["bundle"]
