"""Activation (only with an evaluation report of this very model), the active model cache,
rollback, and the `activate` / `rollback` / `status` commands."""

from __future__ import annotations

import io
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.core.models import AuditEvent
from tongban.hotline.classifier import ModelError, registry, save
from tongban.hotline.classifier.evaluation import evaluate_predictions
from tongban.hotline.classifier.storage import EVALUATION_FILE, MODEL_FILE, write_evaluation
from tongban.hotline.models import ClassifierModel

from . import sample

pytestmark = pytest.mark.django_db


def evaluated(model_dir, model=None):
    """Store an evaluation report of the model in ``model_dir`` (as `dispatch evaluate` does)."""
    from tongban.hotline.classifier import load

    model = model or load(model_dir)
    rows = sample.rows(per_label=3, seed=5)
    pred = model.predict([r.title for r in rows], [r.text for r in rows])
    report = evaluate_predictions(
        [r.label for r in rows], [p[0] for p in pred], [p[1] for p in pred], model.labels
    )
    report["model_sha256"] = model.manifest["files"][MODEL_FILE]
    write_evaluation(model_dir, report)
    return model_dir


@pytest.fixture
def two_models(model_dir, tmp_path):
    second = tmp_path / "second"
    shutil.copytree(model_dir, second)
    return evaluated(model_dir), evaluated(second)


def statuses():
    return list(ClassifierModel.objects.order_by("pk").values_list("name", "status"))


def test_activation_needs_an_evaluation_report(model_dir):
    with pytest.raises(ModelError) as exc:
        registry.activate(model_dir)
    assert exc.value.code == "not_evaluated"
    assert exc.value.message == (
        f"模型 {model_dir.resolve()} 还没有评估报告：请先运行 tongban dispatch evaluate。"
    )
    assert not ClassifierModel.objects.exists()
    assert registry.active() is None


def test_an_evaluation_of_another_model_file_does_not_count(model_dir, trained):
    evaluated(model_dir)
    report = (model_dir / EVALUATION_FILE).read_text(encoding="utf-8")
    save(trained, model_dir, training_data_hash="sha256:other", source="retrained")
    (model_dir / EVALUATION_FILE).write_text(
        report.replace('"model_sha256": "', '"model_sha256": "0'), encoding="utf-8"
    )
    with pytest.raises(ModelError) as exc:
        registry.activate(model_dir)
    assert exc.value.message == (
        f"模型 {model_dir.resolve()} 的评估报告不是针对当前模型文件的：请重新评估。"
    )
    assert not ClassifierModel.objects.exists()


def test_a_tampered_model_cannot_be_activated(model_dir):
    evaluated(model_dir)
    (model_dir / MODEL_FILE).write_bytes((model_dir / MODEL_FILE).read_bytes()[:-1])
    with pytest.raises(ModelError) as exc:
        registry.activate(model_dir)
    assert exc.value.code == "model_tampered"
    assert not ClassifierModel.objects.exists()


def test_activate_retires_the_previous_and_rollback_restores_it(two_models, operator):
    first, second = two_models
    row1 = registry.activate(first, actor=operator)
    assert (row1.status, row1.activated_by, row1.path) == ("active", operator, str(first.resolve()))
    assert row1.evaluation["model_sha256"] == row1.manifest["files"][MODEL_FILE]
    assert registry.active().labels == ["交通运输", "卫生计生", "教育文体", "环境保护"]

    row2 = registry.activate(second)
    assert statuses() == [("model", "retired"), ("second", "active")]
    registry.invalidate()
    assert registry.active().manifest["files"] == row2.manifest["files"]

    back = registry.rollback(actor=operator)
    assert back.pk == row1.pk
    assert statuses() == [("model", "active"), ("second", "retired")]
    actions = list(
        AuditEvent.objects.filter(stream="dispatch-classifier")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["activate", "activate", "rollback"]

    # re-activating a known directory reuses its row
    registry.activate(second)
    assert statuses() == [("model", "retired"), ("second", "active")]


def test_rollback_with_nothing_retired_is_refused(model_dir):
    with pytest.raises(ModelError) as exc:
        registry.rollback()
    assert exc.value.message == "没有可回退的模型（没有已停用的模型）。"
    registry.activate(evaluated(model_dir))
    with pytest.raises(ModelError):
        registry.rollback()
    assert statuses() == [("model", "active")]


def test_active_is_cached_until_invalidated_and_none_when_it_fails_to_load(model_dir, caplog):
    registry.activate(evaluated(model_dir))
    registry.invalidate()
    first = registry.active()
    assert registry.active() is first  # loaded once
    (model_dir / MODEL_FILE).write_bytes(b"tampered")
    assert registry.active() is first  # not re-checked within CHECK_SECONDS
    ClassifierModel.objects.update(activated_at=None)  # the active row changed
    registry.invalidate()
    with caplog.at_level("ERROR"):
        assert registry.active() is None
    assert "cannot be loaded" in caplog.text


def test_active_rechecks_the_row_after_the_interval(model_dir, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(registry.time, "monotonic", lambda: clock[0])
    assert registry.active() is None
    registry.activate(evaluated(model_dir))  # another process: no invalidate() here
    registry._cache.checked_at = clock[0]
    assert registry.active() is None
    clock[0] += registry.CHECK_SECONDS + 1
    assert registry.active() is not None


def run(*args) -> str:
    out = io.StringIO()
    call_command("dispatch", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_activate_rollback_and_status_commands(two_models):
    first, second = two_models
    assert run("status") == "no active dispatch model\n"
    with pytest.raises(CommandError) as exc:
        run("rollback")
    assert str(exc.value) == "没有可回退的模型（没有已停用的模型）。"
    assert run("activate", str(first)) == f"active: model ({first.resolve()})\n"
    assert run("activate", str(second)) == f"active: second ({second.resolve()})\n"
    status = run("status")
    assert status.startswith(f"active: second ({second.resolve()})\nactivated at: ")
    assert "trained at: " in status and "from tests" in status
    assert "labels: 4\n" in status
    assert "cross-validation: accuracy " in status
    assert "evaluation (12 rows, -): accuracy " in status
    assert status.endswith("loads: yes\n")
    assert run("rollback") == f"rolled back; active: model ({first.resolve()})\n"


def test_training_into_the_active_model_directory_is_refused(model_dir, tmp_path):
    registry.activate(evaluated(model_dir))
    src = sample.write_csv(tmp_path / "t.csv", sample.rows(per_label=5))
    with pytest.raises(CommandError) as exc:
        run("train", str(src), "--out", str(model_dir))
    assert str(exc.value) == (
        f"{model_dir.resolve()} holds the active model: train into a new directory, then "
        "activate it"
    )
    assert registry.active() is not None
