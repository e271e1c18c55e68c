"""The catalogue workbook's layout: its sheets, their columns, and how each cell is written and
read. ``docs/catalog-workbook.md`` describes the same layout for the people who edit it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ..models import (
    Bundle,
    Faq,
    Fee,
    LegalBasis,
    LifeEvent,
    Material,
    MaterialHolder,
    Necessity,
    ServiceItem,
    ServiceItemVersion,
    SituationOption,
    SituationQuestion,
    SpecialProcedure,
    Theme,
)
from ..models.codes import (
    ApplicantKind,
    Audience,
    Channel,
    Delivery,
    ExerciseLevel,
    HandlingType,
    ItemType,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    SpecialProcedureKind,
    VersionStatus,
)

LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
YES, NO = "是", "否"
PUBLISHED, UNPUBLISHED = "已发布", "未发布"
LIMIT_UNITS = (("workday", "工作日"), ("day", "自然日"))


class CellError(ValueError):
    """A cell that cannot be read; the message is shown with the cell's address."""


@dataclass(frozen=True)
class Col:
    """One column: its header, the spec key it fills, and how its cells are written and read.

    Kinds: ``text``, ``code`` (stripped; ``slug`` when it must be a slug), ``int``, ``bool``
    (是/否), ``published`` (已发布/未发布), ``choice`` (label or code of ``choices``),
    ``choices`` (several, separated by 、), ``codes`` and ``ints`` (several, separated by 、),
    ``lines`` (one entry per line), ``json`` (a JSON list) and ``info`` (written, never read).
    """

    header: str
    key: str
    kind: str = "text"
    required: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    default: Any = None
    width: int = 14

    @property
    def is_read(self) -> bool:
        return self.kind != "info"


@dataclass(frozen=True)
class SheetDef:
    title: str
    columns: tuple[Col, ...]

    def column(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)


