"""Decision offsets: per-label shifts of the log probabilities, fitted for macro-F1 on the
out-of-fold scores, that move close calls between labels while the probabilities themselves
stay calibrated (the confidence given is the chosen label's probability)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import skops.io
from sklearn.metrics import f1_score

from tongban.hotline.classifier import load, rows_hash, save, storage, train
from tongban.hotline.classifier.evaluation import macro_f1_of
from tongban.hotline.classifier.training import DEFAULT, OFFSET_MIN_ROWS, fit_offsets


def test_macro_f1_of_is_scikit_learns_macro_f1():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 5, 300)
    pred = np.where(rng.random(300) < 0.7, y, rng.integers(0, 6, 300))  # 5: never a true label
    assert macro_f1_of(y, pred, 6) == pytest.approx(f1_score(y, pred, average="macro"))
    assert macro_f1_of(np.array([0, 0]), np.array([0, 0]), 3) == 1.0


def test_offsets_move_the_close_calls_towards_a_starved_label():
    """Label 1 is always the second most probable by a small margin for its own rows: a
    positive offset for it recovers them without hurting label 0's clear rows."""
    n = 40
    log_p = np.log(
        np.array([[0.55, 0.45]] * n + [[0.95, 0.05]] * n + [[0.05, 0.95]] * n, dtype=float)
    )
    y = np.array([1] * n + [0] * n + [1] * n)
    off = fit_offsets(log_p, y)
    assert macro_f1_of(y, (log_p + off).argmax(axis=1), 2) == 1.0
    assert macro_f1_of(y, log_p.argmax(axis=1), 2) < 0.8
    # the smallest change that does it: the first grid value above log(0.55/0.45) ≈ 0.2
    assert off[1] - off[0] == pytest.approx(0.3)


def test_no_offsets_for_labels_with_few_rows():
    log_p = np.log(np.array([[0.55, 0.45]] * 10 + [[0.9, 0.1]] * 30))
    y = np.array([1] * 10 + [0] * 30)
    assert OFFSET_MIN_ROWS > 10
    assert not fit_offsets(log_p, y).any()


def test_predict_and_top_k_follow_the_offsets_and_keep_calibrated_confidences(trained):
    model = dataclasses.replace(trained)
    title, text = "医保报销", "住院费用报销几个月还没到账"
    proba = model.predict_proba([title], [text])[0]
    runner_up = int(np.argsort(-proba)[1])
    model.offsets = np.zeros(len(model.labels))
    model.offsets[runner_up] = float(np.log(proba.max() / proba[runner_up])) + 0.5
    label, confidence = model.predict([title], [text])[0]
    assert label == model.labels[runner_up]
    assert confidence == pytest.approx(proba[runner_up], abs=1e-6)  # its own probability
    top = model.top_k(title, text, k=2)
    assert top[0][0] == label and top[0][1] == pytest.approx(proba[runner_up], abs=1e-5)
    assert np.allclose(model.predict_proba([title], [text])[0], proba)  # unchanged


def test_offsets_are_stored_and_a_file_without_them_loads_with_zeros(
    tmp_path, trained, sample_rows
):
    model = dataclasses.replace(trained)
    model.offsets = np.array([0.3, 0.0, -0.2, 0.1])
    save(model, tmp_path / "m", training_data_hash=rows_hash(sample_rows), source="tests")
    assert load(tmp_path / "m").offsets.tolist() == [0.3, 0.0, -0.2, 0.1]
    # a model file written before the offsets existed: the most probable label, as before
    state = storage._state(model)
    del state["offsets"]
    skops.io.dump(state, tmp_path / "m" / storage.MODEL_FILE)
    manifest_path = tmp_path / "m" / storage.MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"][storage.MODEL_FILE] = storage.sha256_of(tmp_path / "m" / storage.MODEL_FILE)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    old = load(tmp_path / "m")
    assert old.offsets.tolist() == [0.0, 0.0, 0.0, 0.0]
    assert old.predict(["公交车不来"], ["公交车早高峰很久才来一班"])[0][0] == "交通运输"


def test_training_with_offsets_records_them_and_a_nested_estimate(sample_rows):
    config = dataclasses.replace(DEFAULT, decision_offsets=True, folds=3)
    model = train(sample_rows, config=config)
    metrics = model.manifest["metrics"]
    assert sorted(metrics["decision_offsets"]) == model.labels
    assert model.manifest["config"]["decision_offsets"] is True
    assert 0.0 <= metrics["cross_validation"]["macro_f1"] <= 1.0
