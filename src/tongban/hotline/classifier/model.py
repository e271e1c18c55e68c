"""The trained dispatch classifier: three hashed n-gram views of a message (title characters,
title + body characters, rjieba words), one linear model over them, and a calibration that turns
its scores into probabilities.

Features (``hashing.py``): every n-gram is hashed into 2^bits buckets of its view with a sign
(no vocabulary dictionary; a whole batch is hashed with a few numpy operations). Training keeps
the buckets seen in at least ``min_df`` training messages (``columns``) with their smoothed idf;
a message's features are ``sign · (1 + log |count|) · idf`` over the kept buckets, unit length
per view, times the view's weight — TF-IDF over hashed n-grams.

The linear model is kept as plain arrays (``coef`` (labels × kept features), ``intercept``) and
the calibration as a temperature and a per-label bias fitted on out-of-fold scores
(``softmax(temperature · score + bias)``), so that prediction is a sparse product and a softmax,
and the stored file holds nothing but numpy arrays and plain values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from . import hashing
from . import text as textprep

VIEWS = ("title", "full", "words")
SALTS = {"title": 1, "full": 2, "words": 3}


@dataclass(frozen=True)
class ViewSpec:
    """One view of a message: ``kind`` ``char`` (character n-grams) or ``word`` (n-grams of the
    rjieba words), ``ngram_range`` inclusive, ``bits`` (2^bits hash buckets), ``weight``."""

    name: str
    kind: str
    ngram_range: tuple[int, int]
    bits: int
    weight: float

    def hashes(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(doc index, mixed hash) of every n-gram (see ``hashing``)."""
        f = hashing.char_hashes if self.kind == "char" else hashing.word_hashes
        return f(docs, self.ngram_range, SALTS[self.name])

    def counts(self, docs: Sequence[str]) -> sp.csr_matrix:
        """Signed hashed n-gram counts (len(docs) × 2^bits)."""
        f = hashing.char_ngrams if self.kind == "char" else hashing.word_ngrams
        return f(docs, self.ngram_range, self.bits, SALTS[self.name])


@dataclass
class TrainingRow:
    """One labelled message (``label`` is empty when only predicting)."""

    id: str
    title: str
    text: str
    label: str = ""


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def raw_counts(specs: Sequence[ViewSpec], titles, texts) -> dict[str, sp.csr_matrix]:
    """Hashed counts of every view of every message (the expensive, model-free part)."""
    views = textprep.prepare(titles, texts)
    return {spec.name: spec.counts(views[spec.name]) for spec in specs}


def weighted(
    counts: sp.csr_matrix, remap: np.ndarray, idf: np.ndarray, weight: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, kept columns, values) of one view: sublinear tf × idf over the kept buckets,
    unit length per message, times the view's weight."""
    n = counts.shape[0]
    mapped = remap[counts.indices]
    keep = mapped >= 0
    rows = np.repeat(np.arange(n), np.diff(counts.indptr))[keep]
    cols = mapped[keep]
    v = counts.data[keep]
    v = np.sign(v) * (1.0 + np.log(np.abs(v))) * idf[cols]
    norm = np.sqrt(np.bincount(rows, weights=v * v, minlength=n))
    v = (v / norm[rows] * weight).astype(np.float32)
    return rows, cols, v