def _len(model, name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _choices(choices) -> tuple[tuple[str, str], ...]:
    return tuple((str(v), str(label)) for v, label in choices)


def _code(header, key, model, name=None, *, required=True, slug=False, width=14):
    return Col(
        header,
        key,
        "slug" if slug else "code",
        required=required,
        max_length=_len(model, name or key),
        width=width,
    )


def _text(header, key, model, name=None, *, required=False, width=24):
    return Col(
        header, key, "text", required=required, max_length=_len(model, name or key), width=width
    )


def _choice(header, key, choices, *, required=False, default=None, width=12):
    return Col(
        header,
        key,
        "choice",
        required=required,
        choices=_choices(choices),
        default=default,
        width=width,
    )


_ITEM_CODE = _code("实施编码", "implementation_code", ServiceItem, width=34)
V = ServiceItemVersion

ITEMS = SheetDef(
    "事项",
    (
        _ITEM_CODE,
        _code("基本编码", "basic_code", ServiceItem),
        _choice("行使层级", "exercise_level", ExerciseLevel.choices, required=True),
        Col("实施主体编码", "department", "code", required=True),
        Col("实施主体名称", "department_name", "info", width=24),
        Col("业务办理项序号", "handling_suffix", "code", max_length=2, default="00"),
        _code("地方基本编码", "local_basic_code", ServiceItem, required=False),
        _code("地方实施编码", "local_implementation_code", ServiceItem, required=False),
        _choice("状态", "status", VersionStatus.choices, required=True),
        _text("事项名称", "name", V, required=True, width=30),
        _text("别名", "aliases", V),
        _choice("事项类型", "item_type", ItemType.choices, required=True),
        _choice("服务对象", "applicant_kind", ApplicantKind.choices, default=ApplicantKind.PERSON),
        Col("事项简介", "summary", width=40),
        Col("受理条件", "conditions", width=40),
        Col("法定办结时限（工作日）", "legal_limit_days", "int", required=True),
        _text("法定时限说明", "legal_limit_note", V),
        Col("承诺办结时限（工作日）", "promised_limit_days", "int", required=True),
        _text("承诺时限说明", "promised_limit_note", V),
        _choice("办件类型", "handling_type", HandlingType.choices, default=HandlingType.PROMISED),
        Col("到办事现场次数", "visits", "int", default=0),
        _text("必须现场办理原因", "visits_reason", V),
        _choice(
            "网上办理深度", "online_depth", OnlineDepth.choices, default=OnlineDepth.FULLY_ONLINE
        ),
        Col("办理渠道", "channels", "choices", choices=_choices(Channel.choices), width=24),
        Col("送达方式", "deliveries", "choices", choices=_choices(Delivery.choices), width=24),
        Col("办理流程", "process_steps", "lines", width=40),
        Col("申请表字段", "form_fields", "json", width=30),
        _text("办理结果名称", "outcome_name", V),
        _text("结果证照类型代码", "outcome_licence_type", V),
        Col("是否收费", "charges_fee", "bool"),
        _text("咨询电话", "consult_phone", V),
        _text("监督投诉电话", "complaint_phone", V),
        _text("办理地点", "location", V),
        _text("办理时间", "hours", V),
        Col("主题", "themes", "codes"),
        Col("人生事件", "life_events", "codes"),
        Col("质量提示", "quality", "info", width=40),
    ),
)

LEGAL_BASES = SheetDef(
    "设定依据",
    (
        _ITEM_CODE,
        _text("法律法规名称", "law_name", LegalBasis, required=True, width=30),
        _text("依据文号", "document_number", LegalBasis),
        _text("条款号", "clause_number", LegalBasis),
        Col("条款内容", "clause_text", width=50),
    ),
)

SPECIAL_PROCEDURES = SheetDef(
    "特别程序",
    (
        _ITEM_CODE,
        _choice("种类", "kind", SpecialProcedureKind.choices, required=True),
        Col("时限", "limit_days", "int", required=True),
        _choice("时限单位", "limit_unit", LIMIT_UNITS, default="workday"),
        _text("说明", "note", SpecialProcedure),
        _text("负责单位", "responsible", SpecialProcedure),
    ),
)

FEES = SheetDef(
    "收费",
    (
        _ITEM_CODE,
        _text("收费项目", "name", Fee, required=True),
        _text("收费标准", "standard", Fee, required=True),
        _text("收费依据", "basis", Fee, required=True),
        Col("是否允许减免", "reducible", "bool"),
        _text("减免依据", "reduction_basis", Fee),
    ),
)

FAQS = SheetDef(
    "常见问题",
    (
        _ITEM_CODE,
        _text("问题", "question", Faq, required=True, width=40),
        Col("解答", "answer", required=True, width=60),
    ),
)

MATERIALS = SheetDef(
    "材料",
    (
        _ITEM_CODE,
        Col("材料序号", "seq", "int", required=True, width=10),
        _text("材料名称", "name", Material, required=True, width=30),
        _choice("必要性", "necessity", Necessity.choices, default=Necessity.REQUIRED),
        _text("提交条件", "condition", Material),
        _choice("材料形式", "form", MaterialForm.choices, default=MaterialForm.ELECTRONIC),
        Col("份数", "copies", "int", default=1, width=8),
        _choice("来源渠道", "source", MaterialSource.choices, default=MaterialSource.APPLICANT),
        _text("来源说明", "source_note", Material),
        _text("电子证照类型代码", "licence_type", Material),
        Col("填报须知", "notes", width=30),
        Col("可容缺", "deferrable", "bool", width=8),
        Col("可告知承诺替代", "commitment_replaceable", "bool", width=8),
        _choice("材料所属人", "holder", MaterialHolder.choices, default=MaterialHolder.APPLICANT),
    ),
)

QUESTIONS = SheetDef(
    "情形问题",
    (
        _ITEM_CODE,
        _code("问题编码", "code", SituationQuestion, slug=True),
        _text("问题", "text", SituationQuestion, required=True, width=36),
        _text("说明", "help_text", SituationQuestion),
        Col("前置选项", "shown_if", "code", width=20),
    ),
)

OPTIONS = SheetDef(
    "情形选项",
    (
        _ITEM_CODE,
        _code("问题编码", "question", SituationQuestion, "code", slug=True),
        _code("选项编码", "code", SituationOption, slug=True),
        _text("选项", "label", SituationOption, required=True),
        _text("增加条件", "adds_condition", SituationOption),
        Col("增加材料", "adds", "ints"),
        Col("免交材料", "removes", "ints"),
    ),
)


def _tag_sheet(title: str, model) -> SheetDef:
    return SheetDef(
        title,
        (
            _code("编码", "code", model, slug=True),
            _text("名称", "name", model, required=True),
            _choice("面向", "audience", Audience.choices, required=True),
            Col("排序", "order", "int", default=0, width=8),
        ),
    )


THEMES = _tag_sheet("主题", Theme)
LIFE_EVENTS = _tag_sheet("人生事件", LifeEvent)

_BUNDLE_CODE = _code("一件事编码", "bundle", Bundle, "code", slug=True, width=20)

BUNDLES = SheetDef(
    "一件事",
    (
        _code("编码", "code", Bundle, slug=True, width=20),
        _text("名称", "name", Bundle, required=True),
        Col("简介", "summary", width=40),
        _choice("面向", "audience", Audience.choices, default=Audience.PERSON),
        Col("状态", "is_published", "published", width=10),
        Col("主题", "themes", "codes"),
        Col("人生事件", "life_events", "codes"),
        Col("合并申请表字段", "form_fields", "json", width=30),
    ),
)

BUNDLE_ITEMS = SheetDef(
    "一件事事项",
    (
        _BUNDLE_CODE,
        _code("实施编码", "item", ServiceItem, "implementation_code", width=34),
        Col("事项名称", "item_name", "info", width=30),
    ),
)

BUNDLE_QUESTIONS = SheetDef(
    "一件事问题",
    (
        _BUNDLE_CODE,
        _code("问题编码", "code", SituationQuestion, slug=True),
        _text("问题", "text", SituationQuestion, required=True, width=36),
        _text("说明", "help_text", SituationQuestion),
    ),
)

BUNDLE_OPTIONS = SheetDef(
    "一件事选项",
    (
        _BUNDLE_CODE,
        _code("问题编码", "question", SituationQuestion, "code", slug=True),
        _code("选项编码", "code", SituationOption, slug=True),
        _text("选项", "label", SituationOption, required=True),
        _text("增加条件", "adds_condition", SituationOption),
        Col("不需办理的事项", "excludes", "codes", width=34),
    ),
)

# In workbook order (after the 说明 sheet, which import ignores).
SHEETS = (
    THEMES,
    LIFE_EVENTS,
    ITEMS,
    LEGAL_BASES,
    SPECIAL_PROCEDURES,
    FEES,
    FAQS,
    MATERIALS,
    QUESTIONS,
    OPTIONS,
    BUNDLES,
    BUNDLE_ITEMS,
    BUNDLE_QUESTIONS,
    BUNDLE_OPTIONS,
)
README_TITLE = "说明"


# --- writing ------------------------------------------------------------------------------


def to_cell(col: Col, value: Any) -> Any:
    """The cell value for a spec value (labels for codes, 是/否, lists joined by 、)."""
    kind = col.kind
    if kind == "choice":
        return dict(col.choices).get(str(value), value)
    if kind == "choices":
        labels = dict(col.choices)
        return "、".join(labels.get(str(v), str(v)) for v in value)
    if kind in ("codes", "ints"):
        return "、".join(str(v) for v in value)
    if kind == "bool":
        return YES if value else NO
    if kind == "published":
        return PUBLISHED if value else UNPUBLISHED
    if kind == "lines":
        if all(isinstance(s, str) and s.strip() and "\n" not in s for s in value):
            return "\n".join(value)
        return json.dumps(value, ensure_ascii=False)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False) if value else ""
    return "" if value is None else value


