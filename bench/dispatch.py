"""The dispatch classifier ([D] 智能派单) against its targets, on the shared train file.

    .venv/bin/python bench/dispatch.py                 # everything (a few CPU minutes)
    .venv/bin/python bench/dispatch.py --skip-cv       # speed, size and memory only
    .venv/bin/python bench/dispatch.py --data PATH     # another labelled CSV (id,title,text,label)

Reads ``../shared/data/citizen-messages/teddy2020c-train.csv`` (never copied into the project)
and stops with a clear message when it is absent. One core: BLAS threads are pinned to 1 before
numpy loads and every model uses n_jobs=1. Prints, never fails on time:

1. **Training** the product's ``train()`` on the whole file (CPU seconds and wall seconds). Its
   calibration folds are the cross-validation below (no extra fits).
2. **Quality, group-aware** (the estimate the targets are about): 5-fold StratifiedGroupKFold,
   grouped by the text with all whitespace removed (title-only messages by their title), so
   identical messages never straddle a split. Accuracy, macro-F1, per-label F1, ECE, the
   threshold table and the reliability bins; per fold, the raw scores' macro-F1 and the one with
   the calibration (and the decision offsets, also when they are not the default) chosen on the
   other folds only, with folds 3–5 (never used to screen a setting) apart. **Plain split** (StratifiedKFold, ignoring the
   groups) for comparison: it is inflated.
3. **Auto-dispatch threshold**, honestly held out: for each fold the calibration is fitted on the
   other folds' out-of-fold scores and the threshold reaching the precision target is chosen on
   them; precision and coverage are then measured on the held-out fold.
4. **Prediction throughput**: ``predict`` on every message in batches of 2,000, preprocessing
   included; and ``top_k`` for one message (p50 / p99).
5. **Model load** in a fresh process: seconds, and the process's resident memory after loading
   (and how much the load added), plus the size of the model directory.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.config.settings.local")
DATA = ROOT.parent / "shared" / "data" / "citizen-messages" / "teddy2020c-train.csv"

TARGET_F1 = 0.93
TARGET_PRECISION = 0.98
TARGET_COVERAGE = 0.70
TARGET_RATE = 2000.0
TARGET_TRAIN_S = 180.0
TARGET_LOAD_S = 1.0
TARGET_RSS_MB = 150.0


def mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


LOAD_PROBE = r"""
import os, sys, time, json
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(v, "1")
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
import django
django.setup()
from tongban.hotline.classifier import load
from tongban.hotline.classifier import text as textprep
textprep.words("预热")  # rjieba's dictionary: part of any process that classifies
# skops (and scikit-learn under it) are imported on first use, once per process: measured apart
bare, c0 = rss(), time.process_time()
import skops.io  # noqa: F401
imports_cpu, imports_mb = time.process_time() - c0, rss() - bare
before = rss()
t0, c0 = time.perf_counter(), time.process_time()
model = load(sys.argv[1])
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
model.top_k("路灯不亮", "小区门口的路灯坏了")
print(json.dumps({"seconds": seconds, "cpu": cpu, "before": before, "after": rss(),
                  "imports_cpu": imports_cpu, "imports_mb": imports_mb}))
