"""The national e-licence identifier (电子证照标识, GB/T 36904).

``1.2.156.3005.2.{type code}.{issuer's credit code}.{serial}.{version:03d}.{check}``: the check
character is ISO/IEC 7064 MOD 37,36 over the type code, credit code, serial and version
concatenated without dots (``stdnum.iso7064.mod_37_36``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

PREFIX = "1.2.156.3005.2"

_TYPE_CODE = re.compile(r"^[0-9A-Z]{1,32}$")
_CREDIT_CODE = re.compile(r"^[0-9A-Z]{18}$")
_SERIAL = re.compile(r"^[0-9A-Z]{1,32}$")
_VERSION = re.compile(r"^[0-9]{3}$")


class InvalidIdentifier(ValueError):
    """Not a well-formed e-licence identifier, or a wrong check character."""


@dataclass(frozen=True)
class Identifier:
    type_code: str
    credit_code: str
    serial: str
    version: int
    check: str

    def __str__(self) -> str:
        return (
            f"{PREFIX}.{self.type_code}.{self.credit_code}.{self.serial}"
            f".{self.version:03d}.{self.check}"
        )


def check_character(type_code: str, credit_code: str, serial: str, version: int) -> str:
    return mod_37_36.calc_check_digit(f"{type_code}{credit_code}{serial}{version:03d}")


def _check_parts(type_code: str, credit_code: str, serial: str, version: int) -> None:
    if not _TYPE_CODE.match(type_code or ""):
        raise InvalidIdentifier("licence type code must be 1–32 capital letters or digits")
    if not _CREDIT_CODE.match(credit_code or ""):
        raise InvalidIdentifier("issuer's unified social credit code must be 18 characters")
    if not _SERIAL.match(serial or ""):
        raise InvalidIdentifier("serial must be 1–32 capital letters or digits")
    if not 1 <= version <= 999:
        raise InvalidIdentifier("version must be 1–999")


def make_identifier(*, type_code: str, credit_code: str, serial: str, version: int) -> str:
    _check_parts(type_code, credit_code, serial, version)
    check = check_character(type_code, credit_code, serial, version)
    return str(Identifier(type_code, credit_code, serial, version, check))


def parse_identifier(text: str) -> Identifier:
    """Parse and validate (format and check character); raises ``InvalidIdentifier``."""
    text = (text or "").strip()
    if not text.startswith(PREFIX + "."):
        raise InvalidIdentifier(f"an e-licence identifier starts with {PREFIX}.")
    parts = text[len(PREFIX) + 1 :].split(".")
    if len(parts) != 5:
        raise InvalidIdentifier("an e-licence identifier has five fields after the prefix")
    type_code, credit_code, serial, version_text, check = parts
    if not _VERSION.match(version_text):
        raise InvalidIdentifier("version must be three digits")
    version = int(version_text)
    _check_parts(type_code, credit_code, serial, version)
    if len(check) != 1 or check != check_character(type_code, credit_code, serial, version):
        raise InvalidIdentifier("wrong check character")
    return Identifier(type_code, credit_code, serial, version, check)


def is_valid_identifier(text: str) -> bool:
    try:
        parse_identifier(text)
    except InvalidIdentifier:
        return False
    return True
