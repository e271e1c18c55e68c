"""The in-process index behind the knowledge search, and how it is kept fresh.

Titles and keywords go into a ``NameIndex`` of the catalogue's search engine (substring, pinyin,
initials, homophones and typos, as for service items); every word of the title, keywords,
subject and content goes into an inverted index (word → sorted article positions), because a
substring scan over the contents of 50,000 articles would take tens of milliseconds.

The index is built from every published article, whatever its dates: validity is checked for
the day of each search, so an article that expires tonight leaves the results tomorrow morning
without any rebuild.

Fresh without rebuilding 50,000 articles on every change (a ``Segment`` takes seconds to build at
that size): a large *base* segment, and a small *delta* segment for the articles changed since
the base was built, whose base entries are masked. ``invalidate()`` (called by the services after
a commit) and a fingerprint of the table, compared at most every
``TONGBAN_SEARCH_REFRESH_SECONDS`` (other processes' changes), trigger a delta refresh; the base
is rebuilt when the delta grows past a tenth of it, or when the counts do not add up (a row
deleted outside the services).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import rjieba
from django.conf import settings
from django.db.models import Count, Max, Q
from django.db.models.functions import Length
from pypinyin import lazy_pinyin

from tongban.catalog.search.engine import Blob, NameIndex, normalize, pinyin_fields
from tongban.catalog.search.matching import STOPWORDS, TIERS

from ..models import Article, ArticleState

# Where the knowledge tiers differ from the catalogue's: below every way of matching the title
# and keywords come the keywords or subject a longer query mentions, then the article text
# (title, keywords, subject and content, by words).
KNOWLEDGE_TIERS = {
    **TIERS,
    ("alias", "mentioned"): 450,  # the query mentions one of the article's keywords
    ("subject", "mentioned"): 440,  # … or the name of its subject
    ("content", "all"): 400,
    ("content", "some"): 300,
}
DEFAULT_REFRESH_SECONDS = 5.0
# Rows touched this long before the newest change the base saw are indexed again in the delta:
# a transaction that saved a row before the base was built and committed after it is not lost.
MARGIN = dt.timedelta(minutes=10)
FAR_PAST, FAR_FUTURE = 0, dt.date.max.toordinal()
MAX_TOKEN = 16


# ---------------------------------------------------------------- words and pinyin


_WORD_PINYIN: dict[str, tuple[str, ...]] = {}


def _letters(chunk: str) -> list[str]:
    return [c for c in chunk if c.isalnum()]


def word_syllables(text: str) -> tuple[str, ...]:
    """Pinyin of ``text`` word by word, each word's pinyin cached: titles share most of their
    words, so 50,000 titles cost a few thousand pinyin look-ups instead of 50,000."""
    out: list[str] = []
    for word in rjieba.cut(text):
        cached = _WORD_PINYIN.get(word)
        if cached is None:
            cached = tuple(s for s in lazy_pinyin(word, errors=_letters) if s)
            if len(_WORD_PINYIN) < 200_000:
                _WORD_PINYIN[word] = cached
        out.extend(cached)
    return tuple(out)


def words_of(*texts: str) -> set[str]:
    """The words of the texts as the search looks them up (segmented for search: 住房公积金
    also gives 住房, 公积金); punctuation, stop words and runs longer than a word are left out."""
    joined = "。".join(normalize(t) for t in texts if t)
    tokens = set(rjieba.cut_for_search(joined))
    tokens.difference_update(STOPWORDS)
    return {t for t in tokens if t.isalnum() and len(t) <= MAX_TOKEN}


# ---------------------------------------------------------------- documents and segments


@dataclass(slots=True)
class ArticleDoc:
    pk: int
    name: str  # the title
    norm_name: str
    aliases: tuple[str, ...]  # the keywords
    norm_aliases: tuple[str, ...]
    pinyin: str
    bounds: tuple[int, ...]
    initials: str
    subject_code: str
    subject_name: str
    department_code: str
    department_name: str
    source: str
    valid_from: int  # date ordinals
    valid_until: int


ROW_FIELDS = (
    "pk",
    "title",
    "keywords",
    "content",
    "subject__code",
    "subject__name",
    "department__code",
    "department__name",
    "source",
    "valid_from",
    "valid_until",
    "state",
    "updated_at",
)


def split_keywords(keywords: str) -> tuple[str, ...]:
    parts = keywords.replace("，", ",").replace("、", ",").replace("；", ",").replace(";", ",")
    return tuple(dict.fromkeys(p.strip() for p in parts.split(",") if p.strip()))


class _Shared(dict):
    """One string object per distinct value (subject and department names repeat across
    thousands of articles; every word of the postings is a key once)."""

    def __call__(self, value: str) -> str:
        return self.setdefault(value, value)


def prepare(row: tuple, shared: _Shared | None = None) -> tuple[ArticleDoc, set[str], set[str]]:
    """An article row (``ROW_FIELDS``) as a document, its words and its title's words."""
    share = shared if shared is not None else _Shared()
    (pk, title, keywords, content, subj_code, subj_name, dept_code, dept_name, source) = row[:9]
    valid_from, valid_until = row[9], row[10]
    aliases = split_keywords(keywords)
    norm_name = normalize(title)
    pinyin, bounds, initials = pinyin_fields(norm_name, syllables_of=word_syllables)
    doc = ArticleDoc(
        pk=pk,
        name=title,
        norm_name=title if norm_name == title else norm_name,
        aliases=aliases,
        norm_aliases=tuple(normalize(a) for a in aliases),
        pinyin=pinyin,
        bounds=bounds,
        initials=initials,
        subject_code=share(subj_code or ""),
        subject_name=share(subj_name or ""),
        department_code=share(dept_code or ""),
        department_name=share(dept_name or ""),
        source=share(source),
        valid_from=valid_from.toordinal() if valid_from else FAR_PAST,
        valid_until=valid_until.toordinal() if valid_until else FAR_FUTURE,
    )
    return doc, words_of(title, keywords, subj_name or "", content), words_of(title)


