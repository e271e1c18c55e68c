"""The GB/T 36904 e-licence identifier with its ISO/IEC 7064 MOD 37,36 check character."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc
from stdnum.iso7064 import mod_37_36

from tongban.licences.identifiers import (
    InvalidIdentifier,
    is_valid_identifier,
    make_identifier,
    parse_identifier,
)

CREDIT = "11330199000000500B"


def test_format_and_check_character():
    identifier = make_identifier(
        type_code="SPJYXKZ", credit_code=CREDIT, serial="2026000001", version=1
    )
    check = mod_37_36.calc_check_digit(f"SPJYXKZ{CREDIT}2026000001001")
    assert identifier == f"1.2.156.3005.2.SPJYXKZ.{CREDIT}.2026000001.001.{check}"
    parsed = parse_identifier(identifier)
    assert (parsed.type_code, parsed.credit_code, parsed.serial, parsed.version) == (
        "SPJYXKZ",
        CREDIT,
        "2026000001",
        1,
    )
    assert str(parsed) == identifier


def test_version_is_three_digits():
    identifier = make_identifier(type_code="YYZZ", credit_code=CREDIT, serial="1", version=12)
    assert ".1.012." in identifier


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1.2.156.3005.1.YYZZ.11330199000000500B.1.001.X",
        "1.2.156.3005.2.YYZZ.11330199000000500B.1.001",
        "1.2.156.3005.2.YYZZ.11330199000000500B.1.01.X",
        "1.2.156.3005.2.yyzz.11330199000000500B.1.001.X",
        "1.2.156.3005.2.YYZZ.113301990000005.1.001.X",
        "1.2.156.3005.2.YYZZ.11330199000000500B.1.000.X",
    ],
)
def test_malformed_identifiers_are_refused(text):
    with pytest.raises(InvalidIdentifier):
        parse_identifier(text)
    assert not is_valid_identifier(text)


@given(
    st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8),
    st.text("0123456789", min_size=1, max_size=10),
    st.integers(1, 999),
)
def test_any_single_character_change_is_detected(type_code, serial, version):
    identifier = make_identifier(
        type_code=type_code, credit_code=CREDIT, serial=serial, version=version
    )
    assert is_valid_identifier(identifier)
    head, check = identifier.rsplit(".", 1)
    wrong = "0" if check != "0" else "1"
    assert not is_valid_identifier(f"{head}.{wrong}")
    # change one character of the serial
    parts = identifier.split(".")
    digit = parts[7][0]
    parts[7] = ("1" if digit != "1" else "2") + parts[7][1:]
    assert not is_valid_identifier(".".join(parts))


def test_the_documented_example_is_a_valid_identifier():
    text = (Path(__file__).parents[2] / "docs" / "licences.md").read_text(encoding="utf-8")
    example = re.search(r"Example: `(1\.2\.156\.3005\.2\.[^`]+)`", text).group(1)
    parsed = parse_identifier(example)
    assert (parsed.type_code, parsed.serial, parsed.version) == ("SPJYXKZ", "2026000001", 1)
    assert example.endswith(".3")
    assert uscc.is_valid(parsed.credit_code)
