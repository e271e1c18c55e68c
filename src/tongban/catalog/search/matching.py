"""Matching a query against an index: each ``match_*`` offers documents a score in a tier
(``TIERS``, or the index's own ``tiers``); a document keeps its best offer.

The matchers read only what ``engine.NameIndex`` holds (names, aliases, their pinyin, and the
index's ``text_fields``), so any index built on it can use them; ``score`` is the catalogue's
whole pipeline.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import rjieba

from .engine import SUB, NameIndex, normalize
from .index import Index

FUZZY_CANDIDATES = 300
MAX_QUERY_LENGTH = 64

# Score tiers (a bonus of less than the gap to the next tier orders hits within a tier).
TIERS = {
    ("name", "exact"): 1000,
    ("code", "exact"): 990,
    ("name", "pinyin_exact"): 950,
    ("name", "initials_exact"): 940,
    ("name", "prefix"): 900,
    ("name", "pinyin_prefix"): 850,
    ("name", "initials_prefix"): 840,
    ("name", "contains"): 800,
    ("code", "prefix"): 790,
    ("alias", "exact"): 760,
    ("name", "pinyin_contains"): 750,
    ("name", "initials_contains"): 740,
    ("alias", "prefix"): 730,
    ("alias", "pinyin"): 710,
    ("alias", "contains"): 700,
    ("name", "words"): 650,
    ("alias", "words"): 610,
    ("name", "homophone"): 600,
    ("name", "fuzzy"): 500,
    ("alias", "fuzzy"): 450,
    ("material", "contains"): 400,
    ("items", "contains"): 380,
    ("material", "words"): 350,
    ("summary", "contains"): 300,
    ("conditions", "contains"): 290,
    ("items", "words"): 280,
    ("summary", "words"): 250,
    ("conditions", "words"): 240,
    ("name", "partial"): 100,
}

# Words that say how people ask, not what they ask for (dropped from multi-word queries).
# fmt: off
STOPWORDS = frozenset({
    "怎么", "怎样", "怎么样", "如何", "怎么办", "我要", "我想", "想要", "要", "想", "需要", "什么", "哪些", "哪里", "在哪",
    "在哪里", "哪儿", "的", "了", "吗", "呢", "啊", "吧", "去", "可以", "能", "能否", "是否", "请问", "问", "一下", "办理",
    "办", "申请", "手续", "流程", "材料", "条件", "多久", "时间", "地点", "费用", "有关", "相关",
})
# fmt: on
_QUERY_JUNK = re.compile(r"[\s\x00-\x1f,.?!;:，。？！；：、\"'“”‘’《》<>]+")
PINYIN_QUERY = re.compile(r"[a-z][a-z' ]*")
_CODE_QUERY = re.compile(r"[0-9a-z]{6,33}")


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def query_text(q: str, *, limit: int = MAX_QUERY_LENGTH) -> str:
    """The query as looked for: full-width folded, lower case, no spaces or punctuation."""
    return _QUERY_JUNK.sub("", unicodedata.normalize("NFKC", q or "").lower())[:limit]


class Scores(dict):
    """doc → (score, field, how, matched); keeps the best offer per document."""

    def offer(self, d: int, score: float, field: str, how: str, matched: str = "") -> None:
        best = self.get(d)
        if best is None or score > best[0]:
            self[d] = (score, field, how, matched)

    def fill(self, docs: list[int], entry: tuple) -> None:
        """The same offer for many documents, none better than what they already have."""
        if docs:
            new = dict.fromkeys(docs, entry)
            new.update(self)
            self.update(new)


def tier(index: NameIndex, field: str, how: str) -> int:
    return (index.tiers or TIERS)[(field, how)]


def match_names(index: NameIndex, q: str, scores: Scores) -> None:
    """Names and aliases holding the query: exact, prefix or anywhere."""
    docs, n = index.docs, len(q)
    tiers = (tier(index, "name", "exact"), tier(index, "name", "prefix"))
    contains = tier(index, "name", "contains")
    # Usually the first offers, with nothing to compare with yet: stored without comparing.
    put = scores.__setitem__ if not scores else lambda d, entry: scores.offer(d, *entry)
    for d in index.names.docs(q):
        name = docs[d].norm_name
        if name.startswith(q):
            how = "exact" if name == q else "prefix"
            put(d, (tiers[how == "prefix"] + 40 * n / len(name), "name", how, ""))
        else:
            put(d, (contains + 40 * n / len(name), "name", "contains", ""))
    for d in index.aliases.docs(q):
        doc = docs[d]
        for alias, norm in zip(doc.aliases, doc.norm_aliases, strict=True):
            if q in norm:
                how = "exact" if norm == q else "prefix" if norm.startswith(q) else "contains"
                scores.offer(d, tier(index, "alias", how) + 20 * n / len(norm), "alias", how, alias)


def match_texts(index: NameIndex, q: str, scores: Scores) -> None:
    """Materials, member items (bundles) and guide text holding the query; the text that matched
    is looked up only for the hits shown (``matched_text``)."""
    for field, blob in index.text_fields:  # after the name tiers, in falling tier order
        scores.fill(blob.docs(q), (tier(index, field, "contains"), field, "contains", q))


def matched_text(index: NameIndex, d: int, field: str, how: str, matched: str) -> str:
    if how != "contains" or field not in ("material", "items", "summary", "conditions"):
        return matched
    if field == "material":
        return next((m for m in index.docs[d].materials if matched in normalize(m)), "")
    part = dict(index.text_fields)[field].part(d)
    if field == "items":
        return next((n for n in part.split(SUB) if matched in n), "")
    return _snippet(part, matched)


def _snippet(text: str, q: str, width: int = 16) -> str:
    at = text.find(q)
    start = max(0, at - width)
    return ("…" if start else "") + text[start : at + len(q) + width]


def _match_code(index: Index, q: str, scores: Scores) -> None:
    for d in index.codes.docs(q):
        doc = index.docs[d]
        how = "exact" if q in (doc.code.lower(), doc.basic_code.lower()) else "prefix"
        scores.offer(d, tier(index, "code", how), "code", how, doc.code)


def match_pinyin(index: NameIndex, q: str, scores: Scores) -> None:
    """Full pinyin (from a syllable's start) and initials of names and aliases."""
    docs = index.docs
    for d in index.pinyin.docs(q):
        doc = docs[d]
        p = doc.pinyin
        if p == q:
            how = "pinyin_exact"
        elif p.startswith(q):
            how = "pinyin_prefix"
        else:
            pos = p.find(q, 1)
            while pos != -1 and pos not in doc.bounds:
                pos = p.find(q, pos + 1)
            if pos == -1:
                continue  # starts inside a syllable: not what was typed
            how = "pinyin_contains"
        scores.offer(d, tier(index, "name", how) + 40 * len(q) / len(p), "name", how)
    for d in index.initials.docs(q):
        ini = docs[d].initials
        how = (
            "initials_exact"
            if ini == q
            else "initials_prefix"
            if ini.startswith(q)
            else "initials_contains"
        )
        scores.offer(d, tier(index, "name", how) + 40 * len(q) / len(ini), "name", how)
    for blob in (index.alias_pinyin, index.alias_initials):
        for d in blob.docs(q):
            for alias, typed in zip(docs[d].aliases, blob.part(d).split(SUB), strict=True):
                if typed.startswith(q):
                    bonus = 20 * len(q) / len(typed)
                    scores.offer(
                        d, tier(index, "alias", "pinyin") + bonus, "alias", "pinyin", alias
                    )


def terms_of(q: str) -> list[str]:
    """The query's words (segmented for search), without those inside a longer one."""
    terms = list(dict.fromkeys(t for t in rjieba.cut_for_search(q) if t not in STOPWORDS))
    return [t for t in terms if not any(t != u and t in u for u in terms)]


def _all_of(postings: dict[str, frozenset[int]], chars: set[str]) -> frozenset[int]:
    """The documents holding every one of the characters."""
    sets = sorted((postings.get(ch, frozenset()) for ch in chars), key=len)
    return sets[0].intersection(*sets[1:]) if sets else frozenset()


def _settled(scores: Scores, floor: float) -> set[int]:
    return {d for d, entry in scores.items() if entry[0] >= floor}


def match_words(
    index: NameIndex, terms: list[str], scores: Scores, *, partial: bool = True
) -> None:
    """Documents holding every query word (not necessarily together) in one field, the best
    field counting; names holding at least half of the query's words rank last (``partial``).
    Documents that already rank higher than a word match could are not looked at."""
    total = sum(len(t) for t in terms)
    longest = max(terms, key=len)
    settled = _settled(scores, tier(index, "name", "words") + 30)
    for d in _all_of(index.name_chars, set("".join(terms))).difference(settled):
        for field, blob in index.name_fields:
            part = blob.part(d)
            if all(t in part for t in terms):
                bonus = min(30, 30 * total / len(index.docs[d].norm_name)) if field == "name" else 0
                scores.offer(d, tier(index, field, "words") + bonus, field, "words")
                break
    if index.text_fields:
        settled = _settled(scores, tier(index, index.text_fields[0][0], "words"))
    for field, blob in index.text_fields:  # in falling tier order
        floor = tier(index, field, "words")
        found = [
            d
            for d in set(blob.docs(longest)).difference(settled)
            if all(t in blob.part(d) for t in terms)
        ]
        for d in found:
            scores.offer(d, floor, field, "words")
        settled.update(found)
    if partial and len(terms) > 1:
        floor = tier(index, "name", "partial")
        candidates = _all_of(index.name_chars, set(longest))
        for d in candidates.difference(_settled(scores, floor + 100)):
            name = index.docs[d].norm_name
            n = sum(len(t) for t in terms if t in name)
            if n < total and n * 2 >= total:
                scores.offer(d, floor + 100 * n / total, "name", "partial")


def match_homophone(index: NameIndex, q: str, scores: Scores) -> None:
    """The same sounds with other characters (老年人优代证 → 老年人优待证)."""
    needle = " " + " ".join(index.query_syllables(q)) + " "
    for d in index.syllables.docs(needle):
        name = index.docs[d].norm_name
        bonus = 40 * min(1.0, len(q) / len(name))
        scores.offer(d, tier(index, "name", "homophone") + bonus, "name", "homophone")


def substring_distance(q: str, text: str) -> int:
    """The least edit distance between ``q`` and any substring of ``text``: Myers' bit-parallel
    approximate search (J. ACM 46(3), 1999), a few integer operations per character of text."""
    m = len(q)
    if not m:
        return 0
    peq: dict[str, int] = {}
    for i, ch in enumerate(q):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    best = m
    for ch in text:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) & mask  # a match may start anywhere: nothing shifted in
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        if score < best:
            best = score
    return best


