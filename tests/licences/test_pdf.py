"""The printable licence: CJK text, seal, photo, and a QR that decodes to the verification URL."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import zxingcpp
from django.core.files.base import ContentFile
from django.test import override_settings
from PIL import Image

from tests.licences.factories import LicenceTypeFactory, issue
from tongban.licences import qr
from tongban.licences.models import Licence
from tongban.licences.seals import draw_seal
from tongban.licences.services import licence_pdf, seal_create

pytestmark = pytest.mark.django_db


def _photo() -> ContentFile:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (90, 120, 200)).save(out, format="JPEG")
    return ContentFile(out.getvalue(), name="photo.jpg")


def _page_image(pdf: bytes, tmp_path) -> Image.Image:
    (tmp_path / "l.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "l.pdf", "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    return Image.open(tmp_path / "page.png")


@override_settings(TONGBAN_PUBLIC_URL="https://zw.example.gov.cn")
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="no pdftoppm (poppler-utils)")
def test_qr_in_the_pdf_decodes_to_the_verification_url(tmp_path):
    licence_type = LicenceTypeFactory(has_photo=True, name="网络预约出租汽车驾驶员证")
    seal_create(department=licence_type.department, name="行政审批专用章")
    licence = issue(licence_type, photo=_photo())
    pdf = licence_pdf(licence=licence)
    assert pdf.startswith(b"%PDF-")
    codes = zxingcpp.read_barcodes(_page_image(pdf, tmp_path))
    texts = [c.text for c in codes if c.format == zxingcpp.BarcodeFormat.QRCode]
    assert texts == [f"https://zw.example.gov.cn/verify/{licence.number}?c={licence.check_value}"]
    assert texts[0] == qr.verification_url(licence)


def test_pdf_is_cached_in_the_file_field():
    licence = issue(LicenceTypeFactory())
    first = licence_pdf(licence=licence)
    stored = Licence.objects.get(pk=licence.pk)
    assert stored.pdf.name.endswith(".pdf")
    assert licence_pdf(licence=stored) == first


def test_pdf_text_is_cjk_and_carries_the_identifier():
    licence = issue(
        LicenceTypeFactory(layout={"title": "老年人优待证", "colour": "#006400", "paper": "A5"})
    )
    pdf = licence_pdf(licence=licence)
    assert b"STSong-Light" in pdf
    assert licence.identifier.encode() in pdf  # the subject


def test_photo_digest_is_signed():
    import json

    licence_type = LicenceTypeFactory(has_photo=True)
    licence = issue(licence_type, photo=_photo())
    payload = json.loads(bytes(licence.payload))
    assert len(payload["photo_sm3"]) == 64
    without = issue(LicenceTypeFactory(has_photo=False))
    assert json.loads(bytes(without.payload))["photo_sm3"] == ""


def test_seal_drawing_is_a_png():
    image = Image.open(io.BytesIO(draw_seal("云溪区市场监督管理局")))
    assert image.size == (400, 400) and image.mode == "RGBA"
