"""Which stored classifier is in use (the ``ClassifierModel`` rows): activation after an
evaluation, rollback to the previous one, and the active model loaded once per process.

``active()`` re-reads the active row at most every ``CHECK_SECONDS`` and reloads the model when
the row changed; ``invalidate()`` forces the check at once (activation and rollback call it in
``on_commit`` for this process; other processes notice within ``CHECK_SECONDS``). Every
activation and rollback is recorded in the audit log (stream ``dispatch-classifier``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.services.audit import audit
from tongban.hotline.models import ClassifierModel
from tongban.hotline.models.classifier import ClassifierStatus

from . import storage
from .errors import ClassifierErrorCode as Code
from .errors import ModelError
from .model import TextClassifier

logger = logging.getLogger(__name__)

CHECK_SECONDS = 30.0
# The auto-dispatch threshold when the active model records none (or there is no active model).
FALLBACK_THRESHOLD = 0.95
STREAM = "dispatch-classifier"


@dataclass
class _Cache:
    row_key: tuple | None = None  # (id, path, activated_at) of the loaded active row
    model: TextClassifier | None = None
    checked_at: float = float("-inf")


_cache = _Cache()
_lock = threading.Lock()


def invalidate() -> None:
    """Forget the loaded model; the next ``active()`` re-reads the active row."""
    global _cache
    with _lock:
        _cache = _Cache()


def _row_key(row: ClassifierModel | None) -> tuple | None:
    return None if row is None else (row.pk, row.path, row.activated_at)


def active() -> TextClassifier | None:
    """The active model, or None when none is active or it cannot be loaded (logged)."""
    global _cache
    now = time.monotonic()
    cache = _cache
    if now - cache.checked_at < CHECK_SECONDS:
        return cache.model
    with _lock:
        if now - _cache.checked_at < CHECK_SECONDS:
            return _cache.model
        row = (
            ClassifierModel.objects.filter(status=ClassifierStatus.ACTIVE)
            .only("pk", "path", "activated_at")
            .first()
        )
        key = _row_key(row)
        if key == _cache.row_key:
            _cache.checked_at = now
            return _cache.model
        model = None
        if row is not None:
            try:
                model = storage.load(Path(row.path))
            except ModelError as exc:
                logger.error(
                    "the active dispatch classifier %s cannot be loaded: %s", row.path, exc
                )
        _cache = _Cache(row_key=key, model=model, checked_at=now)
        return model


def model_threshold(manifest: dict | None) -> float | None:
    """The auto-dispatch threshold a model's manifest records (the lowest confidence at which its
    out-of-fold predictions reached the target precision), or None."""
    found = ((manifest or {}).get("metrics") or {}).get("auto_dispatch") or {}
    value = found.get("threshold") if isinstance(found, dict) else None
    return float(value) if isinstance(value, int | float) and 0 < value <= 1 else None


def auto_dispatch_threshold() -> float:
    """The active model's own threshold; ``FALLBACK_THRESHOLD`` when there is no active model or
    its manifest has none (a model trained on too few messages to measure one)."""
    model = active()
    found = model_threshold(model.manifest) if model is not None else None
    return FALLBACK_THRESHOLD if found is None else found


def active_row() -> ClassifierModel | None:
    return ClassifierModel.objects.filter(status=ClassifierStatus.ACTIVE).first()


def _make_active(row: ClassifierModel, *, actor, action: str) -> ClassifierModel:
    previous = list(
        ClassifierModel.objects.select_for_update()
        .filter(status=ClassifierStatus.ACTIVE)
        .exclude(pk=row.pk)
    )
    for old in previous:
        old.status = ClassifierStatus.RETIRED
        old.save(update_fields=["status"])
    row.status = ClassifierStatus.ACTIVE
    row.activated_at = timezone.now()
    row.activated_by = actor if getattr(actor, "pk", None) else None
    row.save(update_fields=["status", "activated_at", "activated_by", "manifest", "evaluation"])
    audit(
        stream=STREAM,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        payload={
            "model": row.pk,
            "name": row.name,
            "path": row.path,
            "retired": [old.pk for old in previous],
            "training_data_hash": row.manifest.get("training_data_hash", ""),
        },
    )
    transaction.on_commit(invalidate)
    return row


def activate(model_dir: Path, *, actor=None) -> ClassifierModel:
    """Make the model in ``model_dir`` the active one. It must load cleanly and carry an
    evaluation report of *this* model (``tongban dispatch evaluate``); the active one before it
    is retired and kept for rollback."""
    model_dir = Path(model_dir).resolve()
    model = storage.load(model_dir)
    report = storage.read_evaluation(model_dir)
    if report is None:
        raise ModelError(
            _("模型 %(path)s 还没有评估报告：请先运行 tongban dispatch evaluate。"),
            code=Code.NOT_EVALUATED,
            path=str(model_dir),
        )
    if report.get("model_sha256") != model.manifest["files"][storage.MODEL_FILE]:
        raise ModelError(
            _("模型 %(path)s 的评估报告不是针对当前模型文件的：请重新评估。"),
            code=Code.NOT_EVALUATED,
            path=str(model_dir),
        )
    with transaction.atomic():
        row = ClassifierModel.objects.select_for_update().filter(path=str(model_dir)).first()
        if row is None:
            row = ClassifierModel(name=model_dir.name[:64] or "model", path=str(model_dir))
            row.save()
        row.manifest = model.manifest
        row.evaluation = report
        return _make_active(row, actor=actor, action="activate")


def rollback(*, actor=None) -> ClassifierModel:
    """Re-activate the most recently active of the retired models (it must still load)."""
    with transaction.atomic():
        row = (
            ClassifierModel.objects.select_for_update()
            .filter(status=ClassifierStatus.RETIRED, activated_at__isnull=False)
            .order_by("-activated_at", "-pk")
            .first()
        )
        if row is None:
            raise ModelError(
                _("没有可回退的模型（没有已停用的模型）。"), code=Code.NOTHING_TO_ROLL_BACK
            )
        storage.load(Path(row.path))
        return _make_active(row, actor=actor, action="rollback")