class Segment(NameIndex):
    """Some articles: their titles and keywords for the name matchers, and their words.

    Built from a stream of rows, shortest title first: a document's position is its rank among
    equal scores, and a scan of the titles meets the best "contains" hits first. Each article's
    words go straight into the postings (one array of positions per word), so neither the
    contents nor per-article word sets are held. Keywords repeat across articles: each distinct
    one is held once (``keywords``), with the positions of the articles that have it.
    """

    tiers = KNOWLEDGE_TIERS

    def __init__(self, rows: Iterable[tuple]):
        shared = _Shared()
        docs: list[ArticleDoc] = []
        postings: dict[str, array] = {}
        titles: dict[str, array] = {}
        keywords: dict[str, tuple[str, array]] = {}
        subjects: dict[str, array] = {}
        for row in rows:
            doc, words, title_words = prepare(row, shared)
            position = len(docs)
            docs.append(doc)
            for index, bag in ((postings, words), (titles, title_words)):
                for word in bag:
                    found = index.get(word)
                    if found is None:
                        index[word] = found = array("i")
                    found.append(position)
            if doc.subject_name:
                subjects.setdefault(normalize(doc.subject_name), array("i")).append(position)
            for alias, norm in zip(doc.aliases, doc.norm_aliases, strict=True):
                entry = keywords.get(norm)
                if entry is None:
                    keywords[norm] = entry = (alias, array("i"))
                if not entry[1] or entry[1][-1] != position:
                    entry[1].append(position)
        super().__init__(docs, syllables_of=word_syllables)
        self.postings = postings
        self.title_postings = titles
        self.position = {doc.pk: i for i, doc in enumerate(docs)}
        self.keyword_norms = list(keywords)
        self.keyword_texts = [keywords[k][0] for k in self.keyword_norms]
        self.keyword_docs = [keywords[k][1] for k in self.keyword_norms]
        self.keyword_blob = Blob(self.keyword_norms)
        self.subject_docs = subjects
        typed = [word_syllables(k) for k in self.keyword_norms]
        self.keyword_pinyin = Blob("".join(sylls) for sylls in typed)
        self.keyword_initials = Blob("".join(x[0] for x in sylls) for sylls in typed)

    def query_syllables(self, text: str) -> tuple[str, ...]:
        return word_syllables(text)


