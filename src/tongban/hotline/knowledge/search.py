"""Knowledge search (知识检索): what the operator finds while the caller is still talking.

``knowledge_search(query)`` answers with the best published articles that are valid today,
best first. It reuses the catalogue's search machinery (``tongban.catalog.search``: rjieba
segmentation, pinyin and initials, homophones, one-typo tolerance) over the titles and keywords,
adds synonyms (``synonyms``: 医保 finds 医疗保险) and matches the words of the whole article
through an inverted index (``index``).

Ranking, best first: the title (exact > prefix > contains, the same in pinyin and initials) >
keywords > all query words in the title > a homophone or typo of the title > a keyword or the
subject's name mentioned in the query (a caller's whole account) > all query words in the article
> enough of them (weighted by how rare each word is). A synonym of what was typed ranks a little
below the words as typed.

Only the top of the ranking is needed, so the matchers run from the best tier down and stop as
soon as enough valid articles rank above anything a later matcher could offer.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from tongban.catalog.search.matching import (
    PINYIN_QUERY,
    Scores,
    core_of,
    is_cjk,
    match_fuzzy,
    match_homophone,
    match_words,
    query_text,
    terms_of,
    tier,
)
from tongban.core.workdays import business_date

from ..models import Article, ArticleState
from . import index as knowledge_index
from .index import Segment, invalidate, reset, warm
from .matchers import (
    match_content,
    match_keywords,
    match_mentions,
    match_pinyin,
    match_titles,
)
from .synonyms import FILLER, alternatives, variants

__all__ = ["ArticleHit", "invalidate", "knowledge_search", "reset", "warm"]

MAX_LIMIT = 50
SYNONYM_PENALTY = 3.0
MAX_TYPO_QUERY = 12  # longer texts describe the matter: no homophones of them
MAX_MENTION_TEXT = 500  # a caller's whole account may be typed: its mentions all count
MAX_FUZZY_QUERY = 10  # longer ones: no edit-distance typos either (the costliest matcher)
FUZZY_CANDIDATES = 120  # titles sharing most characters with the query, compared by edit distance
SNIPPET_BEFORE, SNIPPET_AFTER = 24, 72


@dataclass(frozen=True)
class ArticleHit:
    id: int
    title: str
    snippet: str
    subject: str  # the subject's name ("" when none)
    department: str  # the owning department's name
    valid_until: dt.date | None
    score: float
    subject_code: str = ""
    department_code: str = ""
    source: str = "manual"
    field: str = ""  # what matched: name (the title), alias (a keyword), content
    how: str = ""  # exact, prefix, contains, pinyin_*, initials_*, words, homophone, fuzzy, all …
    terms: tuple[str, ...] = ()  # the words looked for, to highlight in the snippet


@dataclass(frozen=True)
class Plan:
    """What one query is looked for as."""

    q: str
    names: tuple[tuple[str, float], ...]  # (text, penalty) for the name matchers
    pinyin: str
    words: tuple[tuple[tuple[str, ...], float], ...]  # (terms, penalty)
    typos: tuple[str, ...]  # the core of the query and the query, for homophones and typos
    content: tuple[tuple[str, ...], ...]  # per query word: it and its synonyms
    highlight: tuple[str, ...]
    mentions: str = ""  # the whole text as typed, for the keywords and subjects it mentions


def plan(raw: str) -> Plan | None:
    q = query_text(raw)
    if not q:
        return None
    cjk = sum(is_cjk(ch) for ch in q)
    if not cjk:
        pinyin = q.replace("'", "") if PINYIN_QUERY.fullmatch(q) else ""
        content = (alternatives(q),) if len(q) > 1 else ()
        return Plan(q, ((q, 0.0),), pinyin, (), (), content, (q,))
    core = core_of(q)
    names: dict[str, float] = {q: 0.0}
    names.setdefault(core, 5.0)  # "老人优待证怎么办" is looked for as "老人优待证", a little below
    for text in variants(core):
        names.setdefault(text, 5.0 + SYNONYM_PENALTY)
    words: list[tuple[tuple[str, ...], float]] = []
    for text, penalty in list(names.items()):
        terms = tuple(terms_of(text))
        if terms and (len(terms) > 1 or terms[0] != q):
            words.append((terms, penalty))
    # A typo in what names an article; a longer text describes the matter (the article text).
    typos = tuple(t for t in dict.fromkeys((core, q)) if 3 <= len(t) <= MAX_TYPO_QUERY)
    terms = terms_of(core) or [core]
    terms = [t for t in terms if t not in FILLER] or terms
    content = tuple(alternatives(t) for t in terms)
    highlight = tuple(dict.fromkeys(w for alts in content for w in alts))
    mentions = query_text(raw, limit=MAX_MENTION_TEXT) if len(q) > 2 else ""
    return Plan(q, tuple(names.items()), "", tuple(words), typos, content, highlight, mentions)


# ---------------------------------------------------------------- matching one segment


def _merge(into: Scores, found: Scores, penalty: float) -> None:
    if not penalty:
        for d, entry in found.items():
            into.offer(d, *entry)
        return
    for d, (score, *rest) in found.items():
        into.offer(d, score - penalty, *rest)


def _enough(scores: Scores, keep: Callable[[int], bool], limit: int, floor: float) -> bool:
    """At least ``limit`` valid articles score at least ``floor`` (no later matcher can pass
    them)."""
    n = 0
    for d, entry in scores.items():
        if entry[0] >= floor and keep(d):
            n += 1
            if n >= limit:
                return True
    return False


def _score(seg: Segment, p: Plan, keep: Callable[[int], bool], limit: int) -> Scores:
    scores = Scores()
    for text, penalty in p.names:
        match_titles(seg, text, scores, keep, limit, penalty)
        match_keywords(seg, text, scores, keep, limit, penalty)
    if p.pinyin:
        match_pinyin(seg, p.pinyin, scores, keep, limit)
    if _enough(scores, keep, limit, tier(seg, "name", "words") + 30):
        return scores
    for terms, penalty in p.words:
        found = Scores()
        match_words(seg, list(terms), found, partial=False)  # the article text does better
        _merge(scores, found, penalty)
    if _enough(scores, keep, limit, tier(seg, "name", "homophone") + 40):
        return scores
    for text in p.typos:
        if all(is_cjk(ch) for ch in text):
            match_homophone(seg, text, scores)
    if p.typos and not _enough(scores, keep, limit, tier(seg, "name", "fuzzy") + 100):
        for text in p.typos:
            if len(text) <= MAX_FUZZY_QUERY:
                match_fuzzy(seg, text, scores, candidates=FUZZY_CANDIDATES)
    if p.mentions and not _enough(scores, keep, limit, tier(seg, "alias", "mentioned") + 10):
        match_mentions(seg, p.mentions, scores, keep, limit)
    if _enough(scores, keep, limit, tier(seg, "content", "all") + 20):
        return scores
    if p.content:
        match_content(seg, p.content, scores, keep, limit)
    return scores


def _keeper(
    seg: Segment, masked: frozenset[int], day: int, subject_code: str | None
) -> Callable[[int], bool]:
    docs = seg.docs
    prefix = f"{subject_code}." if subject_code else ""

    def keep(d: int) -> bool:
        doc = docs[d]
        if not doc.valid_from <= day <= doc.valid_until or d in masked:
            return False
        return not subject_code or (
            doc.subject_code == subject_code or doc.subject_code.startswith(prefix)
        )

    return keep


# ---------------------------------------------------------------- the answer


_SPACES = re.compile(r"\s+")


def snippet(content: str, terms: tuple[str, ...]) -> str:
    """A short passage of the content around the first of the words it holds."""
    text = _SPACES.sub(" ", content).strip()
    lowered = text.lower()
    found = [(lowered.find(t.lower()), t) for t in sorted(terms, key=len, reverse=True) if t]
    found = [(at, t) for at, t in found if at >= 0]
    if not found:
        return text[: SNIPPET_BEFORE + SNIPPET_AFTER] + (
            "…" if len(text) > SNIPPET_BEFORE + SNIPPET_AFTER else ""
        )
    at = min(found)[0]
    start = max(0, at - SNIPPET_BEFORE)
    end = min(len(text), at + SNIPPET_AFTER)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def knowledge_search(
    query: str,
    *,
    limit: int = 10,
    subject_code: str | None = None,
    today: dt.date | None = None,
) -> list[ArticleHit]:
    """The best published articles valid ``today`` (Asia/Shanghai) for ``query``, best first.

    ``subject_code`` keeps the articles filed under that subject or below it. An empty query
    finds nothing.
    """
    limit = max(0, min(int(limit), MAX_LIMIT))
    p = plan(query or "")
    if p is None or not limit:
        return []
    day = today or business_date(timezone.now())
    snap = knowledge_index.current()
    ranked: list[tuple[float, int, int, tuple, object]] = []
    wanted = limit + 5  # a few spare, for articles changed since the index last looked
    for seg, masked in snap.segments:
        keep = _keeper(seg, masked, day.toordinal(), subject_code)
        scores = _score(seg, p, keep, wanted)
        docs = seg.docs
        best = heapq.nsmallest(
            wanted,
            ((-e[0], len(docs[d].name), docs[d].pk) for d, e in scores.items() if keep(d)),
        )
        for neg, _length, pk in best:
            d = seg.position[pk]
            ranked.append((neg, _length, pk, scores[d], docs[d]))
    ranked.sort(key=lambda r: r[:3])
    return _hits(ranked, p, day, limit)


def _hits(ranked: list, p: Plan, day: dt.date, limit: int) -> list[ArticleHit]:
    """The hits, re-checked against the table (state and dates) and with their snippets."""
    pks = [r[2] for r in ranked]
    # By primary key only: with the state in the WHERE clause SQLite walks the state index.
    rows = {
        pk: (content, valid_from, valid_until)
        for pk, content, state, valid_from, valid_until in Article.objects.filter(
            pk__in=pks
        ).values_list("pk", "content", "state", "valid_from", "valid_until")
        if state == ArticleState.PUBLISHED
    }
    hits: list[ArticleHit] = []
    seen: set[int] = set()
    for _neg, _length, pk, (score, field, how, _matched), doc in ranked:
        row = rows.get(pk)
        if row is None or pk in seen:
            continue
        content, valid_from, valid_until = row
        if valid_from > day or (valid_until is not None and valid_until < day):
            continue
        seen.add(pk)
        hits.append(
            ArticleHit(
                id=pk,
                title=doc.name,
                snippet=snippet(content, p.highlight),
                subject=doc.subject_name,
                department=doc.department_name,
                valid_until=valid_until,
                score=round(float(score), 2),
                subject_code=doc.subject_code,
                department_code=doc.department_code,
                source=doc.source,
                field=field,
                how=how,
                terms=p.highlight,
            )
        )
        if len(hits) >= limit:
            break
    return hits
