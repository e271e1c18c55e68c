"""Masking of personal data for display and for logs (个人信息脱敏)."""

from __future__ import annotations

import logging
import re


def mask_id_number(number: str | None) -> str:
    """``460102199001011234`` → ``4601**********1234``: 4 visible, 10 masked, 4 visible."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(number: str | None) -> str:
    """``13812345678`` → ``138****5678``; a landline keeps its area code and last 4 digits."""
    if not number:
        return ""
    if len(number) == 11 and number.isdigit():
        return number[:3] + "****" + number[-4:]
    if len(number) <= 4:
        return "*" * len(number)
    head = number.split("-", 1)[0] + "-" if "-" in number else number[:3]
    return head + "*" * max(len(number) - len(head) - 4, 0) + number[-4:]


def mask_name(name: str | None) -> str:
    """``张三`` → ``张*``; ``欧阳小明`` → ``欧***``: only the first character stays."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def redact_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text."""
    text = _ID_IN_TEXT.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(3)[-4:], text)
    return _MOBILE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class PersonalDataFilter(logging.Filter):
    """A logging filter that masks ID numbers and mobile numbers in every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        redacted = redact_text(message)
        record.msg = redacted
        record.args = None
        return True
