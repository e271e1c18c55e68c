"""How fast the catalogue answers: latency of ``search()`` and of ``materials_for()``.

    .venv/bin/python bench/catalog_search.py [--items 10000] [--searches 2000] [--lookups 1000]

Sets up Django itself (local settings, a throwaway data directory, migrations applied quietly),
generates a catalogue of published items with realistic Chinese names built from parts, over
sixteen departments, each with 4–8 materials, a third with a situation question (some with a
follow-up question), then measures one call at a time:

- ``search()`` over a mix of queries: words from names, whole names, full pinyin, pinyin
  prefixes, initials, names with one wrong or missing character, material names and questions
  in plain words ("…怎么办理");
- ``materials_for(item, answers)`` on random items with random valid answers (the whole read:
  the published version with its materials and situation tree from the database, then the walk).

The specs are validated with ``validate_item_spec``; a sample of them is saved and published
through ``item_save_spec`` (the service), the rest written with bulk inserts, since this is
test-data generation. Prints p50/p90/p99/max and whether the targets (p50 ≤ 20 ms, p99 ≤ 60 ms)
are met; never fails on time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable


def words(text: str) -> list[str]:
    return text.split()


P50_TARGET_MS = 20.0
P99_TARGET_MS = 60.0

DEPARTMENTS = {
    # code: (name, subjects)
    "scjg": (
        "市场监督管理局",
        "食品 食品小作坊 药品零售 医疗器械 特种设备 计量器具 个体工商户 农民专业合作社 "
        "有限责任公司 股份有限公司 广告 商标 工业产品",
    ),
    "wjw": (
        "卫生健康局",
        "公共场所卫生 医疗机构 母婴保健 放射诊疗 饮用水供水单位 护士执业 医师执业 消毒产品",
    ),
    "jtj": (
        "交通运输局",
        "道路货物运输 道路旅客运输 出租汽车 网络预约出租汽车 机动车维修 驾驶员培训 城市公交 "
        "危险货物运输",
    ),
    "mzj": (
        "民政局",
        "社会团体 民办非企业单位 养老机构 婚姻 殡葬服务 最低生活保障 特困人员供养 老年人优待证 "
        "高龄老人长寿补贴",
    ),
    "rsj": ("人力资源和社会保障局", "就业 失业 职业技能 社会保险 人力资源服务 劳务派遣 创业补贴"),
    "zjj": (
        "住房和城乡建设局",
        "建筑工程施工 房屋租赁 商品房预售 物业服务 燃气经营 城市建筑垃圾处置 建筑业企业资质",
    ),
    "zrzyj": ("自然资源局", "建设用地 建设工程规划 乡村建设规划 不动产 临时用地 林木采伐"),
    "jyj": ("教育局", "教师资格 民办学校 校外培训机构 学生资助 幼儿园"),
    "gaj": ("公安局", "户口 居民身份证 出入境 机动车 犬只 旅馆业特种行业 保安服务 烟花爆竹运输"),
    "sthjj": ("生态环境局", "排污 建设项目环境影响评价 危险废物经营 辐射安全"),
    "wlj": ("文化广电旅游局", "营业性演出 娱乐场所 互联网上网服务营业场所 旅行社 艺术品经营"),
    "yjj": ("应急管理局", "危险化学品经营 烟花爆竹经营 安全生产 非煤矿山"),
    "swj": ("水务局", "取水 河道采砂 城市排水 节约用水 水土保持方案"),
    "nyj": ("农业农村局", "农药经营 兽药经营 种子生产经营 动物防疫 渔业捕捞 农机驾驶"),
    "tyj": ("体育局", "高危险性体育项目 体育类民办非企业单位 社会体育指导员"),
    "ylbzj": ("医疗保障局", "医疗保险 生育保险 异地就医 门诊慢特病 医疗救助"),
}
MIDDLES = ["", "经营", "生产", "从业人员", "设立", "临时", "延续", "新建", "分支机构", "跨区"]
ACTIONS = words(
    "许可 登记 备案 核准 审批 认定 证核发 证变更 证注销 证延续 证补办 申领 资格认定 年度报告 "
    "变更登记 注销登记 信息变更 迁移"
)
COMMON_MATERIALS = words(
    "居民身份证 营业执照 近期免冠照片 户口簿 结婚证 出生医学证明 劳动合同 社会保险缴费证明 "
    "场地使用证明 房屋租赁合同 从业人员健康证明 卫生管理制度 平面布局图 设备设施清单 检验检测报告 "
    "消防验收意见书 公司章程 股东会决议 法定代表人身份证明 环境影响评价文件 规划设计方案 "
    "土地使用证明 施工合同 安全生产责任制度 专业技术人员资格证书 驾驶证 机动车行驶证 毕业证书"
)
LICENCE_TYPES = {"居民身份证": "SFZ", "营业执照": "YYZZ", "户口簿": "HKB", "结婚证": "JHZ"}
THEMES = [("hjbl", "户籍办理", "person"), ("shbz", "社会保障", "person"), ("kbqy", "开办企业", "enterprise"),
          ("gcjs", "工程建设", "enterprise"), ("ylfw", "养老服务", "person"), ("jyzy", "就业创业", "person")]  # fmt: skip
SEARCH_WORDS = words(
    "许可 登记 食品经营 公共场所卫生 出租汽车 养老 社会保险 建设工程 营业执照 健康证明"
)
SERVICE_SAMPLE = 100  # saved and published through item_save_spec


def setup_django(data_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.config.settings.local"
    os.environ["TONGBAN_DATA_DIR"] = data_dir
    os.environ.setdefault("TONGBAN_DEBUG", "false")  # no query log growing during the run
    import django  # only once the environment is set

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# ---------------------------------------------------------------- the generated catalogue


def make_departments() -> dict:
    from stdnum.cn import uscc

    from tongban.core.services import department_create, region_create

    region = region_create(code="330199", name="云溪区")
    out = {}
    for n, (code, (name, _subjects)) in enumerate(DEPARTMENTS.items(), start=1):
        body = f"11330199{n:09d}"
        out[code] = department_create(
            code=code,
            name=f"云溪区{name}",
            region=region,
            credit_code=body + uscc.calc_check_digit(body + "0"),
        )
    return out


def item_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    combos = [
        (dept, f"{subject}{middle}{action}")
        for dept, (_name, subjects) in DEPARTMENTS.items()
        for subject in subjects.split()
        for middle in MIDDLES
        for action in ACTIONS
    ]
    rng.shuffle(combos)
    if count > len(combos):
        sys.exit(f"at most {len(combos)} distinct generated names")
    return combos[:count]


def make_spec(rng: random.Random, n: int, dept: str, name: str) -> dict:
    enterprise = any(w in name for w in ("公司", "经营", "生产", "企业", "机构", "单位"))
    picks = rng.sample(COMMON_MATERIALS, rng.randint(3, 7))
    materials = [{"seq": 1, "name": f"{name}申请表"}]
    for m in picks:
        material = {"seq": len(materials) + 1, "name": m}
        if m in LICENCE_TYPES:
            material |= {"source": "licence", "licence_type": LICENCE_TYPES[m]}
        material["deferrable"] = rng.random() < 0.15
        materials.append(material)
    questions = []
    if n % 3 == 0:
        proxy = len(materials) + 1
        materials += [
            {"seq": proxy, "name": "授权委托书", "necessity": "conditional"},
            {"seq": proxy + 1, "name": "受托人身份证", "necessity": "conditional"},
        ]
        questions.append(
            {
                "code": "self",
                "text": "是否本人办理？",
                "options": [
                    {"code": "yes", "label": "是"},
                    {"code": "no", "label": "否，委托他人办理", "adds": [proxy, proxy + 1]},
                ],
            }
        )
        if n % 9 == 0:
            materials.append({"seq": proxy + 2, "name": "亲属关系证明", "necessity": "conditional"})
            questions.append(
                {
                    "code": "kin",
                    "text": "受托人是否为申请人近亲属？",
                    "shown_if": "self.no",
                    "options": [
                        {"code": "yes", "label": "是", "adds": [proxy + 2]},
                        {"code": "no", "label": "否", "adds_condition": "委托书须经公证"},
                    ],
                }
            )
    legal = rng.choice([5, 10, 15, 20, 30, 60])
    return {
        "department": dept,
        "basic_code": f"0001{n:08d}",
        "exercise_level": "4",
        "name": name,
        "aliases": name[:2] + name[-2:] if n % 5 == 0 else "",
        "item_type": rng.choice(["01", "01", "07", "20", "05"]),
        "applicant_kind": "enterprise" if enterprise else rng.choice(["person", "both"]),
        "summary": f"{DEPARTMENTS[dept][0]}依申请办理{name}，申请人可在网上或窗口提交材料。",
        "conditions": f"申请人应符合{name}的法定条件，材料齐全、符合法定形式。",
        "legal_limit_days": legal,
        "promised_limit_days": rng.randint(1, legal),
        "handling_type": "promised",
        "outcome_name": f"{name}决定书",
        "legal_bases": [{"law_name": "中华人民共和国行政许可法", "clause_number": "第二十九条"}],
        "themes": [rng.choice(THEMES)[0]],
        "materials": materials,
        "questions": questions,
    }


def bulk_publish(specs: list[dict], departments: dict) -> None:
    """Write published items straight to the tables (the same rows ``item_save_spec`` writes)."""
    from django.db import transaction
    from django.utils import timezone

    from tongban.catalog.models import (
        LegalBasis,
        Material,
        ServiceItem,
        ServiceItemVersion,
        Theme,
    )
    from tongban.catalog.spec import ELEMENT_FIELDS, MATERIAL_FIELDS, with_defaults

    now = timezone.now()
    themes = {t.code: t for t in Theme.objects.all()}
    specs = [with_defaults(s) for s in specs]
    with transaction.atomic():
        items = ServiceItem.objects.bulk_create(
            [
                ServiceItem(
                    implementation_code=departments[s["department"]].credit_code
                    + s["exercise_level"]
                    + s["basic_code"],
                    basic_code=s["basic_code"],
                    exercise_level=s["exercise_level"],
                    department=departments[s["department"]],
                )
                for s in specs
            ],
            batch_size=2000,
        )
        versions = ServiceItemVersion.objects.bulk_create(
            [
                ServiceItemVersion(
                    item=item,
                    version=1,
                    status="published",
                    published_at=now,
                    **{k: s[k] for k in ELEMENT_FIELDS},
                )
                for item, s in zip(items, specs, strict=True)
            ],
            batch_size=2000,
        )
        LegalBasis.objects.bulk_create(
            [
                LegalBasis(version=v, order=0, **s["legal_bases"][0])
                for v, s in zip(versions, specs, strict=True)
            ],
            batch_size=2000,
        )
        ThemeLink = ServiceItemVersion.themes.through
        ThemeLink.objects.bulk_create(
            [
                ThemeLink(serviceitemversion_id=v.pk, theme_id=themes[code].pk)
                for v, s in zip(versions, specs, strict=True)
                for code in s["themes"]
            ],
            batch_size=5000,
        )
        materials = Material.objects.bulk_create(
            [
                Material(version=v, **{k: m[k] for k in MATERIAL_FIELDS})
                for v, s in zip(versions, specs, strict=True)
                for m in s["materials"]
            ],
            batch_size=5000,
        )
        by_seq = {(m.version_id, m.seq): m for m in materials}
        _bulk_questions(versions, specs, by_seq)


def _bulk_questions(versions, specs, by_seq) -> None:
    from tongban.catalog.models import SituationOption, SituationQuestion

    pairs = [(v, q, i) for v, s in zip(versions, specs, strict=True) for i, q in enumerate(s["questions"])]  # fmt: skip
    options: dict[tuple[int, str], object] = {}
    for depth in (False, True):  # follow-ups after the options they depend on exist
        batch = [(v, q, i) for v, q, i in pairs if bool(q.get("shown_if")) is depth]
        created = SituationQuestion.objects.bulk_create(
            [
                SituationQuestion(
                    version=v,
                    code=q["code"],
                    text=q["text"],
                    order=i,
                    shown_if=options.get((v.pk, q["shown_if"])) if depth else None,
                )
                for v, q, i in batch
            ],
            batch_size=5000,
        )
        new_options = SituationOption.objects.bulk_create(
            [
                SituationOption(
                    question=question,
                    code=o["code"],
                    label=o["label"],
                    order=j,
                    adds_condition=o.get("adds_condition", ""),
                )
                for question, (_v, q, _i) in zip(created, batch, strict=True)
                for j, o in enumerate(q["options"])
            ],
            batch_size=5000,
        )
        specs_of = [
            (v, q, o) for question, (v, q, _i) in zip(created, batch, strict=True) for o in q["options"]
        ]  # fmt: skip
        Adds = SituationOption.adds_materials.through
        Adds.objects.bulk_create(
            [
                Adds(situationoption_id=option.pk, material_id=by_seq[(v.pk, seq)].pk)
                for option, (v, _q, o) in zip(new_options, specs_of, strict=True)
                for seq in o.get("adds", [])
            ],
            batch_size=5000,
        )
        for option, (v, q, o) in zip(new_options, specs_of, strict=True):
            options[(v.pk, f"{q['code']}.{o['code']}")] = option


def build_catalogue(rng: random.Random, count: int) -> tuple[list[dict], dict]:
    from tongban.catalog.models import Theme
    from tongban.catalog.services import item_save_spec
    from tongban.catalog.spec import validate_item_spec, with_defaults

    departments = make_departments()
    Theme.objects.bulk_create(
        [Theme(code=c, name=n, audience=a, order=i) for i, (c, n, a) in enumerate(THEMES)]
    )
    specs = [make_spec(rng, n, dept, name) for n, (dept, name) in enumerate(item_names(rng, count))]
    invalid = [(s["name"], e) for s in specs if (e := validate_item_spec(with_defaults(s)))]
    if invalid:
        sys.exit(f"generated an invalid spec: {invalid[0]}")
    start = time.perf_counter()
    for spec in specs[:SERVICE_SAMPLE]:
        item_save_spec(spec=spec, publish=True)
    per_item = (time.perf_counter() - start) / max(1, min(SERVICE_SAMPLE, len(specs)))
    start = time.perf_counter()
    bulk_publish(specs[SERVICE_SAMPLE:], departments)
    bulk = time.perf_counter() - start
    print(
        f"catalogue: {count:,} published items; {min(SERVICE_SAMPLE, count)} through item_save_spec "
        f"({per_item * 1000:.1f} ms each, {per_item * count:.0f} s for all), "
        f"the rest in bulk ({bulk:.1f} s)"
    )
    return specs, departments


# ---------------------------------------------------------------- the workloads


def search_queries(rng: random.Random, specs: list[dict], count: int) -> list[tuple[str, str, str]]:
    """(kind, query, the name it was made from) for a mix of query kinds."""
    from pypinyin import lazy_pinyin

    names = [s["name"] for s in specs]
    cjk = sorted({ch for n in names for ch in n})
    out = []
    for i in range(count):
        name = rng.choice(names)
        sylls = lazy_pinyin(name)
        kind = ["words", "name", "pinyin", "pinyin_prefix", "initials", "typo", "material", "question"][i % 8]  # fmt: skip
        if kind == "words":
            start = rng.randrange(0, max(1, len(name) - 3))
            q = rng.choice([name[start : start + rng.randint(2, 4)], rng.choice(SEARCH_WORDS)])
        elif kind == "name":
            q = name
        elif kind == "pinyin":
            q = "".join(sylls)
        elif kind == "pinyin_prefix":
            q = "".join(sylls[: rng.randint(2, 4)])
        elif kind == "initials":
            q = "".join(s[0] for s in sylls[: rng.randint(3, 6)])
        elif kind == "typo":
            at = rng.randrange(len(name))
            q = name[:at] + (rng.choice(cjk) if rng.random() < 0.5 else "") + name[at + 1 :]
        elif kind == "material":
            q = rng.choice(COMMON_MATERIALS)
        else:
            q = (
                rng.choice(["我要办", "", "如何办理"])
                + name
                + rng.choice(["怎么办理", "需要什么材料", ""])
            )
        out.append((kind, q, name))
    return out


def random_answers(rng: random.Random, spec: dict) -> dict[str, str]:
    answers: dict[str, str] = {}
    chosen: set[str] = set()
    for q in spec["questions"]:
        if q.get("shown_if") and q["shown_if"] not in chosen:
            continue
        option = rng.choice(q["options"])["code"]
        answers[q["code"]] = option
        chosen.add(f"{q['code']}.{option}")
    return answers


def time_calls(calls: list[Callable[[], object]]) -> list[tuple[float, float]]:
    """Wall-clock and CPU milliseconds of each call, one at a time."""
    out = []
    for call in calls:
        wall, cpu = time.perf_counter(), time.thread_time()
        call()
        out.append(((time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000))
    return out


def percentile(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(p * len(sorted_ms)))]


def report(label: str, timings: list[tuple[float, float]]) -> None:
    wall = sorted(w for w, _c in timings)
    cpu = sorted(c for _w, c in timings)
    p50, p99 = statistics.median(wall), percentile(wall, 0.99)
    ok50 = "met" if p50 <= P50_TARGET_MS else "NOT met"
    ok99 = "met" if p99 <= P99_TARGET_MS else "NOT met"
    print(
        f"{label:<26} n={len(wall):>5}  p50 {p50:6.2f} ms ({ok50})  p90 {percentile(wall, 0.9):6.2f}  "
        f"p99 {p99:6.2f} ms ({ok99})  max {wall[-1]:6.2f}  | CPU p50 {statistics.median(cpu):5.2f} "
        f"p99 {percentile(cpu, 0.99):6.2f} ms"
    )


def load() -> str:
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=2_000)
    parser.add_argument("--lookups", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="tongban-bench-") as data_dir:
        setup_django(data_dir)
        from tongban.catalog import search, selectors
        from tongban.catalog.models import ServiceItem

        specs, departments = build_catalogue(rng, args.items)
        search.invalidate()
        start = time.perf_counter()
        docs = search.warm()
        built = time.perf_counter() - start
        search.invalidate()
        start = time.perf_counter()
        search.warm()
        print(
            f"index: {docs:,} documents built in {built:.2f} s; rebuilt (as after a publish) "
            f"in {time.perf_counter() - start:.2f} s"
        )
        print(
            f"targets: p50 ≤ {P50_TARGET_MS:.0f} ms, p99 ≤ {P99_TARGET_MS:.0f} ms per call (wall clock)"
        )
        print(f"load average before timing: {load()}")

        queries = search_queries(rng, specs, args.searches)
        time_calls([lambda q=q: search.search(q) for _k, q, _n in queries[:100]])  # warm-up
        timings = time_calls([lambda q=q: search.search(q) for _k, q, _n in queries])
        report("search (all queries)", timings)
        for kind in dict.fromkeys(k for k, _q, _n in queries):
            report(f"  {kind}", [t for (k, _q, _n), t in zip(queries, timings, strict=True) if k == kind])  # fmt: skip
        print("quality: share of queries whose source item is among the first 10 hits")
        for kind in ("name", "pinyin", "typo", "question"):
            made = [(q, n) for k, q, n in queries if k == kind]
            found = sum(n in [h.name for h in search.search(q, limit=10).hits] for q, n in made)
            print(f"  {kind:<12} {found / len(made):6.1%} of {len(made)}")

        items = {i.implementation_code: i for i in ServiceItem.objects.select_related("department")}
        lookups = []
        for _ in range(args.lookups):
            spec = rng.choice(specs)
            code = departments[spec["department"]].credit_code + "4" + spec["basic_code"]
            lookups.append((items[code], random_answers(rng, spec)))
        calls = [lambda i=i, a=a: selectors.materials_for(i, a) for i, a in lookups]
        time_calls(calls[:50])  # warm-up
        timings = time_calls(calls)
        report("materials_for", timings)
        with_q = [t for (_i, a), t in zip(lookups, timings, strict=True) if a]  # fmt: skip
        report("  with situation answers", with_q)
        print(
            f"load average after timing: {load()} (other work on the machine shows in the wall clock)"
        )


if __name__ == "__main__":
    main()
