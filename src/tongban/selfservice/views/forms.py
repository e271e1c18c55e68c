"""Forms of the kiosk and the locker pages (every 4xx is decided here or by a DomainError)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class IdentifyForm(forms.Form):
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        min_length=18,
        help_text=_("18 位，最后一位可以是 X。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "class": "input"}
        ),
        error_messages={
            "required": _("请输入身份证号码。"),
            "min_length": _("请输入 18 位身份证号码。"),
            "max_length": _("请输入 18 位身份证号码。"),
        },
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        help_text=_("6 位数字，5 分钟内有效。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "input"}
        ),
        error_messages={"required": _("请输入短信验证码。")},
    )


class PickupForm(forms.Form):
    code = forms.CharField(
        label=_("取件码"),
        max_length=16,
        help_text=_("短信中的 8 位数字。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "class": "input"}
        ),
        error_messages={"required": _("请输入取件码。")},
    )


class BookingCodeForm(forms.Form):
    booking_code = forms.CharField(
        label=_("预约码"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "input"}),
        error_messages={"required": _("请输入预约码。")},
    )


class PlaceForm(forms.Form):
    case_no = forms.CharField(
        label=_("办件编号"),
        max_length=32,
        error_messages={"required": _("请填写办件编号。")},
    )
    compartment = forms.TypedChoiceField(
        label=_("格口"), coerce=int, error_messages={"required": _("请选择格口。")}
    )

    def __init__(self, *args, compartments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compartment"].choices = [("", _("请选择"))] + [
            (c.pk, f"{c.bank.name} {c.label}（{c.get_size_display()}）") for c in compartments
        ]


class RemoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    carrier = forms.CharField(label=_("快递公司"), max_length=32, required=False)
    tracking_no = forms.CharField(label=_("快递单号"), max_length=64, required=False)
