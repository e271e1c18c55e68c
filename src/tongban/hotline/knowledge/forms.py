"""Forms of the knowledge pages: the article form, review, withdrawal, the search box."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core import selectors as core_selectors

from . import access
from .selectors import subjects_for_choice

TEXTAREA = forms.Textarea(attrs={"rows": 4})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def required(label) -> dict:
    return {"required": _("请填写%(label)s。") % {"label": label}}


class ArticleForm(forms.Form):
    title = forms.CharField(
        label=_("标题"),
        max_length=200,
        help_text=_("用群众的说法写清问的是什么，例如“离职后怎样提取住房公积金”。"),
        error_messages=required(_("标题")),
    )
    content = forms.CharField(
        label=_("内容"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "话务员直接照此答复：写明条件、材料、办理地点和时间、咨询电话和政策依据（文号）。"
        ),
        error_messages=required(_("内容")),
    )
    keywords = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=256,
        help_text=_("群众常用的其他说法，用顿号或逗号分隔，例如“公积金提取、离职提取”。"),
    )
    department = forms.ChoiceField(label=_("责任单位"), help_text=_("负责维护并更新该条目的单位。"))
    subject = forms.ChoiceField(label=_("诉求分类"), required=False)
    valid_from = forms.DateField(
        label=_("生效日期"),
        required=False,
        widget=DATE,
        help_text=_("不填为今天。"),
        error_messages={"invalid": _("生效日期：请按“2026-01-31”的格式填写。")},
    )
    valid_until = forms.DateField(
        label=_("失效日期"),
        required=False,
        widget=DATE,
        help_text=_(
            "政策到期或需要复核的日期；过期后话务员检索不到，并提醒本单位更新。不填为长期有效。"
        ),
        error_messages={"invalid": _("失效日期：请按“2026-12-31”的格式填写。")},
    )
    expected_updated_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = core_selectors.departments_list()
        if not access.edits_everything(user):
            departments = departments.filter(pk=access.own_department_id(user))
        self.fields["department"].choices = [(d.code, d.name) for d in departments]
        self.fields["subject"].choices = [("", _("（不限分类）")), *subjects_for_choice()]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        widget=forms.RadioSelect,
        choices=[("publish", _("通过，发布给话务员使用")), ("send_back", _("退回修改"))],
        error_messages=required(_("审核结论")),
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("退回修改时必填：写明需要修改什么。"),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("下架原因"),
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("例如“政策已废止（文号）”或“内容已并入其他条目”。"),
        error_messages=required(_("下架原因")),
    )
    confirm = forms.BooleanField(
        label=_("我已核对：下架后话务员将检索不到该条目"),
        error_messages={"required": _("请勾选确认后再下架。")},
    )


class SubmitForm(forms.Form):
    pass


ACTION_FORMS = {"submit": SubmitForm, "review": ReviewForm, "withdraw": WithdrawForm}