"""


def rep_correct(rep, oof, y, model):
    """Whether each out-of-fold chosen label is right."""
    return model.decide(model.calibrate(oof.copy())) == y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--skip-cv", action="store_true", help="speed, size and memory only")
    parser.add_argument("--skip-plain", action="store_true", help="no plain-split comparison")
    args = parser.parse_args()
    if not args.data.is_file():
        sys.exit(
            f"bench/dispatch.py: the data file {args.data} is absent (it lives beside the project "
            "in ../shared/data/ and is never copied into it); nothing measured."
        )

    import django

    django.setup()
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from tongban.hotline.classifier import load, read_csv, rows_hash, save
    from tongban.hotline.classifier import text as textprep
    from tongban.hotline.classifier.evaluation import (
        evaluate_predictions,
        lowest_threshold,
        macro_f1_of,
    )
    from tongban.hotline.classifier.model import Featuriser, raw_counts, softmax
    from tongban.hotline.classifier.training import (
        DEFAULT,
        _fit_linear,
        _min_df,
        _rows_of,
        _splitter,
        fit_calibration,
        fit_offsets,
        train_detailed,
    )

    rows = [r for r in read_csv(args.data, require_label=True) if r.label]
    rows = [r for r in rows if not textprep.is_empty(r.title, r.text)]
    labels = sorted({r.label for r in rows})
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[r.label] for r in rows])
    groups = np.array([textprep.group_key(r.title, r.text) for r in rows])
    print(
        f"data: {args.data.name}: {len(rows)} messages, {len(labels)} labels, "
        f"{len(set(groups.tolist()))} groups (identical messages)"
    )
    print(
        f"load: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs "
        "(CPU seconds are given beside wall seconds: the machine is shared)"
    )
    print(f"config: {json.dumps(dict(vars(DEFAULT)), ensure_ascii=False, default=str)}")

    def report_of(proba: np.ndarray, pred: np.ndarray | None = None) -> dict:
        pred = proba.argmax(axis=1) if pred is None else pred
        conf = proba[np.arange(len(pred)), pred]
        return evaluate_predictions(
            [labels[i] for i in y], [labels[i] for i in pred], conf.tolist(), labels
        )

    def chosen_on(rest: np.ndarray, held: np.ndarray, scores: np.ndarray, offsets=None):
        """Calibration (and decision offsets, when the config fits them or ``offsets``) chosen
        on the rows ``rest`` only; (probabilities, chosen labels) of ``held`` and of ``rest``."""
        t_k, b_k = fit_calibration(scores[rest], y[rest])
        p_rest = softmax(scores[rest] * t_k + b_k)
        off = np.zeros(len(labels))
        if cfg.decision_offsets if offsets is None else offsets:
            with np.errstate(divide="ignore"):
                off = fit_offsets(np.log(p_rest), y[rest])
        p_held = softmax(scores[held] * t_k + b_k)
        with np.errstate(divide="ignore"):
            return (
                (p_held, (np.log(p_held) + off).argmax(axis=1)),
                (p_rest, (np.log(p_rest) + off).argmax(axis=1)),
            )

    # 1. training the product's model on the whole file; its calibration folds are the
    # group-aware cross-validation (same splitter), so the estimate costs no extra fits
    cfg = DEFAULT
    print("\n1. training on the whole file (train(): 5 group-aware folds for the calibration")
    print("   and the estimate, then the final fit)")
    c0, w0 = time.process_time(), time.perf_counter()
    trained = train_detailed(rows)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    model, oof = trained.model, trained.oof
    print(
        f"   {cpu:.1f} CPU s, {wall:.1f} s wall (target ≤ {TARGET_TRAIN_S:.0f} s: "
        f"{mark(cpu <= TARGET_TRAIN_S)} on CPU time); peak RSS of this process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print(
        f"   features: {model.coef.shape[1]} kept hash buckets "
        f"({', '.join(f'{k} {len(v)}' for k, v in model.featuriser.columns.items())})"
    )

    if not args.skip_cv:
        print(f"\n2. quality, {cfg.folds}-fold group-aware cross-validation (out-of-fold scores)")
        proba_oof = model.calibrate(oof.copy())
        raw_f1 = macro_f1_of(y, oof.argmax(axis=1), len(labels))
        rep = report_of(proba_oof, model.decide(proba_oof))
        print(
            f"   accuracy {rep['accuracy']:.4f}   macro-F1 {rep['macro_f1']:.4f}   "
            f"(target ≥ {TARGET_F1}: {mark(rep['macro_f1'] >= TARGET_F1)}; "
            f"{rep['macro_f1'] - TARGET_F1:+.4f})   ECE {rep['ece']:.4f}   "
            f"[raw scores' argmax: macro-F1 {raw_f1:.4f}; decision offsets "
            f"{' '.join(f'{x:+.1f}' for x in model.offsets)}]"
        )
        # per fold, the calibration and offsets chosen on the other folds' out-of-fold rows
        cv_folds = list(
            _splitter(y, groups, cfg.folds, cfg.seed).split(np.zeros(len(y)), y, groups)
        )
        print(
            "   raw scores' argmax per fold: "
            + ", ".join(
                f"{macro_f1_of(y[h], oof[h].argmax(axis=1), len(labels)):.4f}" for _r, h in cv_folds
            )
        )
        for with_offsets in sorted({cfg.decision_offsets, True}):
            nested_pred = np.zeros(len(y), dtype=int)
            per_fold = []
            for rest, held in cv_folds:
                (_p_held, pred_held), _ = chosen_on(rest, held, oof, with_offsets)
                nested_pred[held] = pred_held
                per_fold.append(macro_f1_of(y[held], pred_held, len(labels)))
            what = "calibration and decision offsets" if with_offsets else "calibration"
            late = np.concatenate([h for _r, h in cv_folds[2:]])  # not used for screening
            print(
                f"   {what} chosen on the other folds"
                f"{'' if with_offsets == cfg.decision_offsets else ' (not the default)'}: "
                f"macro-F1 {macro_f1_of(y, nested_pred, len(labels)):.4f}, accuracy "
                f"{float((nested_pred == y).mean()):.4f}; per fold "
                f"{', '.join(f'{x:.4f}' for x in per_fold)}; folds 3–5 "
                f"{macro_f1_of(y[late], nested_pred[late], len(labels)):.4f}"
            )
        for x in rep["per_label"]:
            print(
                f"     {x['label']:<8} P {x['precision']:.4f}  R {x['recall']:.4f}  "
                f"F1 {x['f1']:.4f}  n {x['support']}"
            )
        print("   threshold → coverage → precision (all out-of-fold scores, one calibration):")
        for row in rep["thresholds"]:
            prec = "-" if row["precision"] is None else f"{row['precision']:.4f}"
            print(f"     {row['threshold']:.2f}  {row['coverage']:.4f}  {prec}")
        bins = ", ".join(
            f"{r['confidence']:.2f}→{r['accuracy']:.2f} (n={r['count']})"
            for r in rep["reliability"]
        )
        print(f"   reliability (mean confidence → accuracy per bin): {bins}")

        # the threshold, chosen and measured on different folds
        print(
            f"\n3. auto-dispatch threshold (precision target {TARGET_PRECISION}, chosen for "
            f"{TARGET_PRECISION + cfg.threshold_margin:.4f}), held out"
        )
        splitter = _splitter(y, groups, cfg.folds, cfg.seed + 1)
        covered = correct_covered = 0
        thresholds = []
        for rest, held in splitter.split(np.zeros(len(y)), y, groups):
            (p_held, pred_held), (p_rest, pred_rest) = chosen_on(rest, held, oof)
            found = lowest_threshold(
                pred_rest == y[rest],
                p_rest[np.arange(len(rest)), pred_rest],
                TARGET_PRECISION + cfg.threshold_margin,
            )
            thr = found["threshold"] if found else 1.01
            thresholds.append(thr)
            take = p_held[np.arange(len(held)), pred_held] >= thr
            covered += int(take.sum())
            correct_covered += int((pred_held == y[held])[take].sum())
        precision = correct_covered / covered if covered else 0.0
        coverage = covered / len(y)
        print(f"   thresholds chosen per fold: {', '.join(f'{x:.4f}' for x in thresholds)}")
        print(
            f"   held-out precision {precision:.4f} ({mark(precision >= TARGET_PRECISION)})   "
            f"coverage {coverage:.4f} ({mark(coverage >= TARGET_COVERAGE)}, "
            f"target ≥ {TARGET_COVERAGE})"
        )
        for target in (0.95, 0.97):
            chosen = model.decide(proba_oof)
            found = lowest_threshold(
                rep_correct(rep, oof, y, model), proba_oof[np.arange(len(y)), chosen], target
            )
            if found:
                print(
                    f"   (for comparison, precision {target}: threshold {found['threshold']:.4f}, "
                    f"coverage {found['coverage']:.4f})"
                )

        if not args.skip_plain:
            print(f"\n   plain {cfg.folds}-fold split (groups ignored, for comparison):")
            plain = np.zeros_like(oof)
            counts = raw_counts(cfg.specs(), [r.title for r in rows], [r.text for r in rows])
            skf = StratifiedKFold(n_splits=cfg.folds, shuffle=True, random_state=cfg.seed)
            for tr, te in skf.split(np.zeros(len(y)), y):
                feats = Featuriser.fit(cfg.specs(), _rows_of(counts, tr), _min_df(cfg, len(tr)))
                coef, intercept = _fit_linear(
                    feats.transform(_rows_of(counts, tr)), y[tr], len(labels), cfg
                )
                Xt = feats.transform(_rows_of(counts, te))
                plain[te] = np.asarray(Xt @ coef.T) + intercept
            tp, bp = fit_calibration(plain, y)
            rp = report_of(softmax(plain * tp + bp))
            print(
                f"   accuracy {rp['accuracy']:.4f}   macro-F1 {rp['macro_f1']:.4f}   "
                f"(inflated by {rp['macro_f1'] - rep['macro_f1']:+.4f} over group-aware)"
            )

    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
        model_dir = Path(tmp) / "model"
        save(model, model_dir, training_data_hash=rows_hash(rows), source="bench")
        size = sum(p.stat().st_size for p in model_dir.iterdir()) / 1e6
        print(f"   model directory: {size:.1f} MB")
        loaded = load(model_dir)

        # 5. throughput
        print("\n4. prediction on one core, preprocessing included")
        titles, texts = [r.title for r in rows], [r.text for r in rows]
        loaded.predict(titles[:200], texts[:200])  # warm-up (rjieba's dictionary)
        best = 0.0
        for _ in range(2):
            c0, w0 = time.process_time(), time.perf_counter()
            for start in range(0, len(rows), 2000):
                loaded.predict(titles[start : start + 2000], texts[start : start + 2000])
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            best = max(best, len(rows) / cpu)
        print(
            f"   batch predict: {len(rows)} messages in {cpu:.2f} CPU s ({wall:.2f} s wall) = "
            f"{best:.0f} messages per CPU second (target ≥ {TARGET_RATE:.0f}: "
            f"{mark(best >= TARGET_RATE)})"
        )
        lat = []
        for r in rows[:500]:
            c0 = time.process_time()
            loaded.top_k(r.title, r.text)
            lat.append((time.process_time() - c0) * 1000)
        lat.sort()
        print(
            f"   top_k, one message: p50 {lat[len(lat) // 2]:.2f} ms, "
            f"p99 {lat[int(len(lat) * 0.99)]:.2f} ms (CPU; target < 2 ms)"
        )

        # 5. load in a fresh process
        print("\n5. model load in a fresh process")
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        runs = []
        for _ in range(3):
            out = subprocess.run(  # noqa: S603 - our own interpreter and probe
                [sys.executable, "-c", LOAD_PROBE, str(model_dir)],
                capture_output=True,
                text=True,
                env=env,
                check=True,
                cwd=ROOT,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        fast = min(runs, key=lambda r: r["cpu"])
        print(
            f"   load: {fast['cpu']:.3f} CPU s, {fast['seconds']:.3f} s wall (best of 3; "
            f"target ≤ {TARGET_LOAD_S} s: {mark(fast['cpu'] <= TARGET_LOAD_S)} on CPU time)"
        )
        print(
            f"   (first use of skops + scikit-learn in the process, before that: "
            f"{fast['imports_cpu']:.2f} CPU s, {fast['imports_mb']:.0f} MB)"
        )
        print(
            f"   resident: {fast['after']:.0f} MB after loading, of which the model "
            f"{fast['after'] - fast['before']:.0f} MB (Django + libraries before: "
            f"{fast['before']:.0f} MB; target ≤ {TARGET_RSS_MB:.0f} MB for the model: "
            f"{mark(fast['after'] - fast['before'] <= TARGET_RSS_MB)})"
        )


if __name__ == "__main__":
    main()
