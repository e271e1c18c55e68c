"""A model directory on disk: ``model.skops`` (skops, never pickle) and ``manifest.json``
(format version, date, source, training data hash, label set, metrics, library versions and the
sha256 of every model file); ``evaluation.json`` is added by ``tongban dispatch evaluate``.

``load`` trusts nothing it has not checked: the manifest must parse and be of this format
version, every listed file must be there with its recorded sha256, no pickle may be in the
directory, the library versions must match closely enough for skops to rebuild the objects, and
skops may only rebuild the types in ``TRUSTED``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

import numpy as np
from django.utils.translation import gettext_lazy as _

from .errors import ClassifierErrorCode as Code
from .errors import ModelError
from .model import VIEWS, Featuriser, TextClassifier, ViewSpec

FORMAT = "tongban-dispatch-classifier"
FORMAT_VERSION = 2  # 2: hashed n-gram features (1: TF-IDF vocabularies)
MODEL_FILE = "model.skops"


def _skops():
    """skops.io, imported on first use: importing it takes about 2 s (it enumerates
    scikit-learn's types), which every process start (web workers, commands) would pay."""
    import skops.io

    return skops.io


MANIFEST_FILE = "manifest.json"
EVALUATION_FILE = "evaluation.json"
LIBRARIES = ("scikit-learn", "numpy", "scipy", "skops", "rjieba")
# Libraries whose major.minor must match for the stored objects to mean the same thing.
STRICT_LIBRARIES = ("scikit-learn", "skops")
PICKLE_SUFFIXES = {".pkl", ".pickle", ".joblib", ".pck", ".dill", ".sav"}
TRUSTED = [
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.str",
    "builtins.float",
    "builtins.int",
    "builtins.NoneType",
    "builtins.bool",
    "numpy.dtype",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
]
MAX_BITS = 24  # a hash table larger than 2^24 buckets per view is not ours


def _view_state(spec: ViewSpec, feats: Featuriser) -> dict:
    """A view as plain values: its settings, its kept hash buckets and their idf."""
    return {
        "name": spec.name,
        "kind": spec.kind,
        "ngram_range": [int(x) for x in spec.ngram_range],
        "bits": int(spec.bits),
        "weight": float(spec.weight),
        "columns": np.asarray(feats.columns[spec.name], dtype=np.int64),
        "idf": np.asarray(feats.idf[spec.name], dtype=np.float32),
    }


def _featuriser_from(states: list) -> Featuriser:
    specs, columns, idf = [], {}, {}
    for st in states:
        spec = ViewSpec(
            name=str(st["name"]),
            kind=str(st["kind"]),
            ngram_range=(int(st["ngram_range"][0]), int(st["ngram_range"][1])),
            bits=int(st["bits"]),
            weight=float(st["weight"]),
        )
        cols = np.asarray(st["columns"], dtype=np.int64)
        if (
            spec.name not in VIEWS
            or spec.kind not in ("char", "word")
            or not 1 <= spec.ngram_range[0] <= spec.ngram_range[1] <= 6
            or not 1 <= spec.bits <= MAX_BITS
            or len(cols) != len(st["idf"])
            or (len(cols) and (cols.min() < 0 or cols.max() >= 1 << spec.bits))
        ):
            raise ValueError("view")
        specs.append(spec)
        columns[spec.name] = cols
        idf[spec.name] = st["idf"]
    if [s.name for s in specs] != list(VIEWS):
        raise ValueError("views")
    return Featuriser(specs, columns, idf)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - all are dependencies
            versions[name] = "unknown"
    return versions


def _state(model: TextClassifier) -> dict:
    return {
        "labels": list(model.labels),
        "views": [_view_state(spec, model.featuriser) for spec in model.specs],
        "coef": np.ascontiguousarray(model.coef, dtype=np.float32),
        "intercept": np.asarray(model.intercept, dtype=np.float64),
        "temperature": float(model.temperature),
        "bias": np.asarray(model.bias, dtype=np.float64),
        "prior": np.asarray(model.prior, dtype=np.float64),
        "offsets": np.asarray(model.offsets, dtype=np.float64),
    }


def save(model: TextClassifier, model_dir: Path, *, training_data_hash: str, source: str) -> None:
    """Write ``model.skops`` and ``manifest.json`` into ``model_dir`` (created if needed); any
    earlier evaluation report there is removed, since it was about another model."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    target = model_dir / MODEL_FILE
    tmp = model_dir / (MODEL_FILE + ".tmp")
    _skops().dump(_state(model), tmp)
    tmp.replace(target)
    (model_dir / EVALUATION_FILE).unlink(missing_ok=True)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": source,
        "training_data_hash": training_data_hash,
        "labels": list(model.labels),
        "metrics": model.manifest.get("metrics", {}),
        "config": model.manifest.get("config", {}),
        "libraries": library_versions(),
        "files": {MODEL_FILE: sha256_of(target)},
    }
    (model_dir / MANIFEST_FILE).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    model.manifest = manifest


def read_manifest(model_dir: Path) -> dict:
    model_dir = Path(model_dir)
    path = model_dir / MANIFEST_FILE
    if not model_dir.is_dir():
        raise ModelError(
            _("模型目录不存在：%(path)s。"), code=Code.MODEL_MISSING, path=str(model_dir)
        )
    if not path.is_file():
        raise ModelError(
            _("模型目录 %(path)s 中没有 manifest.json，不是派单模型目录。"),
            code=Code.MODEL_MISSING,
            path=str(model_dir),
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ModelError(
            _("模型清单 %(path)s 已损坏（不是有效的 JSON）。"),
            code=Code.MODEL_TAMPERED,
            path=str(path),
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelError(_("%(path)s 不是派单模型清单。"), code=Code.MODEL_VERSION, path=str(path))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            _("模型格式版本为 %(found)s，本程序只能读取版本 %(expected)s：请用本版本重新训练。"),
            code=Code.MODEL_VERSION,
            found=manifest.get("format_version"),
            expected=FORMAT_VERSION,
        )
    return manifest


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def _check_libraries(manifest: dict) -> None:
    stored = manifest.get("libraries") or {}
    here = library_versions()
    for name in STRICT_LIBRARIES:
        if _major_minor(str(stored.get(name, ""))) != _major_minor(here[name]):
            raise ModelError(
                _("模型由 %(lib)s %(found)s 训练，本机为 %(here)s：请用本机版本重新训练。"),
                code=Code.MODEL_VERSION,
                lib=name,
                found=stored.get(name, "?"),
                here=here[name],
            )


def _check_files(model_dir: Path, manifest: dict) -> None:
    for entry in model_dir.iterdir():
        if entry.suffix.lower() in PICKLE_SUFFIXES:
            raise ModelError(
                _(
                    "模型目录中有 pickle 文件 %(name)s：出于安全原因拒绝加载（模型只用 skops 保存）。"
                ),
                code=Code.MODEL_UNSAFE,
                name=entry.name,
            )
    files = manifest.get("files")
    if not isinstance(files, dict) or MODEL_FILE not in files:
        raise ModelError(_("模型清单没有列出模型文件及其校验值。"), code=Code.MODEL_TAMPERED)
    for name, digest in files.items():
        path = model_dir / name
        if Path(name).name != name or not path.is_file():
            raise ModelError(_("模型文件 %(name)s 缺失。"), code=Code.MODEL_MISSING, name=name)
        with path.open("rb") as fh:
            head = fh.read(2)
        if head[:1] == b"\x80":  # the pickle protocol marker
            raise ModelError(
                _("模型文件 %(name)s 是 pickle 格式：出于安全原因拒绝加载。"),
                code=Code.MODEL_UNSAFE,
                name=name,
            )
        if sha256_of(path) != digest:
            raise ModelError(
                _("模型文件 %(name)s 的校验值与清单不符：文件已被修改，拒绝加载。"),
                code=Code.MODEL_TAMPERED,
                name=name,
            )


def load(model_dir: Path) -> TextClassifier:
    """The model stored in ``model_dir``; ``ModelError`` on any problem."""
    model_dir = Path(model_dir)
    manifest = read_manifest(model_dir)
    _check_files(model_dir, manifest)
    _check_libraries(manifest)
    path = model_dir / MODEL_FILE
    try:
        untrusted = set(_skops().get_untrusted_types(file=path)) - set(TRUSTED)
        if untrusted:
            raise ModelError(
                _("模型文件含有不允许的类型：%(types)s，拒绝加载。"),
                code=Code.MODEL_UNSAFE,
                types=", ".join(sorted(untrusted)),
            )
        state = _skops().load(path, trusted=TRUSTED)
    except ModelError:
        raise
    except Exception as exc:  # skops raises many kinds on a corrupt file
        raise ModelError(
            _("模型文件 %(name)s 无法读取：%(error)s"),
            code=Code.MODEL_TAMPERED,
            name=MODEL_FILE,
            error=str(exc)[:200],
        ) from None
    try:
        model = TextClassifier(
            labels=[str(x) for x in state["labels"]],
            featuriser=_featuriser_from(list(state["views"])),
            coef=np.ascontiguousarray(state["coef"], dtype=np.float32),
            intercept=np.asarray(state["intercept"], dtype=np.float64),
            temperature=float(state["temperature"]),
            bias=np.asarray(state["bias"], dtype=np.float64),
            prior=np.asarray(state["prior"], dtype=np.float64),
            # absent from files written before the decision offsets: the most probable label
            offsets=np.asarray(state.get("offsets", np.zeros(len(state["labels"]))), dtype=float),
        )
        n_features = model.featuriser.n_features
        k = len(model.labels)
        consistent = (
            model.coef.shape == (k, n_features)
            and model.intercept.shape == (k,)
            and model.bias.shape == (k,)
            and model.prior.shape == (k,)
            and model.offsets.shape == (k,)
            and bool(np.isfinite(model.offsets).all())
        )
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        consistent = False
    if not consistent or list(manifest.get("labels") or []) != model.labels:
        raise ModelError(
            _("模型文件与清单不一致（分类或特征数不符），拒绝加载。"), code=Code.MODEL_TAMPERED
        )
    model.manifest = manifest
    return model


def read_evaluation(model_dir: Path) -> dict | None:
    path = Path(model_dir) / EVALUATION_FILE
    if not path.is_file():
        return None
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return report if isinstance(report, dict) else None


def write_evaluation(model_dir: Path, report: dict) -> None:
    path = Path(model_dir) / EVALUATION_FILE
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
