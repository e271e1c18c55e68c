"""A tiny dispatch classifier for the hotline tests, trained with the product's ``train`` on a
few generated messages about the subjects of ``factories.hotline_world`` (labels are subject
codes), stored with ``save`` and activated through ``registry`` like a real one.

Training takes a second or two, so the model directory is made once per session
(``tiny_model_dir``) and each test activates it in its own database (``activate``).
"""

from __future__ import annotations

import random
from pathlib import Path

from tongban.hotline import suggestions
from tongban.hotline.classifier import TrainingRow, registry, rows_hash, save, train
from tongban.hotline.classifier.evaluation import evaluate_predictions
from tongban.hotline.classifier.storage import MODEL_FILE, write_evaluation

PONDING, STREETLIGHT, NOISE, WATER = "03.02.05", "03.02.06", "05.01.01", "07.01.01"

PHRASES = {
    PONDING: [
        "下雨后路面积水很深",
        "道路积水严重，行人无法通行",
        "雨后积水一直排不掉",
        "路口内涝，车辆熄火",
        "排水不畅，门口全是积水",
    ],
    STREETLIGHT: [
        "路灯不亮已经一周",
        "路灯损坏，晚上一片漆黑",
        "灯杆倒了，路灯坏了",
        "小区外面的路灯一直闪",
        "夜里路灯全部熄灭",
    ],
    NOISE: [
        "楼上装修噪音扰民",
        "深夜有人唱歌吵闹，噪音很大",
        "隔壁邻居每天半夜吵闹",
        "商铺音响噪音影响休息",
        "夜里施工噪音太大睡不着",
    ],
    WATER: [
        "家里突然停水了",
        "自来水停水没有通知",
        "水压很低，楼上没有水",
        "连续两天停水，生活不便",
        "自来水管爆裂后停水",
    ],
}
PLACES = ["学府路", "望湖路", "桂花苑", "湖滨花园", "东湖新村", "云溪大道", "春晖小区", "西岭巷"]
TAILS = ["请尽快处理。", "希望有关部门解决。", "已经反映多次了。", "麻烦派人来看看。", ""]


def training_rows(per_label: int = 24, seed: int = 7) -> list[TrainingRow]:
    rng = random.Random(seed)
    rows = []
    for label, phrases in PHRASES.items():
        for i in range(per_label):
            phrase = phrases[i % len(phrases)]
            place = rng.choice(PLACES)
            text = f"{place}{rng.randint(1, 99)}号附近{phrase}，{rng.choice(TAILS)}"
            rows.append(TrainingRow(id=f"{label}-{i}", title=phrase[:8], text=text, label=label))
    return rows


def build(model_dir: Path, rows: list[TrainingRow] | None = None) -> Path:
    """Train, save and write the evaluation report (on the training rows: a test model)."""
    rows = rows or training_rows()
    model = train(rows)
    save(model, model_dir, training_data_hash=rows_hash(rows), source="tests")
    predicted = model.predict([r.title for r in rows], [r.text for r in rows])
    report = evaluate_predictions(
        [r.label for r in rows],
        [label for label, _c in predicted],
        [c for _l, c in predicted],
        list(model.labels),
    )
    report["model_sha256"] = model.manifest["files"][MODEL_FILE]  # the report is of this model
    report["data"] = {"path": "generated", "hash": rows_hash(rows)}
    write_evaluation(model_dir, report)
    return model_dir


def activate(model_dir: Path):
    """Make the model active (its registry row, the per-process cache) and install the hook."""
    registry.activate(model_dir, actor=None)
    registry.invalidate()
    suggestions.invalidate()
    suggestions.install()
    return registry.active()


def deactivate() -> None:
    registry.invalidate()
    suggestions.invalidate()
