"""Forms of the staff case pages: one per action on the case page, and the counter's steps.

Every form carries the case version it was rendered with (``expected_version``), so that an
action taken on a stale page is refused by the service instead of being done twice.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models.codes import SpecialProcedureKind
from tongban.core.errors import ValidationFailed
from tongban.core.identifiers import validate_id_number

from ..models import DeliveryMethod

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def required(label) -> dict:
    return {"required": _("请填写%(label)s。") % {"label": label}}


class ActionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    confirm_label = None  # set on destructive actions: a tick box, never a pop-up

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.confirm_label:
            self.fields["confirm"] = forms.BooleanField(
                label=self.confirm_label,
                error_messages={"required": _("请勾选确认后再提交。")},
            )


class AcceptForm(ActionForm):
    pass


class RefuseForm(ActionForm):
    confirm_label = _("我已核对：本申请不予受理，并将书面告知申请人理由")
    reason = forms.CharField(
        label=_("不予受理的理由"),
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("申请事项不属于本机关职权范围的，应告知申请人向有关行政机关申请。"),
        error_messages=required(_("不予受理的理由")),
    )


class CorrectionForm(ActionForm):
    missing = forms.MultipleChoiceField(
        label=_("需补正的材料"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("一次性告知：请勾选需要补正的全部材料。"),
    )
    other = forms.CharField(
        label=_("其他需补正的内容"),
        required=False,
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("每行一项，例如“申请表第 3 栏未签名”。"),
    )
    note = forms.CharField(label=_("补正说明"), required=False, max_length=500, widget=TEXTAREA)

    def __init__(self, *args, materials: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["missing"].choices = [(name, name) for name in materials]

    def clean(self):
        data = super().clean()
        other = [line.strip() for line in data.get("other", "").splitlines() if line.strip()]
        data["items"] = list(data.get("missing") or []) + other
        if not data["items"] and "missing" not in self.errors:
            self.add_error("missing", _("请一次列明需要补正的全部材料或内容。"))
        return data


class ClaimForm(ActionForm):
    pass


class ReleaseForm(ActionForm):
    pass


class CompleteForm(ActionForm):
    opinion = forms.CharField(
        label=_("审查意见"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=required(_("审查意见")),
    )


class ApproveForm(ActionForm):
    opinion = forms.CharField(label=_("决定意见"), required=False, max_length=2000, widget=TEXTAREA)


class DenyForm(ActionForm):
    confirm_label = _("我已核对：作出不予许可决定，并告知申请人理由和救济途径")
    reason = forms.CharField(
        label=_("不予许可的理由"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=required(_("不予许可的理由")),
    )


class SuspendForm(ActionForm):
    kind = forms.ChoiceField(label=_("特别程序种类"), choices=SpecialProcedureKind.choices)
    reason = forms.CharField(
        label=_("原因"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=required(_("进入特别程序的原因")),
    )
    expected_days = forms.IntegerField(
        label=_("预计所需时间（工作日）"),
        min_value=1,
        max_value=365,
        help_text=_("将书面告知申请人所需时间；特别程序期间不计入办理期限。"),
        error_messages={
            **required(_("预计所需时间")),
            "min_value": _("应为 1 到 365 个工作日。"),
            "max_value": _("应为 1 到 365 个工作日。"),
            "invalid": _("请填写整数。"),
        },
    )


class ResumeForm(ActionForm):
    pass


class ExtendForm(ActionForm):
    confirm_label = _("本部门负责人已批准延长 10 个工作日（只能延长一次）")
    reason = forms.CharField(
        label=_("延长期限的理由"),
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("理由将告知申请人。"),
        error_messages=required(_("延长期限的理由")),
    )


class IssueForm(ActionForm):
    result = forms.CharField(
        label=_("办理结果名称"),
        required=False,
        max_length=128,
        help_text=_("不填写时使用事项的办理结果名称。"),
    )


class DeliverForm(ActionForm):
    method = forms.ChoiceField(
        label=_("送达方式"),
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择送达方式。")},
    )
    carrier = forms.CharField(
        label=_("快递公司"), required=False, max_length=64, help_text=_("邮寄送达时填写。")
    )
    tracking_no = forms.CharField(
        label=_("快递单号"), required=False, max_length=64, help_text=_("邮寄送达时填写。")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("carrier", "tracking_no"):
            self.fields[name].conditional = True  # required for mail: not marked optional

    def clean(self):
        data = super().clean()
        if data.get("method") == DeliveryMethod.MAIL:
            if not data.get("carrier", "").strip():
                self.add_error("carrier", _("邮寄送达请填写快递公司。"))
            if not data.get("tracking_no", "").strip():
                self.add_error("tracking_no", _("邮寄送达请填写快递单号。"))
        return data


# action slug → (form, label of its button, whether it is destructive)
class HumanReviewForm(ActionForm):
    """The conclusion of a human review of an automatic decision (个人信息保护法第二十四条)."""

    upheld = forms.TypedChoiceField(
        label=_("复核结论"),
        choices=[("yes", _("维持系统作出的决定")), ("no", _("系统作出的决定需要更正"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages=required(_("复核结论")),
    )
    opinion = forms.CharField(
        label=_("复核意见"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=required(_("复核意见")),
    )


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "accept": AcceptForm,
    "refuse": RefuseForm,
    "request_correction": CorrectionForm,
    "claim": ClaimForm,
    "release": ReleaseForm,
    "complete_step": CompleteForm,
    "approve": ApproveForm,
    "deny": DenyForm,
    "suspend": SuspendForm,
    "resume": ResumeForm,
    "extend": ExtendForm,
    "issue": IssueForm,
    "deliver": DeliverForm,
    "human_review_complete": HumanReviewForm,
}


# ---------------------------------------------------------------- the counter (一窗受理)


class FindApplicantForm(forms.Form):
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=32,
        help_text=_("18 位居民身份证号码，最后一位可以是 X。"),
        error_messages=required(_("身份证号码")),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_id_number(self):
        try:
            return validate_id_number(self.cleaned_data["id_number"])
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None


class RegisterPersonForm(forms.Form):
    id_number = forms.CharField(widget=forms.HiddenInput, max_length=32)
    name = forms.CharField(label=_("姓名"), max_length=64, error_messages=required(_("姓名")))
    phone = forms.CharField(
        label=_("手机号码"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("住址"), required=False, max_length=200)


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=[("claim", _("领取")), ("release", _("退回任务池"))])
    cases = forms.MultipleChoiceField(
        label=_("办件"), error_messages={"required": _("请先勾选办件。")}
    )
    confirm = forms.BooleanField(required=False)
    next = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = self.data.getlist("cases") if hasattr(self.data, "getlist") else []
        self.fields["cases"].choices = [(v, v) for v in values[:100] if len(v) <= 32]
