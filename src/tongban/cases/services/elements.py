"""What a case needs from its item version — the version row with its item, the materials and
the situation questions — loaded once and kept by the process.

A version never changes once it is published (editing an item makes a new draft version, and
a case keeps the version it was filed under): only its status moves on to retired, and nothing
here reads that. The item's implementation code and department are its identity and never
change either. So a process may keep them, keyed by the version. Only what was read outside a
transaction is kept: committed rows, whose primary keys are never handed out again. Inside a
transaction (a test's, or one that created the version itself) the rows read might still be
rolled back and their keys reused by other rows. Drafts are never kept.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict

from django.db import connection
from django.db.models import prefetch_related_objects

from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.models import Material, ServiceItemVersion
from tongban.catalog.models.codes import VersionStatus

KEEP = 512  # versions; the least recently used goes first

_kept: OrderedDict[tuple, dict] = OrderedDict()
_rows: OrderedDict[tuple, ServiceItemVersion] = OrderedDict()
_lock = threading.Lock()


def _key(version: ServiceItemVersion) -> tuple:
    return (connection.alias, version.pk, version.created_at)


def _keepable(version: ServiceItemVersion) -> bool:
    return version.status != VersionStatus.DRAFT and not connection.in_atomic_block


def version(pk: int) -> ServiceItemVersion:
    """The item version ``pk`` with its item: a copy of the one this process keeps, or read
    (one query) and kept. Its elements come with ``with_elements``."""
    key = (connection.alias, pk)
    with _lock:
        kept = _rows.get(key)
        if kept is not None:
            _rows.move_to_end(key)
    if kept is not None:
        return copy.copy(kept)
    row = ServiceItemVersion.objects.select_related("item").get(pk=pk)
    if _keepable(row):
        with _lock:
            _rows[key] = copy.copy(row)
            while len(_rows) > KEEP:
                _rows.popitem(last=False)
    return row


def with_elements(version: ServiceItemVersion) -> ServiceItemVersion:
    """``version`` with its materials and situation questions (and their options) loaded, as
    ``catalog.selectors.materials_for`` reads them: from this process's memory, or with two
    or three queries. Only the elements are shared between requests, never the version row."""
    if hasattr(version, "_prefetched_objects_cache") and {"materials", "questions"} <= set(
        version._prefetched_objects_cache
    ):
        return version
    key = _key(version)
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept is not None:
        if not hasattr(version, "_prefetched_objects_cache"):
            version._prefetched_objects_cache = {}
        version._prefetched_objects_cache.update(kept)
        return version
    prefetch_related_objects([version], "materials", catalog_selectors._QUESTIONS)
    if _keepable(version):
        elements = {
            name: version._prefetched_objects_cache[name] for name in ("materials", "questions")
        }
        with _lock:
            _kept[key] = elements
            while len(_kept) > KEEP:
                _kept.popitem(last=False)
    return version


def material_of(version: ServiceItemVersion, seq: int) -> Material | None:
    return next((m for m in with_elements(version).materials.all() if m.seq == seq), None)


def forget() -> None:
    """Drop what this process keeps (tests)."""
    with _lock:
        _kept.clear()
        _rows.clear()
