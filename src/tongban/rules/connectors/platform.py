"""The platform's own records: ``persons`` and ``enterprises`` (core), and the sources apps
above rules register (``cases``, ``licences``: see ``tongban.rules.providers``)."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

from tongban.core.models import Enterprise, Person

from .. import providers


def _person(subject, fields: list[str]) -> dict[str, Any]:
    person = subject.person or Person.objects.filter(id_number=subject.id_no).first()
    if person is None:
        return {"found": False}
    region = person.household_region
    return {
        "found": True,
        "name": person.name,
        "birth_date": person.birth_date.isoformat(),
        "gender": person.gender,
        "region_code": region.code if region else None,
        "address": person.address,
    }


def _enterprise(subject, fields: list[str]) -> dict[str, Any]:
    enterprise = subject.enterprise or Enterprise.objects.filter(credit_code=subject.id_no).first()
    if enterprise is None:
        return {"found": False}
    return {
        "found": True,
        "name": enterprise.name,
        "region_code": enterprise.region.code if enterprise.region_id else None,
        "address": enterprise.address,
    }


BUILTIN = {"persons": _person, "enterprises": _enterprise}


def _dated(fn) -> bool:
    """Whether a source can describe a past day (it takes ``as_of``)."""
    try:
        return "as_of" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def fetch(connector, subject, fields: list[str], as_of: dt.date | None = None) -> dict[str, Any]:
    """``as_of``: the records as they were on that day, for a source that can say (a replay
    of a past case must not see, e.g., the licence that very case issued)."""
    source = str((connector.config or {}).get("source") or "")
    fn = BUILTIN.get(source) or providers.platform_source(source)
    if fn is None:
        raise LookupError(f"no platform source {source!r}")
    if as_of is not None and _dated(fn):
        return fn(subject, fields, as_of=as_of)
    return fn(subject, fields)
