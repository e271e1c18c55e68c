"""Photos and documents a caller or grid worker attaches to a ticket, checked by content."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from tongban.core import uploads as core_uploads
from tongban.core.errors import ValidationFailed

from ..errors import TicketErrorCode
from ..models import Ticket, TicketAttachment

KINDS = {
    b"%PDF-": ("pdf", "application/pdf"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
}
MAX_FILES = 9
ATTACHMENT_KINDS = frozenset({"pdf", "jpeg", "png"})


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes
    ext: str
    content_type: str
    sha256: str


def _refuse(message, **params) -> ValidationFailed:
    return ValidationFailed(TicketErrorCode.UPLOAD_REFUSED, message, field="attachments", **params)


def _read(item) -> tuple[str, bytes]:
    if isinstance(item, tuple | list) and len(item) == 2:
        return str(item[0]), bytes(item[1])
    if isinstance(item, dict):
        return str(item.get("name", "")), bytes(item.get("data", b""))
    return str(getattr(item, "name", "") or ""), item.read()


def check(items: Iterable) -> list[Upload]:
    """Every attachment checked before anything is written: type by content, size, count."""
    uploads: list[Upload] = []
    limit_mb = getattr(settings, "TONGBAN_UPLOAD_MAX_MB", 20)
    for item in items or ():
        name, data = _read(item)
        if not data:
            raise _refuse(_("附件：文件“%(name)s”是空的。"), name=name[-60:])
        if len(data) > limit_mb * 1024 * 1024:
            raise _refuse(_("附件：文件超过 %(mb)d MB，请压缩后再上传。"), mb=limit_mb)
        kind = next((v for magic, v in KINDS.items() if data.startswith(magic)), None)
        if kind is None:
            raise _refuse(
                _("附件：只接受 JPG、PNG 图片和 PDF 文件（“%(name)s”不是）。"), name=name[-60:]
            )
        # The platform-wide check (core/uploads.py): the name's extension must match the
        # content, images must open and not be decompression bombs.
        core_uploads.check_file(
            name if "." in name else f"{name or '附件'}.{kind[0]}",
            data,
            allowed=ATTACHMENT_KINDS,
            field="attachments",
            label=_("附件"),
            code=TicketErrorCode.UPLOAD_REFUSED,
        )
        uploads.append(
            Upload(
                name[-120:] or f"附件.{kind[0]}",
                data,
                kind[0],
                kind[1],
                hashlib.sha256(data).hexdigest(),
            )
        )
        if len(uploads) > MAX_FILES:
            raise _refuse(_("附件：最多 %(n)d 个。"), n=MAX_FILES)
    return uploads


def save(ticket: Ticket, uploads: list[Upload]) -> list[TicketAttachment]:
    rows = []
    for up in uploads:
        row = TicketAttachment(
            ticket=ticket,
            name=up.name,
            content_type=up.content_type,
            size=len(up.data),
            sha256=up.sha256,
        )
        row.file.save(f"{up.sha256[:24]}.{up.ext}", ContentFile(up.data), save=False)
        row.save()
        rows.append(row)
    return rows
