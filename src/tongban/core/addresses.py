"""Addresses to regions (属地): which street and community of the platform's own Region table an
address string names.

The matcher is the platform's own: within a district, the longest street name found in the text
wins, then the longest community name of that street (or, when no street is named, of any
street). Names match with or without their suffix (街道 / 镇 / 乡 / 社区 / 村 / 居委会 /
村委会), so "望湖小区旁，云溪望湖" finds 望湖社区. A name's suffix-less form must keep at least
two characters. Text a street match used is not matched again for a community (东湖街道 does
not also find 东湖社区). An address that names no region resolves to ``None``: the caller keeps
it and flags it for a person to decide.

The index is built once per process from the Region table and rebuilt when the table changes
(checked at most every 30 s, or at once after ``invalidate``).
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from dataclasses import dataclass

from django.db import DatabaseError
from django.db.models import Count, Max

from .models import Region
from .models.regions import RegionLevel

SUFFIXES = ("街道办事处", "街道", "村委会", "居委会", "社区", "镇", "乡", "村")
DISTRICT_SUFFIXES = ("区", "县", "市")
REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class AddressMatch:
    """What an address resolved to: the most specific region, its street and community."""

    region: Region
    street: Region
    community: Region | None
    matched: str  # the text that named the most specific region


@dataclass(frozen=True)
class _Name:
    text: str
    region: Region
    bare: bool = False  # the name without its suffix


class _Index:
    def __init__(self, regions: list[Region]):
        by_pk = {r.pk: r for r in regions}
        self.districts: list[_Name] = []
        self.streets: dict[int, list[_Name]] = {}  # district pk → street names
        self.communities: dict[int, list[_Name]] = {}  # street pk → community names
        for region in regions:
            names = [
                _Name(v, region, bare=i > 0)
                for i, v in enumerate(variants(region.name, region.level))
            ]
            if region.level == RegionLevel.DISTRICT:
                self.districts.extend(names)
            elif region.level == RegionLevel.STREET:
                self.streets.setdefault(region.parent_id, []).extend(names)
            elif region.level == RegionLevel.COMMUNITY:
                self.communities.setdefault(region.parent_id, []).extend(names)
        for table in (self.streets, self.communities):
            for names in table.values():
                names.sort(key=lambda n: -len(n.text))
        self.districts.sort(key=lambda n: -len(n.text))
        self.by_pk = by_pk


def variants(name: str, level: str) -> list[str]:
    """The name as written and without its suffix (when at least two characters remain)."""
    name = normalise(name)
    out = [name]
    suffixes = DISTRICT_SUFFIXES if level == RegionLevel.DISTRICT else SUFFIXES
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            out.append(name[: -len(suffix)])
            break
    return out


_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Full-width characters made half-width, spaces dropped."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


_index: _Index | None = None
_revision: tuple | None = None
_checked_at = 0.0
_lock = threading.Lock()


def _table_revision() -> tuple:
    agg = Region.objects.aggregate(n=Count("id"), m=Max("id"))
    return (agg["n"], agg["m"])


def _current() -> _Index:
    global _index, _revision, _checked_at
    now = time.monotonic()
    index = _index
    if index is not None and now - _checked_at < REFRESH_SECONDS:
        return index
    with _lock:
        try:
            revision = _table_revision()
        except DatabaseError:
            return _Index([])
        if _index is None or revision != _revision:
            _index = _Index(list(Region.objects.only("id", "code", "name", "level", "parent_id")))
            _revision = revision
        _checked_at = now
        return _index


def invalidate() -> None:
    """Forget the index (after regions change in this process; tests)."""
    global _index, _revision
    with _lock:
        _index = None
        _revision = None


# After a name without its suffix, these mean the text names something else: 湖滨路 is a road,
# 东湖社区 a community, 云溪街道 a street (not the district 云溪区).
_NOT_AFTER_BARE = (*SUFFIXES, *DISTRICT_SUFFIXES, "路", "街", "道", "巷", "弄", "桥", "大道")


def _occurs(text: str, name: _Name) -> int:
    at = text.find(name.text)
    while at >= 0:
        if not name.bare or not text.startswith(_NOT_AFTER_BARE, at + len(name.text)):
            return at
        at = text.find(name.text, at + 1)
    return -1


def _find(text: str, names: list[_Name]) -> tuple[_Name, int] | None:
    """The longest name occurring in ``text`` and where it starts (the earliest of equals)."""
    best: tuple[_Name, int] | None = None
    for name in names:  # sorted longest first
        if best is not None and len(name.text) < len(best[0].text):
            break
        at = _occurs(text, name)
        if at >= 0 and (best is None or at < best[1]):
            best = (name, at)
    return best


def _blank(text: str, at: int, length: int) -> str:
    return text[:at] + "\x00" * length + text[at + length :]


def resolve_address(address: str, *, district_code: str | None = None) -> AddressMatch | None:
    """The street (and community, when named) of an address, or ``None`` when none is named."""
    text = normalise(address)
    if not text:
        return None
    index = _current()
    districts = [
        n for n in index.districts if district_code is None or n.region.code == district_code
    ]
    named = _find(text, districts)
    if named is not None:
        districts = [n for n in districts if n.region.pk == named[0].region.pk]
        text = _blank(text, named[1], len(named[0].text))
    district_pks = list(dict.fromkeys(n.region.pk for n in districts))
    streets = [s for pk in district_pks for s in index.streets.get(pk, [])]
    streets.sort(key=lambda n: -len(n.text))
    street_hit = _find(text, streets)
    if street_hit is not None:
        street = street_hit[0].region
        rest = _blank(text, street_hit[1], len(street_hit[0].text))
        community_hit = _find(rest, index.communities.get(street.pk, []))
        if community_hit is not None:
            community = community_hit[0].region
            return AddressMatch(community, street, community, community_hit[0].text)
        return AddressMatch(street, street, None, street_hit[0].text)
    communities = [c for s in streets for c in index.communities.get(s.region.pk, [])]
    communities = list({id(c): c for c in communities}.values())
    communities.sort(key=lambda n: -len(n.text))
    community_hit = _find(text, communities)
    if community_hit is None:
        return None
    community = community_hit[0].region
    street = index.by_pk.get(community.parent_id)
    if street is None:
        return None
    return AddressMatch(community, street, community, community_hit[0].text)
