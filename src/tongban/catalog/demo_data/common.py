"""Builders shared by the demo catalogue's data modules.

They only shorten the data: every builder returns the plain spec dicts that
``catalog.services.item_save_spec`` and ``bundle_save`` take (see ``catalog.spec``).
"""

from __future__ import annotations

from typing import Any

from tongban.core.demo import DISTRICT_DEPARTMENTS

# Each department's consultation line is its switchboard (0571-8800xxxx, set by the core demo).
PHONES = {code: f"0571-8800{i:04d}" for i, (code, *_rest) in enumerate(DISTRICT_DEPARTMENTS, 1)}

HALL = "云溪区市民中心 2 号楼政务服务大厅"
LOCATIONS = {
    "person": f"{HALL}一楼 A 区综合受理窗口",
    "enterprise": f"{HALL}二楼 B 区企业服务综合窗口",
    "construction": f"{HALL}三楼 C 区工程建设项目审批综合窗口",
    "police": f"{HALL}一楼 D 区公安综合窗口，或户籍所在地派出所户籍窗口",
    "vehicles": "云溪市公安局云溪分局交警大队车辆管理所业务大厅（云溪区市民中心 14 号楼）",
    "marriage": "云溪区婚姻登记处（云溪区市民中心 6 号楼一楼）",
    "hospital": "新生儿出生的助产机构出生医学证明办理窗口（如云溪区人民医院门诊楼一楼）",
}
HOURS = "周一至周五 上午 9:00—12:00，下午 13:30—17:00（法定节假日除外）"
HOURS_ONLINE = "网上办理全天 24 小时受理；窗口办理时间为周一至周五 上午 9:00—12:00，下午 13:30—17:00（法定节假日除外）"

WINDOW, WEB, MOBILE, KIOSK = "window", "web", "mobile", "kiosk"
ALL_CHANNELS = [WINDOW, WEB, MOBILE, KIOSK]
PICKUP, MAIL, ELECTRONIC = "window", "mail", "electronic"

PERSON, ENTERPRISE, BOTH = "person", "enterprise", "both"
FULL, PREVIEW, OFFLINE = "full", "preview", "offline"

# The national item-type codes (standards.md §2.3).
LICENSING, PAYMENT, CONFIRMATION, OTHER_POWER, PUBLIC_SERVICE = "01", "05", "07", "10", "20"

PERSON_FORM = [
    {"code": "applicant_name", "label": "申请人姓名", "type": "text", "required": True},
    {"code": "id_number", "label": "公民身份号码", "type": "id_number", "required": True},
    {"code": "phone", "label": "联系电话", "type": "phone", "required": True},
    {"code": "address", "label": "联系地址", "type": "text", "required": True},
]
ENTERPRISE_FORM = [
    {"code": "entity_name", "label": "单位名称", "type": "text", "required": True},
    {"code": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True},
    {
        "code": "legal_representative",
        "label": "法定代表人（负责人）",
        "type": "text",
        "required": True,
    },
    {"code": "contact_name", "label": "联系人", "type": "text", "required": True},
    {"code": "phone", "label": "联系电话", "type": "phone", "required": True},
]

STEPS_LICENCE = [
    "申请：通过“云溪通办”网站、掌上办理或政务服务大厅综合窗口提交申请材料",
    "受理：材料齐全、符合法定形式的当场受理；需要补正的一次性告知全部补正内容",
    "审查：承办人员对申请材料进行审查，需要现场核查的组织两名以上工作人员核查",
    "决定：作出准予许可或不予许可的书面决定，不予许可的说明理由并告知救济途径",
    "送达：窗口领取、邮寄送达或生成电子证照",
]
STEPS_INSTANT = [
    "申请：网上、掌上或窗口提交申请",
    "受理并审核：材料齐全、符合条件的当场办结",
    "送达：结果当场领取或推送至申请人账户",
]
STEPS_GENERAL = [
    "申请：通过“云溪通办”网站、掌上办理或政务服务大厅综合窗口提交申请",
    "受理：材料齐全、符合法定形式的当场受理；需要补正的一次性告知全部补正内容",
    "审核：承办人员审核申请材料，通过数据共享核验相关信息",
    "办结：作出办理决定，不予办理的书面说明理由",
    "送达：窗口领取、邮寄送达或推送至申请人账户",
]
STEPS_BENEFIT = [
    "申请：本人或代理人网上、掌上或窗口提交申请",
    "受理：窗口或街道（镇）便民服务中心受理，材料不全的一次性告知",
    "审核：核对申请人信息，通过数据共享核查户籍、社保等情况",
    "审批：作出给付决定，不符合条件的书面告知理由",
    "发放：按月发放至申请人社会保障卡或本人银行账户",
]


