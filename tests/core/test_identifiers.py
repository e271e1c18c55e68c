"""Validation of ID numbers, credit codes, phone numbers, division codes and dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError as DjangoValidationError
from stdnum.cn import ric, uscc

from tests.factories import make_id_number
from tongban.core.errors import CoreErrorCode, ValidationFailed
from tongban.core.identifiers import (
    id_number_field_validator,
    parse_date,
    validate_credit_code,
    validate_id_number,
    validate_phone,
    validate_region_code,
)

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def id_number(body17: str) -> str:
    """A number with a correct check digit (stdnum's function reads the first 17 of 18)."""
    return body17 + ric.calc_check_digit(body17 + "?")


def credit_code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


GOOD_ID = id_number("33010619850620003")  # 西湖区, born 1985-06-20
GOOD_ID_X = id_number("11010519491231002")  # check character X
GOOD_CODE = credit_code("91330106MA2H3F4T8")


def refused(func, value, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        func(value, **kwargs)
    return caught.value


# --- resident ID numbers ------------------------------------------------------------------


def test_sample_numbers_are_what_they_claim():
    assert GOOD_ID == "330106198506200031"  # checked by hand: Σ = 231, 231 mod 11 = 0 → 1
    assert GOOD_ID_X == "11010519491231002X"
    assert ric.validate(GOOD_ID) == GOOD_ID
    assert ric.validate(GOOD_ID_X) == GOOD_ID_X


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (GOOD_ID, GOOD_ID),
        (GOOD_ID_X, GOOD_ID_X),
        (GOOD_ID_X.lower(), GOOD_ID_X),
        (f" {GOOD_ID[:6]} {GOOD_ID[6:14]} {GOOD_ID[14:]} ", GOOD_ID),
        (GOOD_ID_X.translate(FULL_WIDTH), GOOD_ID_X),  # typed with a Chinese input method
    ],
)
def test_valid_id_numbers(value, expected):
    assert validate_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "不能为空。"),
        (None, "不能为空。"),
        ("   ", "不能为空。"),
        (GOOD_ID[:17], "应为 18 位，当前为 17 位。"),
        (GOOD_ID + "1", "应为 18 位，当前为 19 位。"),
        ("33010619850620A030", "前 17 位应为数字，最后一位为数字或 X。"),
        (GOOD_ID[:17] + "Y", "前 17 位应为数字，最后一位为数字或 X。"),
        ("3301061985062000٣0", "前 17 位应为数字，最后一位为数字或 X。"),  # Arabic-Indic digit
        (id_number("33010619850230003"), "出生日期不存在。"),  # 30 February
        (id_number("33010619851301003"), "出生日期不存在。"),  # month 13
        (id_number("33010619850000003"), "出生日期不存在。"),
        (GOOD_ID[:17] + str((int(GOOD_ID[17]) + 1) % 10), "校验位不正确，请核对号码。"),
        (GOOD_ID_X[:17] + "0", "校验位不正确，请核对号码。"),
        (id_number("99010619850620003"), "前 6 位不是有效的行政区划代码。"),  # no province 99
        (id_number("00000019850620003"), "前 6 位不是有效的行政区划代码。"),
        (id_number("33019919850620003"), "前 6 位不是有效的行政区划代码。"),  # no county 330199
    ],
)
def test_bad_id_numbers(value, problem):
    error = refused(validate_id_number, value)
    assert (error.code, error.field) == (CoreErrorCode.INVALID_ID_NUMBER, "id_number")
    assert error.message == f"身份证号码：{problem}"


def test_birth_date_in_the_future_is_refused():
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai"))):
        assert validate_id_number(id_number("33010620260601003"))  # born today
        error = refused(validate_id_number, id_number("33010620260602003"))
    assert error.message == "身份证号码：出生日期晚于今天。"
    assert error.code == CoreErrorCode.INVALID_ID_NUMBER


def test_id_number_error_names_the_callers_field():
    error = refused(validate_id_number, "123", field="legal_rep_id")
    assert (error.field, error.message) == ("legal_rep_id", "身份证号码：应为 18 位，当前为 3 位。")


def test_field_validator_raises_djangos_error():
    id_number_field_validator(GOOD_ID)
    with pytest.raises(DjangoValidationError) as caught:
        id_number_field_validator(GOOD_ID[:17])
    assert caught.value.code == "invalid_id_number"
    assert caught.value.messages == ["身份证号码：应为 18 位，当前为 17 位。"]


# --- unified social credit codes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (GOOD_CODE, GOOD_CODE),
        (GOOD_CODE.lower(), GOOD_CODE),
        (f"{GOOD_CODE[:9]} {GOOD_CODE[9:]}", GOOD_CODE),
        (GOOD_CODE.translate(FULL_WIDTH), GOOD_CODE),
    ],
)
def test_valid_credit_codes(value, expected):
    assert validate_credit_code(value) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "不能为空。"),
        (None, "不能为空。"),
        (GOOD_CODE[:17], "应为 18 位，当前为 17 位。"),
        (GOOD_CODE + "0", "应为 18 位，当前为 19 位。"),
        *[
            (GOOD_CODE[:10] + letter + GOOD_CODE[11:], "含有不允许的字符（不使用 I、O、Z、S、V）。")
            for letter in "IOZSV"
        ],
        (GOOD_CODE[:17] + "I", "含有不允许的字符（不使用 I、O、Z、S、V）。"),
        (GOOD_CODE[:10] + "-" + GOOD_CODE[11:], "含有不允许的字符（不使用 I、O、Z、S、V）。"),
        ("9A" + GOOD_CODE[2:], "含有不允许的字符（不使用 I、O、Z、S、V）。"),  # 1–8 are digits
        (GOOD_CODE[:17] + ("0" if GOOD_CODE[17] != "0" else "1"), "校验位不正确，请核对代码。"),
    ],
)
def test_bad_credit_codes(value, problem):
    error = refused(validate_credit_code, value)
    assert (error.code, error.field) == (CoreErrorCode.INVALID_CREDIT_CODE, "credit_code")
    assert error.message == f"统一社会信用代码：{problem}"


