"""Text preprocessing for the dispatch classifier: one normalised title and body per message,
and the word view (rjieba) the word n-gram features read.

Normalisation is deliberately light and language-neutral, so that another city's letters go
through the same steps: Unicode NFKC (full-width → half-width), lower case, every run of
whitespace to one space, every run of digits to ``0`` (house numbers, dates and phone numbers
say nothing about the topic), and the anonymised place codes of the public data (``A市``,
``A3区``, ``K8县``) to a neutral ``#市`` / ``#区`` / ``#县`` so that no city letter becomes a
topic cue.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import rjieba

_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
# A市, A3区, K8县, B2镇 … (the public data anonymises place names like this)
_PLACE_CODE = re.compile(r"(?<![a-z])[a-z]0?(?=[市区县镇乡])")
# Boilerplate greetings and closings that appear in every topic.
_BOILERPLATE = re.compile(
    r"尊敬的(?:各位)?(?:领导|市长|局长|书记|县长|区长)(?:您好|你好)?[:：,，!！]?"
    r"|(?:领导|市长)(?:您好|你好)[:：,，!！]?"
    r"|(?:此致|谢谢|感谢)(?:敬礼|您|你们|领导)?[!！。]*"
)


def normalise(text: str | None) -> str:
    """NFKC, lower case, whitespace and digit runs folded, place codes neutralised."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _SPACE.sub(" ", text).strip()
    text = _DIGITS.sub("0", text)
    text = _PLACE_CODE.sub("#", text)
    return _BOILERPLATE.sub("", text).strip()


def is_empty(title: str | None, text: str | None) -> bool:
    """True when there is nothing to classify (no letter or digit in title or body)."""
    return not any(ch.isalnum() for ch in f"{title or ''}{text or ''}")


# a token with at least one letter or digit (str.isalnum) or the place mark "#"
_WORDISH = re.compile(r"[^\W_]|#")


def words(text: str) -> str:
    """The rjieba words of an already normalised text, space-joined (punctuation dropped)."""
    wordish = _WORDISH.search
    # str.isalnum (C) settles most tokens; the regex only sees punctuation and mixed tokens
    return " ".join([w for w in rjieba.cut(text) if w.isalnum() or wordish(w)])


def prepare(titles: Iterable[str | None], texts: Iterable[str | None]) -> dict[str, list[str]]:
    """The three views the model's vectorisers read, one entry per message:

    - ``title``: the normalised title (its own features, so the title weighs more);
    - ``full``: title and body together (character n-grams);
    - ``words``: the rjieba words of title and body (word n-grams).
    """
    out: dict[str, list[str]] = {"title": [], "full": [], "words": []}
    for title, text in zip(titles, texts, strict=True):
        t = normalise(title)
        b = normalise(text)
        full = f"{t}。{b}" if b else t
        out["title"].append(t)
        out["full"].append(full)
        out["words"].append(words(full))
    return out


def group_key(title: str | None, text: str | None) -> str:
    """The key that keeps identical messages on one side of a validation split: the body with all
    whitespace removed; a title-only message (empty body) is keyed by its title instead (otherwise
    all ~900 title-only messages of the public data would form one group)."""
    body = _SPACE.sub("", text or "")
    return f"text:{body}" if body else f"title:{_SPACE.sub('', title or '')}"
