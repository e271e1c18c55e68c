"""Forms of the applicant's pages: every 4xx of those pages is decided here."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed

from .. import application_form
from ..application_form import FormField
from ..models import MaterialStatus

REQUIRED = _("请填写此项。")


class StartForm(forms.Form):
    """Start an application: as oneself, or for an enterprise one is authorised for."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    applicant_as = forms.ChoiceField(
        label=_("以谁的名义申请？"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择以谁的名义申请。"),
            "invalid_choice": _("请选择列出的选项之一。"),
        },
    )

    def __init__(self, *args, person, enterprises, allow_self: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("self", _("本人（%(name)s）") % {"name": person.name})] if allow_self else []
        choices += [(str(e.pk), e.name) for e in enterprises]
        self.fields["applicant_as"].choices = choices
        self.enterprises = {str(e.pk): e for e in enterprises}
        if len(choices) == 1:
            self.fields["applicant_as"].initial = choices[0][0]

    def enterprise(self):
        return self.enterprises.get(self.cleaned_data["applicant_as"])


HINTS = {
    "phone": _("手机号为 11 位数字；固定电话请带区号，如 0571-87654321。"),
    "date": _("按 年-月-日 填写，如 2026-09-30。"),
    "id_number": _("18 位，最后一位可能是 X。"),
    "credit_code": _("18 位，见营业执照。"),
}


def _django_field(f: FormField) -> forms.Field:
    errors = {"required": REQUIRED}
    hint = f.help_text or HINTS.get(f.type, "")
    common = {"label": f.label, "required": f.required, "help_text": hint}
    if f.type == "choice":
        return forms.ChoiceField(
            choices=list(f.options),
            widget=forms.RadioSelect,
            error_messages={"required": _("请选择一项。"), "invalid_choice": _("请选择一项。")},
            **common,
        )
    attrs: dict[str, str] = {"autocomplete": "off"}
    if f.type == "phone":
        attrs = {"type": "tel", "autocomplete": "tel", "inputmode": "tel", "class": "input--medium"}
    elif f.type in ("id_number", "credit_code"):
        attrs = {"spellcheck": "false", "autocomplete": "off", "class": "input--medium"}
    elif f.type == "date":
        attrs = {"type": "date", "class": "input--medium"}
    elif f.type == "integer":
        attrs = {"inputmode": "numeric", "class": "input--short"}
    elif f.type == "decimal":
        attrs = {"inputmode": "decimal", "class": "input--short"}
    elif f.code in ("address", "contact_address", "premises_address"):
        attrs = {"autocomplete": "street-address"}
    if f.type == "textarea":
        widget = forms.Textarea(attrs={"rows": 5})
    else:
        widget = forms.TextInput(attrs=attrs)
    return forms.CharField(
        widget=widget, max_length=2000, strip=True, error_messages=errors, **common
    )


class FieldsForm(forms.Form):
    """Some fields of the application form, each checked by the same rules as the service."""

    def __init__(self, *args, fields: list[FormField], **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = {f.code: f for f in fields}
        for f in fields:
            self.fields[f.code] = _django_field(f)

    def clean(self):
        data = super().clean()
        for code, spec in self.specs.items():
            if code not in data:
                continue
            try:
                data[code] = application_form.clean_value(spec, data[code])
            except ValidationFailed as exc:
                self.add_error(code, exc.params.get("problem", exc.message))
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("选择文件"),
        error_messages={
            "required": _("请选择要上传的文件。"),
            "empty": _("文件：文件是空的，请重新选择。"),
            "invalid": _("请选择要上传的文件。"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.ofd"}),
    )


class MaterialWayForm(forms.Form):
    """Instead of an upload: an e-licence, deferred (容缺后补), or a commitment (告知承诺)."""

    way = forms.ChoiceField(
        choices=[
            (MaterialStatus.LICENCE, MaterialStatus.LICENCE.label),
            (MaterialStatus.DEFERRED, MaterialStatus.DEFERRED.label),
            (MaterialStatus.COMMITMENT, MaterialStatus.COMMITMENT.label),
        ],
        error_messages={"required": _("请选择一项。"), "invalid_choice": _("请选择一项。")},
    )
    promise = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("way") == MaterialStatus.COMMITMENT and not data.get("promise"):
            self.add_error("promise", _("请勾选承诺后再选择告知承诺。"))
        return data


class DeclarationForm(forms.Form):
    declaration = forms.BooleanField(
        label=_("本人承诺所填写的信息和提交的材料真实、有效，如有虚假，愿承担相应法律责任。"),
        error_messages={"required": _("请勾选声明后再提交。")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("不能超过 200 个字。")},
    )
