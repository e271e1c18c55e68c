"""Bulk writing for ``tongban bench seed``: rows as tuples of the database's text, written with
COPY text built in large buffers on PostgreSQL (no per-row ``write_row``) and executemany on
SQLite; times as whole UTC epoch seconds formatted from tables, for the database and for the
event hash."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.db.models.fields import NOT_PROVIDED

EPOCH = dt.date(1970, 1, 1).toordinal()
DAY = 86_400
HOUR = 3_600
LOCAL_OFFSET = 8 * HOUR  # Asia/Shanghai: UTC+8 all year (no daylight saving since 1991)


def _json(value) -> str:
    """Canonical JSON, as core.events hashes it."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- time as epoch seconds


class Clock:
    """Whole UTC epoch seconds → the database's text (COPY or SQLite) and the hash's text."""

    def __init__(self, postgres: bool):
        self.tod = [
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        ]
        self.days: dict[int, str] = {}
        self.suffix = "+00" if postgres else ""

    def _day(self, n: int) -> str:
        text = self.days.get(n)
        if text is None:
            text = self.days[n] = dt.date.fromordinal(EPOCH + n).isoformat()
        return text

    def db(self, t: int) -> str:
        d, s = divmod(t, DAY)
        return f"{self._day(d)} {self.tod[s]}{self.suffix}"

    def iso(self, t: int) -> str:
        d, s = divmod(t, DAY)
        return f"{self._day(d)}T{self.tod[s]}.000000Z"


def local_midnight(day: dt.date) -> int:
    return (day.toordinal() - EPOCH) * DAY - LOCAL_OFFSET


def local_date(t: int) -> dt.date:
    return dt.date.fromordinal(EPOCH + (t + LOCAL_OFFSET) // DAY)


# ---------------------------------------------------------------- writing rows


class Table:
    """One table's bulk rows: the generator gives the ``columns`` it sets (a tuple per row, in
    that order, already in the database's text form); every other column gets its default."""

    def __init__(self, model, columns: tuple[str, ...]):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model._meta.label}: no columns {sorted(unknown)}")
        self.postgres = connection.vendor == "postgresql"
        self.model = model
        self.columns = columns
        self.index = {name: i for i, name in enumerate(columns)}
        rest = [f for name, f in fields.items() if name not in self.index]
        self.defaults = {f.attname: self._default(f) for f in fields.values()}
        self.table = connection.ops.quote_name(model._meta.db_table)
        names = [fields[c].column for c in columns] + [f.column for f in rest]
        self.column_sql = ", ".join(connection.ops.quote_name(n) for n in names)
        self.rest = tuple(self.defaults[f.attname] for f in rest)
        # PostgreSQL: a row is `fmt % values`; the defaults are constant text at the end
        tail = "".join("\t" + v for v in self.rest) if self.postgres else ""
        self.fmt = "\t".join(["%s"] * len(columns)) + tail + "\n"
        self.rows: list[tuple] = []
        self.written = 0

    def _default(self, f):
        value = f.get_default() if f.default is not NOT_PROVIDED else (None if f.null else "")
        if f.get_internal_type() == "JSONField":
            value = None if value is None else _json(value)
        elif value is not None and value != "":
            value = f.get_db_prep_save(value, connection)
        if not self.postgres:
            return value
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        return _copy_text(str(value))

    def write(self) -> int:
        """Write the rows in hand; their number."""
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        with connection.cursor() as cursor:
            if self.postgres:
                fmt = self.fmt
                text = "".join([fmt % row for row in rows])
                sql = f"COPY {self.table} ({self.column_sql}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    copy.write(text.encode())
            else:
                rest = self.rest
                marks = ", ".join(["%s"] * (len(self.columns) + len(rest)))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.column_sql}) VALUES ({marks})",  # noqa: S608 - model names
                    [row + rest for row in rows],
                )
        return len(rows)


def _copy_text(value: str) -> str:
    """A value in PostgreSQL's COPY text format (the generator's own values need no escaping:
    no tabs, newlines or backslashes)."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )
