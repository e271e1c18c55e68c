"""One check for every file that arrives (docs/security.md, "Uploads"): size, count and type by
content, never by name; the name's extension must match the content; images are checked for
decompression bombs and corruption before anything is stored.

The limits are the [A] settings: ``TONGBAN_UPLOAD_MAX_MB`` per file and
``TONGBAN_UPLOAD_MAX_FILES`` per request. Each call site names the kinds it takes, the field
and the label its message starts with, and the error code of its app; a refused file raises
``ValidationFailed`` before anything is written.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .errors import CoreErrorCode, ValidationFailed

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
EXTENSIONS = {
    "pdf": {".pdf"},
    "jpeg": {".jpg", ".jpeg"},
    "png": {".png"},
    "ofd": {".ofd"},
    "xlsx": {".xlsx"},
    "csv": {".csv"},
}
MAX_PIXELS = 50_000_000  # a larger image is treated as a decompression bomb
IMAGES = frozenset({"jpeg", "png"})
FILE_LABEL = _("文件")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "TONGBAN_UPLOAD_MAX_MB", 20)) * 1024 * 1024


def max_files() -> int:
    return int(getattr(settings, "TONGBAN_UPLOAD_MAX_FILES", 9))


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if any(n.upper().endswith("OFD.XML") for n in names):
        return "ofd"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:65536]:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(data: bytes, *, text_ok: bool = False) -> str | None:
    """The kind of a file by its content (``csv`` only when plain text is acceptable)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if text_ok and _is_text(data):
        return "csv"
    return None


class _Refuser:
    def __init__(self, code: StrEnum, field: str, label):
        self.code, self.field, self.label = code, field, label

    def __call__(self, message, **params) -> ValidationFailed:
        return ValidationFailed(
            self.code, _("%(label)s：") + message, field=self.field, label=self.label, **params
        )


def check_count(count: int, *, field: str = "file", label=FILE_LABEL, code=None) -> None:
    refuse = _Refuser(code or CoreErrorCode.UPLOAD_REFUSED, field, label)
    if count > max_files():
        raise refuse(_("一次最多上传 %(n)d 个文件。"), n=max_files())


def check_size(size: int, *, field: str = "file", label=FILE_LABEL, code=None) -> None:
    """Refuse an empty or oversized file by its size alone (before reading it)."""
    refuse = _Refuser(code or CoreErrorCode.UPLOAD_REFUSED, field, label)
    if not size:
        raise refuse(_("文件是空的，请重新选择。"))
    if size > max_bytes():
        raise refuse(
            _("文件超过 %(mb)d MB，请压缩后再上传。"),
            mb=int(getattr(settings, "TONGBAN_UPLOAD_MAX_MB", 20)),
        )


def read(upload, *, field: str = "file", label=FILE_LABEL, code=None) -> bytes:
    """The bytes of an uploaded file, refused by its declared size first and never reading more
    than the limit."""
    size = getattr(upload, "size", None)
    if size is not None:
        check_size(int(size), field=field, label=label, code=code)
    data = upload.read(max_bytes() + 1)
    check_size(len(data), field=field, label=label, code=code)
    return data


def check_file(
    name: str,
    data: bytes,
    *,
    allowed: set[str] | frozenset[str],
    field: str = "file",
    label=FILE_LABEL,
    code=None,
) -> CheckedFile:
    """Refuse empty, oversized, unknown, mislabelled, bomb and corrupt files."""
    refuse = _Refuser(code or CoreErrorCode.UPLOAD_REFUSED, field, label)
    check_size(len(data), field=field, label=label, code=code)
    kind = sniff(data, text_ok="csv" in allowed)
    if kind is None or kind not in allowed:
        kinds = "、".join(k.upper() for k in sorted(allowed))
        raise refuse(_("只接受 %(kinds)s 格式的文件。"), kinds=kinds)
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in EXTENSIONS[kind]:
        raise refuse(
            _("文件内容是 %(kind)s，与文件名“%(name)s”不符。"), kind=kind.upper(), name=name[-60:]
        )
    if kind in IMAGES:
        _check_image(kind, data, refuse)
    return CheckedFile(
        name[-120:], kind, CONTENT_TYPES[kind], len(data), hashlib.sha256(data).hexdigest()
    )


def _check_image(kind: str, data: bytes, refuse: _Refuser) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise refuse(_("图片尺寸过大（%(w)d×%(h)d），请缩小后再上传。"), w=width, h=height)
            if kind == "png":
                image.verify()
            else:
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except ValidationFailed:
        raise
    except Image.DecompressionBombError:
        raise refuse(_("图片尺寸过大，请缩小后再上传。")) from None
    except Exception:
        raise refuse(_("图片已损坏，无法打开。")) from None
