"""Demo of 秒批 and 免申即享 for 云溪区: the data connectors (a population reference table
uploaded as CSV, the platform's cases and e-licences), draft rule sets in ``instant`` mode for
老年人优待证办理, 高龄老人长寿补贴申领 and 房屋租赁登记备案, and two policies — the longevity
subsidy granted with no application (免申即享) and the elderly preferential treatment to apply
for.

The rule sets stay drafts here: a rule set becomes active only from a replay report, and the past
cases to replay exist only once the cases demo has run. ``tongban.cases.demo_instant`` (called
at the end of the cases demo) replays and activates them, files a few instant applications and
runs the policy matching.

The population table is generated (fictional names, valid ID numbers) and holds the core demo's
persons as they are (王建国 78, 陈秀英 70 …), so their applications meet the rules as expected.
``load`` is idempotent.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from tongban.catalog import selectors as catalog_selectors
from tongban.core import workdays
from tongban.core.demo import APPLICANTS
from tongban.core.models import Department

from .models import Connector, Policy, PolicyAudience, ReferenceTable, RuleSet
from .services import connector_save, reference_table_upload, rule_set_save

SEED = "tongban-rules-demo"
TABLE_NAME = "云溪区人口基础信息（演示抽取）"
DISTRICT = "云溪区"
PREFIX = "演示："

ELDERLY_CARD = "老年人优待证办理"
LONGEVITY = "高龄老人长寿补贴申领"
RENTAL = "房屋租赁登记备案"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
GIVEN = [
    "秀英",
    "桂英",
    "玉兰",
    "淑珍",
    "凤英",
    "建国",
    "国强",
    "德明",
    "永刚",
    "卫东",
    "春生",
    "立新",
    "振华",
    "志强",
    "秀兰",
    "美玲",
]

CONNECTORS = [
    {
        "code": "population",
        "name": "人口基础信息（公安户籍、民政数据抽取）",
        "kind": "table",
        "department": "gaj",
        "fields": [
            {"name": "name", "type": "string", "label": "姓名"},
            {"name": "hukou_district", "type": "string", "label": "户籍所在区县"},
            {"name": "residence_permit", "type": "bool", "label": "持有本区有效居住证"},
            {"name": "status", "type": "string", "label": "户籍状态"},
            {"name": "longevity_subsidy", "type": "bool", "label": "正在领取长寿补贴"},
        ],
    },
    {
        "code": "licences",
        "name": "电子证照库",
        "kind": "platform",
        "department": "sjj",
        "config": {"source": "licences"},
        "fields": [{"name": "valid_types", "type": "list", "label": "持有的有效电子证照类型"}],
    },
    {
        "code": "cases",
        "name": "办件库",
        "kind": "platform",
        "department": "sjj",
        "config": {"source": "cases"},
        "fields": [
            {"name": "open_items", "type": "list", "label": "正在办理中的事项"},
            {"name": "approved_items", "type": "list", "label": "已获准予的事项"},
        ],
    },
]


def _rule(name: str, expression: str, message: str, severity: str = "blocking") -> dict:
    return {"name": name, "expression": expression, "message": message, "severity": severity}


HUKOU = _rule(
    "户籍在本区或持本区居住证",
    f'population.hukou_district == "{DISTRICT}" || population.residence_permit',
    "人口信息中申请人户籍不在云溪区，也没有本区有效居住证。",
)
ALIVE = _rule(
    "户籍状态正常",
    'population.status == "正常"',
    "人口信息中申请人的户籍状态不是“正常”，需人工核实。",
    "needs_review",
)


def rule_sets(codes: dict[str, str]) -> dict[str, list[dict]]:
    """The demo rules of each item (by name), given the items' implementation codes."""
    return {
        ELDERLY_CARD: [
            _rule(
                "年满60周岁",
                "applicant.age >= 60",
                "申请人在申请之日未满 60 周岁（按身份证出生日期计算周岁）。",
            ),
            HUKOU,
            _rule(
                "未持有有效的老年人优待证",
                '!("YXLRYDZ" in licences.valid_types)',
                "电子证照库中申请人已有有效的老年人优待证，无需重复办理；遗失的请申请补办。",
            ),
            ALIVE,
        ],
        LONGEVITY: [
            _rule(
                "年满80周岁",
                "applicant.age >= 80",
                "申请人在申请之日未满 80 周岁（按身份证出生日期计算周岁）。",
            ),
            _rule(
                "户籍在本区",
                f'population.hukou_district == "{DISTRICT}"',
                "长寿补贴发放对象须为云溪区户籍，人口信息中申请人户籍不在本区。",
            ),
            _rule(
                "未在领取长寿补贴",
                "!population.longevity_subsidy",
                "民政数据显示申请人已在领取长寿补贴，不能重复申领。",
            ),
            _rule(
                "没有正在办理的同一申请",
                f'!("{codes.get(LONGEVITY, "")}" in cases.open_items)',
                "申请人已有一件正在办理中的长寿补贴申请。",
            ),
            ALIVE,
        ],
        RENTAL: [
            _rule(
                "申请人为完全民事行为能力人",
                'applicant.kind == "enterprise" || applicant.age >= 18',
                "申请人未满 18 周岁，需由监护人办理。",
            ),
            _rule(
                "承租人为个人",
                'answers.tenant_kind == "person"',
                "承租人为单位的，需核验营业执照和用途，转人工审核。",
                "needs_review",
            ),
            _rule(
                "出租房屋非多人共有",
                'answers.co_owned == "no"',
                "共有房屋出租须核验共有人的书面同意，转人工审核。",
                "needs_review",
            ),
            _rule(
                "没有正在办理的备案申请",
                f'!("{codes.get(RENTAL, "")}" in cases.open_items)',
                "申请人已有一件正在办理中的租赁备案申请。",
            ),
        ],
    }


