"""Configuring data connectors and uploading reference tables (CSV / Excel)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core import uploads as core_uploads
from tongban.core.errors import ValidationFailed
from tongban.core.permissions import Perm, require_perm

from .. import providers
from ..connectors.platform import BUILTIN
from ..context import CODE_RE, FIELD_TYPES
from ..engine import BUILTIN_ROOTS
from ..errors import RulesErrorCode
from ..models import Connector, ConnectorKind, ReferenceRow, ReferenceTable

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
TABLE_KINDS = frozenset({"csv", "xlsx"})
MAX_ROWS = 200_000
MAX_COLUMNS = 100
ENV_RE = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")


def _bad(message, field: str | None = None, **params) -> ValidationFailed:
    return ValidationFailed(RulesErrorCode.CONNECTOR_INVALID, message, field=field, **params)


def _clean_fields(fields) -> list[dict]:
    if not isinstance(fields, list) or not fields:
        raise _bad(_("请至少声明一个提供字段。"), "fields")
    out, names = [], set()
    for spec in fields:
        if not isinstance(spec, dict):
            raise _bad(_("字段声明格式无效。"), "fields")
        name = str(spec.get("name") or "").strip()
        kind = str(spec.get("type") or "string").strip()
        if not CODE_RE.match(name) or name in names:
            raise _bad(
                _("字段名“%(name)s”无效或重复（字母开头，只含字母、数字和下划线）。"),
                "fields",
                name=name,
            )
        if kind not in FIELD_TYPES:
            raise _bad(_("字段“%(name)s”的类型“%(type)s”无效。"), "fields", name=name, type=kind)
        names.add(name)
        out.append({"name": name, "type": kind, "label": str(spec.get("label") or name)[:64]})
    return out


def _clean_config(kind: str, config) -> dict:
    config = config if isinstance(config, dict) else {}
    if kind == ConnectorKind.TABLE:
        table = config.get("table")
        if not isinstance(table, int) or not ReferenceTable.objects.filter(pk=table).exists():
            raise _bad(_("请选择一个已上传的参考数据表。"), "config")
        return {"table": table}
    if kind == ConnectorKind.PLATFORM:
        source = str(config.get("source") or "")
        if source not in BUILTIN and source not in providers.platform_source_names():
            raise _bad(_("平台数据来源“%(source)s”不存在。"), "config", source=source)
        return {"source": source}
    url = str(config.get("url") or "").strip()
    parts = urlsplit(url.replace("{id_no}", "x").replace("{kind}", "x"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _bad(_("接口地址必须是 http(s) 地址，可用 {id_no} 代表证件号码。"), "config")
    try:
        timeout = float(config.get("timeout") or 2.0)
    except (TypeError, ValueError):
        raise _bad(_("超时时间必须是数字（秒）。"), "config") from None
    if not 0.05 <= timeout <= 30:
        raise _bad(_("超时时间须在 0.05 到 30 秒之间。"), "config")
    header = str(config.get("auth_header") or "").strip()
    env = str(config.get("auth_env") or "").strip()
    if header and not ENV_RE.match(env):
        raise _bad(
            _("认证请求头需要一个保存密钥的环境变量名（大写字母、数字、下划线）。"), "config"
        )
    mapping = config.get("mapping") or {}
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise _bad(_("字段映射必须是“字段名: JSON 路径”的对应关系。"), "config")
    return {
        "url": url,
        "auth_header": header,
        "auth_env": env if header else "",
        "timeout": timeout,
        "mapping": mapping,
    }


@transaction.atomic
def connector_save(
    *,
    connector: Connector | None,
    code: str,
    name: str,
    kind: str,
    fields: list[dict],
    config: dict,
    department=None,
    is_active: bool = True,
    actor,
) -> Connector:
    """Create or change a connector. The secret of an HTTP connector is never stored: only the
    name of the environment variable that holds it."""
    if actor is not None:
        require_perm(actor, Perm.RULES_EDIT)
    code = (code or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", code) or code in BUILTIN_ROOTS:
        raise _bad(
            _(
                "代码须以小写字母开头，只含小写字母、数字和下划线，且不能是 form、answers、applicant、today。"
            ),
            "code",
        )
    name = (name or "").strip()[:128]
    if not name:
        raise _bad(_("请填写名称。"), "name")
    if kind not in ConnectorKind.values:
        raise _bad(_("连接器类型无效。"), "kind")
    clean_fields = _clean_fields(fields)
    clean_config = _clean_config(kind, config)
    duplicate = Connector.objects.filter(code=code)
    if connector is not None:
        duplicate = duplicate.exclude(pk=connector.pk)
    if duplicate.exists():
        raise _bad(_("代码“%(code)s”已被使用。"), "code", code=code)
    if connector is None:
        connector = Connector(code=code)
    else:
        connector = Connector.objects.select_for_update().get(pk=connector.pk)
        connector.code = code
    connector.name, connector.kind, connector.department = name, kind, department
    connector.fields, connector.config, connector.is_active = clean_fields, clean_config, is_active
    connector.save()
    return connector


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float | bool):
        return value
    return str(value).strip()


def _table_err(message, **params) -> ValidationFailed:
    return ValidationFailed(RulesErrorCode.TABLE_INVALID, message, field="file", **params)


def read_rows(file_name: str, content: bytes) -> tuple[list[str], list[list]]:
    """Header and data rows of a CSV (UTF-8, with or without BOM, or GB18030) or .xlsx file."""
    lower = (file_name or "").lower()
    if lower.endswith(".xlsx"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            book.close()
        except Exception:
            raise _table_err(_("无法读取该 Excel 文件，请上传 .xlsx 格式的工作簿。")) from None
    elif lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise _table_err(_("无法识别 CSV 文件的编码，请保存为 UTF-8。"))
        if "\x00" in text:
            raise _table_err(_("CSV 文件内容无效。"))
        try:
            rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error:
            raise _table_err(_("CSV 文件格式无效。")) from None
    else:
        raise _table_err(_("只支持 .csv 和 .xlsx 文件。"))
    rows = [row for row in rows if any(c not in ("", None) for c in row)]
    if not rows:
        raise _table_err(_("文件是空的。"))
    header = [str(c).strip() for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    return header, rows[1:]


@transaction.atomic
def reference_table_upload(
    *,
    table: ReferenceTable | None,
    name: str,
    key_column: str,
    file_name: str,
    content: bytes,
    actor,
) -> ReferenceTable:
    """Create a reference table or replace all of its rows. The whole file is checked first
    (header, key column, unique non-empty keys, row count): a bad file changes nothing."""
    if actor is not None:
        require_perm(actor, Perm.RULES_EDIT)
    name = (name or "").strip()[:128]
    if not name:
        raise ValidationFailed(RulesErrorCode.TABLE_INVALID, _("请填写名称。"), field="name")
    if len(content) > MAX_UPLOAD_BYTES:
        raise _table_err(_("文件超过 20 MB。"))
    header, rows = read_rows(file_name, content)
    # The platform-wide check (core/uploads.py) too: size limit, type by content (a PDF or an
    # image renamed .csv is refused even if it decodes as text), extension match.
    core_uploads.check_file(
        file_name or "",
        content,
        allowed=TABLE_KINDS,
        field="file",
        label=_("文件"),
        code=RulesErrorCode.TABLE_INVALID,
    )
    if len(header) > MAX_COLUMNS:
        raise _table_err(_("列数超过 %(n)s。"), n=MAX_COLUMNS)
    if any(not h for h in header) or len(set(header)) != len(header):
        raise _table_err(_("表头的每一列都要有名称，且不能重复。"))
    key_column = (key_column or "").strip()
    if key_column not in header:
        raise _table_err(_("表头中没有主键列“%(column)s”。"), column=key_column[:64])
    if len(rows) > MAX_ROWS:
        raise _table_err(_("行数超过 %(n)s。"), n=MAX_ROWS)
    key_index = header.index(key_column)
    records, seen = [], set()
    for number, row in enumerate(rows, start=2):
        row = list(row) + [""] * (len(header) - len(row))
        if len(row) > len(header) and any(c not in ("", None) for c in row[len(header) :]):
            raise _table_err(_("第 %(line)s 行的列数多于表头。"), line=number)
        key = str(row[key_index]).strip().upper()
        if not key or len(key) > 64:
            raise _table_err(_("第 %(line)s 行的主键为空或过长。"), line=number)
        if key in seen:
            raise _table_err(
                _("第 %(line)s 行的主键“%(key)s”重复。"), line=number, key=key[:4] + "…"
            )
        seen.add(key)
        data = {h: row[i] for i, h in enumerate(header) if i != key_index and row[i] != ""}
        records.append((key, data))
    if table is None:
        table = ReferenceTable(name=name)
    else:
        table = ReferenceTable.objects.select_for_update().get(pk=table.pk)
        table.rows.all().delete()
    table.name = name
    table.key_column = key_column
    table.columns = header
    table.row_count = len(records)
    table.source_name = (file_name or "")[:256]
    table.uploaded_by = actor if getattr(actor, "pk", None) else None
    table.save()
    ReferenceRow.objects.bulk_create(
        [ReferenceRow(table=table, key=key, data=data) for key, data in records], batch_size=1000
    )
    return table
