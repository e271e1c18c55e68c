"""Reference-table uploads (CSV and xlsx); bad files refused with nothing half-written."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tongban.core.errors import ValidationFailed
from tongban.rules.models import ReferenceRow, ReferenceTable
from tongban.rules.services import reference_table_upload

CSV = "身份证号,hukou_city,name\n110101194001010011,海口市,甲\n110101195001010012,三亚市,乙\n".encode()


def upload(content, name="pop.csv", table=None, key="身份证号"):
    return reference_table_upload(
        table=table, name="人口", key_column=key, file_name=name, content=content, actor=None
    )


def test_csv_upload(db):
    table = upload(b"\xef\xbb\xbf" + CSV)
    assert (table.row_count, table.columns, table.key_column) == (
        2,
        ["身份证号", "hukou_city", "name"],
        "身份证号",
    )
    row = ReferenceRow.objects.get(key="110101194001010011")
    assert row.data == {"hukou_city": "海口市", "name": "甲"}


def test_xlsx_upload_and_replace(db):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["身份证号", "hukou_city", "income"])
    sheet.append(["110101194001010011", "海口市", 1200])
    out = io.BytesIO()
    book.save(out)
    table = upload(out.getvalue(), name="pop.xlsx")
    assert ReferenceRow.objects.get(table=table).data == {"hukou_city": "海口市", "income": 1200}
    upload(CSV, table=table)
    assert ReferenceRow.objects.filter(table=table).count() == 2


@pytest.mark.parametrize(
    ("content", "name", "key", "message"),
    [
        (CSV, "pop.txt", "身份证号", "只支持 .csv 和 .xlsx 文件。"),
        (b"", "pop.csv", "身份证号", "文件是空的。"),
        (CSV, "pop.csv", "id", "表头中没有主键列“id”。"),
        (
            CSV + "110101194001010011,海口市,丙\n".encode(),
            "pop.csv",
            "身份证号",
            "第 4 行的主键“1101…”重复。",
        ),
        (CSV + ",海口市,丁\n".encode(), "pop.csv", "身份证号", "第 4 行的主键为空或过长。"),
        (
            b"PK\x03\x04 not a workbook",
            "pop.xlsx",
            "身份证号",
            "无法读取该 Excel 文件，请上传 .xlsx 格式的工作簿。",
        ),
        (b"a,a\n1,2\n", "pop.csv", "a", "表头的每一列都要有名称，且不能重复。"),
    ],
)
def test_bad_files_change_nothing(db, content, name, key, message):
    table = upload(CSV)
    with pytest.raises(ValidationFailed) as exc:
        upload(content, name=name, key=key, table=table)
    assert exc.value.message == message
    assert ReferenceRow.objects.filter(table=table).count() == 2
    assert ReferenceTable.objects.get(pk=table.pk).row_count == 2
