"""The seal image uploaded on the configuration site goes through the platform-wide check."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import DepartmentFactory
from tongban.licences.admin import SealForm

pytestmark = pytest.mark.django_db


def image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, fmt)
    return out.getvalue()


def form(name: str, data: bytes) -> SealForm:
    department = DepartmentFactory()
    return SealForm(
        data={"department": department.pk, "name": "审批专用章", "is_active": "on"},
        files={"image": SimpleUploadedFile(name, data)},
    )


def test_a_png_seal_is_accepted():
    assert form("seal.png", image("PNG")).is_valid()


def test_a_jpeg_named_png_is_refused():
    f = form("seal.png", image("JPEG"))
    assert not f.is_valid()
    assert f.errors["image"] == ["印章图片：文件内容是 JPEG，与文件名“seal.png”不符。"]


def test_an_oversize_seal_is_refused(settings):
    settings.TONGBAN_UPLOAD_MAX_MB = 0
    f = form("seal.png", image("PNG"))
    assert not f.is_valid()
    assert f.errors["image"] == ["印章图片：文件超过 0 MB，请压缩后再上传。"]


def test_not_an_image_is_refused():
    f = form("seal.png", b"%PDF-1.4 nothing")
    assert not f.is_valid()
    assert f.errors["image"]
