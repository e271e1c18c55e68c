"""Bundle specs, and the comparison that decides whether an imported row changes anything."""

from __future__ import annotations

import copy
from typing import Any

from ..models import Bundle


def spec_from_bundle(bundle: Bundle) -> dict[str, Any]:
    """The spec of a saved bundle, in the shape ``services.bundle_save`` takes (with
    ``is_published`` for its status)."""
    members = list(bundle.bundle_items.select_related("item").order_by("order", "id"))
    code_of = {bi.pk: bi.item.implementation_code for bi in members}
    questions = []
    for q in bundle.questions.order_by("order", "id").prefetch_related("options__excludes_items"):
        questions.append(
            {
                "code": q.code,
                "text": q.text,
                "help_text": q.help_text,
                "options": [
                    {
                        "code": o.code,
                        "label": o.label,
                        "adds_condition": o.adds_condition,
                        "excludes": sorted(code_of[bi.pk] for bi in o.excludes_items.all()),
                    }
                    for o in sorted(q.options.all(), key=lambda o: (o.order, o.id))
                ],
            }
        )
    return {
        "code": bundle.code,
        "name": bundle.name,
        "summary": bundle.summary,
        "audience": bundle.audience,
        "is_published": bundle.is_published,
        "themes": sorted(bundle.themes.values_list("code", flat=True)),
        "life_events": sorted(bundle.life_events.values_list("code", flat=True)),
        "form_fields": bundle.form_fields,
        "items": [bi.item.implementation_code for bi in members],
        "questions": questions,
    }


def normalised_item_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """An item spec in a canonical form: materials by number, lists of codes sorted."""
    out = copy.deepcopy(spec)
    out["materials"] = sorted(out.get("materials", []), key=lambda m: _sort_key(m.get("seq")))
    for key in ("themes", "life_events"):
        out[key] = sorted(out.get(key, []))
    for q in out.get("questions", []):
        q["shown_if"] = q.get("shown_if") or ""
        q.setdefault("help_text", "")
        for o in q.get("options", []):
            o.setdefault("adds_condition", "")
            for key in ("adds", "removes"):
                o[key] = sorted(o.get(key, []), key=_sort_key)
    return out


def normalised_bundle_spec(spec: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(spec)
    out.pop("publish", None)
    for key in ("themes", "life_events"):
        out[key] = sorted(out.get(key, []))
    for q in out.get("questions", []):
        q.setdefault("help_text", "")
        for o in q.get("options", []):
            o.setdefault("adds_condition", "")
            o["excludes"] = sorted(o.get("excludes", []))
    return out


def _sort_key(value: Any) -> tuple[int, str]:
    return (value, "") if isinstance(value, int) else (1 << 30, str(value))