class Featuriser:
    """The fitted features: per view, the kept hash buckets (``columns``, sorted) and their idf;
    maps hashed counts to feature rows (per view unit length × weight)."""

    def __init__(self, specs: Sequence[ViewSpec], columns: dict, idf: dict) -> None:
        self.specs = list(specs)
        self.columns = {s.name: np.asarray(columns[s.name], dtype=np.int64) for s in self.specs}
        self.idf = {s.name: np.asarray(idf[s.name], dtype=np.float32) for s in self.specs}
        # hash bucket → feature column (−1: not kept), one table per view
        self._remap: dict[str, np.ndarray] = {}
        offset = 0
        for spec in self.specs:
            cols = self.columns[spec.name]
            remap = np.full(1 << spec.bits, -1, dtype=np.int32)
            remap[cols] = np.arange(offset, offset + len(cols), dtype=np.int32)
            self._remap[spec.name] = remap
            offset += len(cols)
        self.n_features = offset
        self._idf = np.concatenate([self.idf[s.name] for s in self.specs]).astype(np.float32)

    @classmethod
    def fit(cls, specs: Sequence[ViewSpec], counts: dict[str, sp.csr_matrix], min_df: int):
        """Keep the buckets present in at least ``min_df`` of the messages; smoothed idf."""
        columns, idf = {}, {}
        for spec in specs:
            m = counts[spec.name]
            n = m.shape[0]
            df = np.bincount(m.indices, minlength=m.shape[1])
            keep = np.flatnonzero(df >= min_df)
            if not len(keep):  # a tiny sample: keep whatever was seen
                keep = np.flatnonzero(df >= 1)
            columns[spec.name] = keep
            idf[spec.name] = (np.log((1.0 + n) / (1.0 + df[keep])) + 1.0).astype(np.float32)
        return cls(specs, columns, idf)

    def transform(self, counts: dict[str, sp.csr_matrix]) -> sp.csr_matrix:
        n = next(iter(counts.values())).shape[0]
        rows, cols, vals = [], [], []
        for spec in self.specs:
            r, c, v = weighted(counts[spec.name], self._remap[spec.name], self._idf, spec.weight)
            rows.append(r)
            cols.append(c)
            vals.append(v)
        return sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n, self.n_features),
            dtype=np.float32,
        )

    def one(self, views: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of the first message of prepared ``views``, computed with numpy
        only (no sparse matrices: the operator's as-you-type suggestions)."""
        all_cols, all_vals = [], []
        for spec in self.specs:
            _rows, hashes = spec.hashes(views[spec.name][:1])
            buckets, signs = hashing.bucket_and_sign(hashes, spec.bits)
            mapped = self._remap[spec.name][buckets]
            keep = mapped >= 0
            if not keep.any():
                continue
            cols, inverse = np.unique(mapped[keep], return_inverse=True)
            counts = np.bincount(inverse, weights=signs[keep])
            nz = counts != 0
            cols, counts = cols[nz], counts[nz]
            if not len(cols):
                continue
            v = np.sign(counts) * (1.0 + np.log(np.abs(counts))) * self._idf[cols]
            v *= spec.weight / np.sqrt(v @ v)
            all_cols.append(cols)
            all_vals.append(v)
        if not all_cols:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(all_cols), np.concatenate(all_vals)


@dataclass
class TextClassifier:
    """A trained classifier. ``labels`` is the sorted label set; ``featuriser`` the fitted
    features; ``manifest`` is what was stored with it (empty until saved or loaded)."""

    labels: list[str]
    featuriser: Featuriser
    coef: np.ndarray  # (len(labels), n_features), float32
    intercept: np.ndarray  # (len(labels),)
    temperature: float = 1.0
    bias: np.ndarray | None = None  # (len(labels),) calibration bias
    prior: np.ndarray | None = None  # label frequencies at training (answer for empty messages)
    # decision offsets (len(labels),): added to the log probabilities when choosing the label
    # (``decide``), fitted for macro-F1 on out-of-fold scores; zeros: the most probable label
    offsets: np.ndarray | None = None
    manifest: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._coef_t = np.ascontiguousarray(self.coef.T, dtype=np.float32)
        self.coef = self._coef_t.T  # a view: the coefficients are held once
        if self.bias is None:
            self.bias = np.zeros(len(self.labels))
        if self.prior is None:
            self.prior = np.full(len(self.labels), 1.0 / len(self.labels))
        if self.offsets is None:
            self.offsets = np.zeros(len(self.labels))

    @property
    def specs(self) -> list[ViewSpec]:
        return self.featuriser.specs

    @property
    def weights(self) -> dict[str, float]:
        return {spec.name: spec.weight for spec in self.specs}

    # ------------------------------------------------------------------ features and scores
    def features(self, titles: Sequence[str], texts: Sequence[str]) -> sp.csr_matrix:
        """The model's feature rows (len(titles) × n_features): per view unit length × weight."""
        titles, texts = list(titles), list(texts)
        return self.featuriser.transform(raw_counts(self.specs, titles, texts))

    def decision_function(self, titles: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """Raw linear scores (n, len(labels)), before calibration."""
        X = self.features(titles, texts)
        return np.asarray(X @ self._coef_t, dtype=np.float64) + self.intercept

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        return softmax(scores * self.temperature + self.bias)

    def ranking(self, proba: np.ndarray) -> np.ndarray:
        """What the labels are ranked by: the log probabilities plus the decision offsets (the
        probabilities themselves stay calibrated; the offsets only move close calls)."""
        with np.errstate(divide="ignore"):
            return np.log(proba) + self.offsets

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """The chosen label's index per row of calibrated probabilities."""
        if not len(proba) or not np.any(self.offsets):
            return proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
        return self.ranking(proba).argmax(axis=1)

    # ------------------------------------------------------------------ the interface
    def predict_proba(self, titles: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities (n, len(labels)); each row sums to 1. A message with neither
        title nor body gets the label frequencies seen at training (the best one can say)."""
        titles, texts = list(titles), list(texts)
        if len(titles) != len(texts):
            raise ValueError("titles and texts differ in length")
        if not titles:
            return np.zeros((0, len(self.labels)))
        proba = self.calibrate(self.decision_function(titles, texts))
        empty = [
            i for i, (t, b) in enumerate(zip(titles, texts, strict=True)) if textprep.is_empty(t, b)
        ]
        if empty:
            proba[empty] = self.prior
        return proba

    def predict(self, titles: Sequence[str], texts: Sequence[str]) -> list[tuple[str, float]]:
        """The chosen label (``decide``) and its calibrated probability per message;
        ``("", 0.0)`` for a message with neither title nor body (nothing to classify)."""
        titles, texts = list(titles), list(texts)
        proba = self.predict_proba(titles, texts)
        best = self.decide(proba)
        out: list[tuple[str, float]] = []
        for i, j in enumerate(best.tolist()):
            if textprep.is_empty(titles[i], texts[i]):
                out.append(("", 0.0))
            else:
                out.append((self.labels[j], float(proba[i, j])))
        return out

    def top_k(self, title: str, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` best labels (ranked as ``decide`` ranks them, so the first is ``predict``'s)
        with their calibrated probability; empty when there is nothing to classify."""
        if textprep.is_empty(title, text) or k <= 0:
            return []
        cols, values = self.featuriser.one(textprep.prepare([title], [text]))
        score = values @ self._coef_t[cols] + self.intercept
        row = self.calibrate(score[None, :])[0]
        order = np.argsort(-self.ranking(row[None, :])[0], kind="stable")[:k]
        return [(self.labels[j], float(row[j])) for j in order]