# --- reading ------------------------------------------------------------------------------


def _as_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return YES if raw else NO
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _as_int(raw: Any, col: Col) -> int | None:
    if isinstance(raw, bool):
        raise CellError(_("%(label)s应为整数。") % {"label": col.header})
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = _as_text(raw).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise CellError(
        _("%(label)s应为整数，“%(v)s”不是整数。") % {"label": col.header, "v": text[:40]}
    )


def _match_choice(text: str, col: Col) -> str:
    candidates = [text] + ([text.zfill(2)] if text.isdigit() else [])
    for value, label in col.choices:
        if label in candidates or value in candidates:
            return value
    raise CellError(
        _("%(label)s“%(v)s”不是可选值（可选：%(c)s）。")
        % {"label": col.header, "v": text[:40], "c": "、".join(lab for _v, lab in col.choices)}
    )


def _split(text: str) -> list[str]:
    return [p.strip() for p in LIST_SEPARATORS.split(text) if p.strip()]


def _json_list(text: str, col: Col) -> list:
    try:
        value = json.loads(text)
    except ValueError:
        raise CellError(
            _("%(label)s不是有效的 JSON（应为 [...] 形式的列表）。") % {"label": col.header}
        ) from None
    if not isinstance(value, list):
        raise CellError(_("%(label)s应为 JSON 列表（[...]）。") % {"label": col.header})
    return value


