"""The search index: every published item version and bundle as a document, each text field of
all documents held as one string (``Blob``) with a separator between documents, so that a
substring test over 10,000 items is one ``str.find`` loop in C that jumps to the next document
after each hit. Names also get their full pinyin, syllable starts and initials, and a character
posting list for typo candidates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from ..models import Bundle, BundleItem, Material, ServiceItemVersion
from ..models.codes import ApplicantKind, VersionStatus
from .engine import (
    SEP,
    SUB,
    Blob,
    NameIndex,
    normalize,
    pinyin_cache_trim,
    pinyin_fields,
    syllables,
)

__all__ = ["SEP", "SUB", "Blob", "Doc", "Index", "build", "normalize", "revision", "syllables"]


@dataclass(slots=True)
class Doc:
    kind: str  # "item" | "bundle"
    pk: int  # the published version's pk, or the bundle's
    code: str  # implementation code, or the bundle's code
    basic_code: str
    name: str
    norm_name: str
    aliases: tuple[str, ...]
    norm_aliases: tuple[str, ...]
    department: str
    department_name: str
    departments: frozenset[str]
    audiences: frozenset[str]
    themes: frozenset[str]
    life_events: frozenset[str]
    item_type: str
    materials: tuple[str, ...]
    pinyin: str
    bounds: tuple[int, ...]  # where each syllable of ``pinyin`` starts
    initials: str


class Index(NameIndex):
    """The catalogue's documents: names and aliases (``NameIndex``), materials, member items and
    guide texts, codes, and the browsing order of an empty query."""

    def __init__(self, docs: list[Doc], texts: dict[str, list[str]], revision: tuple):
        self.materials = Blob(SUB.join(normalize(m) for m in d.materials) for d in docs)
        self.items = Blob(texts["items"])
        self.summary = Blob(texts["summary"])
        self.conditions = Blob(texts["conditions"])
        self.codes = Blob(f"{d.code}{SUB}{d.basic_code}".lower() for d in docs)
        super().__init__(
            docs,
            revision=revision,
            text_fields=(
                ("material", self.materials),
                ("items", self.items),
                ("summary", self.summary),
                ("conditions", self.conditions),
            ),
        )
        self.browse_order = sorted(range(len(docs)), key=lambda i: (docs[i].pinyin, docs[i].name))
        # Values derived from the catalogue this index holds (the filter facets): they go with
        # the index when it is rebuilt (``search.memo``).
        self.memo: dict = {}


def revision() -> tuple:
    """A cheap fingerprint of what the index holds: changes on every publish, retire or bundle
    save."""
    published = Q(status=VersionStatus.PUBLISHED)
    v = ServiceItemVersion.objects.aggregate(
        n=Count("pk", filter=published),
        p=Max("published_at", filter=published),
        r=Max("retired_at"),
    )
    b = Bundle.objects.aggregate(n=Count("pk", filter=Q(is_published=True)), u=Max("updated_at"))
    return (v["n"], v["p"], v["r"], b["n"], b["u"])


_AUDIENCES = {
    ApplicantKind.PERSON: frozenset({"person"}),
    ApplicantKind.ENTERPRISE: frozenset({"enterprise"}),
    ApplicantKind.BOTH: frozenset({"person", "enterprise"}),
}


_SETS: dict[frozenset, frozenset] = {}


def _shared(values: Iterable[str]) -> frozenset[str]:
    """One frozenset object per distinct set of codes (most documents share a few)."""
    fs = frozenset(values)
    return _SETS.setdefault(fs, fs)


def _grouped(rows: Iterable[tuple]) -> dict[int, list]:
    out: dict[int, list] = {}
    for key, value in rows:
        out.setdefault(key, []).append(value)
    return out


def build(rev: tuple) -> Index:
    published = VersionStatus.PUBLISHED
    through_themes = ServiceItemVersion.themes.through.objects.filter(
        serviceitemversion__status=published
    )
    themes = _grouped(through_themes.values_list("serviceitemversion_id", "theme__code"))
    through_events = ServiceItemVersion.life_events.through.objects.filter(
        serviceitemversion__status=published
    )
    events = _grouped(through_events.values_list("serviceitemversion_id", "lifeevent__code"))
    materials = _grouped(
        Material.objects.filter(version__status=published)
        .order_by("version_id", "seq")
        .values_list("version_id", "name")
    )
    docs: list[Doc] = []
    texts: dict[str, list[str]] = {"items": [], "summary": [], "conditions": []}
    by_item: dict[int, Doc] = {}
    rows = ServiceItemVersion.objects.filter(status=published).values_list(
        "pk",
        "item_id",
        "item__implementation_code",
        "item__basic_code",
        "item__department__code",
        "item__department__name",
        "name",
        "aliases",
        "applicant_kind",
        "item_type",
        "summary",
        "conditions",
    )
    for pk, item_id, code, basic, dept, dept_name, name, aliases, kind, typ, summ, cond in rows:
        alias_list = tuple(a for a in (p.strip() for p in re.split(r"[、,，;；]", aliases)) if a)
        norm_name = normalize(name)
        pinyin, bounds, initials = pinyin_fields(norm_name)
        doc = Doc(
            kind="item",
            pk=pk,
            code=code,
            basic_code=basic,
            name=name,
            norm_name=norm_name,
            aliases=alias_list,
            norm_aliases=tuple(normalize(a) for a in alias_list),
            department=dept,
            department_name=dept_name,
            departments=_shared((dept,)),
            audiences=_AUDIENCES.get(kind, _shared(("person", "enterprise"))),
            themes=_shared(themes.get(pk, ())),
            life_events=_shared(events.get(pk, ())),
            item_type=typ,
            materials=tuple(materials.get(pk, ())),
            pinyin=pinyin,
            bounds=bounds,
            initials=initials,
        )
        docs.append(doc)
        by_item[item_id] = doc
        texts["items"].append("")
        texts["summary"].append(normalize(summ))
        texts["conditions"].append(normalize(cond))
    _add_bundles(docs, texts, by_item)
    pinyin_cache_trim(4 * len(docs) + 1000)
    return Index(docs, texts, rev)


def _add_bundles(docs: list[Doc], texts: dict[str, list[str]], by_item: dict[int, Doc]):
    members = _grouped(
        BundleItem.objects.filter(bundle__is_published=True)
        .order_by("bundle_id", "order", "id")
        .values_list("bundle_id", "item_id")
    )
    themes = _grouped(
        Bundle.themes.through.objects.filter(bundle__is_published=True).values_list(
            "bundle_id", "theme__code"
        )
    )
    events = _grouped(
        Bundle.life_events.through.objects.filter(bundle__is_published=True).values_list(
            "bundle_id", "lifeevent__code"
        )
    )
    rows = Bundle.objects.filter(is_published=True).values_list(
        "pk", "code", "name", "summary", "audience"
    )
    for pk, code, name, summary, audience in rows:
        items = [by_item[i] for i in members.get(pk, ()) if i in by_item]
        norm_name = normalize(name)
        pinyin, bounds, initials = pinyin_fields(norm_name)
        docs.append(
            Doc(
                kind="bundle",
                pk=pk,
                code=code,
                basic_code="",
                name=name,
                norm_name=norm_name,
                aliases=(),
                norm_aliases=(),
                department="",
                department_name="",
                departments=_shared(i.department for i in items),
                audiences=_shared((audience,)),
                themes=_shared(themes.get(pk, ())),
                life_events=_shared(events.get(pk, ())),
                item_type="",
                materials=(),
                pinyin=pinyin,
                bounds=bounds,
                initials=initials,
            )
        )
        texts["items"].append(SUB.join(i.norm_name for i in items))
        texts["summary"].append(normalize(summary))
        texts["conditions"].append("")
