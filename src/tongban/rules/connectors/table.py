"""A reference table an administrator uploaded (``config = {"table": id}``): the row whose key
is the subject's ID number or credit code. ``found`` tells whether there is one."""

from __future__ import annotations

from typing import Any

from ..models import ReferenceRow


def fetch(connector, subject, fields: list[str]) -> dict[str, Any]:
    table_id = (connector.config or {}).get("table")
    if not table_id:
        raise LookupError("no reference table configured")
    row = ReferenceRow.objects.filter(table_id=table_id, key=subject.id_no).only("data").first()
    if row is None:
        return {"found": False}
    if not isinstance(row.data, dict):
        raise ValueError("malformed row")
    return {**row.data, "found": True}