# ---------------------------------------------------------------- the snapshot and its life


@dataclass(frozen=True)
class Snapshot:
    base: Segment
    delta: Segment | None
    masked: frozenset[int]  # base positions of articles changed since the base was built
    fingerprint: tuple
    base_seen: dt.datetime | None  # the newest updated_at when the base was built
    built_seconds: float = 0.0
    segments: tuple = field(init=False)

    def __post_init__(self):
        segs = ((self.base, self.masked),)
        if self.delta is not None:
            segs += ((self.delta, frozenset()),)
        object.__setattr__(self, "segments", segs)

    @property
    def size(self) -> int:
        delta = len(self.delta.docs) if self.delta else 0
        return len(self.base.docs) - len(self.masked) + delta


_lock = threading.Lock()
_snapshot: Snapshot | None = None
_checked_at = 0.0
_dirty = False


def fingerprint() -> tuple:
    """Changes whenever an article is saved (``updated_at``), added or deleted."""
    row = Article.objects.aggregate(
        n=Count("pk", filter=Q(state=ArticleState.PUBLISHED)), all=Count("pk"), u=Max("updated_at")
    )
    return (row["n"], row["all"], row["u"])


def _rows(qs) -> Iterator[tuple]:
    return qs.values_list(*ROW_FIELDS).order_by(Length("title"), "pk").iterator(chunk_size=2000)


_STATE = ROW_FIELDS.index("state")


def _published(rows: Iterable[tuple]) -> Iterator[tuple]:
    return (r for r in rows if r[_STATE] == ArticleState.PUBLISHED)


def build(fp: tuple | None = None) -> Snapshot:
    """Every published article in a new base segment."""
    started = time.perf_counter()
    fp = fp or fingerprint()
    base = Segment(_rows(Article.objects.filter(state=ArticleState.PUBLISHED)))
    return Snapshot(base, None, frozenset(), fp, fp[2], built_seconds=time.perf_counter() - started)


def _refresh(snap: Snapshot, fp: tuple) -> Snapshot:
    """The same base, and a new delta of everything changed since it was built."""
    if snap.base_seen is None:
        return build(fp)
    changed = Article.objects.filter(updated_at__gte=snap.base_seen - MARGIN)
    if changed.count() > max(1000, len(snap.base.docs) // 10):
        return build(fp)
    rows = list(_rows(changed))  # shortest titles first, as in every segment
    position = snap.base.position
    masked = frozenset(position[r[0]] for r in rows if r[0] in position)
    delta = Segment(_published(rows))
    fresh = Snapshot(snap.base, delta, masked, fp, snap.base_seen)
    if fresh.size != fp[0]:  # a row deleted, or saved with an older clock: start again
        return build(fp)
    return fresh


def _refresh_seconds() -> float:
    return float(getattr(settings, "TONGBAN_SEARCH_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS))


def current() -> Snapshot:
    """The snapshot to search, brought up to date when told to or when the table moved."""
    global _snapshot, _checked_at, _dirty
    snap = _snapshot
    if snap is not None and not _dirty and time.monotonic() - _checked_at < _refresh_seconds():
        return snap
    with _lock:
        snap = _snapshot
        if snap is not None and not _dirty and time.monotonic() - _checked_at < _refresh_seconds():
            return snap
        _dirty = False
        fp = fingerprint()
        if snap is None:
            snap = build(fp)
        elif fp != snap.fingerprint:
            snap = _refresh(snap, fp)
        _snapshot = snap
        _checked_at = time.monotonic()
        return snap


def invalidate() -> None:
    """Look at the table again before the next search (the services call this on commit)."""
    global _dirty
    _dirty = True


def reset() -> None:
    """Forget the index: the next search builds it whole (tests, benchmarks)."""
    global _snapshot, _dirty
    with _lock:
        _snapshot = None
        _dirty = False


def warm() -> Snapshot:
    """Build the index now (start-up, benchmarks)."""
    return current()
