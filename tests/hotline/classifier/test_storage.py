"""Model directories: the manifest, and the refusal of pickle, tampered files and other format or
library versions (ModelError with a clear message, nothing loaded)."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from tongban.hotline.classifier import ModelError, load, save
from tongban.hotline.classifier.storage import (
    EVALUATION_FILE,
    FORMAT_VERSION,
    MANIFEST_FILE,
    MODEL_FILE,
    sha256_of,
)


def _manifest(model_dir):
    return json.loads((model_dir / MANIFEST_FILE).read_text(encoding="utf-8"))


def _write_manifest(model_dir, manifest):
    (model_dir / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")


def test_the_manifest_records_what_the_issue_asks(model_dir, sample_rows):
    m = _manifest(model_dir)
    assert m["format"] == "tongban-dispatch-classifier"
    assert m["format_version"] == FORMAT_VERSION
    assert m["source"] == "tests"
    assert m["training_data_hash"].startswith("sha256:") and len(m["training_data_hash"]) == 71
    assert m["labels"] == ["交通运输", "卫生计生", "教育文体", "环境保护"]
    assert m["metrics"]["rows"] == len(sample_rows)
    assert set(m["libraries"]) == {"python", "scikit-learn", "numpy", "scipy", "skops", "rjieba"}
    assert m["files"] == {MODEL_FILE: sha256_of(model_dir / MODEL_FILE)}
    assert m["created_at"].endswith("+00:00")
    assert sorted(p.name for p in model_dir.iterdir()) == [MANIFEST_FILE, MODEL_FILE]


def test_a_saved_model_loads_and_predicts_the_same(model_dir, trained):
    loaded = load(model_dir)
    assert loaded.labels == trained.labels
    titles, texts = ["路口红绿灯太短", "挂号难"], ["行人过不了马路", ""]
    assert np.allclose(loaded.predict_proba(titles, texts), trained.predict_proba(titles, texts))
    assert loaded.manifest == _manifest(model_dir)


def test_saving_again_removes_the_old_evaluation(model_dir, trained):
    (model_dir / EVALUATION_FILE).write_text("{}", encoding="utf-8")
    save(trained, model_dir, training_data_hash="sha256:x", source="again")
    assert not (model_dir / EVALUATION_FILE).exists()


def _refused(model_dir, code: str) -> str:
    with pytest.raises(ModelError) as exc:
        load(model_dir)
    assert exc.value.code == code
    return exc.value.message


def test_a_pickle_file_in_the_directory_is_refused(model_dir):
    (model_dir / "model.pkl").write_bytes(pickle.dumps({"labels": ["a"]}))
    assert _refused(model_dir, "model_unsafe") == (
        "模型目录中有 pickle 文件 model.pkl：出于安全原因拒绝加载（模型只用 skops 保存）。"
    )


def test_a_pickle_in_place_of_the_model_file_is_refused_even_with_a_matching_hash(model_dir):
    (model_dir / MODEL_FILE).write_bytes(pickle.dumps({"labels": ["a"]}, protocol=4))
    m = _manifest(model_dir)
    m["files"][MODEL_FILE] = sha256_of(model_dir / MODEL_FILE)
    _write_manifest(model_dir, m)
    assert _refused(model_dir, "model_unsafe") == (
        f"模型文件 {MODEL_FILE} 是 pickle 格式：出于安全原因拒绝加载。"
    )


def test_a_tampered_model_file_is_refused(model_dir):
    raw = bytearray((model_dir / MODEL_FILE).read_bytes())
    raw[len(raw) // 2] ^= 0x01
    (model_dir / MODEL_FILE).write_bytes(bytes(raw))
    assert _refused(model_dir, "model_tampered") == (
        f"模型文件 {MODEL_FILE} 的校验值与清单不符：文件已被修改，拒绝加载。"
    )


def test_a_corrupt_model_file_with_a_matching_hash_is_refused(model_dir):
    (model_dir / MODEL_FILE).write_bytes(b"PK\x03\x04 not really a zip")
    m = _manifest(model_dir)
    m["files"][MODEL_FILE] = sha256_of(model_dir / MODEL_FILE)
    _write_manifest(model_dir, m)
    assert _refused(model_dir, "model_tampered").startswith(f"模型文件 {MODEL_FILE} 无法读取：")


def test_a_manifest_whose_labels_were_edited_is_refused(model_dir):
    m = _manifest(model_dir)
    m["labels"] = ["交通运输", "卫生计生", "教育文体", "城乡建设"]
    _write_manifest(model_dir, m)
    assert _refused(model_dir, "model_tampered") == (
        "模型文件与清单不一致（分类或特征数不符），拒绝加载。"
    )


def test_a_model_of_another_format_version_is_refused(model_dir):
    m = _manifest(model_dir)
    m["format_version"] = FORMAT_VERSION + 1
    _write_manifest(model_dir, m)
    assert _refused(model_dir, "model_version") == (
        f"模型格式版本为 {FORMAT_VERSION + 1}，本程序只能读取版本 {FORMAT_VERSION}：请用本版本重新训练。"
    )


def test_a_model_of_another_scikit_learn_version_is_refused(model_dir):
    m = _manifest(model_dir)
    here = m["libraries"]["scikit-learn"]
    m["libraries"]["scikit-learn"] = "0.24.2"
    _write_manifest(model_dir, m)
    assert _refused(model_dir, "model_version") == (
        f"模型由 scikit-learn 0.24.2 训练，本机为 {here}：请用本机版本重新训练。"
    )


def test_a_directory_that_is_not_a_model_is_refused(tmp_path, model_dir):
    assert _refused(tmp_path / "absent", "model_missing") == (
        f"模型目录不存在：{tmp_path / 'absent'}。"
    )
    (tmp_path / "empty").mkdir()
    assert _refused(tmp_path / "empty", "model_missing") == (
        f"模型目录 {tmp_path / 'empty'} 中没有 manifest.json，不是派单模型目录。"
    )
    (model_dir / MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    assert _refused(model_dir, "model_tampered").startswith("模型清单")
    _write_manifest(model_dir, {"format": "something-else", "format_version": 1})
    assert _refused(model_dir, "model_version").endswith("不是派单模型清单。")


def test_a_missing_model_file_is_refused(model_dir):
    (model_dir / MODEL_FILE).unlink()
    assert _refused(model_dir, "model_missing") == f"模型文件 {MODEL_FILE} 缺失。"
