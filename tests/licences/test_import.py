"""Import of licences issued by other systems (CSV and Excel): all rows or none, clear per-row
errors, imported licences marked as such and usable for 免证办 at once."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from tests.factories import EnterpriseFactory, make_credit_code
from tests.licences.factories import LicenceTypeFactory, signing_key
from tongban.core.models import Enterprise, Person
from tongban.licences.models import HolderKind, Licence
from tongban.licences.selectors import valid_licence_of
from tongban.licences.services.imports import licences_import

pytestmark = pytest.mark.django_db

HEADER = "持证主体名称,统一社会信用代码,证照编号,发证日期,有效期至,经营场所,经营项目,从业人数"


@pytest.fixture
def yyzz(db):
    lt = LicenceTypeFactory(code="YYZZ", name="营业执照", holder_kind=HolderKind.ENTERPRISE)
    signing_key(lt.department)
    return lt


def _csv(tmp_path, *lines, name="licences.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_a_csv_file_is_imported_and_marked(tmp_path, yyzz):
    known = EnterpriseFactory(name="云溪鲜食餐饮有限公司")
    new_code = make_credit_code(77)
    path = _csv(
        tmp_path,
        HEADER,
        f"云溪鲜食餐饮有限公司,{known.credit_code},91330199MA0001,2024-03-01,2044-02-28,云溪区学府路 1 号,餐饮服务,12",
        f"云溪新开科技有限公司,{new_code},91330199MA0002,2025/06/18,,云溪区科创园 8 号,软件开发,",
    )
    result = licences_import(path=path, type_code="YYZZ", source_system="市场监管登记系统")
    assert (result.created, result.skipped, result.errors) == (2, 0, [])
    first = Licence.objects.get(number="91330199MA0001")
    assert first.imported is True
    assert first.source_system == "市场监管登记系统"
    assert first.enterprise == known
    assert (first.issued_on, first.valid_until) == (dt.date(2024, 3, 1), dt.date(2044, 2, 28))
    assert first.data == {"address": "云溪区学府路 1 号", "scope": "餐饮服务", "staff": 12}
    # a holder new to the platform is registered; 免证办 finds the licence at once
    registered = Enterprise.objects.get(credit_code=new_code)
    assert registered.name == "云溪新开科技有限公司"
    assert valid_licence_of(type_code="YYZZ", enterprise=registered).number == "91330199MA0002"


def test_loading_the_same_file_again_skips_its_rows(tmp_path, yyzz):
    code = make_credit_code(78)
    path = _csv(tmp_path, HEADER, f"甲公司,{code},N-1,2024-03-01,,地址,项目,")
    assert licences_import(path=path, type_code="YYZZ", source_system="旧系统").created == 1
    again = licences_import(path=path, type_code="YYZZ", source_system="旧系统")
    assert (again.created, again.skipped, again.errors) == (0, 1, [])
    assert Licence.objects.count() == 1


def test_a_file_with_a_bad_row_writes_nothing(tmp_path, yyzz):
    path = _csv(
        tmp_path,
        HEADER,
        f"甲公司,{make_credit_code(79)},N-1,2024-03-01,,地址,项目,",
        "乙公司,123,N-2,2024-03-01,,地址,项目,",
        f"丙公司,{make_credit_code(80)},N-3,2024-13-01,,地址,项目,",
        f"丁公司,{make_credit_code(81)},N-4,2024-03-01,2020-01-01,地址,项目,",
        f"戊公司,{make_credit_code(82)},N-1,2024-03-01,,地址,项目,",
        f"己公司,{make_credit_code(83)},N-6,2024-03-01,,,项目,",
    )
    result = licences_import(path=path, type_code="YYZZ", source_system="旧系统")
    assert result.created == 0
    assert [row for row, _message in result.errors] == [3, 4, 5, 6, 7]
    messages = dict(result.errors)
    assert messages[4] == "发证日期“2024-13-01”不是日期（应为 2026-05-01 这样的格式）。"
    assert messages[5] == "有效期至早于发证日期。"
    assert messages[6] == "证照编号 N-1 与第 2 行重复。"
    assert "统一社会信用代码" in messages[3]
    assert "经营场所" in messages[7]
    assert Licence.objects.count() == 0
    assert Enterprise.objects.count() == 0


def test_a_header_without_the_required_columns_is_refused(tmp_path, yyzz):
    path = _csv(tmp_path, "名称,编号", "甲公司,N-1")
    result = licences_import(path=path, type_code="YYZZ", source_system="旧系统")
    assert result.errors == [
        (1, "表头缺少列：统一社会信用代码、证照编号、发证日期、经营场所、经营项目。")
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.txt", b"x", "只能导入 .csv 或 .xlsx 文件。"),
        ("a.csv", "名称".encode("gbk"), "CSV 文件须为 UTF-8 编码。"),
        ("a.xlsx", b"not a workbook", "无法读取文件：InvalidFileException"),
        ("a.csv", b"", "文件是空的。"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, yyzz, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = licences_import(path=path, type_code="YYZZ", source_system="旧系统")
    assert result.created == 0
    assert len(result.errors) == 1
    assert result.errors[0][1].startswith(message.split("：")[0])


def test_an_unknown_type_is_refused(tmp_path):
    result = licences_import(path=tmp_path / "x.csv", type_code="NOPE", source_system="旧系统")
    assert result.errors == [(0, "没有证照类型“NOPE”。")]


def test_an_excel_file_of_person_licences(tmp_path):
    lt = LicenceTypeFactory(code="WYCJSYZ", name="网络预约出租汽车驾驶员证")
    signing_key(lt.department)
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["持证人", "身份证号码", "证照编号", "发证日期", "有效期至", "优待类别", "出生日期"]
    )
    id_no = "11010519491231002X"
    sheet.append(
        [
            "赵大海",
            id_no,
            "WYC-0001",
            dt.datetime(2023, 5, 6),
            dt.date(2029, 5, 5),
            "60-79周岁",
            "1960-02-03",
        ]
    )
    path = tmp_path / "drivers.xlsx"
    book.save(path)
    result = licences_import(path=path, type_code="WYCJSYZ", source_system="交通运输局系统")
    assert (result.created, result.errors) == (1, [])
    licence = Licence.objects.get(number="WYC-0001")
    assert licence.person == Person.objects.get(id_number=id_no)
    assert (licence.issued_on, licence.valid_until, licence.imported) == (
        dt.date(2023, 5, 6),
        dt.date(2029, 5, 5),
        True,
    )
