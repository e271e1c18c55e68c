"""Forms of the grid worker's pages (their 4xx are decided here; the services decide the rest)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.hotline.models import TicketType

from ..models import VisitOutcome

EVENT_TYPES = [
    (TicketType.HELP, _("求助（需要有关部门处理）")),
    (TicketType.COMPLAINT, _("投诉（反映问题）")),
    (TicketType.REPORT, _("举报（违法违规）")),
    (TicketType.SUGGESTION, _("建议")),
]
ON_SPOT = [("no", _("处理不了，上报派单")), ("yes", _("已当场解决（自行处置）"))]


class EventForm(forms.Form):
    photo = forms.FileField(
        label=_("现场照片"),
        required=False,
        help_text=_("拍一张现场照片（JPG 或 PNG，不超过 10 MB）。"),
        widget=forms.FileInput(
            attrs={"accept": "image/*", "capture": "environment", "class": "input-file"}
        ),
    )
    content = forms.CharField(
        label=_("发生了什么"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请写明发现的问题。")},
    )
    address = forms.CharField(
        label=_("事发地址"),
        max_length=200,
        help_text=_("写明社区（村）、路名和门牌，例如“望湖社区望湖路 12 号”。"),
        error_messages={"required": _("请填写事发地址。")},
    )
    ticket_type = forms.ChoiceField(
        label=_("事件类型"), choices=EVENT_TYPES, initial=TicketType.HELP, widget=forms.RadioSelect
    )
    on_spot = forms.ChoiceField(
        label=_("处置方式"), choices=ON_SPOT, initial="no", widget=forms.RadioSelect
    )
    resolution = forms.CharField(
        label=_("处置情况"),
        required=False,
        max_length=2000,
        help_text=_("当场解决时必填：做了什么、结果如何。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    latitude = forms.DecimalField(
        required=False, widget=forms.HiddenInput, max_digits=12, decimal_places=8
    )
    longitude = forms.DecimalField(
        required=False, widget=forms.HiddenInput, max_digits=12, decimal_places=8
    )
    key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("on_spot") == "yes" and not (data.get("resolution") or "").strip():
            self.add_error("resolution", _("当场解决时请写明处置情况。"))
        return data


class VisitForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("上门结果"), choices=VisitOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("上门记录"),
        required=False,
        max_length=500,
        help_text=_("未遇到本人时请写明情况和下次上门安排。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
