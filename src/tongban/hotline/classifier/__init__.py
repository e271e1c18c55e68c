"""The dispatch classifier ([D] 智能派单): suggests a ticket's subject from its title and text.

The public interface (the hotline's intake, auto-dispatch and dashboard code use only these):
``TrainingRow``, ``TextClassifier``, ``train``, ``save``, ``load``, ``read_csv``, ``ModelError``;
``registry`` (which stored model is active) and ``history`` (training rows from concluded
tickets) are modules of this package. See docs/dispatch-classifier.md.
"""

from .csvfile import read_csv, rows_hash
from .errors import ClassifierErrorCode, ModelError
from .model import TextClassifier, TrainingRow
from .storage import load, save


def train(*args, **kwargs) -> TextClassifier:
    """``training.train``, imported on first use: scikit-learn's import (about half a second)
    is then paid only by the processes that train, not by every web worker and command."""
    from .training import train as _train

    return _train(*args, **kwargs)


__all__ = [
    "ClassifierErrorCode",
    "ModelError",
    "TextClassifier",
    "TrainingRow",
    "load",
    "read_csv",
    "rows_hash",
    "save",
    "train",
]
