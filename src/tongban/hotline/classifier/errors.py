"""The one error of the classifier package: a model directory, a CSV or training data that cannot
be used. The message is localised (gettext) and names the problem; ``code`` is a stable slug."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ClassifierErrorCode(StrEnum):
    BAD_CSV = "bad_csv"
    BAD_TRAINING_DATA = "bad_training_data"
    MODEL_MISSING = "model_missing"
    MODEL_TAMPERED = "model_tampered"
    MODEL_VERSION = "model_version"
    MODEL_UNSAFE = "model_unsafe"
    NOT_EVALUATED = "not_evaluated"
    NOTHING_TO_ROLL_BACK = "nothing_to_roll_back"


class ModelError(Exception):
    """A bad, tampered or other-version model directory, a bad CSV, unusable training data."""

    def __init__(
        self,
        message: Any,
        *,
        code: ClassifierErrorCode = ClassifierErrorCode.BAD_TRAINING_DATA,
        **params: Any,
    ):
        self.code = code
        self.params = params
        self._message = message
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = str(self._message)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message
