"""The hashed n-gram counts (hashing.py) against a plain-Python reference: the same polynomial
hash of every substring, the same bucket and sign, counted per text; texts never leak n-grams
into each other; the hash is fixed (a stored model reads the same columns in every process)."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.hotline.classifier import hashing

MASK = (1 << 64) - 1
P = int(hashing._P)


def _mix(h: int) -> int:
    h ^= h >> 30
    h = (h * int(hashing._M1)) & MASK
    h ^= h >> 27
    h = (h * int(hashing._M2)) & MASK
    return h ^ (h >> 31)


def _hash(s: str, salt: int) -> int:
    h = 0
    for ch in s:
        h = (h * P + ord(ch)) & MASK
    return _mix(h ^ salt)


def _expected(grams_per_text, bits, salt_of) -> list[Counter]:
    out = []
    for grams in grams_per_text:
        counts: Counter = Counter()
        for gram, n in grams:
            h = _hash(gram, salt_of(n))
            counts[h & ((1 << bits) - 1)] += -1 if h >> 63 else 1
        out.append(Counter({k: v for k, v in counts.items() if v}))
    return out


def _as_counters(m) -> list[Counter]:
    m = m.tocsr()
    return [
        Counter(dict(zip(m.indices[a:b].tolist(), m.data[a:b].astype(int).tolist(), strict=True)))
        for a, b in zip(m.indptr[:-1], m.indptr[1:], strict=True)
    ]


TEXT = st.text(alphabet="路灯不亮积水ab #0。", max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, max_size=5), st.integers(1, 3), st.integers(0, 2))
def test_char_ngrams_match_the_reference(texts, hi, salt):
    lo = 1
    got = hashing.char_ngrams(texts, (lo, hi), bits=12, salt=salt)
    assert got.shape == (len(texts), 1 << 12)
    grams = [
        [(t[i : i + n], n) for n in range(lo, hi + 1) for i in range(len(t) - n + 1)] for t in texts
    ]
    assert _as_counters(got) == _expected(grams, 12, lambda n: salt * 1_000_003 + n)


WORDS = st.lists(st.sampled_from(["路灯", "不亮", "积水", "a1", "#市"]), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORDS, max_size=5))
def test_word_ngrams_match_the_reference(word_lists):
    texts = [" ".join(words) for words in word_lists]
    got = hashing.word_ngrams(texts, (1, 2), bits=12, salt=3)
    grams = []
    for words in word_lists:
        grams.append(
            [(w, 1) for w in words] + [(f"{a} {b}", 2) for a, b in itertools.pairwise(words)]
        )
    assert _as_counters(got) == _expected(grams, 12, lambda n: 3 * 1_000_003 + 100 + n)


def test_the_hash_is_fixed():
    m = hashing.char_ngrams(["路灯"], (2, 2), bits=20, salt=2)
    expected = _hash("路灯", 2 * 1_000_003 + 2)
    assert m.indices.tolist() == [expected & ((1 << 20) - 1)]
    assert m.data.tolist() == [-1.0 if expected >> 63 else 1.0]


def test_empty_batches_and_texts():
    assert hashing.char_ngrams([], (1, 3), bits=10).shape == (0, 1024)
    m = hashing.char_ngrams(["", "a", ""], (1, 3), bits=10)
    assert np.diff(m.indptr).tolist() == [0, 1, 0]
    assert hashing.word_ngrams(["", ""], (1, 2), bits=10).nnz == 0
