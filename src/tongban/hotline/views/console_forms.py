"""Forms of the hotline console: the intake page and one form per action on a ticket.

Fields are named after the services' keyword arguments, so that a ``DomainError`` whose ``field``
names an argument lands on the field of the same name. Every action form carries the ticket
version it was rendered with (``expected_version``): an action taken on a stale page is refused
by the service instead of being done twice.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed
from tongban.core.identifiers import validate_phone

from ..models import Hazard, ReturnReason, Satisfaction, Source, TicketType, Urgency
from ..states import TriageOutcome
from .error_summary import DOMAIN

TEXTAREA = forms.Textarea(attrs={"rows": 3})
YES_NO = [("yes", _("是")), ("no", _("否"))]


def required(label) -> dict:
    return {"required": _("请填写%(label)s。") % {"label": label}}


def choose(label) -> dict:
    return {
        "required": _("请选择%(label)s。") % {"label": label},
        "invalid_choice": _("请从列表中选择%(label)s。") % {"label": label},
    }


def subject_code_of(text: str) -> str:
    """The code typed or picked in a subject field: ``03.02.05 道路积水`` → ``03.02.05``."""
    return (text or "").strip().split(" ", 1)[0].strip()


class SubjectField(forms.CharField):
    """A subject picked from the list the page offers (``<datalist>``): code, then name."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"list": "subject-options", "autocomplete": "off", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return subject_code_of(super().clean(value)) or None


# The intake fields that the similar-tickets search reads as the operator types.
SIMILAR_FIELDS = ("caller_phone", "title", "content")


# ---------------------------------------------------------------- the intake page (接听登记)


TRIAGE_CHOICES = [
    (TriageOutcome.PROCEDURE, _("按程序办理（派单）")),
    (TriageOutcome.DIRECT_ANSWER, _("直接办结（知识库答复）")),
    (TriageOutcome.EMERGENCY_TRANSFER, _("即时转 110/119/120/122")),
    (TriageOutcome.LEGAL_ROUTE, _("告知法定途径")),
    (TriageOutcome.EXPLAIN_CLOSE, _("解释说明后办结")),
    (TriageOutcome.POLICE_REFERRAL, _("恶意骚扰，移交公安")),
]
TRIAGE_HINTS = {
    TriageOutcome.PROCEDURE: _("属于 12345 受理范围：登记后派至承办单位。"),
    TriageOutcome.DIRECT_ANSWER: _("咨询类诉求已用知识库当场答复。"),
    TriageOutcome.EMERGENCY_TRANSFER: _("属于报警、火警、急救、交通事故：即时转接相应热线。"),
    TriageOutcome.LEGAL_ROUTE: _("应通过诉讼、仲裁、纪检监察、行政复议、政府信息公开或信访解决。"),
    TriageOutcome.EXPLAIN_CLOSE: _("诉求违反法律或公序良俗，或涉及国家秘密、商业秘密、个人隐私。"),
    TriageOutcome.POLICE_REFERRAL: _("恶意骚扰、占用热线：将线索移交公安机关。"),
}
EMERGENCY_LINES = [
    ("110", _("110 报警")),
    ("119", _("119 火警")),
    ("120", _("120 急救")),
    ("122", _("122 交通事故")),
]
LEGAL_ROUTES = [
    ("litigation", _("诉讼")),
    ("arbitration", _("仲裁")),
    ("discipline", _("纪检监察")),
    ("reconsideration", _("行政复议")),
    ("disclosure", _("政府信息公开")),
    ("petition", _("信访")),
]
EXPLAIN_GROUNDS = [
    ("unlawful", _("违反法律法规或公序良俗")),
    ("state_secret", _("涉及国家秘密或工作秘密")),
    ("business_secret", _("涉及商业秘密")),
    ("privacy", _("涉及他人个人隐私或个人信息")),
]


# The outcomes a picked knowledge article turns into 直接办结 (any other one was chosen on purpose).
ARTICLE_OUTCOMES = (TriageOutcome.PROCEDURE, TriageOutcome.DIRECT_ANSWER)


