"""`tongban dispatch …`: the dispatch classifier's command line (智能派单).

    tongban dispatch train CSV --out MODEL_DIR
    tongban dispatch train --from-tickets --since DATE --out MODEL_DIR
    tongban dispatch predict MODEL_DIR CSV --out OUT_CSV
    tongban dispatch evaluate MODEL_DIR CSV
    tongban dispatch threshold MODEL_DIR CSV --precision 0.98
    tongban dispatch activate MODEL_DIR
    tongban dispatch rollback
    tongban dispatch status

Output formats are documented in docs/dispatch-classifier.md. Every error is a CommandError with
a clear message (non-zero exit) and, for ``predict``, no output file at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone
from tqdm import tqdm

from tongban.hotline.classifier import (
    ModelError,
    TrainingRow,
    history,
    load,
    read_csv,
    registry,
    rows_hash,
    save,
    train,
)
from tongban.hotline.classifier import text as textprep
from tongban.hotline.classifier.evaluation import evaluate_predictions, lowest_threshold
from tongban.hotline.classifier.report import evaluation_lines
from tongban.hotline.classifier.storage import MODEL_FILE, write_evaluation

BATCH = 2000
LONG = 2000  # rows from which progress bars are shown


class Command(BaseCommand):
    help = (
        "The dispatch classifier: train (from a CSV id,title,text,label or from concluded "
        "tickets), predict (id,label,confidence), evaluate, threshold, activate, rollback, status."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        tr = sub.add_parser("train", help="train a model into MODEL_DIR")
        tr.add_argument("csv", nargs="?", help="CSV with id,title,text,label")
        tr.add_argument("--from-tickets", action="store_true", help="train on concluded tickets")
        tr.add_argument("--since", help="with --from-tickets: tickets closed on or after DATE")
        tr.add_argument("--out", required=True, help="the model directory to write")
        pr = sub.add_parser("predict", help="write id,label,confidence for every row")
        pr.add_argument("model_dir")
        pr.add_argument("csv")
        pr.add_argument("--out", required=True, help="the CSV to write")
        ev = sub.add_parser("evaluate", help="evaluate on labelled data; stores evaluation.json")
        ev.add_argument("model_dir")
        ev.add_argument("csv")
        th = sub.add_parser("threshold", help="lowest threshold reaching a precision")
        th.add_argument("model_dir")
        th.add_argument("csv")
        th.add_argument("--precision", type=float, required=True)
        ac = sub.add_parser("activate", help="make an evaluated model the active one")
        ac.add_argument("model_dir")
        sub.add_parser("rollback", help="re-activate the previously active model")
        sub.add_parser("status", help="the active model and its metrics")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except ModelError as exc:
            raise CommandError(exc.message) from None

    # ------------------------------------------------------------------ helpers
    def _model(self, model_dir: str):
        return load(Path(model_dir))

    def _predict(self, model, rows: list[TrainingRow]) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        with tqdm(
            total=len(rows),
            desc="predict",
            unit="msg",
            disable=len(rows) < LONG,
            file=sys.stderr,
            leave=False,
        ) as bar:
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                out += model.predict([r.title for r in chunk], [r.text for r in chunk])
                bar.update(len(chunk))
        return out

    def _labelled(self, path: str) -> list[TrainingRow]:
        rows = read_csv(Path(path), require_label=True)
        labelled = [r for r in rows if r.label]
        if len(labelled) < len(rows):
            self.stderr.write(
                f"{len(rows) - len(labelled)} rows without a label are left out of the evaluation"
            )
        if not labelled:
            raise CommandError(f"{path}: no labelled rows to evaluate")
        return labelled

    # ------------------------------------------------------------------ subcommands
    def do_train(self, *, csv: str | None, from_tickets: bool, since: str | None, out: str, **_):
        if from_tickets == bool(csv):
            raise CommandError("train: give either a CSV or --from-tickets --since DATE")
        if from_tickets:
            if not since:
                raise CommandError("train --from-tickets needs --since DATE (YYYY-MM-DD)")
            try:
                day = dt.date.fromisoformat(since)
            except ValueError:
                raise CommandError(f"--since: not a date (YYYY-MM-DD): {since}") from None
            rows = history.rows_from_tickets(day)
            source = f"tickets closed since {day.isoformat()}"
            if not rows:
                raise CommandError(f"no concluded tickets with a subject since {day.isoformat()}")
        else:
            rows = read_csv(Path(csv), require_label=True)
            source = f"csv:{Path(csv).name}"
        out_dir = Path(out).resolve()
        if _active_path() == out_dir:
            raise CommandError(
                f"{out_dir} holds the active model: train into a new directory, then activate it"
            )
        skipped = sum(1 for r in rows if textprep.is_empty(r.title, r.text))
        started = time.monotonic()
        model = train(rows, progress=len(rows) >= LONG)
        save(model, out_dir, training_data_hash=rows_hash(rows), source=source)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"trained on {len(rows) - skipped} messages, {len(model.labels)} labels, "
            f"in {seconds:.1f} s → {out_dir}"
        )
        if skipped:
            self.stdout.write(f"skipped {skipped} rows with neither title nor text")
        cv = model.manifest.get("metrics", {}).get("cross_validation")
        if cv:
            self.stdout.write(
                f"group-aware cross-validation: accuracy {cv['accuracy']:.4f}, "
                f"macro-F1 {cv['macro_f1']:.4f}"
            )

    def do_predict(self, *, model_dir: str, csv: str, out: str, **_):
        model = self._model(model_dir)
        rows = read_csv(Path(csv))
        predictions = self._predict(model, rows)
        target = Path(out)
        if target.parent and not target.parent.exists():
            raise CommandError(f"--out: the directory {target.parent} does not exist")
        fd, tmp = tempfile.mkstemp(prefix=".predict-", suffix=".csv", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                writer = csv_writer(fh)
                writer.writerow(["id", "label", "confidence"])
                for row, (label, confidence) in zip(rows, predictions, strict=True):
                    writer.writerow([row.id, label, f"{min(max(confidence, 0.0), 1.0):.6f}"])
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        empty = [r.id for r, (label, _c) in zip(rows, predictions, strict=True) if not label]
        if empty:
            self.stderr.write(
                f"{len(empty)} rows with neither title nor text: written with an empty label and "
                f"confidence 0 (e.g. {', '.join(empty[:5])})"
            )
        self.stdout.write(f"wrote {len(rows)} predictions to {target}")

    def _score(self, model_dir: str, path: str):
        model = self._model(model_dir)
        rows = self._labelled(path)
        predictions = self._predict(model, rows)
        report = evaluate_predictions(
            [r.label for r in rows],
            [p[0] for p in predictions],
            [p[1] for p in predictions],
            model.labels,
        )
        return model, rows, predictions, report

    def do_evaluate(self, *, model_dir: str, csv: str, **_):
        model, rows, _p, report = self._score(model_dir, csv)
        report["model_sha256"] = model.manifest["files"][MODEL_FILE]
        report["data"] = {"path": str(Path(csv).resolve()), "hash": rows_hash(rows)}
        report["evaluated_at"] = timezone.now().isoformat(timespec="seconds")
        write_evaluation(Path(model_dir), report)
        self.stdout.write("\n".join(evaluation_lines(report)))
        self.stdout.write(f"\nevaluation stored in {Path(model_dir) / 'evaluation.json'}")

    def do_threshold(self, *, model_dir: str, csv: str, precision: float, **_):
        if not 0.0 < precision <= 1.0:
            raise CommandError("--precision must be in (0, 1]")
        _m, rows, predictions, _r = self._score(model_dir, csv)
        known = set(_m.labels)
        correct = [
            r.label == p[0] and r.label in known for r, p in zip(rows, predictions, strict=True)
        ]
        found = lowest_threshold(correct, [p[1] for p in predictions], precision)
        if found is None:
            raise CommandError(
                f"no confidence threshold reaches precision {precision} on these {len(rows)} rows"
            )
        self.stdout.write(f"threshold: {found['threshold']:.6f}")
        self.stdout.write(f"coverage: {found['coverage']:.4f} ({found['covered']}/{found['rows']})")
        self.stdout.write(f"precision: {found['precision']:.4f}")

    def do_activate(self, *, model_dir: str, **_):
        row = registry.activate(Path(model_dir))
        registry.invalidate()
        self.stdout.write(f"active: {row.name} ({row.path})")

    def do_rollback(self, **_):
        row = registry.rollback()
        registry.invalidate()
        self.stdout.write(f"rolled back; active: {row.name} ({row.path})")

    def do_status(self, **_):
        row = registry.active_row()
        if row is None:
            self.stdout.write("no active dispatch model")
            return
        m = row.manifest or {}
        ev = row.evaluation or {}
        cv = (m.get("metrics") or {}).get("cross_validation") or {}
        lines = [
            f"active: {row.name} ({row.path})",
            f"activated at: {row.activated_at.isoformat() if row.activated_at else '-'}"
            + (f" by {row.activated_by}" if row.activated_by_id else ""),
            f"trained at: {m.get('created_at', '-')} from {m.get('source', '-')}",
            f"training data: {m.get('training_data_hash', '-')}",
            f"labels: {len(m.get('labels') or [])}",
        ]
        if cv:
            lines.append(
                f"cross-validation: accuracy {cv['accuracy']:.4f}, macro-F1 {cv['macro_f1']:.4f}"
            )
        if ev:
            lines.append(
                f"evaluation ({ev.get('rows')} rows, {ev.get('evaluated_at', '-')}): "
                f"accuracy {ev['accuracy']:.4f}, macro-F1 {ev['macro_f1']:.4f}"
            )
        loaded = registry.active() is not None
        lines.append(f"loads: {'yes' if loaded else 'NO (see the log)'}")
        self.stdout.write("\n".join(lines))


def _active_path() -> Path | None:
    """The active model's directory; None when there is none or no database (train, predict,
    evaluate and threshold work without a database)."""
    try:
        row = registry.active_row()
    except DatabaseError:
        return None
    return Path(row.path) if row is not None else None


def csv_writer(fh):
    return csv.writer(fh, lineterminator="\n")