def basic_code(item_type: str, main: int, sub: int = 0) -> str:
    """基本编码: ``00`` (national catalogue) + type + 5-digit main item + 3-digit sub-item."""
    return f"00{item_type}{main:05d}{sub:03d}"


def _default_steps(item_type: str, promised: int) -> list[str]:
    if promised == 0:
        return STEPS_INSTANT
    if item_type == LICENSING:
        return STEPS_LICENCE
    if item_type == PAYMENT:
        return STEPS_BENEFIT
    return STEPS_GENERAL


def item(
    department: str,
    main: int,
    item_type: str,
    name: str,
    *,
    legal: int,
    promised: int,
    where: str = "person",
    **fields: Any,
) -> dict[str, Any]:
    """An item spec with the demo district's defaults (county level, phone, hall, hours)."""
    kind = fields.get("applicant_kind", PERSON)
    spec: dict[str, Any] = {
        "department": department,
        "basic_code": basic_code(item_type, main),
        "exercise_level": "4",
        "name": name,
        "item_type": item_type,
        "legal_limit_days": legal,
        "promised_limit_days": promised,
        "handling_type": "instant" if promised == 0 else "promised",
        "consult_phone": PHONES[department],
        "location": LOCATIONS[where],
        "hours": HOURS_ONLINE if fields.get("online_depth", FULL) == FULL else HOURS,
        "form_fields": ENTERPRISE_FORM if kind == ENTERPRISE else PERSON_FORM,
        "process_steps": _default_steps(item_type, promised),
    }
    spec.update(fields)
    return spec


def law(name: str, clause: str = "", text: str = "", number: str = "") -> dict[str, str]:
    """A legal basis; ``name`` without the book-title marks (the guide adds them)."""
    return {
        "law_name": name,
        "document_number": number,
        "clause_number": clause,
        "clause_text": text,
    }


def mat(seq: int, name: str, **fields: Any) -> dict[str, Any]:
    return {"seq": seq, "name": name, **fields}


def form(seq: int, name: str, **fields: Any) -> dict[str, Any]:
    """An application form filled in online (signed on the spot when handled at a window)."""
    fields.setdefault("notes", "网上申请时在线填写，窗口办理时可现场填写或由工作人员帮办")
    return mat(seq, name, **fields)


def licence(seq: int, name: str, licence_type: str, **fields: Any) -> dict[str, Any]:
    """A material the platform attaches from the applicant's e-licences (免证办)."""
    fields.setdefault("notes", "已有电子证照的自动调取，无需提交；没有电子证照的提交原件核验")
    return mat(seq, name, source="licence", licence_type=licence_type, **fields)


def id_card(seq: int, who: str = "申请人", **fields: Any) -> dict[str, Any]:
    fields.setdefault("notes", "可使用电子身份证或现场刷卡核验，无需提交复印件")
    return licence(seq, f"{who}居民身份证", "SFZ", **fields)


def business_licence(seq: int, **fields: Any) -> dict[str, Any]:
    return licence(seq, "营业执照", "YYZZ", **fields)


def property_certificate(seq: int, **fields: Any) -> dict[str, Any]:
    return licence(seq, "不动产权证书", "BDCQZ", **fields)


def household_register(seq: int, who: str = "申请人", **fields: Any) -> dict[str, Any]:
    return licence(seq, f"{who}居民户口簿", "HKB", **fields)


