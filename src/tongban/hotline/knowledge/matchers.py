"""The knowledge search's own matchers, for what the catalogue's do not do at this size.

- ``match_titles`` and ``match_keywords``: titles and keywords holding the query, scored as the
  catalogue's ``match_names`` scores names, but only up to the best ``k`` valid articles of each
  kind. A query such as "公积" is in thousands of titles; the segments hold articles shortest
  title first, so the scan meets them in falling score order and stops early, and each distinct
  keyword is looked at once, whatever the number of articles that carry it.
- ``match_content``: the words of the whole article through the inverted index.

The best ``k`` valid articles of each matcher together hold the best ``k`` overall, so stopping
early changes no result.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator

import rjieba

from tongban.catalog.search.engine import SEP, Blob
from tongban.catalog.search.matching import Scores, tier

from .index import Segment

Keep = Callable[[int], bool]

# A word in more articles than this is not walked through; it only adds to the articles the
# rarer words found.
WALK_LIMIT = 8000
ABSENT_WEIGHT = 0.5
TITLE_CHECK_LIMIT = 3000  # found articles whose titles are checked for the query's words


def _holding(blob: Blob, needle: str) -> Iterator[int]:
    """The documents whose part holds ``needle``, in document order, lazily."""
    text, starts = blob.text, blob.starts
    pos = text.find(needle)
    while pos != -1:
        d = bisect_right(starts, pos) - 1
        yield d
        pos = text.find(needle, starts[d + 1])


def _starting(blob: Blob, needle: str) -> Iterator[int]:
    """The documents whose part starts with ``needle``, in document order, lazily."""
    text, starts = blob.text, blob.starts
    if text.startswith(needle):
        yield 0
    marked = SEP + needle
    pos = text.find(marked)
    while pos != -1:
        d = bisect_right(starts, pos + 1) - 1
        if d + 1 >= len(starts):
            return
        yield d
        pos = text.find(marked, starts[d + 1] - 1)


def match_titles(seg: Segment, q: str, scores: Scores, keep: Keep, k: int, penalty=0.0) -> None:
    """Titles that are, start with or hold the query (``name`` exact / prefix / contains)."""
    docs, n = seg.docs, len(q)
    exact, prefix, contains = (tier(seg, "name", h) for h in ("exact", "prefix", "contains"))
    seen: set[int] = set()
    valid = 0
    for d in _starting(seg.names, q):
        seen.add(d)
        length = len(docs[d].norm_name)
        how = "exact" if length == n else "prefix"
        base = exact if length == n else prefix
        scores.offer(d, base + 40 * n / length - penalty, "name", how)
        if keep(d):
            valid += 1
            if valid >= k:  # the rest are longer: lower scores, and no exact one among them
                return
    valid = 0
    for d in _holding(seg.names, q):
        if d in seen:
            continue
        scores.offer(d, contains + 40 * n / len(docs[d].norm_name) - penalty, "name", "contains")
        if keep(d):
            valid += 1
            if valid >= k:
                return


def match_keywords(seg: Segment, q: str, scores: Scores, keep: Keep, k: int, penalty=0.0) -> None:
    """Keywords that are, start with or hold the query (``alias`` exact / prefix / contains)."""
    n = len(q)
    offers = []
    for i in _holding(seg.keyword_blob, q):
        norm = seg.keyword_norms[i]
        how = "exact" if norm == q else "prefix" if norm.startswith(q) else "contains"
        offers.append((tier(seg, "alias", how) + 20 * n / len(norm) - penalty, how, i))
    offers.sort(key=lambda o: -o[0])
    counted: set[int] = set()
    for score, how, i in offers:
        text = seg.keyword_texts[i]
        for d in seg.keyword_docs[i]:
            scores.offer(d, score, "alias", how, text)
            if d not in counted and keep(d):
                counted.add(d)
                if len(counted) >= k:
                    return


def _spelled(
    seg: Segment, blob: Blob, q: str, field: str, scores: Scores, keep: Keep, k: int
) -> None:
    """Titles whose pinyin (``field`` "pinyin") or initials ("initials") are, start with or
    hold (from a syllable's start) the query."""
    docs, n = seg.docs, len(q)
    seen: set[int] = set()
    valid = 0
    exact, prefix = tier(seg, "name", f"{field}_exact"), tier(seg, "name", f"{field}_prefix")
    for d in _starting(blob, q):
        seen.add(d)
        typed = blob.part(d)
        how, base = (f"{field}_exact", exact) if typed == q else (f"{field}_prefix", prefix)
        scores.offer(d, base + 40 * n / len(typed), "name", how)
        if keep(d):
            valid += 1
            if valid >= k:
                return
    contains, valid = tier(seg, "name", f"{field}_contains"), 0
    for d in _holding(blob, q):
        if d in seen:
            continue
        typed = blob.part(d)
        if field == "pinyin":  # from the start of a syllable only: "aonian" is not "laonian"
            bounds = docs[d].bounds
            pos = typed.find(q, 1)
            while pos != -1 and pos not in bounds:
                pos = typed.find(q, pos + 1)
            if pos == -1:
                continue
        scores.offer(d, contains + 40 * n / len(typed), "name", f"{field}_contains")
        if keep(d):
            valid += 1
            if valid >= k:
                return


def match_pinyin(seg: Segment, q: str, scores: Scores, keep: Keep, k: int) -> None:
    """Full pinyin and initials of titles and keywords ("gongjijin", "gjj")."""
    if any(ch in "aeiouv" for ch in q):  # every syllable has a vowel; initials ("gjj") do not
        _spelled(seg, seg.pinyin, q, "pinyin", scores, keep, k)
    _spelled(seg, seg.initials, q, "initials", scores, keep, k)
    base = tier(seg, "alias", "pinyin")
    offers = sorted(
        (
            (base + 20 * len(q) / len(blob.part(i)), i)
            for blob in (seg.keyword_pinyin, seg.keyword_initials)
            for i in _starting(blob, q)
        ),
        reverse=True,
    )
    counted: set[int] = set()
    for score, i in offers:
        text = seg.keyword_texts[i]
        for d in seg.keyword_docs[i]:
            scores.offer(d, score, "alias", "pinyin", text)
            if d not in counted and keep(d):
                counted.add(d)
                if len(counted) >= k:
                    return


def match_mentions(seg: Segment, text: str, scores: Scores, keep: Keep, k: int) -> None:
    """Articles whose keywords, or whose subject's name, the query mentions: a caller's
    "学府路积水很深，行人过不去" mentions 积水, a keyword of the article on 道路积水; the place names
    around it are in no article. A longer keyword counts for a little more."""
    chars = set(text)
    offers = []
    for field, names, texts, docs in (
        ("alias", seg.keyword_norms, seg.keyword_texts, seg.keyword_docs),
        (
            "subject",
            list(seg.subject_docs),
            list(seg.subject_docs),
            list(seg.subject_docs.values()),
        ),
    ):
        base = tier(seg, field, "mentioned")
        for i, name in enumerate(names):
            if len(name) > 1 and name[0] in chars and name != text and name in text:
                offers.append((base + 10 * min(1.0, len(name) / 4), field, texts[i], docs[i]))
    offers.sort(key=lambda o: -o[0])
    counted: set[int] = set()
    for score, field, name, holders in offers:
        for d in holders:
            scores.offer(d, score, field, "mentioned", name)
            if d not in counted and keep(d):
                counted.add(d)
                if len(counted) >= k:
                    return


def _contains(postings, d: int) -> bool:
    i = bisect_left(postings, d)
    return i < len(postings) and postings[i] == d


def _postings_of(seg: Segment, alts: tuple[str, ...]):
    """The articles holding the word or a synonym; for a word no article holds ("刚出生"),
    those holding its parts ("出生")."""
    found = [seg.postings[a] for a in alts if a in seg.postings]
    if not found:
        parts = {p for a in alts for p in rjieba.cut_for_search(a) if len(p) > 1 and p != a}
        found = [seg.postings[p] for p in parts if p in seg.postings]
    if not found:
        return None
    return found[0] if len(found) == 1 else sorted(set().union(*found))


def match_content(
    seg: Segment, groups: tuple[tuple[str, ...], ...], scores: Scores, keep: Keep, k: int
) -> None:
    """Articles holding all (``all``) or enough (``some``) of the query's words, each word
    weighted by how rare it is (a synonym counts as the word); the title holding them adds a
    little. Only the best ``k`` valid articles (and those close to them) are offered."""
    n = len(seg.docs)
    present = []
    for alts in groups:
        postings = _postings_of(seg, alts)
        if postings is not None:
            present.append((len(postings), math.log((n + 1) / (len(postings) + 1)) + 1, postings))
    if not present:
        return
    present.sort(key=lambda x: x[0])
    # A word no article holds (a caller's "黑乎乎") says more about the caller than about any
    # article: it weighs half what a word every article holds would, and puts "all of the
    # words" out of reach.
    total = sum(w for _df, w, _p in present) + ABSENT_WEIGHT * (len(groups) - len(present))
    # All the words of a word or two; a third of a caller's whole sentence; half otherwise.
    floor = 0.999 if len(groups) == 1 else 0.5 if len(groups) <= 3 else 1 / 3
    need = floor * total
    acc: dict[int, float] = {}
    rest = sum(w for _df, w, _p in present)
    for df, w, postings in present:
        if acc and (rest < need or df > WALK_LIMIT):
            # An article holding none of the rarer words cannot reach the floor with these:
            # they only add to the articles found.
            for d in list(acc):
                if _contains(postings, d):
                    acc[d] += w
        else:
            get = acc.get
            for d in postings:
                acc[d] = get(d, 0.0) + w
        rest -= w
    found = [(got, d) for d, got in acc.items() if got >= need and keep(d)]
    if len(found) > k:
        # The title's bonus (10) is worth a sixth of the share's (60): closer than that to the
        # k-th best, an article may still pass it.
        kth = heapq.nlargest(k, found)[-1][0]
        found = [x for x in found if x[0] >= kth - total / 6]
        if len(found) > TITLE_CHECK_LIMIT:
            found = heapq.nlargest(TITLE_CHECK_LIMIT, found)
    all_tier, some_tier = tier(seg, "content", "all"), tier(seg, "content", "some")
    several = 10 * len(groups) / (len(groups) + 1)
    titled: dict[int, int] = {}
    wanted = {d for _got, d in found}
    for alts in groups:
        holding = set()
        for a in alts:
            holding.update(seg.title_postings.get(a, ()))
        for d in holding.intersection(wanted):
            titled[d] = titled.get(d, 0) + 1
    for got, d in found:
        bonus = 10 * titled.get(d, 0) / len(groups)
        share = got / total
        if share > 0.999:
            scores.offer(d, all_tier + several + bonus, "content", "all")
        else:
            scores.offer(d, some_tier + 60 * share + bonus, "content", "some")
