"""Forms of the rating pages: every 4xx of those pages is decided here."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AppealResult, Level, QuestionSet, RectificationOutcome

LEVEL_CHOICES = [(str(value), label) for value, label in Level.choices]
PICK = _("请选择满意程度。")


class RatingForm(forms.Form):
    """整体满意度 (required) + the question set's items (optional), reasons and a comment."""

    level = forms.ChoiceField(
        label=_("整体满意度"),
        choices=LEVEL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": PICK, "invalid_choice": PICK},
    )
    reasons = forms.MultipleChoiceField(
        label=_("原因（选填，可多选）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(
        label=_("意见和建议"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("不超过 500 字。您的姓名和电话不会向被评价的工作人员显示。"),
        error_messages={"max_length": _("请不超过 500 个字。")},
    )

    def __init__(self, *args, question_set: QuestionSet, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_codes = []
        for question in question_set.questions:
            name = f"q_{question['code']}"
            self.question_codes.append(question["code"])
            self.fields[name] = forms.ChoiceField(
                label=_(question["label"]),
                choices=LEVEL_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": PICK},
            )
        offered: list[str] = []
        for band in ("bad", "good"):
            for reason in (question_set.reasons or {}).get(band, []):
                if reason not in offered:
                    offered.append(reason)
        self.fields["reasons"].choices = [(r, _(r)) for r in offered]
        # the comment last
        self.order_fields(["level", *[f"q_{c}" for c in self.question_codes], "reasons"])

    def question_fields(self):
        return [self[f"q_{code}"] for code in self.question_codes]

    def answers(self) -> dict:
        return {
            code: self.cleaned_data.get(f"q_{code}")
            for code in self.question_codes
            if self.cleaned_data.get(f"q_{code}")
        }


class DeviceRatingForm(forms.Form):
    level = forms.TypedChoiceField(
        choices=LEVEL_CHOICES, coerce=int, error_messages={"required": PICK, "invalid_choice": PICK}
    )


class VerifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("回访核实情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写回访核实的情况。")},
    )


class RespondForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("整改方式"),
        choices=RectificationOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择一种整改方式。")},
    )
    fix_by = forms.DateField(
        label=_("整改完成日期（限期整改时填写）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请按 2026-12-01 的格式填写日期。")},
    )
    reply = forms.CharField(
        label=_("整改答复"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写给评价人的整改答复。")},
    )


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("通过，告知评价人")), ("send_back", _("退回重新整改"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择审核结论。")},
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填。"),
    )


class AppealForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("申诉理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请写明申诉理由。")},
    )


class AppealDecideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label=_("复核结论"),
        choices=[
            (AppealResult.MISTAKEN, _("申诉成立：误评")),
            (AppealResult.MALICIOUS, _("申诉成立：恶意差评")),
            ("rejected", _("申诉不成立，继续整改")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择复核结论。")},
    )
    note = forms.CharField(
        label=_("复核意见"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写复核意见。")},
    )


class FlagReviewForm(forms.Form):
    genuine = forms.ChoiceField(
        label=_("核查结论"),
        choices=[("yes", _("确认为本人真实评价")), ("no", _("非本人真实评价，不计入统计"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择核查结论。")},
    )
    note = forms.CharField(label=_("核查说明"), required=False, max_length=2000)


class DeviceRegisterForm(forms.Form):
    code = forms.CharField(label=_("设备编号"), max_length=32)
    department = forms.ChoiceField(label=_("所属部门"))
    window = forms.CharField(label=_("窗口"), max_length=64)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(str(d.pk), d.name) for d in departments]


class PushForm(forms.Form):
    device = forms.ChoiceField(label=_("评价器"))
    case_no = forms.CharField(
        label=_("办件编号（选填）"),
        required=False,
        max_length=32,
        help_text=_("刚办理的办件，可不填。"),
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].choices = [(d.code, f"{d.window}（{d.code}）") for d in devices]