def from_cell(col: Col, raw: Any) -> Any:
    """The spec value of a cell; raises ``CellError`` with a message naming the column."""
    text = _as_text(raw)
    empty = not text.strip()
    kind = col.kind
    if empty and col.required and kind not in ("bool", "published"):
        raise CellError(_("%(label)s不能为空。") % {"label": col.header})
    if kind in ("code", "slug"):
        text = text.strip()
        if empty and col.default is not None:
            return col.default
        if kind == "slug" and text and not SLUG.match(text):
            raise CellError(
                _("%(label)s“%(v)s”只能包含字母、数字、连字符和下划线。")
                % {"label": col.header, "v": text[:40]}
            )
    if kind in ("text", "code", "slug"):
        if col.max_length and len(text) > col.max_length:
            raise CellError(
                _("%(label)s不能超过 %(n)d 个字。") % {"label": col.header, "n": col.max_length}
            )
        return text
    if kind == "int":
        return col.default if empty else _as_int(raw, col)
    if kind == "choice":
        return col.default if empty else _match_choice(text.strip(), col)
    if kind == "choices":
        return [_match_choice(p, col) for p in _split(text)]
    if kind == "codes":
        return _split(text)
    if kind == "ints":
        return sorted(_as_int(p, col) for p in _split(text))
    if kind in ("bool", "published"):
        return _read_flag(text.strip(), col)
    if kind == "lines":
        if text.lstrip().startswith("["):
            return _json_list(text, col)
        return [line.strip() for line in text.splitlines() if line.strip()]
    if kind == "json":
        return [] if empty else _json_list(text, col)
    return text


def _read_flag(text: str, col: Col) -> bool:
    yes = {YES, PUBLISHED, "Y", "y", "1", "TRUE", "True", "true", "√"}
    no = {NO, UNPUBLISHED, "N", "n", "0", "FALSE", "False", "false", ""}
    if text in yes:
        return True
    if text in no:
        return False
    pair = (PUBLISHED, UNPUBLISHED) if col.kind == "published" else (YES, NO)
    raise CellError(
        _("%(label)s应填“%(y)s”或“%(n)s”。") % {"label": col.header, "y": pair[0], "n": pair[1]}
    )
