"""The search index: every published item version and bundle as a document, each text field of
all documents held as one string (``Blob``) with a separator between documents, so that a
substring test over 10,000 items is one ``str.find`` loop in C that jumps to the next document
after each hit. Names also get their full pinyin, syllable starts and initials, and a character
posting list for typo candidates."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from pypinyin import lazy_pinyin

from ..models import Bundle, BundleItem, Material, ServiceItemVersion
from ..models.codes import ApplicantKind, VersionStatus

SEP, SUB = "\x00", "\x01"  # between documents; between the strings of one document


_DROPPED = dict.fromkeys(i for i in range(0x3001) if i < 32 or chr(i).isspace())


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no white space or control characters."""
    return unicodedata.normalize("NFKC", text or "").lower().translate(_DROPPED)


_PINYIN_CACHE: dict[str, tuple[str, ...]] = {}


def _letters(chunk: str) -> list[str]:
    return [c for c in chunk if c.isalnum()]


def syllables(text: str, *, cache: bool = True) -> tuple[str, ...]:
    """Toneless pinyin per character (words decide polyphones); letters and digits kept as is.

    Catalogue texts are cached across rebuilds (they rarely change); queries are not.
    """
    cached = _PINYIN_CACHE.get(text) if cache else None
    if cached is None:
        cached = tuple(s for s in lazy_pinyin(text, errors=_letters) if s)
        if cache:
            _PINYIN_CACHE[text] = cached
    return cached


class Blob:
    """One field of every document as a single string; ``docs`` finds the documents holding a
    needle, each once, in document order."""

    __slots__ = ("starts", "text")

    def __init__(self, parts: Iterable[str]):
        starts, pos, chunks = [], 0, []
        for part in parts:
            starts.append(pos)
            chunks.append(part)
            pos += len(part) + 1
        starts.append(pos)
        self.text = SEP.join(chunks) + SEP
        self.starts = starts

    def docs(self, needle: str) -> list[int]:
        text, starts, out = self.text, self.starts, []
        if not needle:
            return out
        pos = text.find(needle)
        while pos != -1:
            d = bisect_right(starts, pos) - 1
            out.append(d)
            pos = text.find(needle, starts[d + 1])
        return out

    def part(self, d: int) -> str:
        return self.text[self.starts[d] : self.starts[d + 1] - 1]


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


class Index:
    def __init__(self, docs: list[Doc], texts: dict[str, list[str]], revision: tuple):
        self.docs = docs
        self.revision = revision
        self.names = Blob(d.norm_name for d in docs)
        self.aliases = Blob(SUB.join(d.norm_aliases) for d in docs)
        self.materials = Blob(SUB.join(normalize(m) for m in d.materials) for d in docs)
        self.items = Blob(texts["items"])
        self.summary = Blob(texts["summary"])
        self.conditions = Blob(texts["conditions"])
        self.codes = Blob(f"{d.code}{SUB}{d.basic_code}".lower() for d in docs)
        self.pinyin = Blob(d.pinyin for d in docs)
        self.initials = Blob(d.initials for d in docs)
        self.syllables = Blob(" " + " ".join(syllables(d.norm_name)) + " " for d in docs)
        alias_pinyin = [[syllables(a) for a in d.norm_aliases] for d in docs]
        self.alias_pinyin = Blob(SUB.join("".join(s) for s in a) for a in alias_pinyin)
        self.alias_initials = Blob(
            SUB.join("".join(x[0] for x in s) for s in a) for a in alias_pinyin
        )
        postings: dict[str, list[int]] = {}
        for i, d in enumerate(docs):
            for ch in set(d.norm_name).union(*d.norm_aliases):
                postings.setdefault(ch, []).append(i)
        self.name_chars = {ch: frozenset(ds) for ch, ds in postings.items()}
        self.name_fields = (("name", self.names), ("alias", self.aliases))
        self.text_fields = (
            ("material", self.materials),
            ("items", self.items),
            ("summary", self.summary),
            ("conditions", self.conditions),
        )
        self.browse_order = sorted(range(len(docs)), key=lambda i: (docs[i].pinyin, docs[i].name))
        by_length = sorted(range(len(docs)), key=lambda i: (len(docs[i].name), docs[i].pinyin))
        self.rank = [0] * len(docs)  # ties in score: shorter names first, then pinyin order
        for position, i in enumerate(by_length):
            self.rank[i] = position


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


def _pinyin_fields(norm_name: str) -> tuple[str, tuple[int, ...], str]:
    sylls = syllables(norm_name)
    bounds, pos = [], 0
    for s in sylls:
        bounds.append(pos)
        pos += len(s)
    return "".join(sylls), tuple(bounds), "".join(s[0] for s in sylls)


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
        pinyin, bounds, initials = _pinyin_fields(norm_name)
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
    if len(_PINYIN_CACHE) > 4 * len(docs) + 1000:
        _PINYIN_CACHE.clear()
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
        pinyin, bounds, initials = _pinyin_fields(norm_name)
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
