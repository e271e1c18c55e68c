from __future__ import annotations

import datetime as dt

from django.db import connection

from ..models import CaseNumberCounter


def next_case_no(*, region_code: str, day: dt.date) -> str:
    """Readable and unique: region code, date, and the day's sequence (330199-20261121-00042).

    One statement (SQLite ≥ 3.35 and PostgreSQL alike): insert the day's counter at 1, or add
    one to it, and read the number back. The row stays locked until the caller's transaction
    ends, so a number is never handed out twice, and a rolled-back case gives its number back.
    """
    q = connection.ops.quote_name
    table, region, day_, last = (
        q(name) for name in (CaseNumberCounter._meta.db_table, "region_code", "day", "last")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({region}, {day_}, {last}) VALUES (%s, %s, 1) "  # noqa: S608 - names are ours
            f"ON CONFLICT ({region}, {day_}) DO UPDATE SET {last} = {table}.{last} + 1 "
            f"RETURNING {last}",
            [region_code, connection.ops.adapt_datefield_value(day)],
        )
        number = cursor.fetchone()[0]
    return f"{region_code}-{day:%Y%m%d}-{number:05d}"
