"""Training: TF-IDF views → one linear SVM → temperature-and-bias calibration fitted on
group-aware out-of-fold scores (identical messages never straddle a fold).

``train(rows)`` is all the product needs; ``TrainingConfig`` and ``cross_validate`` are there for
the benchmark and the experiments recorded in docs/dispatch-classifier.md.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from django.utils.translation import gettext_lazy as _
from scipy.optimize import minimize
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
from sklearn.svm import LinearSVC
from tqdm import tqdm

from . import text as textprep
from .errors import ModelError
from .evaluation import summary
from .model import VIEWS, TextClassifier, TrainingRow


@dataclass(frozen=True)
class TrainingConfig:
    """Hyper-parameters (the defaults are the ones chosen in docs/dispatch-classifier.md)."""

    title_ngrams: tuple[int, int] = (1, 3)
    full_ngrams: tuple[int, int] = (1, 3)
    word_ngrams: tuple[int, int] = (1, 2)
    min_df: int = 2
    max_features: int = 200_000  # per view; bounds the model's size and memory
    weights: dict[str, float] = field(
        default_factory=lambda: {"title": 0.6, "full": 1.0, "words": 0.8}
    )
    C: float = 0.5
    class_weight: str | None = "balanced"
    folds: int = 5
    seed: int = 20200


DEFAULT = TrainingConfig()


def _vectorizer(view: str, cfg: TrainingConfig, n_docs: int) -> TfidfVectorizer:
    min_df = cfg.min_df if n_docs >= 50 else 1
    common = dict(
        sublinear_tf=True,
        min_df=min_df,
        max_features=cfg.max_features,
        dtype=np.float32,
        lowercase=False,  # text.normalise has lowered already
    )
    if view == "words":
        return TfidfVectorizer(
            analyzer="word", token_pattern=r"\S+", ngram_range=cfg.word_ngrams, **common
        )
    ngrams = cfg.title_ngrams if view == "title" else cfg.full_ngrams
    return TfidfVectorizer(analyzer="char", ngram_range=ngrams, **common)


def _fit_views(views: dict[str, list[str]], cfg: TrainingConfig):
    vectorizers: dict[str, TfidfVectorizer] = {}
    blocks = []
    n = len(views["full"])
    for name in VIEWS:
        vec = _vectorizer(name, cfg, n)
        docs = views[name]
        if not any(docs):  # e.g. a sample with no titles: keep the view, with a dummy term
            docs = [d or "∅" for d in docs]
        try:
            block = vec.fit_transform(docs)
        except ValueError:  # empty vocabulary (min_df too high for a tiny sample)
            vec = _vectorizer(name, TrainingConfig(min_df=1), 0)
            block = vec.fit_transform([d or "∅" for d in docs])
        vec.stop_words_ = None  # the pruned terms: not needed to predict, large to store
        vectorizers[name] = vec
        blocks.append(block * cfg.weights.get(name, 1.0))
    return vectorizers, sp.hstack(blocks, format="csr", dtype=np.float32)


def _transform(vectorizers, views, cfg: TrainingConfig) -> sp.csr_matrix:
    blocks = [vectorizers[n].transform(views[n]) * cfg.weights.get(n, 1.0) for n in VIEWS]
    return sp.hstack(blocks, format="csr", dtype=np.float32)


def _fit_linear(X, y: np.ndarray, n_labels: int, cfg: TrainingConfig):
    """A linear SVM; returns (coef (n_labels × d), intercept (n_labels,)) over *all* labels (a
    label absent from this fold gets a very low score)."""
    present = np.unique(y)
    coef = np.zeros((n_labels, X.shape[1]), dtype=np.float32)
    intercept = np.full(n_labels, -10.0)
    if len(present) == 1:
        intercept[present[0]] = 10.0
        return coef, intercept
    svm = LinearSVC(C=cfg.C, class_weight=cfg.class_weight, random_state=cfg.seed, max_iter=5000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning on tiny samples
        svm.fit(X, y)
    if len(present) == 2:
        w = svm.coef_[0].astype(np.float32)
        b = float(svm.intercept_[0])
        coef[present[0]], coef[present[1]] = -w / 2, w / 2
        intercept[present[0]], intercept[present[1]] = -b / 2, b / 2
    else:
        coef[present] = svm.coef_.astype(np.float32)
        intercept[present] = svm.intercept_
    return coef, intercept


def fit_calibration(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Temperature ``t`` and per-label bias ``b`` minimising the log-loss of
    ``softmax(t · scores + b)`` on out-of-fold scores (a small L2 pull keeps ``b`` near 0)."""
    n, k = scores.shape
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0

    def loss(params):
        t, b = params[0], params[1:]
        z = scores * t + b
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        p = np.exp(logp)
        nll = -(onehot * logp).sum() / n + 1e-3 * (b @ b)
        g = (p - onehot) / n
        grad_t = (g * scores).sum()
        grad_b = g.sum(axis=0) + 2e-3 * b
        return nll, np.concatenate([[grad_t], grad_b])

    x0 = np.concatenate([[1.0], np.zeros(k)])
    result = minimize(loss, x0, jac=True, method="L-BFGS-B", bounds=[(1e-3, 100.0)] + [(-5, 5)] * k)
    return float(result.x[0]), result.x[1:].copy()


