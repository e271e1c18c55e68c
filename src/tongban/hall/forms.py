"""Forms of the hall pages: every 4xx is decided here or by a service's DomainError."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [
    _("星期一"),
    _("星期二"),
    _("星期三"),
    _("星期四"),
    _("星期五"),
    _("星期六"),
    _("星期日"),
]


def day_choices(days) -> list[tuple[str, str]]:
    return [(d.isoformat(), f"{d:%m-%d} {WEEKDAYS[d.weekday()]}{label}") for d, label in days]


class BookingForm(forms.Form):
    """What, which day and which slot. The slot choices are filled by the view for the chosen
    day; without JavaScript the visitor picks what and day, presses 查看可预约时段, then a
    slot."""

    what = forms.ChoiceField(label=_("办理事项"), choices=())
    date = forms.ChoiceField(label=_("预约日期"), choices=())
    slot = forms.ChoiceField(
        label=_("预约时段"), choices=(), required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args, what_choices=(), days=(), slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what"].choices = [("", _("请选择")), *what_choices]
        self.fields["date"].choices = day_choices(days)
        self.fields["slot"].choices = list(slots)

    def clean_date(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["date"])

    def clean_slot(self) -> dt.time | None:
        value = self.cleaned_data.get("slot")
        return dt.time.fromisoformat(value) if value else None


class RescheduleForm(forms.Form):
    date = forms.ChoiceField(label=_("新的预约日期"), choices=())
    slot = forms.ChoiceField(
        label=_("新的预约时段"), choices=(), required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args, days=(), slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].choices = day_choices(days)
        self.fields["slot"].choices = list(slots)

    def clean_date(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["date"])

    def clean_slot(self) -> dt.time | None:
        value = self.cleaned_data.get("slot")
        return dt.time.fromisoformat(value) if value else None


class TakeByCodeForm(forms.Form):
    booking_code = forms.CharField(
        label=_("预约码"),
        max_length=12,
        help_text=_("预约成功短信里的 8 位预约码"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class TakeByIdForm(forms.Form):
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        help_text=_("有预约的，输入身份证号即可取号"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class TransferForm(forms.Form):
    group_code = forms.ChoiceField(label=_("转往业务类别"), choices=())
    reason = forms.CharField(label=_("转组原因"), max_length=200, required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group_code"].choices = [(g.code, f"{g.code} · {g.name}") for g in groups]


class FinishForm(forms.Form):
    case_no = forms.CharField(
        label=_("办件编号（选填）"),
        max_length=32,
        required=False,
        help_text=_("本次受理或出件的办件编号，评价将关联到该办件"),
    )
