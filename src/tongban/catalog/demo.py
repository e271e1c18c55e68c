"""The demo catalogue of 云溪区: themes, life events, review terms, items and bundles.

``load`` is idempotent. An item whose published version already has exactly the demo spec is
skipped; a changed spec is saved as a new published version (the old one is retired, as any
edit would be). A bundle is saved again only when it differs from the demo data. The data lives
in ``catalog.demo_data``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from tongban.core.models import Department

from .demo_data import BUNDLES, ITEMS, LIFE_EVENTS, REVIEW_TERMS, THEMES
from .models import Bundle, ServiceItemVersion
from .models.codes import VersionStatus
from .services import bundle_save, item_save_spec, review_terms_save, tags_save
from .services.items import SpecInvalid, implementation_code_for
from .spec import ELEMENT_FIELDS, MATERIAL_FIELDS, spec_from_version, with_defaults


class _Counter:
    def __init__(self) -> None:
        self.created: dict[str, int] = {}

    def add(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def _taxonomy(c: _Counter) -> None:
    for kind, rows, label in (
        ("theme", THEMES, "themes"),
        ("life_event", LIFE_EVENTS, "life events"),
    ):
        changed = tags_save(
            kind=kind,
            rows=[
                {"code": code, "name": name, "audience": audience, "order": order}
                for order, (code, name, audience) in enumerate(rows)
            ],
        )
        if changed:
            c.created[label] = changed
    changed = review_terms_save(terms=REVIEW_TERMS)
    if changed:
        c.created["review terms"] = changed


def canonical_item_spec(spec: dict[str, Any], implementation_code: str) -> dict[str, Any]:
    """A demo spec in the exact shape ``spec_from_version`` reads back from the database."""
    s = with_defaults(spec)
    return {
        "department": s["department"],
        "basic_code": s["basic_code"],
        "exercise_level": s["exercise_level"],
        "implementation_code": implementation_code,
        "handling_suffix": s.get("handling_suffix", "00"),
        "local_basic_code": s.get("local_basic_code", ""),
        "local_implementation_code": s.get("local_implementation_code", ""),
        **{k: s[k] for k in ELEMENT_FIELDS},
        "themes": sorted(s["themes"]),
        "life_events": sorted(s["life_events"]),
        "legal_bases": [
            {
                k: lb.get(k, "")
                for k in ("law_name", "document_number", "clause_number", "clause_text")
            }
            for lb in s["legal_bases"]
        ],
        "special_procedures": [
            {
                "kind": sp["kind"],
                "limit_days": sp["limit_days"],
                "limit_unit": sp.get("limit_unit", "workday"),
                "note": sp.get("note", ""),
                "responsible": sp.get("responsible", ""),
            }
            for sp in s["special_procedures"]
        ],
        "fees": [
            {
                "name": f["name"],
                "standard": f.get("standard", ""),
                "basis": f.get("basis", ""),
                "reducible": f.get("reducible", False),
                "reduction_basis": f.get("reduction_basis", ""),
            }
            for f in s["fees"]
        ],
        "faqs": [{"question": f["question"], "answer": f["answer"]} for f in s["faqs"]],
        "materials": [
            {k: m[k] for k in MATERIAL_FIELDS}
            for m in sorted(s["materials"], key=lambda m: m["seq"])
        ],
        "questions": [
            {
                "code": q["code"],
                "text": q["text"],
                "help_text": q.get("help_text", ""),
                "shown_if": q.get("shown_if") or None,
                "options": [
                    {
                        "code": o["code"],
                        "label": o["label"],
                        "adds_condition": o.get("adds_condition", ""),
                        "adds": sorted(o.get("adds", [])),
                        "removes": sorted(o.get("removes", [])),
                    }
                    for o in q["options"]
                ],
            }
            for q in s["questions"]
        ],
    }


def implementation_codes() -> dict[str, str]:
    """Demo item name → implementation code (needs the core demo's departments)."""
    departments = {
        d.code: d for d in Department.objects.filter(code__in={s["department"] for s in ITEMS})
    }
    missing = sorted({s["department"] for s in ITEMS} - set(departments))
    if missing:
        raise RuntimeError(
            f"catalog demo: departments {', '.join(missing)} are missing; load the core demo first"
        )
    return {
        s["name"]: implementation_code_for(
            departments[s["department"]], s["exercise_level"], s["basic_code"]
        )
        for s in ITEMS
    }


def _items(c: _Counter, codes: dict[str, str]) -> None:
    published = {
        v.item.implementation_code: v
        for v in ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
            "item__department"
        )
    }
    for spec in ITEMS:
        code = codes[spec["name"]]
        current = published.get(code)
        if current is not None and spec_from_version(current) == canonical_item_spec(spec, code):
            continue
        try:
            item_save_spec(spec=spec, publish=True)
        except SpecInvalid as exc:
            problems = "; ".join(str(e) for e in exc.errors)
            raise RuntimeError(f"catalog demo item “{spec['name']}”: {problems}") from exc
        c.add("items" if current is None else "item revisions")


