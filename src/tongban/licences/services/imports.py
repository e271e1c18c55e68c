"""Import of licences issued by other systems (CSV or Excel), so that 免证办 works from day one.

One row per licence. Columns are named by the field's code or its Chinese label:

- ``holder_name`` / 持证主体名称 (持证人, 姓名, 名称)
- ``holder_id_no`` / 证件号码 (身份证号码, 统一社会信用代码): the person's ID number or the
  enterprise's credit code, by the type's holder kind; a holder the platform does not know yet is
  registered
- ``number`` / 证照编号
- ``issued_on`` / 发证日期, ``valid_until`` / 有效期至 (empty: by the type's validity rule)
- every field of the type's face data (照面信息), by ``name`` or ``label``

The whole file is checked and issued in one transaction: a file with any bad row writes nothing
and reports every bad row (its line number and what is wrong). A row whose number is already in
the library for that type is skipped, so a file can be loaded again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core.errors import DomainError
from tongban.core.models import Enterprise, Person
from tongban.core.services.people import enterprise_register, person_register

from ..models import HolderKind, Licence, LicenceType
from .issuance import licence_issue

HOLDER_COLUMNS = {
    "holder_name": ("holder_name", "持证主体名称", "持证人", "持证人姓名", "姓名", "名称"),
    "holder_id_no": (
        "holder_id_no",
        "证件号码",
        "持证主体证件号码",
        "身份证号码",
        "统一社会信用代码",
        "id_number",
        "credit_code",
    ),
    "number": ("number", "证照编号", "证号"),
    "issued_on": ("issued_on", "发证日期"),
    "valid_until": ("valid_until", "有效期至"),
}
REQUIRED = ("holder_name", "holder_id_no", "number", "issued_on")
MAX_ROWS = 200_000


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _BadFile(Exception):
    pass


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            text = path.read_bytes().decode("utf-8-sig")
            return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                return [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
            finally:
                book.close()
    except FileNotFoundError:
        raise _BadFile(_("找不到文件：%(p)s") % {"p": path}) from None
    except UnicodeDecodeError:
        raise _BadFile(_("CSV 文件须为 UTF-8 编码。")) from None
    except Exception as exc:  # a damaged workbook: openpyxl raises many kinds
        raise _BadFile(_("无法读取文件：%(e)s") % {"e": exc.__class__.__name__}) from None
    raise _BadFile(_("只能导入 .csv 或 .xlsx 文件。"))


def _columns(header: list[str], licence_type: LicenceType) -> dict[str, int]:
    """Where each known column is (by code or label); refuses a header missing a required one."""
    index = {h.strip(): i for i, h in enumerate(header) if h and h.strip()}
    where: dict[str, int] = {}
    for key, names in HOLDER_COLUMNS.items():
        found = next((index[n] for n in names if n in index), None)
        if found is not None:
            where[key] = found
    for spec in licence_type.fields or []:
        for name in (spec.get("name"), spec.get("label")):
            if name and name in index:
                where[f"field:{spec['name']}"] = index[name]
                break
    id_label = (
        _("统一社会信用代码")
        if licence_type.holder_kind == HolderKind.ENTERPRISE
        else _("身份证号码")
    )
    labels = {"holder_id_no": id_label}
    missing = [labels.get(k, HOLDER_COLUMNS[k][1]) for k in REQUIRED if k not in where]
    missing += [
        spec.get("label") or spec["name"]
        for spec in licence_type.fields or []
        if spec.get("required") and f"field:{spec['name']}" not in where
    ]
    if missing:
        raise _BadFile(_("表头缺少列：%(cols)s。") % {"cols": "、".join(missing)})
    return where


def _date(text: str, label: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            parsed = dt.datetime.strptime(text[:10] if "-" in text else text, fmt)  # noqa: DTZ007
            return parsed.date()  # a calendar date: no time zone involved
        except ValueError:
            continue
    raise ValueError(
        _("%(label)s“%(v)s”不是日期（应为 2026-05-01 这样的格式）。")
        % {
            "label": label,
            "v": text[:20],
        }
    )


def _holder(licence_type: LicenceType, name: str, id_no: str):
    """The person or enterprise the row names (registered when new)."""
    id_no = id_no.strip().upper()
    if licence_type.holder_kind == HolderKind.ENTERPRISE:
        enterprise = Enterprise.objects.filter(credit_code=id_no).first()
        if enterprise is None:
            enterprise = enterprise_register(name=name, credit_code=id_no)
        return None, enterprise
    person = Person.objects.filter(id_number=id_no).first()
    if person is None:
        person = person_register(name=name, id_number=id_no)
    return person, None


def _row(
    licence_type: LicenceType, where: dict[str, int], row: list[str], source_system: str, actor
) -> bool:
    """Issue one row's licence; False when its number is already in the library."""

    def value(key: str) -> str:
        i = where.get(key)
        return row[i].strip() if i is not None and i < len(row) and row[i] else ""

    name, id_no, number = value("holder_name"), value("holder_id_no"), value("number")
    for key, text in (("holder_name", name), ("holder_id_no", id_no), ("number", number)):
        if not text:
            raise ValueError(_("“%(col)s”不能为空。") % {"col": HOLDER_COLUMNS[key][1]})
    if Licence.objects.filter(licence_type=licence_type, number=number).exists():
        return False
    issued_on = _date(value("issued_on"), _("发证日期"))
    if issued_on is None:
        raise ValueError(_("“发证日期”不能为空。"))
    valid_until = _date(value("valid_until"), _("有效期至"))
    if valid_until is not None and valid_until < issued_on:
        raise ValueError(_("有效期至早于发证日期。"))
    data = {}
    for spec in licence_type.fields or []:
        text = value(f"field:{spec['name']}")
        if text:
            data[spec["name"]] = text
    person, enterprise = _holder(licence_type, name, id_no)
    licence_issue(
        licence_type=licence_type,
        person=person,
        enterprise=enterprise,
        data=data,
        actor=actor,
        actor_label="" if actor else "import",
        issued_on=issued_on,
        valid_until=valid_until,
        imported=True,
        source_system=source_system,
        number=number,
    )
    return True


