"""Reading messages from CSV (``id,title,text[,label]``; extra columns ignored) and the hash that
identifies a training set in a model's manifest."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .errors import ClassifierErrorCode as Code
from .errors import ModelError
from .model import TrainingRow

REQUIRED = ("id", "title", "text")
ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without BOM), then the Chinese superset


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(_("找不到文件：%(path)s。"), code=Code.BAD_CSV, path=str(path)) from None
    except OSError as exc:
        raise ModelError(
            _("无法读取文件 %(path)s：%(error)s"),
            code=Code.BAD_CSV,
            path=str(path),
            error=exc.strerror or str(exc),
        ) from None
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ModelError(
        _("文件 %(path)s 不是 UTF-8 或 GB18030 编码的文本。"), code=Code.BAD_CSV, path=str(path)
    )


def read_csv(path: Path, *, require_label: bool = False) -> list[TrainingRow]:
    """The rows of a CSV with a header naming at least ``id``, ``title`` and ``text`` (and
    ``label`` when ``require_label``). Empty ``text`` is allowed; a missing ``label`` column
    gives rows with an empty label."""
    path = Path(path)
    reader = csv.DictReader(io.StringIO(_decode(path), newline=""))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    required = REQUIRED + (("label",) if require_label else ())
    missing = [c for c in required if c not in header]
    if missing:
        raise ModelError(
            _("CSV 文件 %(path)s 缺少必需的列：%(missing)s（需要 %(required)s）。"),
            code=Code.BAD_CSV,
            path=str(path),
            missing=", ".join(missing),
            required=",".join(required),
        )
    reader.fieldnames = header
    rows = []
    try:
        for record in reader:
            if None in record:  # more cells than header columns: tolerated, ignored
                record.pop(None)
            rows.append(
                TrainingRow(
                    id=(record.get("id") or "").strip(),
                    title=record.get("title") or "",
                    text=record.get("text") or "",
                    label=(record.get("label") or "").strip(),
                )
            )
    except csv.Error as exc:
        raise ModelError(
            _("CSV 文件 %(path)s 第 %(line)d 行格式错误：%(error)s"),
            code=Code.BAD_CSV,
            path=str(path),
            line=reader.line_num,
            error=str(exc),
        ) from None
    return rows


def rows_hash(rows: Sequence[TrainingRow]) -> str:
    """sha256 over the rows' id, title, text and label, in order (the manifest's
    ``training_data_hash``; the same data read from CSV or from tickets hashes the same)."""
    digest = hashlib.sha256()
    for row in rows:
        for value in (row.id, row.title, row.text, row.label):
            digest.update(value.encode("utf-8"))
            digest.update(b"\x1f")
        digest.update(b"\x1e")
    return "sha256:" + digest.hexdigest()
