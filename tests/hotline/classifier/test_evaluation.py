"""The evaluation arithmetic: threshold table, lowest threshold, unseen labels, reliability."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.hotline.classifier.evaluation import (
    evaluate_predictions,
    lowest_threshold,
    reliability,
)


def test_lowest_threshold_takes_the_largest_set_that_reaches_the_precision():
    conf = [0.99, 0.95, 0.9, 0.9, 0.8, 0.6, 0.0]
    correct = [True, True, True, False, True, False, False]
    # ≥0.95: 2/2; ≥0.9: 3/4; ≥0.8: 4/5; ≥0.6: 4/6
    assert lowest_threshold(correct, conf, 0.8) == {
        "threshold": 0.8,
        "covered": 5,
        "coverage": 5 / 7,
        "precision": 0.8,
        "rows": 7,
    }
    assert lowest_threshold(correct, conf, 0.98)["threshold"] == 0.95
    assert lowest_threshold(correct, conf, 0.5)["threshold"] == 0.6
    assert lowest_threshold([False, False], [0.9, 0.8], 0.5) is None
    assert lowest_threshold([True], [0.0], 0.5) is None  # no prediction is never covered


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared, busy machine
@given(
    st.lists(st.tuples(st.booleans(), st.floats(0.01, 1.0)), min_size=1, max_size=40),
    st.floats(0.05, 1.0),
)
def test_lowest_threshold_is_the_lowest_cut_reaching_the_precision(pairs, target):
    correct = np.array([c for c, _ in pairs])
    conf = np.array([p for _, p in pairs])
    found = lowest_threshold(correct, conf, target)
    reaching = [
        t for t in sorted(set(conf.tolist())) if correct[conf >= t].mean() >= target - 1e-12
    ]
    if not reaching:
        assert found is None
        return
    assert found["threshold"] == reaching[0]
    assert found["covered"] == int((conf >= reaching[0]).sum())
    assert found["precision"] >= target - 1e-12


def test_unseen_labels_and_empty_messages_count_as_errors():
    report = evaluate_predictions(
        true=["a", "a", "b", "c", "b"],
        predicted=["a", "b", "b", "a", ""],
        conf=[0.9, 0.6, 0.8, 0.7, 0.0],
        labels=["a", "b"],
    )
    assert report["rows"] == 5
    assert report["accuracy"] == pytest.approx(2 / 5)
    assert report["unseen_labels"] == ["c"]
    assert (report["unseen_rows"], report["no_prediction_rows"]) == (1, 1)
    assert report["labels"] == ["a", "b", "c"]
    assert report["confusion_matrix"] == [[1, 1, 0, 0], [0, 1, 0, 1], [1, 0, 0, 0]]
    per = {x["label"]: x for x in report["per_label"]}
    assert (per["a"]["precision"], per["a"]["recall"]) == (0.5, 0.5)
    assert (per["b"]["precision"], per["b"]["recall"]) == (0.5, 0.5)
    assert (per["c"]["f1"], per["c"]["support"], per["c"]["unseen"]) == (0.0, 1, True)
    assert report["macro_f1"] == pytest.approx((0.5 + 0.5 + 0.0) / 3)
    table = {t["threshold"]: t for t in report["thresholds"]}
    assert (table[0.0]["covered"], table[0.0]["precision"]) == (4, 0.5)
    assert (table[0.8]["covered"], table[0.8]["precision"]) == (2, 1.0)
    assert table[0.99] == {"threshold": 0.99, "covered": 0, "coverage": 0.0, "precision": None}


def test_reliability_bins_and_expected_calibration_error():
    correct = np.array([True, False, True, True])
    conf = np.array([0.55, 0.55, 0.95, 0.95])
    bins, ece = reliability(correct, conf)
    assert [(b["count"], b["accuracy"]) for b in bins] == [(2, 0.5), (2, 1.0)]
    assert ece == pytest.approx(0.5 * 0.05 + 0.5 * 0.05)
