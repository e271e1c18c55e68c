"""Fixtures for the classifier tests: one small model trained on the generated sample, once per
session (training takes a second or two), copied for tests that modify it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tongban.hotline.classifier import rows_hash, save, train

from . import sample

ROOT = Path(__file__).resolve().parents[3]
SHARED_TRAIN = ROOT.parent / "shared" / "data" / "citizen-messages" / "teddy2020c-train.csv"


@pytest.fixture(scope="session")
def sample_rows():
    return sample.rows()


@pytest.fixture(scope="session")
def trained(sample_rows):
    return train(sample_rows)


@pytest.fixture(scope="session")
def _stored_model(tmp_path_factory, trained, sample_rows) -> Path:
    model_dir = tmp_path_factory.mktemp("model") / "m1"
    save(trained, model_dir, training_data_hash=rows_hash(sample_rows), source="tests")
    return model_dir


@pytest.fixture
def model_dir(_stored_model, tmp_path) -> Path:
    """A private copy of the stored sample model (tests may tamper with it)."""
    target = tmp_path / "model"
    shutil.copytree(_stored_model, target)
    return target


@pytest.fixture(scope="session")
def shared_train() -> Path:
    if not SHARED_TRAIN.is_file():
        pytest.skip(f"shared data absent: {SHARED_TRAIN} (the calibration check needs it)")
    return SHARED_TRAIN
