"""The demo bundles (一件事). Member items are named by their demo item name; the loader turns the
names into implementation codes."""

from __future__ import annotations

from .common import ENTERPRISE_FORM, PERSON_FORM

RIDE_DRIVER = "网络预约出租汽车驾驶员证核发"
RIDE_VEHICLE = "网络预约出租汽车运输证核发"
RIDE_REGISTRATION = "机动车使用性质变更登记（预约出租客运）"
SELF_EMPLOYED = "个体工商户设立登记"
COMPANY = "有限责任公司设立登记"


def _entity_question(*, help_text: str) -> dict:
    """个体工商户 or 公司 (or already licensed): excludes the registration not needed."""
    return {
        "code": "entity_kind",
        "text": "您以什么主体经营？",
        "help_text": help_text,
        "options": [
            {"code": "self_employed", "label": "个体工商户（新办）", "excludes": [COMPANY]},
            {"code": "company", "label": "有限责任公司（新办）", "excludes": [SELF_EMPLOYED]},
            {
                "code": "licensed",
                "label": "已取得营业执照",
                "excludes": [SELF_EMPLOYED, COMPANY],
            },
        ],
    }


BUNDLES: list[dict] = [
    {
        "code": "wangyueche",
        "name": "我要开网约车",
        "summary": "用自己的车开网约车：一次申请，同时办理车辆使用性质变更登记（公安交警）、网约车"
        "运输证和网约车驾驶员证（交通运输），驾驶员背景由公安机关在线核查，身份证、行驶证、登记"
        "证书、保险和检验合格证明只交一次。",
        "audience": "person",
        "items": [RIDE_DRIVER, RIDE_VEHICLE, RIDE_REGISTRATION],
        "themes": ["transport", "employment"],
        "life_events": ["work", "driving"],
        "form_fields": [
            *PERSON_FORM,
            {"code": "plate_number", "label": "车牌号码", "type": "text", "required": True},
            {"code": "platform", "label": "拟加入的网约车平台", "type": "text", "required": False},
        ],
        "questions": [
            {
                "code": "has_driver_permit",
                "text": "您是否已取得网络预约出租汽车驾驶员证？",
                "options": [
                    {"code": "yes", "label": "已取得", "excludes": [RIDE_DRIVER]},
                    {"code": "no", "label": "尚未取得"},
                ],
            },
            {
                "code": "vehicle_registered",
                "text": "车辆的使用性质是否已登记为“预约出租客运”？",
                "help_text": "可在机动车行驶证“使用性质”一栏查看。",
                "options": [
                    {
                        "code": "yes",
                        "label": "已登记为预约出租客运",
                        "excludes": [RIDE_REGISTRATION],
                    },
                    {"code": "no", "label": "尚未登记（非营运）"},
                ],
            },
        ],
    },
    {
        "code": "birth",
        "name": "出生一件事",
        "summary": "孩子出生后一次申请，同时办理出生医学证明、新生儿落户、预防接种证、城乡居民医保"
        "参保和社会保障卡申领，父母身份证和出生医学证明只交一次，结果邮寄到家。",
        "audience": "person",
        "items": [
            "出生医学证明首次签发",
            "出生登记（新生儿落户）",
            "预防接种证办理",
            "城乡居民基本医疗保险参保登记",
            "社会保障卡申领",
        ],
        "themes": ["birth-adoption", "household", "medical"],
        "life_events": ["birth"],
        "form_fields": [
            *PERSON_FORM,
            {"code": "baby_name", "label": "新生儿姓名", "type": "text", "required": True},
            {"code": "baby_birth_date", "label": "出生日期", "type": "date", "required": True},
        ],
        "questions": [
            {
                "code": "birth_certificate_done",
                "text": "是否已在医院领取出生医学证明？",
                "options": [
                    {"code": "yes", "label": "已领取", "excludes": ["出生医学证明首次签发"]},
                    {"code": "no", "label": "尚未领取"},
                ],
            },
            {
                "code": "need_social_security_card",
                "text": "是否同时为新生儿申领社会保障卡？",
                "options": [
                    {"code": "yes", "label": "是"},
                    {"code": "no", "label": "暂不申领", "excludes": ["社会保障卡申领"]},
                ],
            },
        ],
    },
    {
        "code": "hotel",
        "name": "我要开宾馆",
        "summary": "开办宾馆、酒店或民宿：一次申请，并联办理营业执照、公共场所卫生许可和旅馆业特种"
        "行业许可证，营业执照、身份证等材料共享。消防安全检查由消防救援机构按告知承诺办理。",
        "audience": "enterprise",
        "items": [SELF_EMPLOYED, COMPANY, "公共场所卫生许可", "旅馆业特种行业许可证核发"],
        "themes": ["ent-startup", "ent-permits"],
        "life_events": ["ent-open", "ent-licence"],
        "form_fields": [
            *ENTERPRISE_FORM,
            {"code": "rooms", "label": "客房数量", "type": "integer", "required": True},
            {"code": "premises_address", "label": "经营场所地址", "type": "text", "required": True},
        ],
        "questions": [_entity_question(help_text="已有营业执照的，只办理两项许可。")],
    },
    {
        "code": "restaurant",
        "name": "我要开餐馆",
        "summary": "开办餐馆：一次申请，并联办理营业执照、食品经营许可和城镇污水排入排水管网许可。",
        "audience": "enterprise",
        "items": [SELF_EMPLOYED, COMPANY, "食品经营许可", "城镇污水排入排水管网许可"],
        "themes": ["ent-startup", "ent-permits", "ent-food-drug"],
        "life_events": ["ent-open", "ent-licence"],
        "form_fields": [
            *ENTERPRISE_FORM,
            {"code": "premises_address", "label": "经营场所地址", "type": "text", "required": True},
            {"code": "seats", "label": "就餐座位数", "type": "integer", "required": False},
        ],
        "questions": [
            _entity_question(help_text="已有营业执照的，只办理餐饮相关许可。"),
            {
                "code": "sewer_connected",
                "text": "经营场所的污水是否排入城镇排水管网？",
                "options": [
                    {"code": "yes", "label": "是"},
                    {
                        "code": "no",
                        "label": "否（自建处理设施或纳入园区管网）",
                        "excludes": ["城镇污水排入排水管网许可"],
                    },
                ],
            },
        ],
    },
    {
        "code": "company-start",
        "name": "企业开办一件事",
        "summary": "开办公司一次申请：营业执照、公章刻制和单位社会保险登记同步办理，一个工作日内办结，"
        "首套印章免费。",
        "audience": "enterprise",
        "items": [COMPANY, "公章刻制备案", "单位社会保险登记"],
        "themes": ["ent-startup", "ent-hr"],
        "life_events": ["ent-open"],
        "form_fields": [
            *ENTERPRISE_FORM,
            {
                "code": "registered_capital",
                "label": "注册资本（万元）",
                "type": "decimal",
                "required": True,
            },
        ],
        "questions": [
            {
                "code": "need_seal",
                "text": "是否同步刻制实体公章？",
                "options": [
                    {"code": "yes", "label": "是（首套免费）"},
                    {"code": "no", "label": "否，仅使用电子印章", "excludes": ["公章刻制备案"]},
                ],
            }
        ],
    },
    {
        "code": "retirement",
        "name": "退休一件事",
        "summary": "到龄退休一次申请：基本养老金申领、退休人员医保待遇核定，年满 60 周岁的同时办理"
        "老年人优待证。",
        "audience": "person",
        "items": [
            "职工基本养老保险待遇申领（退休）",
            "退休人员基本医疗保险待遇核定",
            "老年人优待证办理",
        ],
        "themes": ["social-security", "elderly-care"],
        "life_events": ["retirement"],
        "form_fields": PERSON_FORM,
        "questions": [
            {
                "code": "aged_60",
                "text": "您是否已年满 60 周岁？",
                "options": [
                    {"code": "yes", "label": "是"},
                    {"code": "no", "label": "否", "excludes": ["老年人优待证办理"]},
                ],
            }
        ],
    },
    {
        "code": "after-death",
        "name": "身后一件事",
        "summary": "亲人去世后一次申请：死亡医学证明、户口注销、基本殡葬服务费用减免和丧葬补助金、"
        "抚恤金申领一并办理，少跑腿、少填表。",
        "audience": "person",
        "items": [
            "居民死亡医学证明（推断）书签发",
            "死亡注销户口",
            "基本殡葬服务费用减免",
            "丧葬补助金、抚恤金申领",
        ],
        "themes": ["funeral", "household", "social-security"],
        "life_events": ["death"],
        "form_fields": [
            *PERSON_FORM,
            {"code": "deceased_name", "label": "逝者姓名", "type": "text", "required": True},
            {
                "code": "deceased_id_number",
                "label": "逝者公民身份号码",
                "type": "id_number",
                "required": True,
            },
        ],
        "questions": [
            {
                "code": "employee_pension",
                "text": "逝者生前是否参加职工基本养老保险（含已退休）？",
                "options": [
                    {"code": "yes", "label": "是"},
                    {"code": "no", "label": "否", "excludes": ["丧葬补助金、抚恤金申领"]},
                ],
            }
        ],
    },
]