POLICIES = [
    {
        "code": "longevity-subsidy-auto",
        "name": "高龄老人长寿补贴“免申即享”",
        "audience": PolicyAudience.PERSON,
        "department": "mzj",
        "summary": "年满 80 周岁的云溪区户籍老人，系统按户籍和年龄自动核定长寿补贴，无需申请，"
        "次月起按月发放至本人社会保障卡。",
        "automatic": True,
        "item": LONGEVITY,
        "rules": lambda codes: [
            r for r in rule_sets(codes)[LONGEVITY] if "cases." not in r["expression"]
        ],
    },
    {
        "code": "elderly-preferential",
        "name": "老年人优待（免费乘坐公交、公园景区免票）",
        "audience": PolicyAudience.PERSON,
        "department": "mzj",
        "summary": "年满 60 周岁的本区户籍或持本区居住证的老人，办理老年人优待证后可免费乘坐"
        "本区公交、免票游览公园景区。",
        "automatic": False,
        "item": ELDERLY_CARD,
        "rules": lambda codes: rule_sets(codes)[ELDERLY_CARD][:3],
    },
]


def _id_number(rng: random.Random, born: dt.date, seq: int, female: bool) -> str:
    order = (700 + seq) * 2 % 1000 + (0 if female else 1)
    # 330100 (杭州市) is a valid place of birth for every birth year (330106 only for later ones)
    body = f"330100{born:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def population_rows(today: dt.date) -> list[dict[str, str]]:
    """The demo population extract: the core demo's persons and about 160 generated elders
    (60 to 97), most with 户籍 in the district, some with a residence permit, a quarter of
    those over 80 already receiving the longevity subsidy."""
    rows = []
    for _user, name, id_number, _phone, _address in APPLICANTS:
        rows.append(
            {
                "id_no": id_number,
                "name": name,
                "hukou_district": DISTRICT,
                "residence_permit": "false",
                "status": "正常",
                "longevity_subsidy": "false",
            }
        )
    rng = random.Random(SEED)  # noqa: S311 - a repeatable demo, not security
    for seq in range(160):
        age = rng.choice([*range(60, 80), *range(80, 98)])
        born = dt.date(today.year - age - 1, rng.randint(1, 12), rng.randint(1, 28))
        female = rng.random() < 0.55
        local = rng.random() < 0.85
        rows.append(
            {
                "id_no": _id_number(rng, born, seq, female),
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "hukou_district": DISTRICT if local else rng.choice(["西湖区", "上城区"]),
                "residence_permit": "true" if not local and rng.random() < 0.6 else "false",
                "status": "正常" if rng.random() < 0.98 else "注销",
                "longevity_subsidy": "true" if age >= 80 and rng.random() < 0.25 else "false",
            }
        )
    return rows


def _csv(rows: list[dict[str, str]]) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def item_codes() -> dict[str, str]:
    """The implementation codes of the three demo items (by name), as the catalogue has them."""
    codes = {}
    for name in (ELDERLY_CARD, LONGEVITY, RENTAL):
        version = catalog_selectors.published_versions().filter(name=name).first()
        if version is not None:
            codes[name] = version.item.implementation_code
    return codes


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    created: dict[str, int] = {}
    codes = item_codes()
    if len(codes) < 3:
        out("rules: skipped: the demo catalogue's items are not there")
        return created
    today = workdays.business_date(timezone.now())
    with transaction.atomic():
        table = ReferenceTable.objects.filter(name=TABLE_NAME).first()
        if table is None:
            rows = population_rows(today)
            table = reference_table_upload(
                table=None,
                name=TABLE_NAME,
                key_column="id_no",
                file_name="population.csv",
                content=_csv(rows),
                actor=None,
            )
            created["population rows"] = table.row_count
        for spec in CONNECTORS:
            if Connector.objects.filter(code=spec["code"]).exists():
                continue
            config = spec.get("config") or {"table": table.pk, "key": "id_no"}
            connector_save(
                connector=None,
                code=spec["code"],
                name=spec["name"],
                kind=spec["kind"],
                fields=spec["fields"],
                config=config,
                department=Department.objects.filter(code=spec["department"]).first(),
                actor=None,
            )
            created["connectors"] = created.get("connectors", 0) + 1
        for name, rules in rule_sets(codes).items():
            if RuleSet.objects.filter(item_code=codes[name], name__startswith=PREFIX).exists():
                continue
            rule_set_save(
                rule_set=None,
                item_code=codes[name],
                name=f"{PREFIX}{name}（秒批）",
                mode="instant",
                rules=rules,
                actor=None,
            )
            created["rule sets"] = created.get("rule sets", 0) + 1
        for spec in POLICIES:
            if Policy.objects.filter(code=spec["code"]).exists():
                continue
            rule_set = rule_set_save(
                rule_set=None,
                item_code="",
                name=f"{PREFIX}{spec['name']}",
                mode="instant",
                rules=spec["rules"](codes),
                actor=None,
            )
            Policy.objects.create(
                code=spec["code"],
                name=spec["name"],
                audience=spec["audience"],
                summary=spec["summary"],
                department=Department.objects.get(code=spec["department"]),
                rule_set=rule_set,
                automatic=spec["automatic"],
                benefit_item_code=codes[spec["item"]],
                valid_from=dt.date(today.year, 1, 1),
            )
            created["policies"] = created.get("policies", 0) + 1
    if created:
        out("rules: " + ", ".join(f"{n} {what}" for what, n in created.items()))
    else:
        out("rules: nothing to do (already loaded)")
    return created
