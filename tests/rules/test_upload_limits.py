"""Reference-table uploads go through the platform-wide check too: a file whose content is not
a table is refused even if it decodes as text, and nothing is stored."""

from __future__ import annotations

import pytest

from tongban.core.errors import ValidationFailed
from tongban.rules.models import ReferenceTable
from tongban.rules.services import reference_table_upload


def upload(content, name):
    return reference_table_upload(
        table=None, name="人口", key_column="身份证号", file_name=name, content=content, actor=None
    )


def test_a_pdf_renamed_csv_is_refused(db):
    pdf = "%PDF-1.4\n身份证号,hukou_city\n110101194001010011,海口市\n".encode()
    with pytest.raises(ValidationFailed) as caught:
        upload(pdf, "pop.csv")
    assert caught.value.message == "文件：只接受 CSV、XLSX 格式的文件。"
    assert caught.value.code == "table_invalid"
    assert not ReferenceTable.objects.exists()


def test_oversize_is_refused(db, settings):
    settings.TONGBAN_UPLOAD_MAX_MB = 1
    body = "身份证号,hukou_city\n".encode() + b"110101194001010011,x\n" * 60_000
    with pytest.raises(ValidationFailed) as caught:
        upload(body, "pop.csv")
    assert caught.value.message == "文件：文件超过 1 MB，请压缩后再上传。"
    assert not ReferenceTable.objects.exists()


def test_the_console_page_shows_the_refusal(db, client):
    from tests.factories import make_staff
    from tongban.core.permissions import Role

    admin = make_staff(Role.ADMINISTRATOR, username="rules_admin")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/console/rules/connectors/",
        {
            "what": "table",
            "t-name": "人口",
            "t-key_column": "身份证号",
            "t-file": SimpleUploadedFile("pop.csv", b"%PDF-1.4 not a table"),
        },
    )
    assert response.status_code == 422
    assert "只接受 CSV、XLSX 格式的文件。" in response.content.decode()
    assert not ReferenceTable.objects.exists()
