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
    """``13812345678`` → ``138****5678``; a landline keeps its area code and last 4 digits
    (``0571-87654321`` → ``0571-****4321``). The masked text is as long as the number."""
    if not number:
        return ""
    if len(number) <= 4:
        return "*" * len(number)
    # Keep a landline's area code, or a long number's first three digits.
    if "-" in number:
        head = number.split("-", 1)[0] + "-"
    elif len(number) > 7:
        head = number[:3]
    else:
        head = ""
    rest = number[len(head) :]
    keep = 4 if len(rest) > 4 else 2 if len(rest) > 2 else 0
    tail = rest[len(rest) - keep :]
    return head + "*" * (len(rest) - len(tail)) + tail


def mask_name(name: str | None) -> str:
    """``张三`` → ``张*``; ``欧阳小明`` → ``欧***``: only the first character stays."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
# A mainland mobile, also written +86 138 1234 5678, 0086-138-1234-5678 or 86 13812345678.
_MOBILE_IN_TEXT = re.compile(
    r"(?<!\d)((?:(?:\+|00)?86[\s-]?)?1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)"
)


def redact_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text."""
    text = _ID_IN_TEXT.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(3)[-4:], text)
    return _MOBILE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class PersonalDataFilter(logging.Filter):
    """A logging filter that masks ID numbers and mobile numbers in every record it passes:
    the message, and the traceback and stack text a formatter would append to it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True