def conditional(seq: int, name: str, **fields: Any) -> dict[str, Any]:
    """A material that only a situation option adds."""
    return mat(seq, name, necessity="conditional", **fields)


def proxy_materials(seq: int, *, enterprise: bool = False) -> list[dict[str, Any]]:
    """授权委托书 and the agent's ID (checked at the window, not an e-licence of the applicant)."""
    principal = "法定代表人（负责人）" if enterprise else "申请人"
    return [
        conditional(
            seq,
            "授权委托书",
            form="original",
            notes=f"委托他人办理时提交，须{principal}签字{'并加盖单位公章' if enterprise else ''}，写明委托事项和权限",
        ),
        conditional(
            seq + 1,
            "受托人居民身份证",
            form="original",
            holder="agent",
            notes="现场核验原件，网上办理时上传电子证照或照片",
        ),
    ]


def option(code: str, label: str, **fields: Any) -> dict[str, Any]:
    return {"code": code, "label": label, **fields}


def question(code: str, text: str, options: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"code": code, "text": text, "options": options, **fields}


def proxy_question(adds: list[int], *, enterprise: bool = False) -> dict[str, Any]:
    """是否本人办理 → 委托他人 adds 授权委托书 and 受托人身份证 (same codes everywhere, so a
    bundle asks it once)."""
    if enterprise:
        return question(
            "proxy",
            "是否由法定代表人（负责人）本人办理？",
            [
                option("self", "法定代表人（负责人）本人办理"),
                option("agent", "委托代理人办理", adds=adds),
            ],
        )
    return question(
        "proxy",
        "是否由申请人本人办理？",
        [option("self", "本人办理"), option("agent", "委托他人代为办理", adds=adds)],
    )


def yes_no(code: str, text: str, *, yes: dict | None = None, no: dict | None = None, **fields):
    return question(
        code,
        text,
        [option("yes", "是", **(yes or {})), option("no", "否", **(no or {}))],
        **fields,
    )


# Materials several departments ask for: the same name and source, so a bundle asks them once.
VEHICLE_CERTIFICATE = "机动车登记证书"
COMPULSORY_INSURANCE = "机动车交通事故责任强制保险凭证"
SAFETY_INSPECTION = "机动车安全技术检验合格证明"
PREMISES_PROOF = "经营场所使用证明（租赁合同）"
PREMISES_COMMITMENT = "住所（经营场所）申报承诺书"


def vehicle_materials(seq: int) -> list[dict[str, Any]]:
    """登记证书, 交强险 and 安全技术检验 of one vehicle (asked by both 公安交警 and 交通运输)."""
    return [
        mat(seq, VEHICLE_CERTIFICATE, form="original", notes="交验原件，办结后退还"),
        mat(
            seq + 1,
            COMPULSORY_INSURANCE,
            notes="电子保单由系统核验；使用性质变更的须为变更后的营运车辆保单",
        ),
        mat(
            seq + 2,
            SAFETY_INSPECTION,
            source="other",
            source_note="机动车安全技术检验机构出具",
            notes="检验机构已联网上传的免提交",
        ),
    ]


def premises_materials(seq: int) -> list[dict[str, Any]]:
    """The three ways to show the business premises (自有 / 租赁 / 住所申报承诺)."""
    return [
        property_certificate(
            seq, necessity="conditional", notes="由系统核验不动产登记信息，免提交"
        ),
        conditional(
            seq + 1,
            PREMISES_PROOF,
            notes="出租方为单位的加盖公章；网签合同由系统调取",
            commitment_replaceable=True,
        ),
        conditional(
            seq + 2,
            PREMISES_COMMITMENT,
            form="original",
            notes="无法提供产权或租赁证明的，实行住所申报承诺制，申请人对住所真实性作出承诺",
        ),
    ]


def premises_question(seq: int) -> dict[str, Any]:
    return question(
        "premises",
        "经营场所（住所）属于哪种情况？",
        [
            option("own", "自有房产", adds=[seq]),
            option("rent", "租赁房产", adds=[seq + 1]),
            option("declare", "采用住所申报承诺", adds=[seq + 2]),
        ],
    )
