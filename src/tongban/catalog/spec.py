"""The plain-data form of an item (what the demo loader, the Excel import and the admin give
the services), and its validation, which collects *every* problem with its field path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from .models import MaterialHolder, Necessity
from .models.codes import (
    ApplicantKind,
    Channel,
    Delivery,
    ExerciseLevel,
    HandlingType,
    ItemType,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    SpecialProcedureKind,
)

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,32}$")

ELEMENT_FIELDS = (
    "name",
    "aliases",
    "item_type",
    "applicant_kind",
    "summary",
    "conditions",
    "legal_limit_days",
    "legal_limit_note",
    "promised_limit_days",
    "promised_limit_note",
    "handling_type",
    "visits",
    "visits_reason",
    "online_depth",
    "channels",
    "deliveries",
    "process_steps",
    "form_fields",
    "outcome_name",
    "outcome_licence_type",
    "charges_fee",
    "consult_phone",
    "complaint_phone",
    "location",
    "hours",
)
MATERIAL_FIELDS = (
    "seq",
    "name",
    "necessity",
    "condition",
    "form",
    "copies",
    "source",
    "source_note",
    "licence_type",
    "holder",
    "notes",
    "deferrable",
    "commitment_replaceable",
)
DEFAULTS: dict[str, Any] = {
    "aliases": "",
    "applicant_kind": ApplicantKind.PERSON,
    "summary": "",
    "conditions": "",
    "legal_limit_note": "",
    "promised_limit_note": "",
    "handling_type": HandlingType.PROMISED,
    "visits": 0,
    "visits_reason": "无",
    "online_depth": OnlineDepth.FULLY_ONLINE,
    "channels": [Channel.WINDOW, Channel.WEB, Channel.MOBILE],
    "deliveries": [Delivery.WINDOW, Delivery.MAIL],
    "process_steps": [],
    "form_fields": [],
    "outcome_name": "",
    "outcome_licence_type": "",
    "charges_fee": False,
    "consult_phone": "",
    "complaint_phone": "12345",
    "location": "",
    "hours": "",
}
MATERIAL_DEFAULTS: dict[str, Any] = {
    "necessity": Necessity.REQUIRED,
    "condition": "",
    "form": MaterialForm.ELECTRONIC,
    "copies": 1,
    "source": MaterialSource.APPLICANT,
    "source_note": "",
    "licence_type": "",
    "holder": MaterialHolder.APPLICANT,
    "notes": "",
    "deferrable": False,
    "commitment_replaceable": False,
}


_TEXT_LIMITS = (
    ("aliases", N_("别名"), 256),
    ("legal_limit_note", N_("法定时限说明"), 256),
    ("promised_limit_note", N_("承诺时限说明"), 256),
    ("visits_reason", N_("必须现场办理原因"), 256),
    ("outcome_name", N_("办理结果名称"), 128),
    ("outcome_licence_type", N_("结果证照类型代码"), 64),
    ("consult_phone", N_("咨询电话"), 64),
    ("complaint_phone", N_("监督投诉电话"), 64),
    ("location", N_("办理地点"), 256),
    ("hours", N_("办理时间"), 256),
)


@dataclass(frozen=True)
class SpecError:
    path: str  # e.g. "legal_limit_days", "materials[2].name", "questions[0].options[1].adds"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _choice(errors, path, value, choices, label) -> None:
    if value not in choices:
        errors.append(
            SpecError(
                path,
                _("%(label)s“%(v)s”不是可选值（可选：%(c)s）。")
                % {"label": label, "v": value, "c": "、".join(choices)},
            )
        )


def _int(errors, path, value, label, lo=0, hi=3650) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        errors.append(
            SpecError(
                path,
                _("%(label)s应为 %(lo)d 到 %(hi)d 之间的整数。")
                % {"label": label, "lo": lo, "hi": hi},
            )
        )


def _text(errors, path, value, label, required=False, max_length=256) -> None:
    if not isinstance(value, str):
        errors.append(SpecError(path, _("%(label)s应为文本。") % {"label": label}))
    elif required and not value.strip():
        errors.append(SpecError(path, _("%(label)s不能为空。") % {"label": label}))
    elif len(value) > max_length:
        errors.append(
            SpecError(path, _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": max_length})
        )


def with_defaults(spec: dict[str, Any]) -> dict[str, Any]:
    out = {**DEFAULTS, **spec}
    out["materials"] = [{**MATERIAL_DEFAULTS, **m} for m in spec.get("materials", [])]
    for key in (
        "legal_bases",
        "special_procedures",
        "fees",
        "faqs",
        "questions",
        "themes",
        "life_events",
    ):
        out.setdefault(key, [])
    return out


def validate_item_spec(spec: dict[str, Any]) -> list[SpecError]:
    """Every problem of an item spec (after ``with_defaults``); an empty list means valid."""
    e: list[SpecError] = []
    _text(e, "basic_code", spec.get("basic_code", ""), _("基本编码"), required=True, max_length=12)
    if len(spec.get("basic_code", "")) != 12:
        e.append(SpecError("basic_code", _("基本编码应为 12 位。")))
    _choice(e, "exercise_level", spec.get("exercise_level"), ExerciseLevel.values, _("行使层级"))
    _text(e, "name", spec.get("name"), _("事项名称"), required=True, max_length=128)
    _choice(e, "item_type", spec.get("item_type"), ItemType.values, _("事项类型"))
    _choice(e, "applicant_kind", spec["applicant_kind"], ApplicantKind.values, _("服务对象"))
    _choice(e, "handling_type", spec["handling_type"], HandlingType.values, _("办件类型"))
    _choice(e, "online_depth", spec["online_depth"], OnlineDepth.values, _("网上办理深度"))
    _int(e, "legal_limit_days", spec.get("legal_limit_days"), _("法定办结时限"))
    _int(e, "promised_limit_days", spec.get("promised_limit_days"), _("承诺办结时限"))
    _int(e, "visits", spec["visits"], _("到办事现场次数"), 0, 2)
    legal, promised = spec.get("legal_limit_days"), spec.get("promised_limit_days")
    if isinstance(legal, int) and isinstance(promised, int) and promised > legal:
        e.append(
            SpecError(
                "promised_limit_days",
                _("承诺办结时限（%(p)d）不能超过法定办结时限（%(l)d）。")
                % {"p": promised, "l": legal},
            )
        )
    for i, ch in enumerate(spec["channels"]):
        _choice(e, f"channels[{i}]", ch, Channel.values, _("办理渠道"))
    for i, d in enumerate(spec["deliveries"]):
        _choice(e, f"deliveries[{i}]", d, Delivery.values, _("送达方式"))
    for i, lb in enumerate(spec["legal_bases"]):
        _text(
            e,
            f"legal_bases[{i}].law_name",
            lb.get("law_name", ""),
            _("法律法规名称"),
            required=True,
            max_length=128,
        )
    for i, sp in enumerate(spec["special_procedures"]):
        _choice(
            e,
            f"special_procedures[{i}].kind",
            sp.get("kind"),
            SpecialProcedureKind.values,
            _("特别程序种类"),
        )
        _int(e, f"special_procedures[{i}].limit_days", sp.get("limit_days"), _("特别程序时限"))
        _choice(
            e,
            f"special_procedures[{i}].limit_unit",
            sp.get("limit_unit", "workday"),
            ["workday", "day"],
            _("时限单位"),
        )
    for i, fee in enumerate(spec["fees"]):
        _text(
            e, f"fees[{i}].name", fee.get("name", ""), _("收费项目"), required=True, max_length=128
        )
        _text(e, f"fees[{i}].standard", fee.get("standard", ""), _("收费标准"))
        _text(e, f"fees[{i}].basis", fee.get("basis", ""), _("收费依据"))
    for i, faq in enumerate(spec["faqs"]):
        _text(e, f"faqs[{i}].question", faq.get("question", ""), _("问题"), required=True)
        _text(
            e, f"faqs[{i}].answer", faq.get("answer", ""), _("解答"), required=True, max_length=4000
        )
    for key, label, limit in _TEXT_LIMITS:
        _text(e, key, spec[key], _(label), max_length=limit)
    e += _validate_materials(spec["materials"])
    e += _validate_questions(spec["questions"], {m.get("seq") for m in spec["materials"]})
    return e


def _validate_materials(materials: list[dict[str, Any]]) -> list[SpecError]:
    e: list[SpecError] = []
    seqs: set[int] = set()
    for i, m in enumerate(materials):
        path = f"materials[{i}]"
        _int(e, f"{path}.seq", m.get("seq"), _("材料序号"), 1, 999)
        if m.get("seq") in seqs:
            e.append(SpecError(f"{path}.seq", _("材料序号 %(s)s 重复。") % {"s": m.get("seq")}))
        seqs.add(m.get("seq"))
        _text(e, f"{path}.name", m.get("name", ""), _("材料名称"), required=True, max_length=128)
        _choice(e, f"{path}.necessity", m["necessity"], Necessity.values, _("必要性"))
        _choice(e, f"{path}.form", m["form"], MaterialForm.values, _("材料形式"))
        _choice(e, f"{path}.source", m["source"], MaterialSource.values, _("来源渠道"))
        _choice(e, f"{path}.holder", m["holder"], MaterialHolder.values, _("材料所属人"))
        _int(e, f"{path}.copies", m["copies"], _("份数"), 0, 99)
        _text(e, f"{path}.condition", m["condition"], _("提交条件"))
        _text(e, f"{path}.licence_type", m["licence_type"], _("证照类型代码"), max_length=64)
        _text(e, f"{path}.source_note", m["source_note"], _("来源说明"), max_length=128)
        if m["source"] == MaterialSource.LICENCE and not m["licence_type"]:
            e.append(SpecError(f"{path}.licence_type", _("来源为电子证照时应填写证照类型代码。")))
    return e


def _validate_questions(questions: list[dict[str, Any]], seqs: set) -> list[SpecError]:
    e: list[SpecError] = []
    options_seen: set[str] = set()
    codes: set[str] = set()
    for i, q in enumerate(questions):
        path = f"questions[{i}]"
        code = q.get("code", "")
        if not _SLUG.match(code or "") or code in codes:
            e.append(
                SpecError(
                    f"{path}.code",
                    _("问题编码不能为空或重复，只能由字母、数字、下划线和连字符组成。"),
                )
            )
        codes.add(code)
        _text(e, f"{path}.text", q.get("text", ""), _("问题"), required=True)
        shown_if = q.get("shown_if")
        if shown_if and shown_if not in options_seen:
            e.append(
                SpecError(
                    f"{path}.shown_if",
                    _("前置选项“%(o)s”应是前面某个问题的选项（问题编码.选项编码）。")
                    % {"o": shown_if},
                )
            )
        options = q.get("options", [])
        if len(options) < 2:
            e.append(SpecError(f"{path}.options", _("每个问题至少要有两个选项。")))
        option_codes = set()
        for j, o in enumerate(options):
            opath = f"{path}.options[{j}]"
            if not _SLUG.match(o.get("code") or "") or o.get("code") in option_codes:
                e.append(
                    SpecError(
                        f"{opath}.code",
                        _("选项编码不能为空或重复，只能由字母、数字、下划线和连字符组成。"),
                    )
                )
            option_codes.add(o.get("code"))
            _text(e, f"{opath}.label", o.get("label", ""), _("选项"), required=True, max_length=128)
            for key in ("adds", "removes"):
                for seq in o.get(key, []):
                    if seq not in seqs:
                        e.append(
                            SpecError(
                                f"{opath}.{key}", _("引用了不存在的材料序号 %(s)s。") % {"s": seq}
                            )
                        )
            options_seen.add(f"{code}.{o.get('code')}")
    return e


def spec_from_version(version) -> dict[str, Any]:
    """The spec of a saved version: the inverse of ``services.item_save_spec``."""
    item = version.item
    materials = list(version.materials.order_by("seq"))
    seq_of = {m.pk: m.seq for m in materials}
    questions = []
    for q in version.questions.order_by("order", "id").select_related("shown_if__question"):
        questions.append(
            {
                "code": q.code,
                "text": q.text,
                "help_text": q.help_text,
                "shown_if": f"{q.shown_if.question.code}.{q.shown_if.code}" if q.shown_if else None,
                "options": [
                    {
                        "code": o.code,
                        "label": o.label,
                        "adds_condition": o.adds_condition,
                        "adds": sorted(seq_of[m.pk] for m in o.adds_materials.all()),
                        "removes": sorted(seq_of[m.pk] for m in o.removes_materials.all()),
                    }
                    for o in q.options.order_by("order", "id")
                ],
            }
        )
    return {
        "department": item.department.code,
        "basic_code": item.basic_code,
        "exercise_level": item.exercise_level,
        "implementation_code": item.implementation_code,
        "handling_suffix": item.handling_suffix,
        "local_basic_code": item.local_basic_code,
        "local_implementation_code": item.local_implementation_code,
        **{k: getattr(version, k) for k in ELEMENT_FIELDS},
        "themes": sorted(version.themes.values_list("code", flat=True)),
        "life_events": sorted(version.life_events.values_list("code", flat=True)),
        "legal_bases": [
            {
                "law_name": b.law_name,
                "document_number": b.document_number,
                "clause_number": b.clause_number,
                "clause_text": b.clause_text,
            }
            for b in version.legal_bases.order_by("order", "id")
        ],
        "special_procedures": [
            {
                "kind": s.kind,
                "limit_days": s.limit_days,
                "limit_unit": s.limit_unit,
                "note": s.note,
                "responsible": s.responsible,
            }
            for s in version.special_procedures.order_by("id")
        ],
        "fees": [
            {
                "name": f.name,
                "standard": f.standard,
                "basis": f.basis,
                "reducible": f.reducible,
                "reduction_basis": f.reduction_basis,
            }
            for f in version.fees.order_by("id")
        ],
        "faqs": [
            {"question": f.question, "answer": f.answer}
            for f in version.faqs.order_by("order", "id")
        ],
        "materials": [{k: getattr(m, k) for k in MATERIAL_FIELDS} for m in materials],
        "questions": questions,
    }
