"""Validation of the identifiers people type: resident ID numbers, unified social credit codes,
phone numbers, statutory division codes and dates.

Every validator returns the normalised value or raises ``ValidationFailed`` whose message names
the field and the problem in the user's language. Nothing here logs the value it checks.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from .errors import CoreErrorCode, ValidationFailed

ID_NUMBER_LABEL = _("身份证号码")
CREDIT_CODE_LABEL = _("统一社会信用代码")
PHONE_LABEL = _("电话号码")
REGION_CODE_LABEL = _("区划代码")
DATE_LABEL = _("日期")

# Province-level division codes (GB/T 2260): the first two digits of every division code.
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
REGION_CODE_LENGTHS = {"district": 6, "street": 9, "community": 12}

_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_LANDLINE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(-\d{1,6})?$", re.ASCII)
_SERVICE = re.compile(r"^(1\d{4}|[48]00\d{7})$", re.ASCII)  # 12345, 95598, 400/800 numbers
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")


def _typed(value: str | None) -> str:
    """The value with full-width characters, as a Chinese input method types them, made ASCII."""
    return unicodedata.normalize("NFKC", value or "")


def _fail(code: CoreErrorCode, field: str, label, problem) -> ValidationFailed:
    return ValidationFailed(
        code, _("%(label)s：%(problem)s"), field=field, label=label, problem=problem
    )


def validate_id_number(value: str | None, *, field: str = "id_number") -> str:
    """A mainland resident identity card number (GB 11643): length, birth date, place, checksum."""
    code = CoreErrorCode.INVALID_ID_NUMBER
    number = _typed(value).strip().upper().replace(" ", "")
    if not number:
        raise _fail(code, field, ID_NUMBER_LABEL, _("不能为空。"))
    if len(number) != 18:
        raise _fail(code, field, ID_NUMBER_LABEL, _("应为 18 位，当前为 %d 位。") % len(number))
    if not _ID_NUMBER.fullmatch(number):
        raise _fail(code, field, ID_NUMBER_LABEL, _("前 17 位应为数字，最后一位为数字或 X。"))
    try:
        ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise _fail(code, field, ID_NUMBER_LABEL, _("出生日期不存在。")) from None
    if ric.get_birth_date(number) > dt.date.today():  # noqa: DTZ011 - a civil date, no time zone
        raise _fail(code, field, ID_NUMBER_LABEL, _("出生日期晚于今天。"))
    if number[-1] != ric.calc_check_digit(number):
        raise _fail(code, field, ID_NUMBER_LABEL, _("校验位不正确，请核对号码。"))
    try:
        ric.get_birth_place(number)
    except (stdnum_errors.ValidationError, KeyError):  # KeyError: a known province, no county
        raise _fail(code, field, ID_NUMBER_LABEL, _("前 6 位不是有效的行政区划代码。")) from None
    return number


def birth_date_from_id(number: str) -> dt.date:
    return ric.get_birth_date(number)


def gender_from_id(number: str) -> str:
    """'male' or 'female', from the 17th digit (odd is male)."""
    return "male" if int(number[16]) % 2 else "female"


def validate_credit_code(value: str | None, *, field: str = "credit_code") -> str:
    """A unified social credit code (GB 32100): 18 characters with a MOD 31 check character."""
    code = CoreErrorCode.INVALID_CREDIT_CODE
    number = _typed(value).strip().upper().replace(" ", "")
    if not number:
        raise _fail(code, field, CREDIT_CODE_LABEL, _("不能为空。"))
    if len(number) != 18:
        raise _fail(code, field, CREDIT_CODE_LABEL, _("应为 18 位，当前为 %d 位。") % len(number))
    try:
        uscc.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise _fail(code, field, CREDIT_CODE_LABEL, _("校验位不正确，请核对代码。")) from None
    except stdnum_errors.ValidationError:
        raise _fail(
            code, field, CREDIT_CODE_LABEL, _("含有不允许的字符（不使用 I、O、Z、S、V）。")
        ) from None
    return number


def validate_phone(value: str | None, *, field: str = "phone") -> str:
    """A mainland mobile (11 digits), a landline with area code, or a service number."""
    code = CoreErrorCode.INVALID_PHONE
    number = re.sub(r"[\s()]", "", _typed(value))
    if number.startswith("+86"):
        number = number[3:]
    if not number:
        raise _fail(code, field, PHONE_LABEL, _("不能为空。"))
    if _MOBILE.match(number) or _LANDLINE.match(number) or _SERVICE.match(number):
        return number
    raise _fail(
        code,
        field,
        PHONE_LABEL,
        _("格式不正确：手机号为 11 位数字，固定电话需带区号（如 0571-87654321）。"),
    )


def validate_region_code(
    value: str | None,
    *,
    level: str | None = None,
    parent_code: str | None = None,
    field: str = "code",
) -> str:
    """A statutory division code: 6 digits (district), 9 (street/town) or 12 (community/village)."""
    code = CoreErrorCode.INVALID_REGION_CODE
    number = (value or "").strip()
    if not number.isdigit() or not number.isascii():
        raise _fail(code, field, REGION_CODE_LABEL, _("只能包含数字。"))
    if len(number) not in REGION_CODE_LENGTHS.values():
        raise _fail(
            code,
            field,
            REGION_CODE_LABEL,
            _("应为 6 位（区县）、9 位（街道/镇）或 12 位（社区/村）。"),
        )
    if level is not None and len(number) != REGION_CODE_LENGTHS[level]:
        raise _fail(
            code,
            field,
            REGION_CODE_LABEL,
            _("该级别的代码应为 %d 位。") % REGION_CODE_LENGTHS[level],
        )
    if number[:2] not in PROVINCE_CODES:
        raise _fail(code, field, REGION_CODE_LABEL, _("前两位不是有效的省级代码。"))
    if parent_code is not None and not number.startswith(parent_code):
        raise _fail(code, field, REGION_CODE_LABEL, _("应以上级区划代码 %s 开头。") % parent_code)
    return number


def region_level_for_code(number: str) -> str:
    for level, length in REGION_CODE_LENGTHS.items():
        if len(number) == length:
            return level
    raise ValueError(number)


def parse_date(value: str | dt.date | None, *, field: str = "date", label=None) -> dt.date:
    """An ISO date (YYYY-MM-DD). A datetime is not accepted where a date is asked for."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = (value or "").strip() if isinstance(value, str) else ""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(
            CoreErrorCode.INVALID_DATE,
            field,
            label or DATE_LABEL,
            _("“%s”不是有效的日期，请按 YYYY-MM-DD 填写（如 2026-09-30）。") % text[:40],
        ) from None


@deconstructible
class FieldValidator:
    """One of the validators above, for Django model and form fields (serialisable)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, value):
        func = {
            "id_number": validate_id_number,
            "credit_code": validate_credit_code,
            "phone": validate_phone,
            "region_code": validate_region_code,
        }[self.kind]
        try:
            func(value)
        except ValidationFailed as exc:
            raise DjangoValidationError(exc.message, code=str(exc.code)) from None

    def __eq__(self, other) -> bool:
        return isinstance(other, FieldValidator) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)


id_number_field_validator = FieldValidator("id_number")
credit_code_field_validator = FieldValidator("credit_code")
phone_field_validator = FieldValidator("phone")
region_code_field_validator = FieldValidator("region_code")