# --- phone numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13912345678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("+8619912345678", "19912345678"),
        ("１３９１２３４５６７８", "13912345678"),  # full-width
        ("0571-87654321", "0571-87654321"),
        ("(0571) 87654321", "057187654321"),
        ("（0571）87654321", "057187654321"),
        ("010-62345678", "010-62345678"),
        ("0571-87654321-123", "0571-87654321-123"),
        ("12345", "12345"),
        ("4008123456", "4008123456"),
    ],
)
def test_valid_phones(value, expected):
    assert validate_phone(value) == expected


BAD_PHONE = "格式不正确：手机号为 11 位数字，固定电话需带区号（如 0571-87654321）。"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "不能为空。"),
        (None, "不能为空。"),
        ("+86", "不能为空。"),
        ("1391234567", BAD_PHONE),  # 10 digits
        ("139123456789", BAD_PHONE),  # 12 digits
        ("12912345678", BAD_PHONE),  # no mobile prefix 12
        ("23912345678", BAD_PHONE),
        ("139١٢٣٤٥٦٧٨", BAD_PHONE),  # Arabic-Indic digits
        ("87654321", BAD_PHONE),  # a landline without its area code
        ("0571-07654321", BAD_PHONE),  # local numbers do not start with 0 or 1
        ("0571-876543", BAD_PHONE),
        ("abc", BAD_PHONE),
    ],
)
def test_bad_phones(value, problem):
    error = refused(validate_phone, value)
    assert (error.code, error.field) == (CoreErrorCode.INVALID_PHONE, "phone")
    assert error.message == f"电话号码：{problem}"


# --- statutory division codes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs"),
    [
        ("330106", {}),
        ("330106", {"level": "district"}),
        ("330106001", {"level": "street", "parent_code": "330106"}),
        ("330106001001", {"level": "community", "parent_code": "330106001"}),
        ("810000", {}),
    ],
)
def test_valid_region_codes(value, kwargs):
    assert validate_region_code(value, **kwargs) == value


LENGTHS = "应为 6 位（区县）、9 位（街道/镇）或 12 位（社区/村）。"


@pytest.mark.parametrize(
    ("value", "kwargs", "problem"),
    [
        ("", {}, "只能包含数字。"),
        (None, {}, "只能包含数字。"),
        ("33O106", {}, "只能包含数字。"),
        ("３３０１０６", {}, "只能包含数字。"),
        ("33010", {}, LENGTHS),
        ("3301060011", {}, LENGTHS),
        ("3301060010011", {}, LENGTHS),
        ("330106001", {"level": "district"}, "该级别的代码应为 6 位。"),
        ("330106", {"level": "community"}, "该级别的代码应为 12 位。"),
        ("990106", {}, "前两位不是有效的省级代码。"),
        ("000000", {}, "前两位不是有效的省级代码。"),
        ("330107001", {"parent_code": "330106"}, "应以上级区划代码 330106 开头。"),
        ("330106002001", {"parent_code": "330106001"}, "应以上级区划代码 330106001 开头。"),
    ],
)
def test_bad_region_codes(value, kwargs, problem):
    error = refused(validate_region_code, value, **kwargs)
    assert (error.code, error.field) == (CoreErrorCode.INVALID_REGION_CODE, "code")
    assert error.message == f"区划代码：{problem}"


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-09-30", dt.date(2026, 9, 30)),
        (" 2026-09-30 ", dt.date(2026, 9, 30)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        (dt.date(2026, 9, 30), dt.date(2026, 9, 30)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-13-01", "2026-13-01"),
        ("2026-02-29", "2026-02-29"),
        ("abc", "abc"),
        ("2026-9-30", "2026-9-30"),
        ("20260930", "20260930"),
        ("2026/09/30", "2026/09/30"),
        ("２０２６-０９-３０", "２０２６-０９-３０"),
        ("", ""),
        (None, ""),
        (dt.datetime(2026, 9, 30, 12, tzinfo=dt.UTC), ""),  # a datetime is not a date
    ],
)
def test_bad_dates(value, shown):
    error = refused(parse_date, value)
    assert (error.code, error.field) == (CoreErrorCode.INVALID_DATE, "date")
    assert (
        error.message == f"日期：“{shown}”不是有效的日期，请按 YYYY-MM-DD 填写（如 2026-09-30）。"
    )


def test_bad_date_names_the_callers_field_and_label():
    error = refused(parse_date, "2026-13-01", field="start", label="开始日期")
    assert (error.field, error.message) == (
        "start",
        "开始日期：“2026-13-01”不是有效的日期，请按 YYYY-MM-DD 填写（如 2026-09-30）。",
    )


def test_factory_id_numbers_are_valid():
    for n in range(50):
        assert validate_id_number(make_id_number(n)) == make_id_number(n)
