"""Confidences are probabilities: on held-out messages the mean confidence in each reliability bin
is near the accuracy in it. Checked on generated hard messages (always) and on held-out real
messages (the shared data, grouped so that identical messages stay on one side; skipped with a
message when ../shared/data/ is absent)."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import GroupShuffleSplit

from tongban.hotline.classifier import read_csv, train
from tongban.hotline.classifier import text as textprep
from tongban.hotline.classifier.evaluation import evaluate_predictions
from tongban.hotline.classifier.training import TrainingConfig

from . import sample


def test_confidences_are_calibrated_on_held_out_real_messages(shared_train):
    rows = [r for r in read_csv(shared_train, require_label=True) if r.label]
    rows = [r for r in rows if not textprep.is_empty(r.title, r.text)]
    groups = [textprep.group_key(r.title, r.text) for r in rows]
    # a third of the file, to keep the test short: ~2,400 to train, ~1,200 to check
    split = GroupShuffleSplit(n_splits=1, train_size=0.33, test_size=0.17, random_state=3)
    train_idx, test_idx = next(split.split(np.zeros(len(rows)), groups=groups))
    assert not {groups[i] for i in train_idx} & {groups[i] for i in test_idx}
    model = train([rows[i] for i in train_idx], config=TrainingConfig(folds=3))
    held = [rows[i] for i in test_idx]
    pred = model.predict([r.title for r in held], [r.text for r in held])
    report = evaluate_predictions(
        [r.label for r in held], [p[0] for p in pred], [p[1] for p in pred], model.labels
    )
    assert report["accuracy"] > 0.8
    assert report["ece"] < 0.05, report["reliability"]
    for b in report["reliability"]:
        if b["count"] >= 100:
            assert abs(b["confidence"] - b["accuracy"]) < 0.08, b
    # the probabilities behind them are proper distributions
    proba = model.predict_proba([r.title for r in held[:50]], [r.text for r in held[:50]])
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_confidences_are_calibrated_on_held_out_generated_messages():
    """Messages mixing clauses of several topics (see sample.noisy_rows): about 80 % can be
    classified, so the confidences must spread over the whole range and still mean what they
    say."""
    model = train(sample.noisy_rows(1200, 2, mix=0.45, flip=0.0), config=TrainingConfig(folds=3))
    held = sample.noisy_rows(1200, 102, mix=0.45, flip=0.0)
    pred = model.predict([r.title for r in held], [r.text for r in held])
    report = evaluate_predictions(
        [r.label for r in held], [p[0] for p in pred], [p[1] for p in pred], model.labels
    )
    assert 0.7 < report["accuracy"] < 0.9  # hard enough that calibration matters
    assert report["ece"] < 0.05, report["reliability"]
    busy = [b for b in report["reliability"] if b["count"] >= 100]
    assert len(busy) >= 5  # the confidences spread over the range
    for b in busy:
        assert abs(b["confidence"] - b["accuracy"]) < 0.1, b
    mean_confidence = sum(p[1] for p in pred) / len(pred)
    assert abs(mean_confidence - report["accuracy"]) < 0.03
