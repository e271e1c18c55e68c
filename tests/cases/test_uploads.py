"""Uploaded materials are checked by content, never by name; a refused file leaves nothing behind
(no CaseMaterial row, no file in storage)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from PIL import Image

from tongban.cases.models import Case, CaseEvent, CaseMaterial
from tongban.cases.services import case_create, case_material_add, case_withdraw
from tongban.cases.services import materials as materials_service
from tongban.cases.uploads import check_upload
from tongban.core.errors import ValidationFailed

from .conftest import PDF, PNG
from .test_api import Api

pytestmark = [
    pytest.mark.django_db,
    # Pillow warns about the bombs these tests make on purpose; the check refuses them.
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
]


def _image(mode: str, size: tuple[int, int], fmt: str, **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 0 if mode == "1" else "white").save(out, format=fmt, **save)
    return out.getvalue()


def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return out.getvalue()


JPEG = _image("RGB", (64, 48), "JPEG", quality=90)
OFD = _zip(
    {
        "OFD.xml": b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>',
        "Doc_0/Document.xml": b"<ofd:Document/>",
    }
)
NOT_OFD = _zip({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"})


def stored_files(path: str = "") -> list[str]:
    directories, files = default_storage.listdir(path)
    found = [f"{path}/{f}" if path else f for f in files]
    for directory in directories:
        found += stored_files(f"{path}/{directory}" if path else directory)
    return found


@pytest.fixture(autouse=True)
def _empty_storage():
    """The test settings' in-memory storage lives as long as the process: start each test
    from an empty one."""
    for name in stored_files():
        default_storage.delete(name)


@pytest.fixture
def draft(applicant, code):
    return case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
    )


# ---------------------------------------------------------------- the checks themselves


@pytest.mark.parametrize(
    ("name", "data", "kind", "content_type"),
    [
        ("申请表.pdf", PDF, "pdf", "application/pdf"),
        ("照片.PNG", PNG, "png", "image/png"),
        ("照片.jpg", JPEG, "jpeg", "image/jpeg"),
        ("照片.jpeg", JPEG, "jpeg", "image/jpeg"),
        ("营业执照.ofd", OFD, "ofd", "application/ofd"),
    ],
)
def test_accepted_formats(name, data, kind, content_type):
    checked = check_upload(name, data)
    assert (checked.kind, checked.content_type, checked.size) == (kind, content_type, len(data))
    assert len(checked.sha256) == 64


def _refusal(name: str, data: bytes) -> str:
    with pytest.raises(ValidationFailed) as exc:
        check_upload(name, data)
    assert (exc.value.code, exc.value.field) == ("upload_refused", "file")
    return exc.value.message


def test_a_png_renamed_pdf_is_refused():
    assert _refusal("申请表.pdf", PNG) == "文件：文件内容是 PNG，与文件名“申请表.pdf”不符。"
    assert _refusal("照片.png", PDF) == "文件：文件内容是 PDF，与文件名“照片.png”不符。"
    assert _refusal("照片", JPEG) == "文件：文件内容是 JPEG，与文件名“照片”不符。"


def test_an_empty_file_is_refused():
    assert _refusal("空.pdf", b"") == "文件：文件是空的，请重新选择。"


@override_settings(TONGBAN_UPLOAD_MAX_MB=1)
def test_an_oversized_file_is_refused():
    just_fits = PDF + b"0" * (1024 * 1024 - len(PDF))
    assert check_upload("大.pdf", just_fits).size == 1024 * 1024
    assert _refusal("大.pdf", just_fits + b"0") == "文件：文件超过 1 MB，请压缩后再上传。"


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = _image("1", (10000, 10000), "PNG", optimize=True)
    assert len(bomb) < 100_000  # small on disk, 100 megapixels when decoded
    assert _refusal("炸弹.png", bomb) == "文件：图片尺寸过大（10000×10000），请缩小后再上传。"


def test_a_bomb_past_pillows_own_limit_reads_as_too_large_not_corrupt():
    bomb = _image("1", (20000, 10000), "PNG")  # beyond twice Pillow's MAX_IMAGE_PIXELS
    message = _refusal("炸弹.png", bomb)
    assert message.startswith("文件：图片尺寸过大")


def test_a_corrupt_jpeg_is_refused():
    garbage = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
    assert _refusal("照片.jpg", garbage) == "文件：图片已损坏，无法打开。"
    photo = _image("RGB", (640, 480), "JPEG", quality=95)
    truncated = photo[: len(photo) // 2]
    assert _refusal("照片.jpg", truncated) == "文件：图片已损坏，无法打开。"


def test_a_png_with_a_broken_chunk_is_refused():
    broken = bytearray(PNG)
    broken[-20] ^= 0xFF  # inside the IDAT chunk: its CRC no longer matches
    assert _refusal("照片.png", bytes(broken)) == "文件：图片已损坏，无法打开。"


def test_an_ofd_needs_its_ofd_xml():
    assert _refusal("营业执照.ofd", NOT_OFD) == "文件：只接受 JPEG、OFD、PDF、PNG 格式的文件。"
    assert _refusal("营业执照.ofd", b"PK\x03\x04 not really a zip") == (
        "文件：只接受 JPEG、OFD、PDF、PNG 格式的文件。"
    )


def test_other_formats_are_refused_by_content():
    for name, data in [
        ("a.pdf", b"MZ\x90\x00 an executable"),
        ("a.pdf", b"<html>"),
        ("a.txt", b"plain text"),
        ("a.gif", b"GIF89a\x01\x00\x01\x00"),
    ]:
        assert _refusal(name, data) == "文件：只接受 JPEG、OFD、PDF、PNG 格式的文件。"


# ---------------------------------------------------------------- nothing stored on refusal


REFUSED = [
    ("申请表.pdf", PNG),
    ("空.pdf", b""),
    ("炸弹.png", _image("1", (10000, 10000), "PNG")),
    ("照片.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64),
    ("营业执照.ofd", NOT_OFD),
]


@pytest.mark.parametrize(("name", "data"), REFUSED)
def test_a_refused_upload_stores_nothing(name, data, applicant, draft):
    before = (draft.version, CaseEvent.objects.filter(case=draft).count())
    with pytest.raises(ValidationFailed):
        case_material_add(actor=applicant, case=draft, seq=2, name=name, data=data)
    assert CaseMaterial.objects.count() == 0
    assert stored_files() == []
    fresh = Case.objects.get(pk=draft.pk)
    assert (fresh.version, CaseEvent.objects.filter(case=draft).count()) == before


@pytest.mark.parametrize(("name", "data"), REFUSED)
def test_a_refused_upload_through_http_stores_nothing(name, data, applicant, draft):
    response = Api(applicant).upload(draft.case_no, 2, name, data)
    assert response.status_code == 422
    assert response.json()["code"] == "upload_refused"
    assert response.json()["field"] == "file"
    assert CaseMaterial.objects.count() == 0
    assert stored_files() == []


@override_settings(TONGBAN_UPLOAD_MAX_MB=1)
def test_an_oversized_upload_through_http_is_refused_before_it_is_read(applicant, draft):
    big = PDF + b"0" * (1024 * 1024)
    response = Api(applicant).upload(draft.case_no, 2, "大.pdf", big)
    assert response.status_code == 422
    assert response.json()["message"] == "文件：文件超过 1 MB，请压缩后再上传。"
    assert CaseMaterial.objects.count() == 0
    assert stored_files() == []


def test_an_accepted_upload_is_stored_once_under_the_case_number(applicant, draft):
    row = case_material_add(actor=applicant, case=draft, seq=2, name="照片.png", data=PNG)
    assert stored_files() == [row.file.name]
    assert row.file.name.endswith(f"{draft.case_no}-002.png")
    with default_storage.open(row.file.name) as stored:
        assert stored.read() == PNG


def test_an_upload_to_a_withdrawn_case_stores_nothing(applicant, draft):
    draft = case_withdraw(actor=applicant, case=draft)
    response = Api(applicant).upload(draft.case_no, 2, "照片.png", PNG)
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert CaseMaterial.objects.count() == 0
    assert stored_files() == []


def test_a_file_stored_before_the_transaction_failed_is_removed(applicant, draft, monkeypatch):
    """The lock or the state check can still refuse after the file was written (a racing
    withdrawal): the file is deleted with the rolled-back row."""

    def refuse(**kwargs):
        raise ValidationFailed("upload_refused", "模拟：并发撤回")

    monkeypatch.setattr(materials_service, "transition", refuse)
    with pytest.raises(ValidationFailed):
        case_material_add(actor=applicant, case=draft, seq=2, name="照片.png", data=PNG)
    assert CaseMaterial.objects.count() == 0
    assert stored_files() == []