class IntakeForm(forms.Form):
    """One call, recorded on one screen. Fields in the order the operator tabs through them."""

    caller_phone = forms.CharField(
        label=_("来电号码"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel", "autofocus": True}
        ),
    )
    caller_name = forms.CharField(
        label=_("来电人姓名"),
        required=False,
        max_length=64,
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    anonymous = forms.BooleanField(label=_("匿名举报（不留姓名电话）"), required=False)
    confidential = forms.BooleanField(
        label=_("来电人要求保密"),
        required=False,
        help_text=_("按 GB/T 33358 保密办理，承办单位看不到姓名和电话。"),
    )
    ticket_type = forms.ChoiceField(
        label=_("诉求类型"),
        choices=TicketType.choices,
        widget=forms.RadioSelect,
        error_messages=choose(_("诉求类型")),
    )
    content = forms.CharField(
        label=_("诉求内容"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=required(_("诉求内容")),
    )
    title = forms.CharField(
        label=_("标题"),
        required=False,
        max_length=128,
        help_text=_("不填写时取诉求内容的开头。"),
    )
    address = forms.CharField(
        label=_("事发地址"),
        required=False,
        max_length=200,
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    subject_code = SubjectField(
        label=_("诉求分类"),
        help_text=_("输入关键词（如“积水”“噪音”）后从列表中选择；不选时由派单规则建议。"),
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
        error_messages=choose(_("紧急程度")),
    )
    hazard = forms.ChoiceField(
        label=_("险情类别"),
        choices=Hazard.choices,
        required=False,
        initial=Hazard.NONE,
        widget=forms.RadioSelect,
    )
    source = forms.ChoiceField(
        label=_("来源"),
        choices=[c for c in Source.choices if c[0] not in (Source.OPEN311, Source.IMPORTED)],
        initial=Source.PHONE,
        widget=forms.RadioSelect,
        error_messages=choose(_("来源")),
    )
    triage = forms.ChoiceField(
        label=_("分办结果"),
        choices=TRIAGE_CHOICES,
        initial=TriageOutcome.PROCEDURE,
        widget=forms.RadioSelect,
        error_messages=choose(_("分办结果")),
    )
    emergency_line = forms.ChoiceField(
        label=_("转接热线"), choices=EMERGENCY_LINES, required=False, widget=forms.RadioSelect
    )
    legal_route = forms.ChoiceField(
        label=_("告知的法定途径"), choices=LEGAL_ROUTES, required=False, widget=forms.RadioSelect
    )
    explain_ground = forms.ChoiceField(
        label=_("解释说明的理由"), choices=EXPLAIN_GROUNDS, required=False, widget=forms.RadioSelect
    )
    triage_note = forms.CharField(
        label=_("答复或说明"),
        required=False,
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("按程序办理时可不填；其他分办结果请写明告诉来电人的内容。"),
    )
    article_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    missed_call = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caller_phone"].conditional = True  # required for a phone call
        for name in SIMILAR_FIELDS:
            self.fields[name].widget.attrs["data-similar"] = ""
        self.fields["content"].widget.attrs["data-knowledge"] = ""
        self.fields["title"].widget.attrs["data-knowledge"] = ""

    def clean_caller_phone(self):
        phone = (self.cleaned_data.get("caller_phone") or "").strip()
        if not phone:
            return ""
        try:
            return validate_phone(phone, field="caller_phone")
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=DOMAIN) from None

    def clean(self):
        data = super().clean()
        outcome = data.get("triage")
        if data.get("article_id") and outcome in (None, *ARTICLE_OUTCOMES):
            # "用此条直接办结" picked among the knowledge hits: the call is answered directly.
            outcome = data["triage"] = TriageOutcome.DIRECT_ANSWER
            self.errors.pop("triage", None)
        elif data.get("article_id"):
            data["article_id"] = None  # another outcome was chosen on purpose
        anonymous = data.get("anonymous")
        if anonymous and data.get("ticket_type") not in (None, TicketType.REPORT):
            self.add_error("anonymous", _("只有举报可以匿名。"))
        if (
            not anonymous
            and data.get("source") == Source.PHONE
            and not (data.get("caller_phone") or "").strip()
            and "caller_phone" not in self.errors
        ):
            self.add_error("caller_phone", _("请填写来电号码；匿名举报请勾选“匿名举报”。"))
        if outcome == TriageOutcome.EMERGENCY_TRANSFER and not data.get("emergency_line"):
            self.add_error("emergency_line", _("请选择转接的紧急热线。"))
        if outcome == TriageOutcome.LEGAL_ROUTE and not data.get("legal_route"):
            self.add_error("legal_route", _("请选择告知来电人的法定途径。"))
        if outcome == TriageOutcome.EXPLAIN_CLOSE and not data.get("explain_ground"):
            self.add_error("explain_ground", _("请选择解释说明的理由。"))
        if (
            outcome == TriageOutcome.DIRECT_ANSWER
            and not data.get("article_id")
            and not (data.get("triage_note") or "").strip()
        ):
            self.add_error(
                "triage_note", _("直接办结请选用一条知识库答复，或写明答复来电人的内容。")
            )
        if outcome == TriageOutcome.POLICE_REFERRAL and not (data.get("triage_note") or "").strip():
            self.add_error("triage_note", _("移交公安请写明骚扰情况。"))
        if not data.get("title") and data.get("content"):
            data["title"] = " ".join(data["content"].split())[:30]
        return data

    def closing_note(self) -> str:
        """What the operator told the caller, with the route or line picked, as one text."""
        data = self.cleaned_data
        outcome = data["triage"]
        picked = ""
        if outcome == TriageOutcome.EMERGENCY_TRANSFER:
            picked = dict(EMERGENCY_LINES)[data["emergency_line"]]
        elif outcome == TriageOutcome.LEGAL_ROUTE:
            picked = dict(LEGAL_ROUTES)[data["legal_route"]]
        elif outcome == TriageOutcome.EXPLAIN_CLOSE:
            picked = dict(EXPLAIN_GROUNDS)[data["explain_ground"]]
        note = (data.get("triage_note") or "").strip()
        if not note and outcome == TriageOutcome.DIRECT_ANSWER and data.get("article_id"):
            note = _("已按知识库条目（编号 %(id)s）答复来电人。") % {"id": data["article_id"]}
        return "；".join(str(part) for part in (picked, note) if part)


# ---------------------------------------------------------------- actions on a ticket


class ActionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    confirm_label = None  # set on actions that cannot be undone: a tick box, never a pop-up

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.confirm_label:
            self.fields["confirm"] = forms.BooleanField(
                label=self.confirm_label,
                error_messages={"required": _("请勾选确认后再提交。")},
            )


class DepartmentChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", choose(_("承办单位")))
        super().__init__(**kwargs)


class DispatchForm(ActionForm):
    department_code = DepartmentChoiceField(label=_("承办单位"))
    to_locality = forms.BooleanField(label=_("派至事发地属地街道（镇）"), required=False)
    subject_code = SubjectField(label=_("诉求分类"))
    note = forms.CharField(label=_("派单说明"), required=False, max_length=2000, widget=TEXTAREA)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department_code"].choices = [("", _("（不派部门）")), *list(departments)]
        self.fields["department_code"].conditional = True  # a unit, or the street of the address

    def clean(self):
        data = super().clean()
        if not data.get("department_code") and not data.get("to_locality"):
            self.add_error("department_code", _("请选择承办单位，或勾选派至属地街道（镇）。"))
        return data


class CloseForm(ActionForm):
    outcome = forms.ChoiceField(
        label=_("分办结果"),
        choices=TRIAGE_CHOICES[1:],
        widget=forms.RadioSelect,
        error_messages=choose(_("分办结果")),
    )
    note = forms.CharField(
        label=_("答复或说明"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=required(_("答复或说明")),
    )
    article_id = forms.IntegerField(label=_("知识条目编号"), required=False, min_value=1)


class SignForm(ActionForm):
    pass


class ReturnRequestForm(ActionForm):
    reason = forms.ChoiceField(
        label=_("退单原因"),
        choices=ReturnReason.choices,
        widget=forms.RadioSelect,
        error_messages=choose(_("退单原因")),
    )
    explanation = forms.CharField(
        label=_("退单说明"),
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("写明不属于本单位办理的依据（三定方案、权责清单条目等）。"),
        error_messages=required(_("退单说明")),
    )
    suggested_department_code = DepartmentChoiceField(label=_("建议承办单位"))

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_department_code"].choices = [
            ("", _("（不建议）")),
            *list(departments),
        ]


class ExtensionRequestForm(ActionForm):
    reason = forms.CharField(
        label=_("延期理由"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=required(_("延期理由")),
    )
    new_due = forms.DateField(
        label=_("申请延至"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={**required(_("申请延至的日期")), "invalid": _("请填写正确的日期。")},
    )

    def clean_new_due(self):
        value = self.cleaned_data["new_due"]
        if value < dt.date(2000, 1, 1):
            raise forms.ValidationError(_("请填写正确的日期。"))
        return value


class ReplyForm(ActionForm):
    reply = forms.CharField(
        label=_("办理结果"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明办理经过和结果，将答复来电人。"),
        error_messages=required(_("办理结果")),
    )
    solved = forms.ChoiceField(
        label=_("诉求是否已解决"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages=choose(_("诉求是否已解决")),
    )


class ReturnDecideForm(ActionForm):
    accept = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("yes", _("同意退单，改派")), ("no", _("驳回退单，原单位继续办理"))],
        widget=forms.RadioSelect,
        error_messages=choose(_("审核结果")),
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("驳回退单时必须写明理由。"),
    )
    redispatch_department_code = DepartmentChoiceField(
        label=_("改派至"), help_text=_("同意退单时选择；不选则回到待派单。")
    )
    redispatch_to_locality = forms.BooleanField(label=_("改派至属地街道（镇）"), required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["redispatch_department_code"].choices = [
            ("", _("（暂不改派）")),
            *list(departments),
        ]
        self.fields["note"].conditional = True

    def clean(self):
        data = super().clean()
        if data.get("accept") == "no" and not (data.get("note") or "").strip():
            self.add_error("note", _("驳回退单请写明理由。"))
        return data


class ExtensionDecideForm(ActionForm):
    approve = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("yes", _("同意延期")), ("no", _("不同意延期"))],
        widget=forms.RadioSelect,
        error_messages=choose(_("审核结果")),
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("不同意延期时必须写明理由。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].conditional = True

    def clean(self):
        data = super().clean()
        if data.get("approve") == "no" and not (data.get("note") or "").strip():
            self.add_error("note", _("不同意延期请写明理由。"))
        return data


class CallbackForm(ActionForm):
    reached = forms.ChoiceField(
        label=_("是否联系上来电人"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages=choose(_("是否联系上来电人")),
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, required=False, widget=forms.RadioSelect
    )
    solved = forms.ChoiceField(
        label=_("来电人认为是否已解决"), choices=YES_NO, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("回访记录"), required=False, max_length=2000, widget=TEXTAREA)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("satisfaction", "solved"):
            self.fields[name].conditional = True  # when the caller was reached

    def clean(self):
        data = super().clean()
        if data.get("reached") == "yes":
            if not data.get("satisfaction"):
                self.add_error("satisfaction", _("联系上来电人时请记录满意度。"))
            if not data.get("solved"):
                self.add_error("solved", _("联系上来电人时请记录是否已解决。"))
        return data


class ReopenForm(ActionForm):
    reason = forms.CharField(
        label=_("重办理由"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=required(_("重办理由")),
    )
    department_code = DepartmentChoiceField(
        label=_("重办单位"), help_text=_("不选则由原承办单位重办。")
    )
    to_locality = forms.BooleanField(label=_("派至属地街道（镇）"), required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department_code"].choices = [("", _("（原承办单位）")), *list(departments)]


class UrgeForm(ActionForm):
    note = forms.CharField(label=_("催办内容"), required=False, max_length=2000, widget=TEXTAREA)


class EscalateForm(ActionForm):
    confirm_label = _("我已核对：本工单需提级督办")
    reason = forms.CharField(
        label=_("提级理由"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=required(_("提级理由")),
    )


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "dispatch": DispatchForm,
    "close": CloseForm,
    "sign": SignForm,
    "return_request": ReturnRequestForm,
    "extension_request": ExtensionRequestForm,
    "reply": ReplyForm,
    "return_decide": ReturnDecideForm,
    "extension_decide": ExtensionDecideForm,
    "callback": CallbackForm,
    "reopen": ReopenForm,
    "urge": UrgeForm,
    "escalate": EscalateForm,
}
# The forms that offer a list of units.
WITH_DEPARTMENTS = {"dispatch", "return_request", "return_decide", "reopen"}


# ---------------------------------------------------------------- missed calls (漏接回拨)


class MissedCallForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("回拨结果"),
        choices=[("called_back", _("已回拨")), ("unreachable", _("无法接通"))],
        widget=forms.RadioSelect,
        error_messages=choose(_("回拨结果")),
    )
    ticket_no = forms.CharField(
        label=_("登记的工单编号"),
        required=False,
        max_length=32,
        help_text=_("回拨后登记了工单的，填写工单编号。"),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=200)
