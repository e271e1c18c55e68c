"""Themes, life events and the review-term list: small tables the demo, the import and the
admin all keep in step with a list of rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from tongban.core.permissions import Perm, require_perm

from ..models import LifeEvent, MaterialReviewTerm, Theme

TAG_MODELS = {"theme": Theme, "life_event": LifeEvent}


def tags_save(*, actor=None, kind: str, rows: Iterable[dict[str, Any]]) -> int:
    """Create or update themes (``kind="theme"``) or life events; returns how many changed.

    Each row has ``code``, ``name``, ``audience`` and ``order``; rows not listed are kept.
    """
    if actor is not None:
        require_perm(actor, Perm.CONFIG_MANAGE)
    model = TAG_MODELS[kind]
    rows = list(rows)
    changed = 0
    with transaction.atomic():
        existing = {t.code: t for t in model.objects.filter(code__in=[r["code"] for r in rows])}
        for row in rows:
            values = {"name": row["name"], "audience": row["audience"], "order": row["order"]}
            tag = existing.get(row["code"])
            if tag is not None and all(getattr(tag, k) == v for k, v in values.items()):
                continue
            model.objects.update_or_create(code=row["code"], defaults=values)
            changed += 1
    return changed


def review_terms_save(*, actor=None, terms: Iterable[tuple[str, str]]) -> int:
    """Create or update terms of the 'may no longer be demanded' list; returns how many changed."""
    if actor is not None:
        require_perm(actor, Perm.CONFIG_MANAGE)
    changed = 0
    with transaction.atomic():
        existing = dict(MaterialReviewTerm.objects.values_list("term", "reason"))
        for term, reason in terms:
            if existing.get(term) == reason:
                continue
            MaterialReviewTerm.objects.update_or_create(term=term, defaults={"reason": reason})
            changed += 1
    return changed
