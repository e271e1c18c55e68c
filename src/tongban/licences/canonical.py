"""The canonical serialisation of a licence: the exact bytes that are signed.

UTF-8 JSON, keys sorted (by code point), no whitespace (``,`` and ``:`` separators), non-ASCII
characters written as themselves (not ``\\uXXXX``), no floating-point numbers (dates as
``YYYY-MM-DD`` strings, decimals as strings). docs/licences.md lists the fields.
"""

from __future__ import annotations

import json
from typing import Any

PAYLOAD_FORMAT = "tongban-licence/1"


def _check(value: Any, path: str = "$") -> None:
    if isinstance(value, float):
        raise TypeError(f"{path}: floating-point numbers are not allowed in a signed payload")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings")
            _check(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]")
    elif not (value is None or isinstance(value, str | int | bool)):
        raise TypeError(f"{path}: {type(value).__name__} is not JSON-native")


def canonical_bytes(payload: dict[str, Any]) -> bytes:
    _check(payload)
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def parse_payload(data: bytes) -> dict[str, Any]:
    """The payload back from its bytes; ``ValueError`` unless they are canonical."""
    try:
        payload = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("not UTF-8 JSON") from exc
    if not isinstance(payload, dict):
        raise ValueError("not a JSON object")
    try:
        again = canonical_bytes(payload)
    except TypeError as exc:
        raise ValueError(str(exc)) from exc
    if again != bytes(data):
        raise ValueError("not in canonical form")
    return payload
