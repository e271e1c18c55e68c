"""并单 at intake: the active model's feature rows of the recent open tickets are computed once
per process and model, so an intake featurises only the texts it has not seen; the rows are the
model's own, in the order asked, and a new model starts afresh."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from tongban.hotline.services import merging


class CountingModel:
    """Stands in for a TextClassifier: a row from its own text only, and a count of the texts
    it was asked to featurise."""

    def __init__(self):
        self.featurised: list[str] = []

    def features(self, titles, texts):
        self.featurised.extend(titles)
        rows = [
            [len(t), len(b), (sum(map(ord, t)) % 97) / 97]
            for t, b in zip(titles, texts, strict=True)
        ]
        return sp.csr_matrix(np.array(rows, dtype=np.float32).reshape(len(rows), 3))


@pytest.fixture(autouse=True)
def fresh_rows():
    merging.forget_rows()
    yield
    merging.forget_rows()


def test_rows_are_the_models_and_each_text_is_featurised_once():
    model = CountingModel()
    titles, texts = ["路灯不亮", "积水", "噪音"], ["学府路路灯坏了", "路口积水", "夜里施工"]
    first = merging._model_rows(model, titles, texts)
    assert model.featurised == ["路灯不亮", "积水", "噪音"]
    assert (first != model.features(titles, texts)).nnz == 0
    model.featurised.clear()
    again = merging._model_rows(model, ["停水", *titles[::-1]], ["家里停水", *texts[::-1]])
    assert model.featurised == ["停水"]  # the three seen before come from the cache
    assert again.shape == (4, 3)
    assert (again[1:] != first[::-1]).nnz == 0


def test_a_new_model_starts_afresh_and_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(merging, "ROW_CACHE_SIZE", 2)
    old, new = CountingModel(), CountingModel()
    merging._model_rows(old, ["a", "b", "c"], ["1", "2", "3"])
    assert len(merging._row_cache) == 2
    merging._model_rows(new, ["a"], ["1"])
    assert (new.featurised, list(merging._row_cache)) == (["a"], [("a", "1")])
