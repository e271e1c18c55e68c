"""Evaluation of a classifier on labelled messages: accuracy, macro-F1, per-label precision /
recall / F1, the confusion matrix, reliability (calibration) and the table confidence threshold →
coverage → precision that the auto-dispatch threshold is chosen from.

Conventions (also in docs/dispatch-classifier.md):

- a message whose true label the model never saw is counted as an error (it can never be
  right); such labels are listed under ``unseen_labels`` and get their own row and column in
  the confusion matrix;
- a message with neither title nor body gets no prediction (label "", confidence 0): it is an
  error for accuracy and F1 and is never covered by a threshold;
- *coverage* at threshold t is the share of all messages whose confidence is ≥ t; *precision*
  is the accuracy among those.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

# The thresholds of the printed table.
THRESHOLDS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99)
NO_LABEL = ""


def summary(
    y: np.ndarray, proba: np.ndarray, labels: Sequence[str], pred: np.ndarray | None = None
) -> dict:
    """Accuracy and macro-F1 of the chosen labels ``pred`` (default: ``proba``'s best) against
    label indices ``y``, with the chosen label's probability as confidence, and the threshold
    table; a compact report for the manifest."""
    pred = proba.argmax(axis=1) if pred is None else np.asarray(pred)
    conf = proba[np.arange(len(pred)), pred]
    true = [labels[i] for i in y]
    predicted = [labels[i] for i in pred]
    report = evaluate_predictions(true, predicted, conf.tolist(), list(labels))
    return {
        "rows": report["rows"],
        "accuracy": report["accuracy"],
        "macro_f1": report["macro_f1"],
        "ece": report["ece"],
        "thresholds": report["thresholds"],
    }


def macro_f1_of(y: np.ndarray, pred: np.ndarray, n_labels: int) -> float:
    """Macro-F1 of label indices (the labels present in ``y`` or ``pred``), with numpy only:
    the same figure as scikit-learn's ``f1_score(average="macro")``, fast enough to be called
    thousands of times while the decision offsets are fitted."""
    cm = np.bincount(y * n_labels + pred, minlength=n_labels * n_labels)
    cm = cm.reshape(n_labels, n_labels)
    tp = np.diag(cm).astype(float)
    denom = cm.sum(axis=0) + cm.sum(axis=1)  # 2·tp + fp + fn
    present = denom > 0
    return float((2 * tp[present] / denom[present]).mean()) if present.any() else 0.0


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def threshold_table(
    correct: np.ndarray, conf: np.ndarray, thresholds: Sequence[float] = THRESHOLDS
) -> list[dict]:
    n = len(correct)
    rows = []
    for t in thresholds:
        covered = conf >= t if t > 0 else conf > 0
        k = int(covered.sum())
        rows.append(
            {
                "threshold": float(t),
                "covered": k,
                "coverage": k / n if n else 0.0,
                "precision": float(correct[covered].mean()) if k else None,
            }
        )
    return rows


def lowest_threshold(
    correct: Sequence[bool], conf: Sequence[float], precision: float
) -> dict | None:
    """The lowest confidence threshold t (one of the observed confidences) such that the
    messages with confidence ≥ t reach ``precision``; None when no threshold does."""
    correct_a = np.asarray(correct, dtype=bool)
    conf_a = np.asarray(conf, dtype=float)
    n = len(conf_a)
    keep = conf_a > 0
    if not keep.any():
        return None
    order = np.argsort(-conf_a[keep], kind="stable")
    c = conf_a[keep][order]
    ok = correct_a[keep][order]
    hits = np.cumsum(ok)
    # candidate cut points: the last position of each distinct confidence value
    last = np.r_[c[1:] != c[:-1], True]
    idx = np.nonzero(last)[0]
    prec = hits[idx] / (idx + 1)
    good = idx[prec >= precision - 1e-12]
    if len(good) == 0:
        return None
    j = int(good.max())  # the largest covered set that still reaches the precision
    return {
        "threshold": float(c[j]),
        "covered": j + 1,
        "coverage": (j + 1) / n,
        "precision": float(hits[j] / (j + 1)),
        "rows": n,
    }


def reliability(correct: np.ndarray, conf: np.ndarray, bins: int = 10) -> tuple[list[dict], float]:
    """Reliability bins (mean confidence vs accuracy) and the expected calibration error."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    out = []
    ece = 0.0
    n = len(conf)
    for lo, hi in itertools.pairwise(edges):
        mask = (conf > lo) & (conf <= hi) if lo > 0 else (conf >= lo) & (conf <= hi)
        k = int(mask.sum())
        if not k:
            continue
        mc = float(conf[mask].mean())
        acc = float(correct[mask].mean())
        ece += k / n * abs(mc - acc)
        out.append(
            {"low": float(lo), "high": float(hi), "count": k, "confidence": mc, "accuracy": acc}
        )
    return out, float(ece)


def evaluate_predictions(
    true: Sequence[str], predicted: Sequence[str], conf: Sequence[float], labels: Sequence[str]
) -> dict:
    """The full report (JSON-serialisable) for true labels, predicted labels and confidences.
    ``labels`` is the model's label set; true labels outside it are reported as unseen."""
    n = len(true)
    true = [t.strip() for t in true]
    known = set(labels)
    unseen = sorted({t for t in true if t not in known})
    all_labels = list(labels) + unseen
    pos = {label: i for i, label in enumerate(all_labels)}
    none_col = len(all_labels)  # "no prediction" column
    matrix = np.zeros((len(all_labels), len(all_labels) + 1), dtype=int)
    for t, p in zip(true, predicted, strict=True):
        matrix[pos[t], pos.get(p, none_col) if p else none_col] += 1
    correct = np.array([t == p for t, p in zip(true, predicted, strict=True)], dtype=bool)
    conf_a = np.asarray(conf, dtype=float)
    per_label = []
    for label in all_labels:
        i = pos[label]
        tp = int(matrix[i, i])
        fp = int(matrix[:, i].sum() - tp)
        fn = int(matrix[i, :].sum() - tp)
        p, r, f = _prf(tp, fp, fn)
        per_label.append(
            {
                "label": label,
                "precision": p,
                "recall": r,
                "f1": f,
                "support": tp + fn,
                "unseen": label not in known,
            }
        )
    # macro-F1 over the labels present in the data or the model's set (sklearn's convention:
    # the union of true and predicted labels)
    present = [x for x in per_label if x["support"] or x["label"] in set(predicted)]
    macro_f1 = float(np.mean([x["f1"] for x in present])) if present else 0.0
    bins, ece = reliability(correct, conf_a)
    return {
        "rows": n,
        "accuracy": float(correct.mean()) if n else 0.0,
        "macro_f1": macro_f1,
        "per_label": per_label,
        "labels": all_labels,
        "unseen_labels": unseen,
        "unseen_rows": int(sum(1 for t in true if t in set(unseen))),
        "no_prediction_rows": int(sum(1 for p in predicted if not p)),
        "confusion_matrix": matrix.tolist(),  # rows: true; columns: predicted + "no prediction"
        "thresholds": threshold_table(correct, conf_a),
        "reliability": bins,
        "ece": ece,
    }
