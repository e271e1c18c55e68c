"""Ticket attachments (web, grid event photos, API) go through the platform-wide upload check:
the extension must match the content, images must open; nothing is stored on refusal."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tongban.core.errors import ValidationFailed
from tongban.hotline.services import attachments


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"


def refusal(items) -> str:
    with pytest.raises(ValidationFailed) as caught:
        attachments.check(items)
    assert caught.value.code == "upload_refused"
    assert caught.value.field == "attachments"
    return caught.value.message


def test_good_attachments_pass():
    checked = attachments.check([("现场.png", png()), ("回执.pdf", PDF), ("无扩展名", png())])
    assert [(u.ext, u.content_type) for u in checked] == [
        ("png", "image/png"),
        ("pdf", "application/pdf"),
        ("png", "image/png"),
    ]


def test_content_not_matching_the_extension():
    assert refusal([("现场.jpg", png())]) == "附件：文件内容是 PNG，与文件名“现场.jpg”不符。"
    assert refusal([("现场.png", PDF)]) == "附件：文件内容是 PDF，与文件名“现场.png”不符。"


def test_a_corrupt_image():
    assert refusal([("现场.png", png()[:40])]) == "附件：图片已损坏，无法打开。"


def test_oversize_and_wrong_type(settings):
    settings.TONGBAN_UPLOAD_MAX_MB = 1
    assert refusal([("大.pdf", PDF + b"0" * (1024 * 1024))]) == (
        "附件：文件超过 1 MB，请压缩后再上传。"
    )
    assert refusal([("a.exe", b"MZ\x90\x00")]) == (
        "附件：只接受 JPG、PNG 图片和 PDF 文件（“a.exe”不是）。"
    )


def test_count():
    assert refusal([(f"{n}.png", png()) for n in range(10)]) == "附件：最多 9 个。"
