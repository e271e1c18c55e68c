"""A small generated sample of citizen messages for the classifier tests (our own sentences, not
the shared data): four topics, each message a place, a complaint phrase and a closing, so that
the topic is learnable and the messages differ."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from tongban.hotline.classifier import TrainingRow

TOPICS = {
    "交通运输": [
        ("公交车长时间不来", "早高峰公交车二十分钟才来一班，站台挤满了人"),
        ("出租车拒载", "晚上在火车站打车，出租车司机嫌路近拒载"),
        ("红绿灯时间太短", "路口红绿灯设置不合理，行人来不及过马路"),
        ("道路拥堵严重", "上下班时段道路拥堵，车辆排队一公里"),
        ("共享单车乱停", "地铁口共享单车乱停乱放，堵住了盲道"),
    ],
    "教育文体": [
        ("学校乱收费", "孩子所在学校要求购买指定的教辅资料，额外收取费用"),
        ("幼儿园入园难", "小区附近没有公办幼儿园，孩子报名排不上"),
        ("学生课业负担重", "小学生每天作业写到深夜，课外培训班太多"),
        ("体育场馆不开放", "区体育馆周末不对市民开放，想锻炼没有场地"),
        ("图书馆座位不够", "市图书馆自习座位太少，早上排队也抢不到"),
    ],
    "环境保护": [
        ("工厂排放废气", "附近化工厂夜间排放刺鼻废气，居民无法开窗"),
        ("河道污水横流", "小河被倒入生活污水，水面发黑发臭"),
        ("工地扬尘严重", "建筑工地没有围挡洒水，扬尘弥漫整条街"),
        ("垃圾焚烧污染", "村口有人露天焚烧垃圾，浓烟呛人"),
        ("夜间施工噪声", "工地夜间施工机器轰鸣，噪声污染影响睡眠"),
    ],
    "卫生计生": [
        ("医院挂号难", "专家号一放出来就被抢光，看病挂不上号"),
        ("诊所无证行医", "小区门口的诊所没有执业资质，还在给人打针"),
        ("医保报销慢", "住院费用报销手续繁琐，几个月还没到账"),
        ("疫苗接种预约", "孩子接种疫苗预约不上，社区卫生服务中心电话打不通"),
        ("药店卖过期药", "在药店买到过期的感冒药，要求查处"),
    ],
}
PLACES = ["学府路", "望湖路", "桂花苑", "湖滨花园", "东湖新村", "云溪大道", "春晖小区", "西岭巷"]
OPENINGS = ["", "您好，", "领导您好：", "我是附近居民，"]
CLOSINGS = ["请尽快处理。", "希望有关部门重视。", "已经反映多次，盼回复。", "谢谢！", ""]


def rows(per_label: int = 30, seed: int = 11, labels: list[str] | None = None) -> list[TrainingRow]:
    rng = random.Random(seed)
    out = []
    for label in labels or list(TOPICS):
        phrases = TOPICS[label]
        for i in range(per_label):
            title, body = phrases[i % len(phrases)]
            text = (
                f"{rng.choice(OPENINGS)}{rng.choice(PLACES)}{rng.randint(1, 200)}号附近，"
                f"{body}。{rng.choice(CLOSINGS)}"
            )
            if i % 7 == 3:  # title-only messages occur in real data
                text = ""
            out.append(TrainingRow(id=f"{label}-{seed}-{i}", title=title, text=text, label=label))
    rng.shuffle(out)
    return out


def write_csv(path: Path, data: list[TrainingRow], *, extra: bool = True, label: bool = True):
    header = ["id", "title", "text"] + (["label"] if label else []) + (["time"] if extra else [])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for r in data:
            cells = [r.id, r.title, r.text] + ([r.label] if label else [])
            writer.writerow(cells + (["2020-01-01 08:00:00"] if extra else []))
    return path


def noisy_rows(n: int, seed: int, *, mix: float = 0.3, flip: float = 0.1) -> list[TrainingRow]:
    """Generated messages that are hard to classify, for the calibration check without the shared
    data: two or three clauses, each from the message's topic or (with probability ``mix``) from
    another one, an optional title, and a share ``flip`` of labels replaced at random (labelling
    errors, as in real data). No model can be sure of these, so confidences must spread."""
    rng = random.Random(seed)
    labels = list(TOPICS)
    out = []
    for i in range(n):
        label = labels[i % len(labels)]
        clauses = []
        for _ in range(rng.randint(2, 3)):
            source = label if rng.random() >= mix else rng.choice(labels)
            title, body = rng.choice(TOPICS[source])
            clauses.append(rng.choice([title, body]))
        text = f"{rng.choice(OPENINGS)}{rng.choice(PLACES)}，" + "，".join(clauses) + "。"
        title = rng.choice(TOPICS[label])[0] if rng.random() < 0.3 else ""
        if rng.random() < flip:
            label = rng.choice(labels)
        out.append(TrainingRow(id=f"noisy-{seed}-{i}", title=title, text=text, label=label))
    return out
