"""Writing the whole catalogue to a workbook (``tongban catalog export out.xlsx``)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from tqdm import tqdm

from ..models import Bundle, LifeEvent, ServiceItemVersion, Theme
from ..models.codes import VersionStatus
from ..spec import spec_from_version
from .layout import (
    BUNDLE_ITEMS,
    BUNDLE_OPTIONS,
    BUNDLE_QUESTIONS,
    BUNDLES,
    FAQS,
    FEES,
    ITEMS,
    LEGAL_BASES,
    LIFE_EVENTS,
    MATERIALS,
    OPTIONS,
    QUESTIONS,
    README_TITLE,
    SHEETS,
    SPECIAL_PROCEDURES,
    THEMES,
    SheetDef,
    to_cell,
)
from .specs import spec_from_bundle

_STATUS_RANK = {VersionStatus.PUBLISHED: 0, VersionStatus.DRAFT: 1, VersionStatus.RETIRED: 2}
_HEADER_FONT = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass
class ExportSummary:
    items: int = 0
    bundles: int = 0
    themes: int = 0
    life_events: int = 0


def current_versions() -> list[ServiceItemVersion]:
    """Each item's current version: the published one, else its newest draft, else its newest
    retired version (an item whose every version is retired is exported as 已停用)."""
    best: dict[int, ServiceItemVersion] = {}
    versions = ServiceItemVersion.objects.select_related("item__department").order_by(
        "item__implementation_code", "-version"
    )
    for v in versions:
        held = best.get(v.item_id)
        if held is None or _STATUS_RANK[v.status] < _STATUS_RANK[held.status]:
            best[v.item_id] = v
    return sorted(best.values(), key=lambda v: v.item.implementation_code)


class _Writer:
    """Rows to write-only sheets, with headers, widths and drop-downs for choice columns."""

    def __init__(self):
        self.book = Workbook(write_only=True)
        self._readme()
        self.sheets = {s.title: self._sheet(s) for s in SHEETS}

    def _readme(self) -> None:
        ws = self.book.create_sheet(README_TITLE)
        ws.column_dimensions["A"].width = 100
        for line in README_LINES:
            ws.append([str(line)])

    def _sheet(self, sheet: SheetDef):
        ws = self.book.create_sheet(sheet.title)
        ws.freeze_panes = "A2"
        for i, col in enumerate(sheet.columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = col.width
            if col.kind == "choice" or col.kind in ("bool", "published"):
                ws.data_validations.append(self._dropdown(col, f"{letter}2:{letter}1048576"))
        header = []
        for col in sheet.columns:
            cell = WriteOnlyCell(ws, value=col.header)
            cell.font = _HEADER_FONT
            header.append(cell)
        ws.append(header)
        return ws

    @staticmethod
    def _dropdown(col, ref: str) -> DataValidation:
        if col.kind == "bool":
            labels = ["是", "否"]
        elif col.kind == "published":
            labels = ["已发布", "未发布"]
        else:
            labels = [label for _v, label in col.choices]
        dv = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
        dv.add(ref)
        return dv

    def row(self, sheet: SheetDef, values: dict[str, Any]) -> None:
        ws = self.sheets[sheet.title]
        cells = []
        for col in sheet.columns:
            value = to_cell(col, values.get(col.key))
            if value == "":
                value = None  # an empty cell, not an empty string
            cell = WriteOnlyCell(ws, value=_clean(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                if col.kind in ("code", "slug"):
                    cell.number_format = "@"
                if "\n" in value:
                    cell.alignment = _WRAP
            cells.append(cell)
        ws.append(cells)

    def save(self, target) -> None:
        self.book.save(target)


def _clean(value: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _quality_text(version: ServiceItemVersion) -> str:
    return "\n".join(
        f"[{'错误' if p.get('severity') == 'error' else '提示'}] {p.get('message', '')}"
        for p in version.quality_problems
    )


def _write_item(w: _Writer, version: ServiceItemVersion) -> None:
    spec = spec_from_version(version)
    code = spec["implementation_code"]
    w.row(
        ITEMS,
        {
            **spec,
            "status": version.status,
            "department_name": version.item.department.name,
            "quality": _quality_text(version),
        },
    )
    for sheet, key in (
        (LEGAL_BASES, "legal_bases"),
        (SPECIAL_PROCEDURES, "special_procedures"),
        (FEES, "fees"),
        (FAQS, "faqs"),
        (MATERIALS, "materials"),
    ):
        for entry in spec[key]:
            w.row(sheet, {"implementation_code": code, **entry})
    for q in spec["questions"]:
        w.row(QUESTIONS, {"implementation_code": code, **q, "shown_if": q["shown_if"] or ""})
        for o in q["options"]:
            w.row(OPTIONS, {"implementation_code": code, "question": q["code"], **o})


def _write_bundle(w: _Writer, bundle: Bundle, names: dict[str, str]) -> None:
    spec = spec_from_bundle(bundle)
    w.row(BUNDLES, spec)
    for code in spec["items"]:
        w.row(BUNDLE_ITEMS, {"bundle": spec["code"], "item": code, "item_name": names.get(code)})
    for q in spec["questions"]:
        w.row(BUNDLE_QUESTIONS, {"bundle": spec["code"], **q})
        for o in q["options"]:
            w.row(BUNDLE_OPTIONS, {"bundle": spec["code"], "question": q["code"], **o})


def catalogue_export(target, *, progress: bool | None = False, progress_file=None) -> ExportSummary:
    """Write every theme, life event, item (its current version) and bundle to ``target``
    (a path or a binary file). ``progress``: True shows a bar, None shows it on a terminal."""
    w = _Writer()
    summary = ExportSummary()
    for sheet, model in ((THEMES, Theme), (LIFE_EVENTS, LifeEvent)):
        for tag in model.objects.order_by("audience", "order", "code"):
            w.row(sheet, {k: getattr(tag, k) for k in ("code", "name", "audience", "order")})
            if model is Theme:
                summary.themes += 1
            else:
                summary.life_events += 1
    versions = current_versions()
    names = {v.item.implementation_code: v.name for v in versions}
    bar = tqdm(
        versions,
        desc=_("导出事项"),
        unit=_("项"),
        file=progress_file or sys.stderr,
        disable=None if progress is None else not progress,
    )
    for version in bar:
        _write_item(w, version)
        summary.items += 1
    for bundle in Bundle.objects.order_by("code"):
        _write_bundle(w, bundle, names)
        summary.bundles += 1
    w.save(target)
    return summary


README_LINES = (
    gettext_lazy("通办 事项目录工作簿"),
    "",
    gettext_lazy(
        "每个工作表一组要素，第一行为列名（导入时按列名识别，列的顺序可以调整，多余的列会被忽略）。"
    ),
    gettext_lazy(
        "事项与其设定依据、特别程序、收费、常见问题、材料、情形问题、情形选项按“实施编码”关联；"
        "情形选项按“问题编码”关联到问题；一件事的事项、问题和选项按“一件事编码”关联。"
    ),
    gettext_lazy(
        "多个值的单元格（办理渠道、送达方式、主题、人生事件、增加材料、免交材料、不需办理的事项）"
        "用顿号“、”分隔；办理流程每行一步；申请表字段为 JSON 列表。"
    ),
    gettext_lazy(
        "是否类的列填“是”或“否”；一件事的状态填“已发布”或“未发布”；"
        "事项的状态填“草稿”“已发布”或“已停用”。"
    ),
    gettext_lazy(
        "“实施主体名称”、一件事事项表的“事项名称”和“质量提示”只在导出时填写，导入时忽略。"
    ),
    gettext_lazy(
        "导入时先校验所有行，任何一行有错就不导入任何数据，并列出每处错误所在的工作表、行和列。"
    ),
    gettext_lazy("详细说明见 docs/catalog-workbook.md。"),
)
