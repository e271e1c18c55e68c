"""The platform-wide upload check (core/uploads.py): size, count, type by content, the name's
extension matching the content, image bombs and corrupt images."""

from __future__ import annotations

import io

import openpyxl
import pytest
from PIL import Image

from tongban.core import uploads
from tongban.core.errors import ValidationFailed


def png(width=4, height=4) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "JPEG")
    return out.getvalue()


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def refusal(name, data, allowed=frozenset({"pdf", "png", "jpeg"}), **kw) -> str:
    with pytest.raises(ValidationFailed) as caught:
        uploads.check_file(name, data, allowed=allowed, **kw)
    assert caught.value.code == "upload_refused" or "code" in kw
    return caught.value.message


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [("a.pdf", PDF, "pdf"), ("a.PNG", png(), "png"), ("a.jpg", jpeg(), "jpeg")],
)
def test_good_files_pass(name, data, kind):
    checked = uploads.check_file(name, data, allowed={"pdf", "png", "jpeg"})
    assert (checked.kind, checked.size) == (kind, len(data))


def test_tables_by_content():
    assert uploads.check_file("t.xlsx", xlsx(), allowed={"csv", "xlsx"}).kind == "xlsx"
    assert uploads.check_file("t.csv", "名称,值\n甲,1\n".encode(), allowed={"csv"}).kind == "csv"
    assert refusal("t.csv", PDF, allowed={"csv", "xlsx"}) == "文件：只接受 CSV、XLSX 格式的文件。"
    assert refusal("t.csv", xlsx(), allowed={"csv", "xlsx"}) == (
        "文件：文件内容是 XLSX，与文件名“t.csv”不符。"
    )


def test_empty_and_oversize(settings):
    settings.TONGBAN_UPLOAD_MAX_MB = 1
    assert refusal("a.pdf", b"") == "文件：文件是空的，请重新选择。"
    big = PDF + b"0" * (1024 * 1024)
    assert refusal("a.pdf", big) == "文件：文件超过 1 MB，请压缩后再上传。"
    just = PDF + b"0" * (1024 * 1024 - len(PDF))
    assert uploads.check_file("a.pdf", just, allowed={"pdf"}).size == 1024 * 1024


def test_wrong_type_and_mismatched_extension():
    assert refusal("a.exe", b"MZ\x90\x00") == "文件：只接受 JPEG、PDF、PNG 格式的文件。"
    assert refusal("a.pdf", b"<html>") == "文件：只接受 JPEG、PDF、PNG 格式的文件。"
    assert refusal("photo.png", PDF) == "文件：文件内容是 PDF，与文件名“photo.png”不符。"
    assert refusal("noext", PDF) == "文件：文件内容是 PDF，与文件名“noext”不符。"


def test_corrupt_and_bomb_images():
    assert refusal("a.png", png()[:40]) == "文件：图片已损坏，无法打开。"
    header = png(10_000, 10_000)  # 100 megapixels: refused by its declared size
    assert refusal("a.png", header) == "文件：图片尺寸过大（10000×10000），请缩小后再上传。"


def test_count(settings):
    settings.TONGBAN_UPLOAD_MAX_FILES = 3
    uploads.check_count(3)
    with pytest.raises(ValidationFailed) as caught:
        uploads.check_count(4, label="附件", field="attachments")
    assert caught.value.message == "附件：一次最多上传 3 个文件。"
    assert caught.value.field == "attachments"


def test_read_stops_at_the_limit(settings):
    settings.TONGBAN_UPLOAD_MAX_MB = 1

    class Upload(io.BytesIO):
        size = 5 * 1024 * 1024

    with pytest.raises(ValidationFailed):
        uploads.read(Upload(b"x" * 10))
    small = Upload(PDF)
    small.size = len(PDF)
    assert uploads.read(small) == PDF