def licences_import(
    *, path: Path, type_code: str, source_system: str, actor=None, progress: bool = False
) -> ImportResult:
    """Load a CSV or .xlsx file of licences of one type; all rows or none."""
    result = ImportResult()
    licence_type = LicenceType.objects.filter(code=type_code).first()
    if licence_type is None:
        result.errors.append((0, _("没有证照类型“%(c)s”。") % {"c": type_code[:64]}))
        return result
    if not (source_system or "").strip():
        result.errors.append((0, _("请写明来源系统。")))
        return result
    try:
        rows = _read(Path(path))
        if not rows or not any(rows[0]):
            raise _BadFile(_("文件是空的。"))
        if len(rows) - 1 > MAX_ROWS:
            raise _BadFile(_("一个文件最多 %(n)s 行。") % {"n": MAX_ROWS})
        where = _columns(rows[0], licence_type)
    except _BadFile as exc:
        result.errors.append((1, str(exc)))
        return result
    seen: dict[str, int] = {}
    with transaction.atomic():
        for line, row in enumerate(rows[1:], start=2):
            if not any(c.strip() for c in row):
                continue
            number = row[where["number"]].strip() if where["number"] < len(row) else ""
            if number and number in seen:
                result.errors.append(
                    (
                        line,
                        _("证照编号 %(n)s 与第 %(l)s 行重复。") % {"n": number, "l": seen[number]},
                    )
                )
                continue
            seen[number] = line
            try:
                with transaction.atomic():
                    if _row(licence_type, where, row, source_system.strip()[:64], actor):
                        result.created += 1
                    else:
                        result.skipped += 1
            except DomainError as exc:
                result.errors.append((line, exc.message))
            except ValueError as exc:
                result.errors.append((line, str(exc)))
            if progress and (line - 1) % 500 == 0:
                sys.stderr.write(f"{line - 1} rows\n")
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.skipped = 0
    return result
