"""Reading a workbook into rows, with every unreadable cell reported by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from tongban.core.errors import ValidationFailed

from ..errors import CatalogErrorCode
from .layout import SHEETS, CellError, Col, SheetDef, from_cell

_SHEET_ORDER = {s.title: i for i, s in enumerate(SHEETS)}


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an imported workbook, at a cell such as ``材料!C7``."""

    sheet: str
    row: int
    column: str
    message: str

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}" if self.sheet else ""

    def __str__(self) -> str:
        return f"{self.cell}：{self.message}" if self.sheet else self.message

    def sort_key(self) -> tuple:
        return (_SHEET_ORDER.get(self.sheet, -1), self.row, len(self.column), self.column)


class ImportInvalid(ValidationFailed):
    """The workbook has problems; ``problems`` lists every one. Nothing was imported."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = sorted(problems, key=ImportProblem.sort_key)
        super().__init__(
            CatalogErrorCode.IMPORT_INVALID,
            _("工作簿有 %(n)d 处错误，没有导入任何数据。第一处：%(first)s"),
            n=len(self.problems),
            first=str(self.problems[0]),
        )


@dataclass
class Row:
    """One data row: its values by spec key and the column letter of each key."""

    sheet: SheetDef
    number: int
    values: dict[str, Any]
    letters: dict[str, str]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


@dataclass
class Problems:
    """Collects problems; once a cell could not be read, later checks of it stay quiet."""

    items: list[ImportProblem] = field(default_factory=list)
    _bad: set[tuple[str, int, str]] = field(default_factory=set)
    _seen: set[ImportProblem] = field(default_factory=set)

    def add(self, row: Row, key: str, message: str, *, unreadable: bool = False) -> None:
        letter = row.letters.get(key)
        if letter is None:
            if any(c.key == key for c in row.sheet.columns):
                return  # the whole column is missing, which is reported once in row 1
            letter = "A"
        loc = (row.sheet.title, row.number, letter)
        if loc in self._bad:
            return
        if unreadable:
            self._bad.add(loc)
        self._append(ImportProblem(*loc, str(message)))

    def add_at(self, sheet: str, row: int, column: str, message: str) -> None:
        self._append(ImportProblem(sheet, row, column, str(message)))

    def _append(self, problem: ImportProblem) -> None:
        if problem not in self._seen:
            self._seen.add(problem)
            self.items.append(problem)

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportInvalid(self.items)


def _empty_value(col: Col) -> Any:
    if col.default is not None:
        return col.default
    if col.kind in ("choices", "codes", "ints", "lines", "json"):
        return []
    if col.kind in ("bool", "published"):
        return False
    if col.kind in ("int", "choice"):
        return None
    return ""


def _fallback(col: Col, raw: Any) -> Any:
    """The value an unreadable cell gets, so later checks can run on the rest of its row."""
    if col.kind in ("text", "code", "slug", "choice"):
        return "" if raw is None else str(raw)
    return _empty_value(col)


def open_workbook(source):
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError, EOFError):
        raise ImportInvalid(
            [ImportProblem("", 0, "", _("无法读取工作簿：不是有效的 Excel（.xlsx）文件。"))]
        ) from None


def _is_blank(values: tuple) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_sheet(book, sheet: SheetDef, problems: Problems) -> list[Row]:
    if sheet.title not in book.sheetnames:
        problems.add_at(sheet.title, 1, "A", _("缺少工作表“%(s)s”。") % {"s": sheet.title})
        return []
    ws = book[sheet.title]
    header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    index: dict[str, int] = {}
    for i, title in enumerate(header):
        name = str(title).strip() if title is not None else ""
        if name and name not in index:
            index[name] = i
    for i, col in enumerate(sheet.columns):
        if col.is_read and col.header not in index:
            problems.add_at(
                sheet.title,
                1,
                get_column_letter(i + 1),
                _("缺少列“%(c)s”。") % {"c": col.header},
            )
    columns = [(col, index.get(col.header)) for col in sheet.columns if col.is_read]
    letters = {col.key: get_column_letter(i + 1) for col, i in columns if i is not None}
    rows = []
    for number, cells in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if _is_blank(cells):
            continue
        row = Row(sheet, number, {}, letters)
        for col, i in columns:
            if i is None:
                row.values[col.key] = _empty_value(col)
                continue
            raw = cells[i] if i < len(cells) else None
            try:
                row.values[col.key] = from_cell(col, raw)
            except CellError as exc:
                problems.add(row, col.key, str(exc), unreadable=True)
                row.values[col.key] = _fallback(col, raw)
        rows.append(row)
    return rows


def read_workbook(source, problems: Problems) -> dict[str, list[Row]]:
    book = open_workbook(source)
    try:
        return {sheet.title: read_sheet(book, sheet, problems) for sheet in SHEETS}
    finally:
        book.close()
