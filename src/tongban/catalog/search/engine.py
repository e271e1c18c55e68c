"""The document-neutral part of the search: text normalisation, pinyin, ``Blob`` and ``NameIndex``.

A ``NameIndex`` holds, for any list of documents that have a name and aliases, the strings the
matchers in ``matching`` look through: names and aliases as ``Blob`` s, their full pinyin,
syllables and initials, and a character posting list for typo candidates. The catalogue's
``index.Index`` adds its guide texts and codes; the hotline's knowledge base builds one over its
articles. A document is any object with the attributes of ``NamedDoc``.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from pypinyin import lazy_pinyin

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


def pinyin_cache_trim(limit: int) -> None:
    """Forget the cached pinyin once it holds more than ``limit`` texts."""
    if len(_PINYIN_CACHE) > limit:
        _PINYIN_CACHE.clear()


def pinyin_fields(
    norm_name: str, *, syllables_of: Callable[[str], Sequence[str]] = syllables
) -> tuple[str, tuple[int, ...], str]:
    """A name's full pinyin, where each syllable starts in it, and its initials."""
    sylls = syllables_of(norm_name)
    bounds, pos = [], 0
    for s in sylls:
        bounds.append(pos)
        pos += len(s)
    return "".join(sylls), tuple(bounds), "".join(s[0] for s in sylls)


def split_syllables(pinyin: str, bounds: tuple[int, ...]) -> list[str]:
    """The syllables back from ``pinyin_fields``' pinyin and bounds."""
    ends = (*bounds[1:], len(pinyin))
    return [pinyin[a:b] for a, b in zip(bounds, ends, strict=True)]


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


class NamedDoc(Protocol):
    """What the name matchers read from a document."""

    name: str
    norm_name: str
    aliases: tuple[str, ...]
    norm_aliases: tuple[str, ...]
    pinyin: str
    bounds: tuple[int, ...]  # where each syllable of ``pinyin`` starts
    initials: str


class NameIndex:
    """Names and aliases of ``docs`` in the forms the matchers look through.

    ``tiers`` maps (field, how) to a score tier (``matching.TIERS`` when None); ``text_fields``
    are (field, Blob) pairs of longer texts, in falling tier order; ``syllables_of`` gives the
    pinyin of an alias (the names' pinyin is on the documents already).
    """

    tiers: Mapping[tuple[str, str], int] | None = None

    def __init__(
        self,
        docs: Sequence[NamedDoc],
        *,
        revision: tuple = (),
        text_fields: tuple[tuple[str, Blob], ...] = (),
        syllables_of: Callable[[str], Sequence[str]] = syllables,
    ):
        self.docs = docs
        self.revision = revision
        self.names = Blob(d.norm_name for d in docs)
        self.aliases = Blob(SUB.join(d.norm_aliases) for d in docs)
        self.pinyin = Blob(d.pinyin for d in docs)
        self.initials = Blob(d.initials for d in docs)
        self.syllables = Blob(
            " " + " ".join(split_syllables(d.pinyin, d.bounds)) + " " for d in docs
        )
        alias_pinyin = [[syllables_of(a) for a in d.norm_aliases] for d in docs]
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
        self.text_fields = text_fields
        by_length = sorted(range(len(docs)), key=lambda i: (len(docs[i].name), docs[i].pinyin))
        self.rank = [0] * len(docs)  # ties in score: shorter names first, then pinyin order
        for position, i in enumerate(by_length):
            self.rank[i] = position

    def query_syllables(self, text: str) -> tuple[str, ...]:
        """A query's pinyin, found the way the names' pinyin was (not cached)."""
        return syllables(text, cache=False)
