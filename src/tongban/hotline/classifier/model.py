"""The trained dispatch classifier: three TF-IDF views of a message (title characters, title +
body characters, rjieba words), one linear model over them, and a calibration that turns its
scores into probabilities.

The linear model is kept as plain arrays (``coef`` (labels × features), ``intercept``) and the
calibration as a temperature and a per-label bias fitted on out-of-fold scores
(``softmax(temperature · score + bias)``), so that prediction is a sparse product and a softmax,
and the stored file holds nothing but scikit-learn vectorisers and numpy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from . import text as textprep

VIEWS = ("title", "full", "words")


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


@dataclass
class TextClassifier:
    """A trained classifier. ``labels`` is the sorted label set; ``manifest`` is what was stored
    with it (empty until saved or loaded)."""

    labels: list[str]
    vectorizers: dict[str, TfidfVectorizer]
    weights: dict[str, float]
    coef: np.ndarray  # (len(labels), n_features), float32, C-contiguous
    intercept: np.ndarray  # (len(labels),)
    temperature: float = 1.0
    bias: np.ndarray | None = None  # (len(labels),) calibration bias
    prior: np.ndarray | None = None  # label frequencies at training (answer for empty messages)
    manifest: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._coef_t = np.ascontiguousarray(self.coef.T)
        self.coef = self._coef_t.T  # a view: the coefficients are held once
        # one message at a time (top_k): the vectorisers' own analysers, then a dictionary look-up
        # per term and a gather of coefficient rows, without building sparse matrices
        self._offsets = {}
        offset = 0
        for name in VIEWS:
            self._offsets[name] = offset
            offset += len(self.vectorizers[name].vocabulary_)
        self._analysers = {name: self.vectorizers[name].build_analyzer() for name in VIEWS}
        if self.bias is None:
            self.bias = np.zeros(len(self.labels))
        if self.prior is None:
            self.prior = np.full(len(self.labels), 1.0 / len(self.labels))

    # ------------------------------------------------------------------ features and scores
    def features(self, titles: Sequence[str], texts: Sequence[str]) -> sp.csr_matrix:
        views = textprep.prepare(titles, texts)
        blocks = []
        for name in VIEWS:
            block = self.vectorizers[name].transform(views[name])
            weight = self.weights.get(name, 1.0)
            if weight != 1.0:
                block = block * weight
            blocks.append(block)
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def decision_function(self, titles: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """Raw linear scores (n, len(labels)), before calibration."""
        X = self.features(titles, texts)
        return np.asarray(X @ self._coef_t) + self.intercept

    def _one_score(self, title: str, text: str) -> np.ndarray:
        """``decision_function`` of one message, computed term by term (same numbers)."""
        views = textprep.prepare([title], [text])
        score = np.array(self.intercept, dtype=np.float64)
        for name in VIEWS:
            vec = self.vectorizers[name]
            vocabulary = vec.vocabulary_
            counts: dict[int, int] = {}
            for term in self._analysers[name](views[name][0]):
                col = vocabulary.get(term)
                if col is not None:
                    counts[col] = counts.get(col, 0) + 1
            if not counts:
                continue
            cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if vec.sublinear_tf:
                tf = np.log(tf) + 1.0
            values = tf * vec.idf_[cols]
            if vec.norm == "l2":
                values /= np.sqrt(values @ values)
            values *= self.weights.get(name, 1.0)
            score += values @ self._coef_t[cols + self._offsets[name]]
        return score

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        return softmax(scores * self.temperature + self.bias)

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
        """Best label and its calibrated confidence per message; ``("", 0.0)`` for a message
        with neither title nor body (nothing to classify: no prediction)."""
        titles, texts = list(titles), list(texts)
        proba = self.predict_proba(titles, texts)
        out: list[tuple[str, float]] = []
        for i, row in enumerate(proba):
            if textprep.is_empty(titles[i], texts[i]):
                out.append(("", 0.0))
                continue
            j = int(row.argmax())
            out.append((self.labels[j], float(row[j])))
        return out

    def top_k(self, title: str, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most likely labels with their calibrated confidence, best first; empty when
        there is nothing to classify."""
        if textprep.is_empty(title, text) or k <= 0:
            return []
        row = self.calibrate(self._one_score(title, text)[None, :])[0]
        order = np.argsort(-row, kind="stable")[:k]
        return [(self.labels[j], float(row[j])) for j in order]
