"""Checking uploaded materials by their content, never by their name."""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _
from PIL import Image

from tongban.core.errors import ValidationFailed

from .errors import CaseErrorCode

ALLOWED = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",
}
EXTENSIONS = {"pdf": {".pdf"}, "jpeg": {".jpg", ".jpeg"}, "png": {".png"}, "ofd": {".ofd"}}
MAX_PIXELS = 50_000_000  # a larger image is treated as a decompression bomb

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    size: int
    sha256: str


def _refuse(message, **params) -> ValidationFailed:
    return ValidationFailed(CaseErrorCode.UPLOAD_REFUSED, message, field="file", **params)


def sniff(head: bytes, data: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if any(n.upper().endswith("OFD.XML") for n in archive.namelist()):
                    return "ofd"
        except zipfile.BadZipFile:
            return None
    return None


def check_size(size: int) -> None:
    """Refuse an empty or oversized file by its size alone (before reading it into memory)."""
    limit_mb = getattr(settings, "TONGBAN_UPLOAD_MAX_MB", 20)
    if not size:
        raise _refuse(_("文件：文件是空的，请重新选择。"))
    if size > limit_mb * 1024 * 1024:
        raise _refuse(_("文件：文件超过 %(mb)d MB，请压缩后再上传。"), mb=limit_mb)


def check_upload(name: str, data: bytes, *, allowed: set[str] | None = None) -> CheckedFile:
    """Refuse empty, oversized, unknown, mislabelled and bomb files with a clear message."""
    check_size(len(data))
    kind = sniff(data[:16], data)
    allowed = allowed or set(ALLOWED)
    if kind is None or kind not in allowed:
        names = "、".join(k.upper() for k in sorted(allowed))
        raise _refuse(_("文件：只接受 %(kinds)s 格式的文件。"), kinds=names)
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in EXTENSIONS[kind]:
        raise _refuse(
            _("文件：文件内容是 %(kind)s，与文件名“%(name)s”不符。"),
            kind=kind.upper(),
            name=name[-60:],
        )
    if kind in ("jpeg", "png"):
        _check_image(kind, data)
    return CheckedFile(kind, ALLOWED[kind], len(data), hashlib.sha256(data).hexdigest())


def _check_image(kind: str, data: bytes) -> None:
    """Refuse a decompression bomb by its declared size before decoding anything, then a
    corrupt or truncated image: PNG chunks are checked against their CRCs, and a JPEG is
    decoded at 1/8 scale (cheap, yet it reads every byte of the compressed data)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _refuse(
                    _("文件：图片尺寸过大（%(w)d×%(h)d），请缩小后再上传。"), w=width, h=height
                )
            if kind == "png":
                image.verify()
            else:
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except ValidationFailed:
        raise
    except Image.DecompressionBombError:
        raise _refuse(_("文件：图片尺寸过大，请缩小后再上传。")) from None
    except Exception:
        raise _refuse(_("文件：图片已损坏，无法打开。")) from None


# ---------------------------------------------------------------- storing, and undoing it

_guards: ContextVar[tuple[list, ...]] = ContextVar("tongban_upload_guards", default=())


@contextmanager
def undo_on_failure() -> Iterator[None]:
    """Files stored (through ``store``) inside the block are deleted again if the block fails.

    Wrap it around the transaction the files belong to: when that transaction rolls back, no
    row points at them any more. ``case_material_add`` guards its own transaction; a caller
    that adds materials inside a larger one (counter acceptance: create, add, submit and
    accept) guards that one too, so a later step's failure takes the files with it.
    """
    stored: list[tuple] = []
    token = _guards.set((*_guards.get(), stored))
    try:
        yield
    except BaseException:
        for storage, name in stored:
            try:
                storage.delete(name)
            except OSError:  # the original error matters more; the file is only litter
                logger.exception("could not delete %s after a failed transaction", name)
        raise
    finally:
        _guards.reset(token)


def store(file: FieldFile, name: str, data: bytes) -> None:
    """Save ``data`` under ``name`` (or a free variant of it) for ``file``, not yet its row."""
    file.save(name, ContentFile(data), save=False)
    for stored in _guards.get():
        stored.append((file.storage, file.name))
