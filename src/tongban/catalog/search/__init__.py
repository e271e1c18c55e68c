"""Catalogue search (事项搜索): Chinese words, pinyin, initials and typos, for portal and console.

One in-process index over the published item versions and the published bundles, built on first
use. It is kept fresh two ways: the catalogue services call ``invalidate()`` after a publish,
retire or bundle change commits (this process), and a cheap revision fingerprint of the tables
is compared at most every ``TONGBAN_SEARCH_REFRESH_SECONDS`` (default 5) seconds so that changes
made by other processes are seen too.

Ranking, best first (``TIERS``): exact name > name prefix > name contains (and the same for the
name's full pinyin and initials) > alias > all query words in the name > homophone or typo of
the name (one wrong, missing or extra character; two from eight characters up) > materials >
guide text (summary, conditions). Within a tier, the name the query covers most wins.

``index`` builds the documents and their fields, ``matching`` scores a query against them.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings

from ..models import Bundle, ServiceItemVersion
from ..models.codes import VersionStatus
from . import matching
from .index import Doc, Index, build, normalize, revision
from .matching import substring_distance

__all__ = [
    "BundleCard",
    "Kept",
    "SearchHit",
    "SearchResult",
    "bundle_cards",
    "current_index",
    "invalidate",
    "kept",
    "memo",
    "normalize",
    "revision",
    "search",
    "substring_distance",
    "warm",
]

T = TypeVar("T")
DEFAULT_REFRESH_SECONDS = 5.0
_clock = time.monotonic  # the memo's clock (tests move it)
MAX_LIMIT = 200


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "item" or "bundle"
    code: str  # implementation code (item) or bundle code
    name: str
    department: str  # department code; "" for a bundle
    department_name: str
    score: float
    field: str  # the field that matched: name, alias, code, material, items, summary, conditions
    how: str  # exact, prefix, contains, pinyin_*, initials_*, words, homophone, fuzzy, partial
    matched: str  # the alias, material or text snippet that matched ("" for the name itself)
    pk: int  # ServiceItemVersion pk for an item, Bundle pk for a bundle
    item_type: str = ""


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    count: int


# ---------------------------------------------------------------- the index's life cycle

_lock = threading.Lock()
_index: Index | None = None
_checked_at = 0.0


def invalidate() -> None:
    """Forget the index; the next search rebuilds it. Services call this on commit."""
    global _index
    with _lock:
        _index = None


def _refresh_seconds() -> float:
    return float(getattr(settings, "TONGBAN_SEARCH_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS))


def current_index() -> Index:
    """The index, rebuilt when invalidated or when the fingerprint moved (checked at most every
    few seconds)."""
    global _index, _checked_at
    index = _index
    if index is not None and time.monotonic() - _checked_at < _refresh_seconds():
        return index
    with _lock:
        if _index is not None and time.monotonic() - _checked_at < _refresh_seconds():
            return _index
        rev = revision()
        if _index is None or _index.revision != rev:
            _index = build(rev)
        _checked_at = time.monotonic()
        return _index


def warm() -> int:
    """Build the index now (start-up, benchmarks); returns the number of documents."""
    return len(current_index().docs)


def memo(key: tuple, compute: Callable[[], T]) -> T:
    """A value derived from the published catalogue (the browse page's facet counts), computed
    once per index revision in this process and at most ``TONGBAN_FACETS_CACHE_SECONDS`` old
    (what the revision does not see, such as a renamed department, shows after that)."""
    seconds = float(getattr(settings, "TONGBAN_FACETS_CACHE_SECONDS", 300))
    index = current_index()
    now = _clock()
    found = index.memo.get(key)
    if found is not None and now - found[0] < seconds:
        return found[1]
    value = compute()
    if seconds > 0:
        index.memo[key] = (now, value)
    return value


class Kept:
    """A small least-recently-used store (``kept``); safe to share between threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.rows: OrderedDict[tuple, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Any | None:
        with self.lock:
            found = self.rows.get(key)
            if found is not None:
                self.rows.move_to_end(key)
            return found

    def put(self, key: tuple, value: Any) -> None:
        with self.lock:
            self.rows[key] = value
            self.rows.move_to_end(key)
            while len(self.rows) > self.size:
                self.rows.popitem(last=False)


def kept(name: str, size: int) -> Kept:
    """A store of at most ``size`` values derived from the published catalogue (loaded item
    versions, rendered guides), with ``memo``'s lifetime: one per index revision, at most
    ``TONGBAN_FACETS_CACHE_SECONDS`` old (0: a new, empty one on every call)."""
    return memo(("kept", name), lambda: Kept(size))


# ---------------------------------------------------------------- searching


def _filter(
    *,
    kind: str | None,
    audience: str | None,
    theme: str | None,
    department: str | None,
    life_event: str | None,
    item_type: str | None,
) -> Callable[[Doc], bool] | None:
    checks: list[Callable[[Doc], bool]] = []
    if kind:
        checks.append(lambda d: d.kind == kind)
    if audience:
        checks.append(lambda d: audience in d.audiences)
    if theme:
        checks.append(lambda d: theme in d.themes)
    if department:
        checks.append(lambda d: department in d.departments)
    if life_event:
        checks.append(lambda d: life_event in d.life_events)
    if item_type:
        checks.append(lambda d: d.item_type == item_type)
    if not checks:
        return None
    return lambda d: all(check(d) for check in checks)


def _hit(doc: Doc, score: float, field: str, how: str, matched: str) -> SearchHit:
    return SearchHit(
        kind=doc.kind,
        code=doc.code,
        name=doc.name,
        department=doc.department,
        department_name=doc.department_name,
        score=round(float(score), 2),
        field=field,
        how=how,
        matched=matched,
        pk=doc.pk,
        item_type=doc.item_type,
    )


def search(
    q: str,
    *,
    audience: str | None = None,
    theme: str | None = None,
    department: str | None = None,
    life_event: str | None = None,
    item_type: str | None = None,
    kind: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Published items and bundles for a query, best first; an empty query lists them all in
    pinyin order. Filters: ``audience`` (person/enterprise), ``theme``, ``department`` and
    ``life_event`` codes, ``item_type`` code, ``kind`` (item/bundle)."""
    index = current_index()
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    keep = _filter(
        kind=kind,
        audience=audience,
        theme=theme,
        department=department,
        life_event=life_event,
        item_type=item_type,
    )
    docs = index.docs
    q = matching.query_text(q)
    if not q:
        order = (
            index.browse_order if keep is None else [d for d in index.browse_order if keep(docs[d])]
        )
        page = order[offset : offset + limit]
        return SearchResult([_hit(docs[d], 0.0, "", "", "") for d in page], len(order))
    scores = matching.score(index, q)
    rank = index.rank
    ranked = [
        (-entry[0], rank[d], d) for d, entry in scores.items() if keep is None or keep(docs[d])
    ]
    wanted = offset + limit
    top = heapq.nsmallest(wanted, ranked) if wanted < len(ranked) // 4 else sorted(ranked)
    hits = []
    for _score_key, _rank, d in top[offset:wanted]:
        score, field, how, matched = scores[d]
        hits.append(
            _hit(docs[d], score, field, how, matching.matched_text(index, d, field, how, matched))
        )
    return SearchResult(hits, len(ranked))


# ---------------------------------------------------------------- the rows behind a page of hits


@dataclass(frozen=True)
class BundleCard:
    bundle: Bundle
    members: list[ServiceItemVersion]  # published versions, departments loaded


def bundle_cards(pks: list[int]) -> dict[int, BundleCard]:
    """Published bundles by pk with their published member items, in four queries."""
    bundles = list(
        Bundle.objects.filter(pk__in=pks, is_published=True).prefetch_related(
            "themes", "life_events", "bundle_items"
        )
    )
    item_ids = {bi.item_id for b in bundles for bi in b.bundle_items.all()}
    versions = {
        v.item_id: v
        for v in ServiceItemVersion.objects.filter(
            status=VersionStatus.PUBLISHED, item_id__in=item_ids
        ).select_related("item__department")
    }
    return {
        b.pk: BundleCard(
            b,
            [versions[bi.item_id] for bi in b.bundle_items.all() if bi.item_id in versions],
        )
        for b in bundles
    }
