"""The demo's dispatch classifier ([D] 智能派单): trained on the demo tickets right after they are
loaded, so that the intake page suggests subjects as soon as ``make demo`` is done.

- **Data**: the demo tickets that carry a subject (labels: subject codes) — texts the project
  writes itself (``demo_data``), never the shared competition data. At most ``PER_SUBJECT``
  tickets per subject (a seeded sample), which keeps training well under a minute here.
- **Held-out evaluation**: a fifth of the sample, split by message group (identical texts stay
  on one side), is kept out of training; the model is evaluated on it and the report stored as
  ``evaluation.json`` beside the model — the registry activates only an evaluated model.
- **Where**: ``TONGBAN_DATA_DIR/dispatch-models/demo-<hash of the training rows>``.
- **Dispatch quality**: the held-out tickets are scored and recorded as suggestions at the time
  they were registered (``suggestions.record_history``), so the dispatch-quality page has weeks
  to show; none of them counts as an automatic dispatch.

Idempotent: nothing happens when a model is already active.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import suggestions
from .classifier import ModelError, TrainingRow, registry, rows_hash, save, train
from .classifier.evaluation import evaluate_predictions
from .classifier.storage import MODEL_FILE, read_evaluation, write_evaluation
from .classifier.text import group_key
from .demo_data.writer import seeded
from .models import ClassifierModel, ClassifierStatus, Ticket

PER_SUBJECT = 60
MIN_ROWS = 300  # fewer labelled demo tickets (a test's tiny demo): no model
HOLD_OUT_PERCENT = 20
SEED = "tongban-demo-dispatch-model"
HISTORY_WEEKS = 12


def model_root() -> Path:
    return Path(settings.DATA_DIR) / "dispatch-models"


def _held_out(row: TrainingRow) -> bool:
    digest = hashlib.sha256(f"{SEED}:{group_key(row.title, row.text)}".encode()).digest()
    return digest[0] * 100 // 256 < HOLD_OUT_PERCENT


def sample() -> tuple[list[TrainingRow], list[TrainingRow]]:
    """(training rows, held-out rows) from the demo tickets with a subject."""
    by_label: dict[str, list[TrainingRow]] = defaultdict(list)
    tickets = (
        Ticket.objects.filter(
            idempotency_key__startswith="demo-", subject__isnull=False, subject__active=True
        )
        .order_by("pk")
        .values_list("ticket_no", "title", "content", "subject__code")
    )
    for no, title, content, code in tickets.iterator(chunk_size=2000):
        by_label[code].append(TrainingRow(id=no, title=title, text=content, label=code))
    rng = seeded(SEED)
    rows: list[TrainingRow] = []
    for code in sorted(by_label):
        group = by_label[code]
        rng.shuffle(group)
        rows.extend(group[:PER_SUBJECT])
    train_rows = [r for r in rows if not _held_out(r)]
    held_out = [r for r in rows if _held_out(r)]
    return train_rows, held_out


def evaluate(model, rows: list[TrainingRow]) -> dict:
    """The evaluation report of the (saved) model on ``rows``, as ``tongban dispatch
    evaluate`` writes it: tied to the model file it measured."""
    predicted = model.predict([r.title for r in rows], [r.text for r in rows])
    report = evaluate_predictions(
        [r.label for r in rows],
        [label for label, _c in predicted],
        [c for _l, c in predicted],
        list(model.labels),
    )
    report["model_sha256"] = model.manifest["files"][MODEL_FILE]
    report["data"] = {"path": "demo tickets (held-out part)", "hash": rows_hash(rows)}
    report["evaluated_at"] = timezone.now().isoformat(timespec="seconds")
    return report


def train_and_activate(
    out: Callable[[str], None], created: Counter, *, now: dt.datetime
) -> Path | None:
    """Train, evaluate, store and activate the demo model (skipped when one is active)."""
    active = ClassifierModel.objects.filter(status=ClassifierStatus.ACTIVE).first()
    if active is not None:
        return None
    started = time.perf_counter()
    train_rows, held_out = sample()
    labels = {r.label for r in train_rows}
    if len(train_rows) < MIN_ROWS or len(labels) < 2:
        if created:  # said once, when the tickets were loaded (a second load says nothing)
            out(f"hotline: dispatch model skipped: only {len(train_rows)} labelled demo tickets")
        return None
    digest = rows_hash(train_rows).rpartition(":")[2]  # "sha256:…": no colon in a path
    model_dir = model_root() / f"demo-{digest[:12]}"
    try:
        if read_evaluation(model_dir) is None:
            # The plain linear SVM: the NB-SVM (the default, docs/dispatch-classifier.md) fits one
            # model per subject and took most of `make demo`'s time; the demo model only shows
            # the suggestions working.
            from .classifier.training import DEFAULT

            model = train(train_rows, config=dataclasses.replace(DEFAULT, nb_alpha=None))
            save(
                model,
                model_dir,
                training_data_hash=rows_hash(train_rows),
                source=f"demo tickets ({len(train_rows)} of them, {len(labels)} subjects)",
            )
            report = evaluate(model, held_out)
            write_evaluation(model_dir, report)
        registry.activate(model_dir, actor=None)
    except ModelError as exc:
        out(f"hotline: dispatch model not trained: {exc}")
        return None
    registry.invalidate()  # at once, also inside a transaction (activate's on_commit waits)
    suggestions.invalidate()
    report = read_evaluation(model_dir) or {}
    created["dispatch model"] += 1
    history = _history(held_out, now=now)
    if history:
        created["past suggestions (held-out tickets)"] += history
    out(
        f"hotline: dispatch model {model_dir.name}: {len(train_rows)} tickets, "
        f"{len(labels)} subjects, held-out accuracy {report.get('accuracy', 0):.3f}, "
        f"macro-F1 {report.get('macro_f1', 0):.3f} on {report.get('rows', 0)} tickets, "
        f"{time.perf_counter() - started:.1f} s"
    )
    return model_dir


def _history(held_out: list[TrainingRow], *, now: dt.datetime) -> int:
    """Suggestions for the held-out tickets of the last weeks, as if scored at registration."""
    since = now - dt.timedelta(weeks=HISTORY_WEEKS)
    numbers = [r.id for r in held_out]
    tickets = list(
        Ticket.objects.filter(ticket_no__in=numbers, created_at__gte=since)
        .select_related("region", "street")
        .order_by("pk")
    )
    return suggestions.record_history(tickets)
