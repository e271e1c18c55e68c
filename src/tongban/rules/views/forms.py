"""Forms of the rules console pages (every 4xx is decided here or by a service's DomainError)."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ConnectorKind, RuleSetMode, Severity

BLANK_ROWS = 2
MAX_ROWS = 50


class RuleSetForm(forms.Form):
    name = forms.CharField(label=_("规则集名称"), max_length=128)
    item_code = forms.CharField(
        label=_("事项实施编码"),
        max_length=64,
        help_text=_("规则集适用的事项；保存后不可更改。"),
    )
    mode = forms.ChoiceField(
        label=_("方式"), choices=RuleSetMode.choices, widget=forms.RadioSelect, initial="assist"
    )


def rules_from_post(data) -> list[dict]:
    """The editor's rows (rule-N-name …) in order; rows left wholly blank are dropped."""
    rules = []
    for n in range(1, MAX_ROWS + 1):
        row = {
            key: str(data.get(f"rule-{n}-{key}", "")).strip()
            for key in ("name", "expression", "message", "severity")
        }
        if any(row[k] for k in ("name", "expression", "message")):
            row["row"] = n
            rules.append(row)
    return rules


def editor_rows(rules: list[dict]) -> list[dict]:
    rows = [dict(r, row=i) for i, r in enumerate(rules, start=1)]
    for n in range(len(rows) + 1, min(len(rows) + BLANK_ROWS, MAX_ROWS) + 1):
        rows.append(
            {"row": n, "name": "", "expression": "", "message": "", "severity": Severity.BLOCKING}
        )
    return rows


class ReplayForm(forms.Form):
    since = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data


class ConnectorForm(forms.Form):
    code = forms.SlugField(
        label=_("代码"),
        max_length=32,
        help_text=_("规则中用它读取字段，例如 population.hukou_city。"),
    )
    name = forms.CharField(label=_("名称"), max_length=128)
    kind = forms.ChoiceField(label=_("类型"), choices=ConnectorKind.choices)
    fields_text = forms.CharField(
        label=_("提供字段"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个：字段名:类型:说明，类型为 string、int、double、bool、date、list。"),
    )
    config_text = forms.CharField(
        label=_("配置（JSON）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            '参考数据表：{"table": 表编号}；平台数据：{"source": "persons"}；HTTP：{"url": "https://…/{id_no}", "auth_header": "Authorization", "auth_env": "环境变量名", "timeout": 2, "mapping": {}}'
        ),
    )

    def clean_fields_text(self):
        out = []
        for line in self.cleaned_data["fields_text"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("：", ":").split(":")]
            out.append(
                {
                    "name": parts[0],
                    "type": parts[1] if len(parts) > 1 and parts[1] else "string",
                    "label": parts[2] if len(parts) > 2 else parts[0],
                }
            )
        if not out:
            raise forms.ValidationError(_("请至少声明一个提供字段。"))
        return out

    def clean_config_text(self):
        try:
            value = json.loads(self.cleaned_data["config_text"])
        except ValueError:
            raise forms.ValidationError(_("配置不是有效的 JSON。")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("配置必须是 JSON 对象。"))
        return value


class TableUploadForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=128)
    key_column = forms.CharField(
        label=_("主键列"),
        max_length=64,
        help_text=_("表头中保存身份证号码或统一社会信用代码的列名。"),
    )
    file = forms.FileField(
        label=_("文件"), help_text=_("CSV（UTF-8）或 Excel（.xlsx），第一行为表头，最大 20 MB。")
    )


class CallFilterForm(forms.Form):
    connector = forms.IntegerField(label=_("连接器"), required=False, min_value=1)
    case_no = forms.CharField(label=_("办件编号"), max_length=32, required=False)
