"""Domain errors shared by every app.

Each app defines an ``ErrorCode`` enum of stable slugs and raises ``DomainError`` (or a subclass)
with one of them. Views and the API turn a ``DomainError`` into a localised message; the code is
what clients and tests match on, the message is what people read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class CoreErrorCode(StrEnum):
    INVALID_ID_NUMBER = "invalid_id_number"
    INVALID_CREDIT_CODE = "invalid_credit_code"
    INVALID_PHONE = "invalid_phone"
    INVALID_REGION_CODE = "invalid_region_code"
    INVALID_DATE = "invalid_date"
    INVALID_INPUT = "invalid_input"
    CALENDAR_NOT_COVERED = "calendar_not_covered"
    CALENDAR_SCHEDULE_INVALID = "calendar_schedule_invalid"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    DUPLICATE = "duplicate"
    TOKEN_INVALID = "token_invalid"
    ROLE_CONFLICT = "role_conflict"
    SECOND_FACTOR_INVALID = "second_factor_invalid"
    UPLOAD_REFUSED = "upload_refused"


class DomainError(Exception):
    """A rule of the domain refused the request. Nothing was changed."""

    status_code = 400

    def __init__(self, code: StrEnum, message: Any, *, field: str | None = None, **params: Any):
        self.code = code
        self.field = field
        self.params = params
        self._message = message
        super().__init__(str(code))

    @property
    def message(self) -> str:
        text = str(self._message)
        return text % self.params if self.params else text

    def __str__(self) -> str:  # pragma: no cover - used in logs and tracebacks
        return f"{self.code}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": str(self.code), "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


class ValidationFailed(DomainError):
    """Bad input: the message names the field and the problem."""

    status_code = 422


class CalendarNotCovered(DomainError):
    """The working-day calendar has no schedule for a year: never guess."""

    status_code = 409

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            CoreErrorCode.CALENDAR_NOT_COVERED,
            _(
                "工作日历没有 %(year)s 年的节假日安排，无法计算期限。"
                "请管理员先录入国务院办公厅公布的 %(year)s 年放假安排。"
            ),
            year=year,
        )


class PermissionDenied(DomainError):
    status_code = 403

    def __init__(self, message: Any = None):
        super().__init__(CoreErrorCode.PERMISSION_DENIED, message or _("您没有执行此操作的权限。"))


class NotFound(DomainError):
    """Raised for missing and forbidden objects alike, so neither leaks existence."""

    status_code = 404

    def __init__(self, message: Any = None):
        super().__init__(CoreErrorCode.NOT_FOUND, message or _("未找到该记录。"))
