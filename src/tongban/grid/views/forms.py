"""Forms of the grid worker's pages (their 4xx are decided here; the services decide the rest)."""

from __future__ import annotations

import json

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


# --------------------------------------------------------------------------- grid management


def parse_boundary(text: str) -> list:
    """The boundary as typed: a JSON ring ``[[lon, lat], …]`` or one ``经度,纬度`` point per line;
    an empty text is no boundary. ``ValueError`` when it is neither."""
    text = (text or "").strip()
    if not text:
        return []
    if text.startswith("["):
        value = json.loads(text)
        if not isinstance(value, list):
            raise ValueError("not a list")
        return value
    ring = []
    for line in text.splitlines():
        line = line.strip().replace("，", ",")
        if not line:
            continue
        parts = [p.strip() for p in line.replace(" ", ",").split(",") if p.strip()]
        if len(parts) != 2:
            raise ValueError("each line is lon,lat")
        ring.append([float(parts[0]), float(parts[1])])
    return ring


def boundary_text(ring: list) -> str:
    return "\n".join(f"{lon},{lat}" for lon, lat in ring or [])


class GridForm(forms.Form):
    """A grid's editable fields (code and street only when it is created)."""

    code = forms.SlugField(
        label=_("网格编码"),
        max_length=32,
        help_text=_("字母、数字、连字符，例如 yx-wh-01；创建后不能修改。"),
        error_messages={
            "required": _("请填写网格编码。"),
            "invalid": _("网格编码：只能使用字母、数字、连字符和下划线。"),
        },
    )
    name = forms.CharField(
        label=_("网格名称"), max_length=64, error_messages={"required": _("请填写网格名称。")}
    )
    street = forms.ChoiceField(
        label=_("所属街道"),
        error_messages={
            "required": _("请选择所属街道。"),
            "invalid_choice": _("所属街道：请从列表中选择。"),
        },
    )
    communities = forms.MultipleChoiceField(
        label=_("包含社区"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("包含社区：请从列表中选择。")},
        help_text=_("只能选择所属街道的社区（村）；也可以只画边界。"),
    )
    boundary = forms.CharField(
        label=_("网格边界"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("每行一个坐标点“经度,纬度”，至少 3 个点，例如 120.1501,30.2802；可留空。"),
    )
    is_active = forms.BooleanField(
        label=_("启用此网格"),
        required=False,
        initial=True,
        help_text=_("停用后网格员不能再在此网格上报事件，新的门边办任务也不再派到此网格。"),
    )

    def __init__(self, *args, streets=(), communities=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [("", _("（请选择）")), *streets]
        self.fields["communities"].choices = list(communities)
        if editing:
            del self.fields["code"]
            del self.fields["street"]

    def clean_boundary(self):
        try:
            return parse_boundary(self.cleaned_data.get("boundary", ""))
        except (ValueError, TypeError):
            raise forms.ValidationError(
                _("网格边界：每行写一个“经度,纬度”，例如 120.1501,30.2802。")
            ) from None


class WorkerForm(forms.Form):
    worker = forms.ChoiceField(
        label=_("网格员"),
        error_messages={
            "required": _("请选择要分配的网格员。"),
            "invalid_choice": _("网格员：请从列表中选择。"),
        },
    )

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", _("（请选择）")), *workers]
