from __future__ import annotations

import datetime as dt

from django.db import transaction

from ..models import CaseNumberCounter


def next_case_no(*, region_code: str, day: dt.date) -> str:
    """Readable and unique: region code, date, and the day's sequence (330199-20261121-00042)."""
    with transaction.atomic():
        counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(
            region_code=region_code, day=day
        )
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{region_code}-{day:%Y%m%d}-{counter.last:05d}"