def match_fuzzy(
    index: NameIndex, q: str, scores: Scores, *, candidates: int = FUZZY_CANDIDATES
) -> None:
    """Names (and aliases) within one edit of the query, two from eight characters up; only the
    ``candidates`` names sharing most characters with the query are compared."""
    limit = candidates
    k = 1 if len(q) < 8 else 2
    chars = set(q)
    need = max(2, len(chars) - k)
    counts: Counter[int] = Counter()
    for ch in chars:
        counts.update(index.name_chars.get(ch, ()))
    candidates = [d for d, n in counts.items() if n >= need]
    homophone, fuzzy, alias_fuzzy = (
        tier(index, "name", "homophone"),
        tier(index, "name", "fuzzy"),
        tier(index, "alias", "fuzzy"),
    )
    if len(candidates) > limit:
        candidates = sorted(candidates, key=lambda d: -counts[d])[:limit]
    for d in candidates:
        if d in scores and scores[d][0] >= homophone:
            continue  # already found as well as a typo can be
        doc = index.docs[d]
        dist = substring_distance(q, doc.norm_name)
        if dist <= k:
            bonus = 60 * (1 - dist / len(q)) + 40 * min(1.0, len(q) / len(doc.norm_name))
            scores.offer(d, fuzzy + bonus, "name", "fuzzy")
            continue
        for alias, norm in zip(doc.aliases, doc.norm_aliases, strict=True):
            if substring_distance(q, norm) <= k:
                scores.offer(d, alias_fuzzy, "alias", "fuzzy", alias)
                break


def core_of(q: str) -> str:
    """The query without the words that say how people ask ("老人优待证怎么办" → "老人优待证")."""
    return "".join(w for w in rjieba.cut(q) if w not in STOPWORDS) or q


def score(index: Index, q: str) -> Scores:
    scores = Scores()
    match_names(index, q, scores)
    match_texts(index, q, scores)
    if _CODE_QUERY.fullmatch(q) and any(ch.isdigit() for ch in q):
        _match_code(index, q, scores)
    cjk = sum(is_cjk(ch) for ch in q)
    if cjk:
        # "老人优待证怎么办" is looked for as "老人优待证", a little below the query as typed.
        core = core_of(q)
        if core != q:
            core_scores = Scores()
            match_names(index, core, core_scores)
            for d, (score, *rest) in core_scores.items():
                scores.offer(d, score - 5, *rest)
        terms = terms_of(core)
        if len(terms) > 1 or (terms and terms[0] != q):
            match_words(index, terms, scores)
        if cjk == len(core) and len(core) >= 3:
            match_homophone(index, core, scores)
        if len(core) >= 3:
            match_fuzzy(index, core, scores)
    elif PINYIN_QUERY.fullmatch(q):
        match_pinyin(index, q.replace("'", ""), scores)
    return scores
