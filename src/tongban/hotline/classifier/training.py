"""Training: hashed TF-IDF views → one linear SVM → temperature-and-bias calibration fitted on
group-aware out-of-fold scores (identical messages never straddle a fold). The messages are
preprocessed and hashed once; each fold only re-selects the kept buckets and their idf from its
training part and fits the SVM.

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
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
from sklearn.svm import LinearSVC
from tqdm import tqdm

from . import text as textprep
from .errors import ModelError
from .evaluation import lowest_threshold, macro_f1_of, summary
from .model import Featuriser, TextClassifier, TrainingRow, ViewSpec, raw_counts


@dataclass(frozen=True)
class TrainingConfig:
    """Hyper-parameters (the defaults are the ones chosen in docs/dispatch-classifier.md)."""

    title_ngrams: tuple[int, int] = (1, 3)
    full_ngrams: tuple[int, int] = (1, 3)
    word_ngrams: tuple[int, int] = (1, 2)
    title_bits: int = 20
    full_bits: int = 21
    word_bits: int = 20
    min_df: int = 2
    weights: dict[str, float] = field(
        default_factory=lambda: {"title": 0.6, "full": 1.0, "words": 0.8}
    )
    C: float = 0.5
    class_weight: str | None = "balanced"
    # NB-SVM (Wang & Manning 2012): each label's one-vs-rest SVM sees the features scaled by
    # their log-count ratio for that label, smoothed by this alpha; None: one plain SVM
    nb_alpha: float | None = 0.1
    folds: int = 5
    seed: int = 20200
    # per-label decision offsets on the calibrated log probabilities, fitted for macro-F1 on the
    # out-of-fold scores (``fit_offsets``); False: the most probable label
    decision_offsets: bool = False
    # the auto-dispatch threshold stored in the manifest: the lowest confidence at which the
    # out-of-fold predictions reach this precision
    target_precision: float = 0.98
    # the threshold is chosen for target_precision + this margin on the out-of-fold scores: the
    # held-out check (bench/dispatch.py) showed the bare target missed by 0.0002 on new folds
    threshold_margin: float = 0.0025

    def specs(self) -> list[ViewSpec]:
        w = self.weights
        return [
            ViewSpec("title", "char", tuple(self.title_ngrams), self.title_bits, w["title"]),
            ViewSpec("full", "char", tuple(self.full_ngrams), self.full_bits, w["full"]),
            ViewSpec("words", "word", tuple(self.word_ngrams), self.word_bits, w["words"]),
        ]


DEFAULT = TrainingConfig()


def _rows_of(counts: dict, idx: np.ndarray) -> dict:
    return {name: m[idx] for name, m in counts.items()}


def _min_df(cfg: TrainingConfig, n_docs: int) -> int:
    return cfg.min_df if n_docs >= 50 else 1


def _fit_linear(X, y: np.ndarray, n_labels: int, cfg: TrainingConfig):
    """Linear scores over *all* labels: returns (coef (n_labels × d), intercept (n_labels,)); a
    label absent from this fold gets a very low score. With ``cfg.nb_alpha`` an NB-SVM (one
    binary SVM per label on features scaled by that label's log-count ratio, folded back into
    plain coefficients), otherwise one multi-class linear SVM."""
    present = np.unique(y)
    coef = np.zeros((n_labels, X.shape[1]), dtype=np.float32)
    intercept = np.full(n_labels, -10.0)
    if len(present) == 1:
        intercept[present[0]] = 10.0
        return coef, intercept
    if cfg.nb_alpha is not None:
        return _fit_nbsvm(X, y, present, coef, intercept, cfg)
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


def _fit_nbsvm(X, y, present, coef, intercept, cfg: TrainingConfig):
    """Per present label c: r_c = log((α + Σ|x| of c) / ‖·‖₁ ÷ (α + Σ|x| of the rest) / ‖·‖₁),
    a binary SVM on X·diag(r_c) (c against the rest), and the coefficients w_c ⊙ r_c, so that
    prediction stays one product with the unscaled features."""
    alpha = float(cfg.nb_alpha)
    A = abs(X).tocsr()
    total = np.asarray(A.sum(axis=0), dtype=np.float64).ravel()
    for c in present.tolist():
        pos = y == c
        p = alpha + np.asarray(A[pos].sum(axis=0), dtype=np.float64).ravel()
        q = alpha + (total - (p - alpha))
        r = np.log(p / p.sum()) - np.log(q / q.sum())
        svm = LinearSVC(
            C=cfg.C, class_weight=cfg.class_weight, random_state=cfg.seed, max_iter=5000
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning on tiny samples
            svm.fit(X @ sp.diags(r.astype(np.float32)), pos.astype(np.int8))
        coef[c] = (svm.coef_[0] * r).astype(np.float32)
        intercept[c] = float(svm.intercept_[0])
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


OFFSET_GRID = np.round(np.linspace(-1.5, 1.5, 31), 2)
OFFSET_PASSES = 3
OFFSET_MIN_ROWS = 20  # per label: fewer out-of-fold rows of any label, no offsets


def fit_offsets(log_proba: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-label offsets added to the log probabilities that maximise the macro-F1 of the
    argmax on these (out-of-fold) rows: coordinate ascent over ``OFFSET_GRID``, label by
    label (its best value, the smallest shift among equally good ones), a few passes, a change
    kept only when it strictly improves. Zeros when a label has
    fewer than ``OFFSET_MIN_ROWS`` rows (too few to choose from). Trying a value for label c
    costs O(rows): the best of the other labels is computed once per label and pass."""
    n, k = log_proba.shape
    off = np.zeros(k)
    if np.bincount(y, minlength=k).min() < OFFSET_MIN_ROWS:
        return off
    best = macro_f1_of(y, log_proba.argmax(axis=1), k)
    for _pass in range(OFFSET_PASSES):
        changed = False
        for c in range(k):
            shifted = log_proba + off
            shifted[:, c] = -np.inf
            other = shifted.argmax(axis=1)
            other_score = shifted[np.arange(n), other]
            # the best value for this label; among equally good ones the smallest shift
            top, top_g = -1.0, 0.0
            for g in sorted(OFFSET_GRID.tolist(), key=abs):
                pred = np.where(log_proba[:, c] + g > other_score, c, other)
                f = macro_f1_of(y, pred, k)
                if f > top + 1e-9:
                    top, top_g = f, g
            if top > best + 1e-9:
                best, changed = top, True
                off = off.copy()
                off[c] = top_g
        if not changed:
            break
    return off


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
    counts: dict,
    y: np.ndarray,
    groups: np.ndarray,
    n_labels: int,
    cfg: TrainingConfig = DEFAULT,
    bar: tqdm | None = None,
) -> np.ndarray | None:
    """Raw scores of every row from a model that never saw its group (kept buckets and idf
    included). ``counts``: ``raw_counts`` of all rows."""
    splitter = _splitter(y, groups, cfg.folds, cfg.seed)
    if splitter is None:
        return None
    specs = cfg.specs()
    scores = np.zeros((len(y), n_labels))
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y, groups):
        tr = _rows_of(counts, train_idx)
        feats = Featuriser.fit(specs, tr, _min_df(cfg, len(train_idx)))
        coef, intercept = _fit_linear(feats.transform(tr), y[train_idx], n_labels, cfg)
        Xt = feats.transform(_rows_of(counts, test_idx))
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
        specs = config.specs()
        counts = raw_counts(specs, [r.title for r in rows], [r.text for r in rows])
        oof = out_of_fold_scores(counts, y, groups, k, config, bar)
        if oof is not None:
            temperature, bias = fit_calibration(oof, y)
        else:
            temperature, bias = 1.0, np.zeros(k)
        feats = Featuriser.fit(specs, counts, _min_df(config, len(rows)))
        coef, intercept = _fit_linear(feats.transform(counts), y, k, config)
        bar.update(1)
    prior = np.bincount(y, minlength=k) / len(y)
    model = TextClassifier(
        labels=labels,
        featuriser=feats,
        coef=coef,
        intercept=intercept,
        temperature=temperature,
        bias=bias,
        prior=prior,
    )
    metrics: dict = {"rows": len(rows)}
    if oof is not None:
        proba = model.calibrate(oof.copy())
        pred = model.decide(proba)
        if config.decision_offsets:
            with np.errstate(divide="ignore"):
                model.offsets = fit_offsets(np.log(proba), y)
                # the estimate: each fold's decisions with offsets chosen on the other folds
                # only (offsets chosen on all rows would be judged on the rows they were fitted to)
                for rest, held in _splitter(y, groups, config.folds, config.seed).split(
                    np.zeros(len(y)), y, groups
                ):
                    off = fit_offsets(np.log(proba[rest]), y[rest])
                    pred[held] = (np.log(proba[held]) + off).argmax(axis=1)
            metrics["decision_offsets"] = {
                label: round(float(x), 2) for label, x in zip(labels, model.offsets, strict=True)
            }
        metrics["cross_validation"] = summary(y, proba, labels, pred)
        pred = model.decide(proba)
        found = lowest_threshold(
            pred == y,
            proba[np.arange(len(y)), pred],
            min(1.0, config.target_precision + config.threshold_margin),
        )
        metrics["auto_dispatch"] = {
            "precision_target": config.target_precision,
            "margin": config.threshold_margin,
            "threshold": None if found is None else round(float(found["threshold"]), 6),
            "coverage": None if found is None else round(float(found["coverage"]), 6),
            "precision": None if found is None else round(float(found["precision"]), 6),
        }
    model.manifest = {"metrics": metrics, "config": _config_dict(config)}
    return Trained(model=model, oof=oof, y=y, groups=groups)


def _config_dict(cfg: TrainingConfig) -> dict:
    return {
        "features": "hashed n-grams (signed), sublinear tf × idf, unit length per view",
        "views": [
            {
                "name": v.name,
                "kind": v.kind,
                "ngrams": list(v.ngram_range),
                "bits": v.bits,
                "weight": v.weight,
            }
            for v in cfg.specs()
        ],
        "min_df": cfg.min_df,
        "C": cfg.C,
        "class_weight": cfg.class_weight,
        "classifier": "linear SVM" if cfg.nb_alpha is None else "NB-SVM (one-vs-rest)",
        "nb_alpha": cfg.nb_alpha,
        "folds": cfg.folds,
        "calibration": "temperature+bias on group-aware out-of-fold scores",
        "decision_offsets": cfg.decision_offsets,
        "target_precision": cfg.target_precision,
        "threshold_margin": cfg.threshold_margin,
    }
