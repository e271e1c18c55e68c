"""E-licence demo: five licence types of the demo district (codes as the demo catalogue's items
name them, see tongban.catalog.demo_data.licences), an SM2 key and a drawn seal for each issuing
department, the demo enterprise's business licence (营业执照, imported) and the elderly demo
applicants' 老年人优待证. Idempotent. Licences from demo cases are issued by the cases demo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from tongban.catalog.selectors import published_versions
from tongban.core.models import Department, Enterprise, Person

from .models import HolderKind, KeyStatus, Licence, Seal, SigningKey, ValidityKind
from .services import key_create, licence_issue, seal_create
from .services.types import licence_type_upsert

TYPES = [
    {
        "code": "YXLRYDZ",
        "name": "老年人优待证",
        "department": "mzj",
        "holder_kind": HolderKind.PERSON,
        "validity_kind": ValidityKind.PERMANENT,
        "has_photo": True,
        "number_prefix": "YXYD",
        "reminder_days": 0,
        "layout": {"title": "云溪区老年人优待证", "colour": "#b22222", "paper": "A5"},
        "fields": [
            {
                "name": "birth_date",
                "label": "出生日期",
                "type": "date",
                "required": True,
                "personal": True,
            },
            {
                "name": "category",
                "label": "优待类别",
                "type": "choice",
                "required": True,
                "choices": ["60-69周岁", "70-79周岁", "80周岁以上"],
            },
            {
                "name": "address",
                "label": "户籍地址",
                "type": "text",
                "required": False,
                "personal": True,
            },
        ],
    },
    {
        "code": "SPJYXKZ",
        "name": "食品经营许可证",
        "department": "scjg",
        "holder_kind": HolderKind.ENTERPRISE,
        "validity_kind": ValidityKind.YEARS,
        "validity_years": 5,
        "number_prefix": "JY",
        "reminder_days": 60,
        "renewal_item_code": "",
        "layout": {
            "title": "食品经营许可证",
            "colour": "#1f4e9c",
            "fields": ["legal_representative", "address", "main_form", "scope"],
        },
        "fields": [
            {
                "name": "legal_representative",
                "label": "法定代表人（负责人）",
                "type": "text",
                "required": True,
            },
            {"name": "address", "label": "经营场所", "type": "text", "required": True},
            {
                "name": "main_form",
                "label": "主体业态",
                "type": "choice",
                "required": True,
                "choices": ["食品销售经营者", "餐饮服务经营者", "单位食堂"],
            },
            {"name": "scope", "label": "经营项目", "type": "text", "required": True},
        ],
    },
    {
        "code": "WYCJSYZ",
        "name": "网络预约出租汽车驾驶员证",
        "department": "jtj",
        "holder_kind": HolderKind.PERSON,
        "validity_kind": ValidityKind.YEARS,
        "validity_years": 6,
        "has_photo": True,
        "number_prefix": "WYJ",
        "reminder_days": 30,
        "layout": {"title": "网络预约出租汽车驾驶员证", "colour": "#0b6e4f", "paper": "A5"},
        "fields": [
            {
                "name": "driving_class",
                "label": "准驾车型",
                "type": "choice",
                "required": True,
                "choices": ["A1", "A2", "B1", "C1", "C2"],
            },
            {
                "name": "first_licensed_on",
                "label": "初次领取驾驶证日期",
                "type": "date",
                "required": True,
            },
            {
                "name": "address",
                "label": "住址",
                "type": "text",
                "required": False,
                "personal": True,
            },
        ],
    },
    {
        "code": "YYZZ",
        "name": "营业执照",
        "department": "scjg",
        "holder_kind": HolderKind.ENTERPRISE,
        "validity_kind": ValidityKind.PERMANENT,
        "number_prefix": "",
        "reminder_days": 0,
        "layout": {"title": "营业执照", "colour": "#b22222"},
        "fields": [
            {"name": "company_type", "label": "类型", "type": "text", "required": True},
            {
                "name": "legal_representative",
                "label": "法定代表人",
                "type": "text",
                "required": True,
            },
            {"name": "registered_capital", "label": "注册资本", "type": "text", "required": False},
            {"name": "established_on", "label": "成立日期", "type": "date", "required": True},
            {"name": "address", "label": "住所", "type": "text", "required": True},
            {"name": "scope", "label": "经营范围", "type": "text", "required": False},
        ],
    },
    {
        "code": "ZLBAZM",
        "name": "房屋租赁登记备案证明",
        "department": "zjj",
        "holder_kind": HolderKind.PERSON,
        "validity_kind": ValidityKind.YEARS,
        "validity_years": 1,
        "number_prefix": "ZLBA",
        "reminder_days": 30,
        "layout": {"title": "房屋租赁登记备案证明", "colour": "#6b3fa0"},
        "fields": [
            {
                "name": "house_address",
                "label": "房屋坐落",
                "type": "text",
                "required": True,
                "personal": True,
            },
            {
                "name": "lessor",
                "label": "出租人",
                "type": "text",
                "required": True,
                "personal": True,
            },
            {"name": "area", "label": "租赁面积（平方米）", "type": "number", "required": True},
            {
                "name": "purpose",
                "label": "租赁用途",
                "type": "choice",
                "required": True,
                "choices": ["居住", "商业", "办公"],
            },
            {"name": "lease_end", "label": "租赁期限至", "type": "date", "required": True},
        ],
    },
]

SEAL_NAMES = {
    "mzj": "行政审批专用章",
    "scjg": "行政审批专用章",
    "jtj": "行政审批专用章",
    "zjj": "房屋租赁登记备案专用章",
}


def _issuing_items(code: str) -> list[str]:
    return sorted(
        set(
            published_versions()
            .filter(outcome_licence_type=code)
            .values_list("item__implementation_code", flat=True)
        )
    )


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    created: dict[str, int] = {}

    def add(what: str, n: int = 1) -> None:
        created[what] = created.get(what, 0) + n

    departments = {d.code: d for d in Department.objects.filter(code__in=SEAL_NAMES)}
    missing = sorted(set(SEAL_NAMES) - set(departments))
    if missing:
        out(f"licences: skipped: demo departments missing: {', '.join(missing)}")
        return {}
    with transaction.atomic():
        types = {}
        for spec in TYPES:
            values = {k: v for k, v in spec.items() if k not in ("code", "department")}
            values["department"] = departments[spec["department"]]
            values["issuing_items"] = _issuing_items(spec["code"])
            licence_type, was_created = licence_type_upsert(code=spec["code"], **values)
            types[spec["code"]] = licence_type
            if was_created:
                add("licence types")
        for code, department in departments.items():
            if not Seal.objects.filter(department=department, is_active=True).exists():
                seal_create(department=department, name=SEAL_NAMES[code])
                add("seals")
            if not SigningKey.objects.filter(
                department=department, status=KeyStatus.ACTIVE
            ).exists():
                key_create(department=department)
                add("signing keys")
        _licences(types, add)
    if created:
        out("licences: " + ", ".join(f"{n} {what}" for what, n in created.items()))
    else:
        out("licences: nothing to do (already loaded)")
    return created


def _licences(types, add) -> None:
    business = types["YYZZ"]
    for enterprise in Enterprise.objects.order_by("id"):
        if Licence.objects.filter(licence_type=business, enterprise=enterprise).exists():
            continue
        legal = enterprise.legal_representative.name if enterprise.legal_representative else ""
        licence_issue(
            licence_type=business,
            enterprise=enterprise,
            data={
                "company_type": "有限责任公司（自然人投资或控股）",
                "legal_representative": legal or "—",
                "registered_capital": "100万元人民币",
                "established_on": "2021-06-18",
                "address": enterprise.address or "云溪区云溪街道学府路 88 号",
                "scope": "软件开发；信息技术咨询服务；数据处理服务。",
            },
            issued_on=dt.date(2021, 6, 18),
            imported=True,
            source_system="市场监管登记系统",
            number=enterprise.credit_code,
            actor_label="演示数据导入",
        )
        add("imported business licences")
    elderly = types["YXLRYDZ"]
    if Licence.objects.filter(licence_type=elderly).exists():
        # Only the district's first residents get one here; elders registered later by other
        # demos (e.g. 免申即享 benefits) must not receive a card on a second `demo load`.
        return
    for person in Person.objects.filter(birth_date__lte=dt.date(1966, 1, 1)).order_by("id"):
        if Licence.objects.filter(licence_type=elderly, person=person).exists():
            continue
        age = 2026 - person.birth_date.year
        licence_issue(
            licence_type=elderly,
            person=person,
            data={
                "birth_date": person.birth_date.isoformat(),
                "category": "80周岁以上"
                if age >= 80
                else "70-79周岁"
                if age >= 70
                else "60-69周岁",
                "address": person.address,
            },
            issued_on=dt.date(2024, 9, 9),
            actor_label="演示数据",
        )
        add("elderly licences")