def canonical_bundle_spec(spec: dict[str, Any], codes: dict[str, str]) -> dict[str, Any]:
    return {
        "name": spec["name"],
        "summary": spec.get("summary", ""),
        "audience": spec.get("audience", "person"),
        "form_fields": spec.get("form_fields", []),
        "items": [codes[name] for name in spec["items"]],
        "themes": sorted(spec.get("themes", [])),
        "life_events": sorted(spec.get("life_events", [])),
        "questions": [
            {
                "code": q["code"],
                "text": q["text"],
                "help_text": q.get("help_text", ""),
                "options": [
                    {
                        "code": o["code"],
                        "label": o["label"],
                        "adds_condition": o.get("adds_condition", ""),
                        "excludes": sorted(codes[name] for name in o.get("excludes", [])),
                    }
                    for o in q["options"]
                ],
            }
            for q in spec.get("questions", [])
        ],
        "is_published": True,
    }


def bundle_spec_of(bundle: Bundle) -> dict[str, Any]:
    """A saved bundle in the shape of ``canonical_bundle_spec``."""
    return {
        "name": bundle.name,
        "summary": bundle.summary,
        "audience": bundle.audience,
        "form_fields": bundle.form_fields,
        "items": [bi.item.implementation_code for bi in bundle.bundle_items.select_related("item")],
        "themes": sorted(bundle.themes.values_list("code", flat=True)),
        "life_events": sorted(bundle.life_events.values_list("code", flat=True)),
        "questions": [
            {
                "code": q.code,
                "text": q.text,
                "help_text": q.help_text,
                "options": [
                    {
                        "code": o.code,
                        "label": o.label,
                        "adds_condition": o.adds_condition,
                        "excludes": sorted(
                            bi.item.implementation_code
                            for bi in o.excludes_items.select_related("item")
                        ),
                    }
                    for o in q.options.order_by("order", "id")
                ],
            }
            for q in bundle.questions.order_by("order", "id")
        ],
        "is_published": bundle.is_published,
    }


def _bundles(c: _Counter, codes: dict[str, str]) -> None:
    for spec in BUNDLES:
        wanted = canonical_bundle_spec(spec, codes)
        current = Bundle.objects.filter(code=spec["code"]).first()
        if current is not None and bundle_spec_of(current) == wanted:
            continue
        bundle_save(
            spec={
                **spec,
                "items": wanted["items"],
                "questions": [
                    {
                        **q,
                        "options": [
                            {**o, "excludes": [codes[name] for name in o.get("excludes", [])]}
                            for o in q["options"]
                        ],
                    }
                    for q in spec.get("questions", [])
                ],
                "publish": True,
            }
        )
        c.add("bundles" if current is None else "bundles updated")


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    """Create (or bring up to date) the demo catalogue; returns what was created or changed."""
    c = _Counter()
    with transaction.atomic():
        _taxonomy(c)
        codes = implementation_codes()
        _items(c, codes)
        _bundles(c, codes)
    if c.created:
        out("catalog: " + ", ".join(f"{n} {what}" for what, n in c.created.items()))
    else:
        out("catalog: nothing to do (already loaded)")
    return c.created
