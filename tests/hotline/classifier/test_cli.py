"""`tongban dispatch train / predict / evaluate / threshold` through call_command: the round trip,
the output contracts and the bad-input paths (CommandError, nothing written)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.hotline.classifier import TrainingRow, load
from tongban.hotline.classifier.storage import EVALUATION_FILE, MODEL_FILE

from . import sample

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("dispatch", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path):
    train_csv = sample.write_csv(tmp_path / "train.csv", sample.rows(per_label=30, seed=1))
    test_rows = sample.rows(per_label=10, seed=2)
    test_rows += [
        TrainingRow("empty-1", "", "", "交通运输"),
        TrainingRow("unseen-1", "路灯不亮", "小区路灯坏了一周", "城乡建设"),
    ]
    test_csv = sample.write_csv(tmp_path / "test.csv", test_rows)
    return tmp_path, train_csv, test_csv, test_rows


def test_train_predict_evaluate_threshold_round_trip(files):
    tmp, train_csv, test_csv, test_rows = files
    model_dir = tmp / "model"
    out, _ = run("train", str(train_csv), "--out", str(model_dir))
    assert out.startswith("trained on 120 messages, 4 labels, in ")
    assert f"→ {model_dir}" in out
    assert "group-aware cross-validation: accuracy " in out
    assert sorted(p.name for p in model_dir.iterdir()) == ["manifest.json", MODEL_FILE]

    # predict: id,label,confidence for every input row, in input order
    pred_csv = tmp / "pred.csv"
    out, err = run("predict", str(model_dir), str(test_csv), "--out", str(pred_csv))
    assert out == f"wrote {len(test_rows)} predictions to {pred_csv}\n"
    assert "1 rows with neither title nor text" in err
    text = pred_csv.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "id,label,confidence"
    got = list(csv.DictReader(io.StringIO(text)))
    assert [g["id"] for g in got] == [r.id for r in test_rows]
    for g in got:
        assert re.fullmatch(r"[01]\.\d{6}", g["confidence"])
        assert 0.0 <= float(g["confidence"]) <= 1.0
    by_id = {g["id"]: g for g in got}
    assert (by_id["empty-1"]["label"], by_id["empty-1"]["confidence"]) == ("", "0.000000")
    known = [g for g in got if g["id"] not in ("empty-1", "unseen-1")]
    assert all(g["label"] in sample.TOPICS for g in known)
    right = sum(g["label"] == r.label for g, r in zip(got, test_rows, strict=True))
    assert right >= 38  # of the 40 messages of known topics

    # evaluate: the printed report and evaluation.json
    out, _ = run("evaluate", str(model_dir), str(test_csv))
    assert "rows: 42\n" in out
    assert re.search(r"^accuracy: 0\.\d{4}$", out, re.M)
    assert re.search(r"^macro-F1: 0\.\d{4}$", out, re.M)
    assert "labels unseen at training (counted as errors): 城乡建设 (1 rows)" in out
    assert "rows with neither title nor text (no prediction, counted as errors): 1" in out
    assert "per class:" in out and "城乡建设 (unseen)" in out
    assert "confusion matrix (rows: true label, columns: predicted label; '-' = none):" in out
    assert "confidence threshold → coverage → precision:" in out
    report = json.loads((model_dir / EVALUATION_FILE).read_text(encoding="utf-8"))
    assert report["rows"] == 42
    assert report["unseen_labels"] == ["城乡建设"]
    assert report["model_sha256"] == load(model_dir).manifest["files"][MODEL_FILE]
    assert report["labels"] == ["交通运输", "卫生计生", "教育文体", "环境保护", "城乡建设"]
    matrix = report["confusion_matrix"]
    assert len(matrix) == 5 and all(len(row) == 6 for row in matrix)
    assert sum(map(sum, matrix)) == 42
    assert matrix[4][5] == 0 and sum(matrix[4]) == 1  # the unseen one: predicted as something
    assert matrix[0][5] == 1  # the empty one: no prediction
    assert report["accuracy"] == pytest.approx(right / 42)
    assert report["thresholds"][0]["threshold"] == 0.0
    assert report["thresholds"][0]["covered"] == 41  # all but the empty one

    # threshold
    out, _ = run("threshold", str(model_dir), str(test_csv), "--precision", "0.9")
    m = re.fullmatch(
        r"threshold: (0\.\d{6}|1\.000000)\ncoverage: (\d\.\d{4}) \((\d+)/42\)\n"
        r"precision: (\d\.\d{4})\n",
        out,
    )
    assert m, out
    assert float(m[4]) >= 0.9
    assert float(m[2]) == pytest.approx(int(m[3]) / 42, abs=1e-4)


def test_threshold_that_no_cut_reaches_is_a_clear_error(files, tmp_path):
    tmp, train_csv, _test_csv, _ = files
    run("train", str(train_csv), "--out", str(tmp / "model"))
    wrong = [TrainingRow(str(i), "公交车太挤", "公交车二十分钟一班", "卫生计生") for i in range(5)]
    bad = sample.write_csv(tmp / "wrong.csv", wrong)
    with pytest.raises(CommandError) as exc:
        run("threshold", str(tmp / "model"), str(bad), "--precision", "0.98")
    assert str(exc.value) == "no confidence threshold reaches precision 0.98 on these 5 rows"
    with pytest.raises(CommandError) as exc:
        run("threshold", str(tmp / "model"), str(bad), "--precision", "1.5")
    assert str(exc.value) == "--precision must be in (0, 1]"


def test_predict_accepts_a_csv_without_labels(files, model_dir):
    tmp = files[0]
    data = [TrainingRow("a", "出租车拒载", "", ""), TrainingRow("b", "", "", "")]
    src = sample.write_csv(tmp / "nolabel.csv", data, label=False, extra=False)
    run("predict", str(model_dir), str(src), "--out", str(tmp / "p.csv"))
    rows = list(csv.reader(io.StringIO((tmp / "p.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["id", "label", "confidence"]
    assert rows[1][:2] == ["a", "交通运输"] and rows[2] == ["b", "", "0.000000"]


def test_predict_writes_nothing_on_error(files, model_dir):
    tmp, _train, test_csv, _ = files
    out_csv = tmp / "pred.csv"
    bad = tmp / "bad.csv"
    bad.write_text("id,titel,text\n1,a,b\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run("predict", str(model_dir), str(bad), "--out", str(out_csv))
    assert str(exc.value) == f"CSV 文件 {bad} 缺少必需的列：title（需要 id,title,text）。"
    (model_dir / MODEL_FILE).write_bytes((model_dir / MODEL_FILE).read_bytes() + b"x")
    with pytest.raises(CommandError) as exc:
        run("predict", str(model_dir), str(test_csv), "--out", str(out_csv))
    assert "校验值与清单不符" in str(exc.value)
    assert not out_csv.exists()
    assert not any(p.name.startswith(".predict-") for p in tmp.iterdir())


def test_train_refuses_a_csv_without_labels_or_columns(tmp_path):
    data = [TrainingRow("1", "噪音", "夜里施工", "")]
    src = sample.write_csv(tmp_path / "nolabel.csv", data, label=False)
    with pytest.raises(CommandError) as exc:
        run("train", str(src), "--out", str(tmp_path / "m"))
    assert str(exc.value) == (f"CSV 文件 {src} 缺少必需的列：label（需要 id,title,text,label）。")
    assert not (tmp_path / "m").exists()


def test_train_needs_exactly_one_source(tmp_path):
    with pytest.raises(CommandError) as exc:
        run("train", "--out", str(tmp_path / "m"))
    assert str(exc.value) == "train: give either a CSV or --from-tickets --since DATE"
    with pytest.raises(CommandError) as exc:
        run("train", "--from-tickets", "--out", str(tmp_path / "m"))
    assert str(exc.value) == "train --from-tickets needs --since DATE (YYYY-MM-DD)"
    with pytest.raises(CommandError) as exc:
        run("train", "--from-tickets", "--since", "2026-13-01", "--out", str(tmp_path / "m"))
    assert str(exc.value) == "--since: not a date (YYYY-MM-DD): 2026-13-01"


def test_evaluate_refuses_unlabelled_data(files, model_dir):
    tmp = files[0]
    src = sample.write_csv(tmp / "u.csv", [TrainingRow("1", "a", "b", "")])
    with pytest.raises(CommandError) as exc:
        run("evaluate", str(model_dir), str(src))
    assert str(exc.value) == f"{src}: no labelled rows to evaluate"
    assert not (model_dir / EVALUATION_FILE).exists()


def _manifest(model_dir):
    return json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))


def test_predict_refuses_a_model_directory_of_another_version(files, model_dir):
    """A model saved by the earlier TF-IDF format (format_version 1) or by another scikit-learn:
    a clear error, no prediction written."""
    tmp, _train, test_csv, _ = files
    out_csv = tmp / "pred.csv"
    manifest = _manifest(model_dir)
    manifest["format_version"] = 1
    (model_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run("predict", str(model_dir), str(test_csv), "--out", str(out_csv))
    assert str(exc.value) == "模型格式版本为 1，本程序只能读取版本 2：请用本版本重新训练。"
    manifest["format_version"] = 2
    manifest["libraries"]["scikit-learn"] = "0.24.2"
    (model_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run("evaluate", str(model_dir), str(test_csv))
    assert str(exc.value).startswith("模型由 scikit-learn 0.24.2 训练，本机为 ")
    assert not out_csv.exists()
    assert not (model_dir / EVALUATION_FILE).exists()


def test_predict_and_evaluate_refuse_pickle(files, model_dir):
    import pickle

    tmp, _train, test_csv, _ = files
    out_csv = tmp / "pred.csv"
    (model_dir / "extra.pkl").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(CommandError) as exc:
        run("predict", str(model_dir), str(test_csv), "--out", str(out_csv))
    assert "pickle 文件 extra.pkl" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        run("threshold", str(model_dir), str(test_csv), "--precision", "0.9")
    assert "pickle 文件 extra.pkl" in str(exc.value)
    assert not out_csv.exists()


def test_train_on_rows_with_neither_title_nor_text_is_refused(tmp_path):
    data = [TrainingRow(str(i), " ", "。。", "交通运输" if i % 2 else "环境保护") for i in range(6)]
    src = sample.write_csv(tmp_path / "empty.csv", data)
    with pytest.raises(CommandError) as exc:
        run("train", str(src), "--out", str(tmp_path / "m"))
    assert str(exc.value) == "没有可用于训练的数据。"
    assert not (tmp_path / "m").exists()


def test_evaluate_counts_labels_unseen_at_training_as_errors(files, model_dir):
    tmp = files[0]
    data = [
        TrainingRow("1", "出租车拒载", "晚上在火车站打车，出租车司机嫌路近拒载", "交通运输"),
        TrainingRow("2", "路灯不亮", "小区路灯坏了一周", "城乡建设"),
        TrainingRow("3", "物业乱收费", "物业公司收取停车费没有依据", "城乡建设"),
    ]
    src = sample.write_csv(tmp / "unseen.csv", data)
    out, _ = run("evaluate", str(model_dir), str(src))
    assert "labels unseen at training (counted as errors): 城乡建设 (2 rows)" in out
    report = json.loads((model_dir / EVALUATION_FILE).read_text(encoding="utf-8"))
    assert report["unseen_labels"] == ["城乡建设"]
    assert report["accuracy"] == pytest.approx(1 / 3)