def _splitter(y: np.ndarray, groups: np.ndarray, folds: int, seed: int):
    counts = np.bincount(y)
    n_groups = len(np.unique(groups))
    folds = min(folds, n_groups)
    if folds < 2:
        return None
    if counts[counts > 0].min() >= folds:
        return StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return GroupKFold(n_splits=folds)


def out_of_fold_scores(
    rows: Sequence[TrainingRow],
    y: np.ndarray,
    groups: np.ndarray,
    n_labels: int,
    cfg: TrainingConfig = DEFAULT,
    bar: tqdm | None = None,
) -> np.ndarray | None:
    """Raw scores of every row from a model that never saw its group (vectorisers included)."""
    splitter = _splitter(y, groups, cfg.folds, cfg.seed)
    if splitter is None:
        return None
    scores = np.zeros((len(rows), n_labels))
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y, groups):
        tr = [rows[i] for i in train_idx]
        te = [rows[i] for i in test_idx]
        vecs, X = _fit_views(textprep.prepare([r.title for r in tr], [r.text for r in tr]), cfg)
        coef, intercept = _fit_linear(X, y[train_idx], n_labels, cfg)
        Xt = _transform(vecs, textprep.prepare([r.title for r in te], [r.text for r in te]), cfg)
        scores[test_idx] = np.asarray(Xt @ coef.T) + intercept
        if bar is not None:
            bar.update(1)
    return scores


def check_rows(rows: Sequence[TrainingRow]) -> list[str]:
    if not rows:
        raise ModelError(_("没有可用于训练的数据。"))
    unlabelled = [r.id for r in rows if not (r.label or "").strip()]
    if unlabelled:
        raise ModelError(
            _("训练数据有 %(n)d 行没有分类标签（如 %(ids)s）。"),
            n=len(unlabelled),
            ids=", ".join(unlabelled[:5]),
        )
    labels = sorted({r.label.strip() for r in rows})
    if len(labels) < 2:
        raise ModelError(
            _("训练数据至少需要两个不同的分类，现有：%(labels)s。"), labels="、".join(labels)
        )
    return labels


def train(
    rows: Sequence[TrainingRow], *, progress: bool = False, config: TrainingConfig = DEFAULT
) -> TextClassifier:
    """Train on labelled rows (messages with neither title nor body are skipped). The manifest's
    ``metrics`` hold the group-aware cross-validated estimate the calibration was fitted on."""
    return train_detailed(rows, progress=progress, config=config).model


@dataclass
class Trained:
    """``train``'s model with what it was calibrated on (for the benchmark): the raw
    out-of-fold scores (None for a sample too small to fold), the label indices and groups of
    the rows used (empty messages left out)."""

    model: TextClassifier
    oof: np.ndarray | None
    y: np.ndarray
    groups: np.ndarray


def train_detailed(
    rows: Sequence[TrainingRow], *, progress: bool = False, config: TrainingConfig = DEFAULT
) -> Trained:
    rows = [r for r in rows if not textprep.is_empty(r.title, r.text)]
    labels = check_rows(rows)
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[r.label.strip()] for r in rows])
    groups = np.array([textprep.group_key(r.title, r.text) for r in rows])
    k = len(labels)
    folds = min(config.folds, len(set(groups.tolist())))
    steps = (folds if folds >= 2 else 0) + 1
    with tqdm(
        total=steps, desc="train", unit="step", disable=not progress or None, leave=False
    ) as bar:
        oof = out_of_fold_scores(rows, y, groups, k, config, bar)
        if oof is not None:
            temperature, bias = fit_calibration(oof, y)
        else:
            temperature, bias = 1.0, np.zeros(k)
        views = textprep.prepare([r.title for r in rows], [r.text for r in rows])
        vecs, X = _fit_views(views, config)
        coef, intercept = _fit_linear(X, y, k, config)
        bar.update(1)
    prior = np.bincount(y, minlength=k) / len(y)
    model = TextClassifier(
        labels=labels,
        vectorizers=vecs,
        weights=dict(config.weights),
        coef=coef,
        intercept=intercept,
        temperature=temperature,
        bias=bias,
        prior=prior,
    )
    metrics: dict = {"rows": len(rows)}
    if oof is not None:
        metrics["cross_validation"] = summary(y, model.calibrate(oof), labels)
    model.manifest = {"metrics": metrics, "config": _config_dict(config)}
    return Trained(model=model, oof=oof, y=y, groups=groups)


def _config_dict(cfg: TrainingConfig) -> dict:
    return {
        "title_ngrams": list(cfg.title_ngrams),
        "full_ngrams": list(cfg.full_ngrams),
        "word_ngrams": list(cfg.word_ngrams),
        "min_df": cfg.min_df,
        "max_features": cfg.max_features,
        "weights": dict(cfg.weights),
        "C": cfg.C,
        "class_weight": cfg.class_weight,
        "folds": cfg.folds,
        "calibration": "temperature+bias on group-aware out-of-fold scores",
    }
