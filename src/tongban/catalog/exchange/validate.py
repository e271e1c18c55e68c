"""Turning workbook rows into item and bundle specs, and checking every one of them before
anything is written: each problem is reported at its sheet, row and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tongban.core.models import Department

from ..models import LifeEvent, Necessity, ServiceItem, Theme
from ..models.codes import VersionStatus
from ..quality import check_codes
from ..spec import ELEMENT_FIELDS, validate_item_spec, with_defaults
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
    SPECIAL_PROCEDURES,
    THEMES,
    SheetDef,
)
from .reader import ImportProblem, Problems, Row

IDENTITY_KEYS = (
    "department",
    "basic_code",
    "exercise_level",
    "implementation_code",
    "handling_suffix",
    "local_basic_code",
    "local_implementation_code",
)
CHILD_SHEETS = (
    (LEGAL_BASES, "legal_bases"),
    (SPECIAL_PROCEDURES, "special_procedures"),
    (FEES, "fees"),
    (FAQS, "faqs"),
    (MATERIALS, "materials"),
    (QUESTIONS, "questions"),
)
_PATH = re.compile(
    r"^(?P<list>\w+)\[(?P<i>\d+)\](?:\.(?P<sub>\w+)(?:\[(?P<j>\d+)\])?)?(?:\.(?P<field>\w+))?$"
)


@dataclass
class ItemEntry:
    row: Row
    status: str
    rows: dict[str, list[Row]] = field(default_factory=dict)
    option_rows: list[list[Row]] = field(default_factory=list)
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.row["implementation_code"]


@dataclass
class BundleEntry:
    row: Row
    item_rows: list[Row] = field(default_factory=list)
    question_rows: list[Row] = field(default_factory=list)
    option_rows: list[list[Row]] = field(default_factory=list)
    spec: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedCatalogue:
    themes: list[dict[str, Any]]
    life_events: list[dict[str, Any]]
    items: list[ItemEntry]
    bundles: list[BundleEntry]
    warnings: list[ImportProblem] = field(default_factory=list)


def _fields(row: Row, sheet: SheetDef, skip: tuple[str, ...]) -> dict[str, Any]:
    return {c.key: row[c.key] for c in sheet.columns if c.is_read and c.key not in skip}


def _unique(rows: list[Row], key: str, problems: Problems, label: str) -> dict[str, Row]:
    seen: dict[str, Row] = {}
    for row in rows:
        value = row[key]
        if not value:
            continue
        if value in seen:
            problems.add(
                row,
                key,
                _("%(label)s“%(v)s”与第 %(n)d 行重复。")
                % {"label": label, "v": value, "n": seen[value].number},
            )
        else:
            seen[value] = row
    return seen


class CatalogueValidator:
    def __init__(self, sheets: dict[str, list[Row]], problems: Problems):
        self.sheets = sheets
        self.problems = problems
        self.departments = {d.code: d for d in Department.objects.all()}
        self.warnings = Problems()

    def run(self) -> ParsedCatalogue:
        themes = self._tags(THEMES)
        life_events = self._tags(LIFE_EVENTS)
        self.theme_codes = set(Theme.objects.values_list("code", flat=True)) | {
            t["code"] for t in themes
        }
        self.life_event_codes = set(LifeEvent.objects.values_list("code", flat=True)) | {
            t["code"] for t in life_events
        }
        items = self._items()
        bundles = self._bundles(items)
        return ParsedCatalogue(
            themes, life_events, list(items.values()), bundles, self.warnings.items
        )

    # --- themes and life events ---------------------------------------------------------------

    def _tags(self, sheet: SheetDef) -> list[dict[str, Any]]:
        rows = self.sheets[sheet.title]
        unique = _unique(rows, "code", self.problems, _("编码"))
        return [_fields(row, sheet, ()) for row in unique.values()]

    def _check_tags(self, row: Row) -> None:
        for key, known, label in (
            ("themes", self.theme_codes, _("主题")),
            ("life_events", self.life_event_codes, _("人生事件")),
        ):
            unknown = [c for c in row[key] if c not in known]
            if unknown:
                self.problems.add(
                    row,
                    key,
                    _("%(label)s“%(v)s”不存在（应在“%(label)s”表中列出）。")
                    % {"label": label, "v": "、".join(unknown)},
                )

    # --- items --------------------------------------------------------------------------------

    def _items(self) -> dict[str, ItemEntry]:
        rows = self.sheets[ITEMS.title]
        items = {
            code: ItemEntry(row, row["status"], {key: [] for _s, key in CHILD_SHEETS})
            for code, row in _unique(
                rows, "implementation_code", self.problems, _("实施编码")
            ).items()
        }
        for sheet, key in CHILD_SHEETS:
            for row in self.sheets[sheet.title]:
                entry = self._owner(items, row)
                if entry is not None:
                    entry.rows[key].append(row)
                    if key == "questions":
                        entry.option_rows.append([])
        for row in self.sheets[OPTIONS.title]:
            entry = self._owner(items, row)
            if entry is None or not row["question"]:
                continue
            codes = [q["code"] for q in entry.rows["questions"]]
            if row["question"] in codes:
                entry.option_rows[codes.index(row["question"])].append(row)
            else:
                self.problems.add(
                    row,
                    "question",
                    _("事项“%(i)s”没有编码为“%(q)s”的情形问题。")
                    % {"i": entry.code, "q": row["question"]},
                )
        for entry in items.values():
            entry.spec = self._item_spec(entry)
            self._check_item(entry)
        return items

    def _owner(self, items: dict[str, ItemEntry], row: Row) -> ItemEntry | None:
        code = row["implementation_code"]
        entry = items.get(code)
        if code and entry is None:
            self.problems.add(
                row,
                "implementation_code",
                _("实施编码“%(c)s”在“事项”表中没有。") % {"c": code},
            )
        return entry

    def _item_spec(self, entry: ItemEntry) -> dict[str, Any]:
        row = entry.row
        spec = {k: row[k] for k in (*IDENTITY_KEYS, *ELEMENT_FIELDS, "themes", "life_events")}
        for sheet, key in CHILD_SHEETS[:-1]:
            spec[key] = [_fields(r, sheet, ("implementation_code",)) for r in entry.rows[key]]
        spec["questions"] = [
            {
                **_fields(q, QUESTIONS, ("implementation_code", "shown_if")),
                "shown_if": q["shown_if"] or None,
                "options": [
                    _fields(o, OPTIONS, ("implementation_code", "question"))
                    for o in entry.option_rows[i]
                ],
            }
            for i, q in enumerate(entry.rows["questions"])
        ]
        return spec

    def _locate(self, entry: ItemEntry, path: str) -> tuple[Row, str]:
        m = _PATH.match(path)
        if m is None:
            key = path if path in entry.row.letters else "implementation_code"
            return entry.row, key
        name, i = m["list"], int(m["i"])
        if name in ("channels", "deliveries"):
            return entry.row, name
        if name == "questions" and i < len(entry.rows["questions"]):
            if m["sub"] == "options" and m["j"] is not None:
                options = entry.option_rows[i]
                j = int(m["j"])
                if j < len(options):
                    return options[j], m["field"] or "code"
            return entry.rows["questions"][i], m["sub"] if m["sub"] != "options" else "code"
        rows = entry.rows.get(name, [])
        if i < len(rows):
            return rows[i], m["sub"] or "implementation_code"
        return entry.row, "implementation_code"

    def _check_item(self, entry: ItemEntry) -> None:
        spec = with_defaults(entry.spec)
        for error in validate_item_spec(spec):
            row, key = self._locate(entry, error.path)
            self.problems.add(row, key, error.message)
        self._check_identity(entry)
        self._check_tags(entry.row)
        added = {s for q in spec["questions"] for o in q["options"] for s in o.get("adds", [])}
        for row, m in zip(entry.rows["materials"], spec["materials"], strict=True):
            if (
                m["necessity"] == Necessity.CONDITIONAL
                and not str(m["condition"]).strip()
                and m["seq"] not in added
            ):
                message = _("材料“%(m)s”为视情形提交，应填写提交条件，或由某个情形选项增加它。") % {
                    "m": m["name"]
                }
                if entry.status == VersionStatus.DRAFT:
                    # A draft may be unfinished: it is imported, and cannot be published
                    # until this is fixed (the quality checker records it as an error).
                    self.warnings.add(
                        row, "condition", message + _("草稿照常导入，但修正前不能发布。")
                    )
                else:
                    self.problems.add(row, "condition", message)

    def _check_identity(self, entry: ItemEntry) -> None:
        row = entry.row
        code = row["department"]
        department = self.departments.get(code)
        if not code:
            return
        if department is None:
            self.problems.add(row, "department", _("实施主体“%(d)s”不存在。") % {"d": code})
            return
        if not department.credit_code:
            self.problems.add(
                row,
                "department",
                _("实施主体“%(d)s”没有统一社会信用代码，无法生成实施编码。") % {"d": code},
            )
            return
        level, basic = row["exercise_level"], row["basic_code"]
        if not level or len(basic) != 12:
            return  # reported as the level's or the basic code's own problem
        expected = f"{department.credit_code}{level}{basic}"
        if entry.code != expected:
            self.problems.add(
                row,
                "implementation_code",
                _("实施编码应为 %(c)s（实施主体统一社会信用代码 + 行使层级 + 基本编码）。")
                % {"c": expected},
            )
        for p in check_codes(expected, basic, level):
            if p.severity == "error":
                self.problems.add(row, p.field, p.message)

    # --- bundles ------------------------------------------------------------------------------

    def _bundles(self, items: dict[str, ItemEntry]) -> list[BundleEntry]:
        rows = self.sheets[BUNDLES.title]
        bundles = {
            code: BundleEntry(row)
            for code, row in _unique(rows, "code", self.problems, _("一件事编码")).items()
        }
        for sheet, attr in ((BUNDLE_ITEMS, "item_rows"), (BUNDLE_QUESTIONS, "question_rows")):
            for row in self.sheets[sheet.title]:
                entry = self._bundle_of(bundles, row)
                if entry is not None:
                    getattr(entry, attr).append(row)
                    if attr == "question_rows":
                        entry.option_rows.append([])
        for row in self.sheets[BUNDLE_OPTIONS.title]:
            entry = self._bundle_of(bundles, row)
            if entry is None or not row["question"]:
                continue
            codes = [q["code"] for q in entry.question_rows]
            if row["question"] in codes:
                entry.option_rows[codes.index(row["question"])].append(row)
            else:
                self.problems.add(
                    row,
                    "question",
                    _("一件事“%(b)s”没有编码为“%(q)s”的问题。")
                    % {"b": entry.row["code"], "q": row["question"]},
                )
        known = set(items)
        wanted = {r["item"] for e in bundles.values() for r in e.item_rows} - known
        known |= set(
            ServiceItem.objects.filter(implementation_code__in=wanted).values_list(
                "implementation_code", flat=True
            )
        )
        for entry in bundles.values():
            self._check_bundle(entry, known)
        return list(bundles.values())

    def _bundle_of(self, bundles: dict[str, BundleEntry], row: Row) -> BundleEntry | None:
        code = row["bundle"]
        entry = bundles.get(code)
        if code and entry is None:
            self.problems.add(
                row, "bundle", _("一件事编码“%(c)s”在“一件事”表中没有。") % {"c": code}
            )
        return entry

    def _check_bundle(self, entry: BundleEntry, known_items: set[str]) -> None:
        row = entry.row
        code = row["code"]
        self._check_tags(row)
        members: list[str] = []
        for r in entry.item_rows:
            item = r["item"]
            if not item:
                continue
            if item not in known_items:
                self.problems.add(
                    r,
                    "item",
                    _("事项“%(i)s”不存在（应在“事项”表中或系统中已有）。") % {"i": item},
                )
            elif item in members:
                self.problems.add(
                    r, "item", _("事项“%(i)s”在一件事“%(b)s”中重复。") % {"i": item, "b": code}
                )
            else:
                members.append(item)
        if len(entry.item_rows) < 2:
            self.problems.add(row, "code", _("一件事“%(b)s”至少要包含两个事项。") % {"b": code})
        questions = []
        _unique(entry.question_rows, "code", self.problems, _("问题编码"))
        for q, options in zip(entry.question_rows, entry.option_rows, strict=True):
            if len(options) < 2:
                self.problems.add(q, "code", _("每个问题至少要有两个选项。"))
            _unique(options, "code", self.problems, _("选项编码"))
            for o in options:
                outside = [c for c in o["excludes"] if c not in members]
                if outside:
                    self.problems.add(
                        o,
                        "excludes",
                        _("“%(i)s”不是一件事“%(b)s”包含的事项。")
                        % {"i": "、".join(outside), "b": code},
                    )
            questions.append(
                {
                    **_fields(q, BUNDLE_QUESTIONS, ("bundle",)),
                    "options": [
                        _fields(o, BUNDLE_OPTIONS, ("bundle", "question")) for o in options
                    ],
                }
            )
        entry.spec = {
            **_fields(row, BUNDLES, ()),
            "items": [r["item"] for r in entry.item_rows],
            "questions": questions,
        }
