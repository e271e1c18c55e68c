"""Hashed n-gram counts computed with numpy over a whole batch of texts at once.

Every feature is a substring of a text: a character n-gram, or one or two consecutive words of a
space-separated word view (``text.words``). A substring's hash is a polynomial hash of its code
points modulo 2^64 computed from prefix sums, so all n-grams of a batch are hashed with a few
vectorised operations instead of one Python string per n-gram (scikit-learn's analysers). The
hash is deterministic (no per-process seed) and the same on every platform, so a stored model
reads the same columns everywhere.

``char_ngrams`` and ``word_ngrams`` return a ``scipy.sparse.csr_matrix`` (texts × 2^bits) of
signed counts: the top bit of the mixed hash gives a sign, so that colliding features tend to
cancel rather than add up (as scikit-learn's ``HashingVectorizer(alternate_sign=True)``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

_P = np.uint64(0x100000001B3)  # odd multiplier of the polynomial hash
_Q = np.uint64(pow(int(_P), -1, 1 << 64))  # its inverse modulo 2^64
_M1 = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64 finaliser
_M2 = np.uint64(0x94D049BB133111EB)
_SEP = 0  # code point joining the texts of a batch (never inside a feature)
_SPACE = 32


def _mix(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(30))
    h = h * _M1
    h = h ^ (h >> np.uint64(27))
    h = h * _M2
    return h ^ (h >> np.uint64(31))


class _Batch:
    """The code points of a batch of texts joined by a separator, with what every substring
    hash needs: prefix sums ``G[i] = Σ_{j<i} cp[j]·Q^j`` and the powers ``P^i``."""

    def __init__(self, texts: Sequence[str]):
        self.n = len(texts)
        joined = "\x00".join(t.replace("\x00", " ") for t in texts)
        cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        self.cp = cp
        size = len(cp)
        with np.errstate(over="ignore"):
            q = np.full(size, _Q, dtype=np.uint64)
            if size:
                q[0] = 1
            q_pow = np.cumprod(q, dtype=np.uint64)
            self.G = np.zeros(size + 1, dtype=np.uint64)
            np.cumsum(cp * q_pow, out=self.G[1:], dtype=np.uint64)
            p = np.full(size + 1, _P, dtype=np.uint64)
            p[0] = 1
            self.p_pow = np.cumprod(p, dtype=np.uint64)
        sep = cp == _SEP
        # C[i] = separators before position i: the text a position belongs to
        self.C = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(sep, out=self.C[1:])

    def hash(self, start: np.ndarray, end: np.ndarray, salt: int) -> np.ndarray:
        """Mixed hashes of the substrings [start, end)."""
        with np.errstate(over="ignore"):
            h = (self.G[end] - self.G[start]) * self.p_pow[end - 1]
            h = h ^ np.uint64(salt)
            return _mix(h)


def _counts(rows: np.ndarray, hashes: np.ndarray, n_rows: int, bits: int) -> sp.csr_matrix:
    cols, signs = bucket_and_sign(hashes, bits)
    m = sp.csr_matrix(
        (signs.astype(np.float32), (rows, cols)), shape=(n_rows, 1 << bits), dtype=np.float32
    )
    m.sum_duplicates()
    m.eliminate_zeros()  # colliding features of opposite sign that cancelled
    return m


def char_ngrams(texts: Sequence[str], ngram_range: tuple[int, int], bits: int, salt: int = 0):
    """Signed hashed counts of the character n-grams (``lo`` ≤ n ≤ ``hi``) of each text."""
    rows, hashes = char_hashes(texts, ngram_range, salt)
    return _counts(rows, hashes, len(texts), bits)


def char_hashes(texts: Sequence[str], ngram_range: tuple[int, int], salt: int = 0):
    """(text index, mixed hash) of every character n-gram of the texts."""
    b = _Batch(texts)
    size = len(b.cp)
    lo, hi = ngram_range
    rows, hashes = [], []
    for n in range(lo, hi + 1):
        if size < n:
            continue
        start = np.arange(size - n + 1)
        end = start + n
        ok = b.C[end] == b.C[start]  # no separator inside
        start, end = start[ok], end[ok]
        rows.append(b.C[start])
        hashes.append(b.hash(start, end, salt * 1_000_003 + n))
    return _joined(rows, hashes)


def _joined(rows: list, hashes: list) -> tuple[np.ndarray, np.ndarray]:
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    return np.concatenate(rows), np.concatenate(hashes)


def word_ngrams(texts: Sequence[str], ngram_range: tuple[int, int], bits: int, salt: int = 0):
    """Signed hashed counts of the word n-grams of space-separated word views."""
    rows, hashes = word_hashes(texts, ngram_range, salt)
    return _counts(rows, hashes, len(texts), bits)


def word_hashes(texts: Sequence[str], ngram_range: tuple[int, int], salt: int = 0):
    """(text index, mixed hash) of every word n-gram of space-separated word views."""
    b = _Batch(texts)
    cp = b.cp
    size = len(cp)
    # word boundaries: separators, spaces and the two ends
    cuts = np.flatnonzero((cp == _SPACE) | (cp == _SEP))
    left = np.concatenate([[0], cuts + 1])
    right = np.concatenate([cuts, [size]])
    keep = right > left
    left, right = left[keep], right[keep]
    # a word and the next belong to one text when only a space lies between them
    joined = np.zeros(len(left), dtype=bool)
    if len(left) > 1:
        joined[:-1] = cp[right[:-1]] == _SPACE
    rows, hashes = [], []
    lo, hi = ngram_range
    for n in range(lo, hi + 1):
        if len(left) < n:
            continue
        count = len(left) - n + 1
        ok = np.ones(count, dtype=bool)
        for k in range(n - 1):
            ok &= joined[k : k + count]
        start, end = left[:count][ok], right[n - 1 :][ok]
        rows.append(b.C[start])
        hashes.append(b.hash(start, end, salt * 1_000_003 + 100 + n))
    return _joined(rows, hashes)


def bucket_and_sign(hashes: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """The bucket (low ``bits`` bits) and the sign (top bit: −1) of mixed hashes."""
    cols = (hashes & np.uint64((1 << bits) - 1)).astype(np.int64)
    signs = np.where((hashes >> np.uint64(63)) == 1, -1.0, 1.0)
    return cols, signs
