"""The element quality checker (事项要素质量检查): runs on save and on import.

It lists every problem of a version; ``error`` problems block publishing, ``warning`` ones are
shown to the editor and in the catalogue list until fixed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _
from stdnum.cn import uscc

from .models import MaterialReviewTerm, Necessity, ServiceItemVersion
from .models.codes import Channel, Delivery, HandlingType, OnlineDepth

NO_REASON = {"", "无", "无。", "不涉及"}


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str
    severity: str = "warning"  # or "error"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def check_codes(implementation_code: str, basic_code: str, exercise_level: str) -> list[Problem]:
    problems = []
    if len(basic_code) != 12 or not basic_code.isalnum():
        problems.append(
            Problem("basic_code", "basic_code_format", _("基本编码应为 12 位字母或数字。"), "error")
        )
    if len(implementation_code) != 31:
        problems.append(
            Problem(
                "implementation_code",
                "implementation_code_length",
                _(
                    "实施编码应为 31 位（统一社会信用代码 18 位 + 行使层级 1 位 + 基本编码 12 位）。"
                ),
                "error",
            )
        )
        return problems
    if not uscc.is_valid(implementation_code[:18]):
        problems.append(
            Problem(
                "implementation_code",
                "implementation_code_uscc",
                _("实施编码前 18 位不是有效的统一社会信用代码。"),
                "error",
            )
        )
    if implementation_code[18] != exercise_level:
        problems.append(
            Problem(
                "implementation_code",
                "implementation_code_level",
                _("实施编码第 19 位应为行使层级代码 %(level)s。") % {"level": exercise_level},
                "error",
            )
        )
    if implementation_code[19:] != basic_code:
        problems.append(
            Problem(
                "implementation_code",
                "implementation_code_basic",
                _("实施编码后 12 位应与基本编码一致。"),
                "error",
            )
        )
    return problems


def check_version(version: ServiceItemVersion) -> list[Problem]:
    """Every element problem of one version (it must be saved; materials are read from it)."""
    p: list[Problem] = []
    item = version.item
    p += check_codes(item.implementation_code, item.basic_code, item.exercise_level)
    if version.promised_limit_days > version.legal_limit_days:
        p.append(
            Problem(
                "promised_limit_days",
                "promised_exceeds_legal",
                _("承诺办结时限不能超过法定办结时限。"),
                "error",
            )
        )
    if version.handling_type == HandlingType.INSTANT and version.promised_limit_days > 1:
        p.append(
            Problem(
                "handling_type",
                "instant_with_limit",
                _("即办件应当场办结，承诺时限不应超过 1 个工作日。"),
            )
        )
    if version.handling_type == HandlingType.PROMISED and version.promised_limit_days == 0:
        p.append(
            Problem(
                "promised_limit_days", "promised_without_limit", _("承诺件应填写承诺办结时限。")
            )
        )
    reason = version.visits_reason.strip()
    if version.visits > 0 and reason in NO_REASON:
        p.append(
            Problem(
                "visits_reason",
                "visits_without_reason",
                _("到办事现场次数不为 0 时，应说明必须现场办理的原因。"),
            )
        )
    if version.visits == 0 and reason not in NO_REASON:
        p.append(
            Problem(
                "visits_reason",
                "reason_without_visits",
                _("到办事现场次数为 0 时，必须现场办理原因应为“无”。"),
            )
        )
    if version.visits > 2:
        p.append(Problem("visits", "too_many_visits", _("到办事现场次数最多为 2 次。"), "error"))
    if (
        version.visits == 0
        and version.online_depth != OnlineDepth.FULLY_ONLINE
        and Delivery.MAIL not in version.deliveries
    ):
        p.append(
            Problem(
                "deliveries",
                "zero_visits_needs_mail",
                _("到办事现场次数为 0 且不能全程网办时，送达方式应包含邮寄。"),
            )
        )
    if version.online_depth != OnlineDepth.OFFLINE and Channel.WEB not in version.channels:
        p.append(
            Problem(
                "channels",
                "online_without_web_channel",
                _("可以网上办理的事项，办理渠道应包含“网上办理”。"),
            )
        )
    if Delivery.ELECTRONIC in version.deliveries and not version.outcome_licence_type:
        p.append(
            Problem(
                "outcome_licence_type",
                "electronic_without_licence_type",
                _("送达方式含电子证照时，应填写结果证照类型。"),
            )
        )
    if not version.legal_bases.exists():
        p.append(Problem("legal_bases", "no_legal_basis", _("应至少填写一条设定依据。")))
    if version.charges_fee and not version.fees.exists():
        p.append(Problem("fees", "fee_without_items", _("收费事项应列出收费项目、标准和依据。")))
    if not version.outcome_name:
        p.append(Problem("outcome_name", "no_outcome", _("应填写办理结果名称。")))
    p += _check_materials(version)
    return p


def _check_materials(version: ServiceItemVersion) -> list[Problem]:
    p: list[Problem] = []
    terms = list(MaterialReviewTerm.objects.values_list("term", "reason"))
    added = set(version.materials.filter(added_by__isnull=False).values_list("pk", flat=True))
    for m in version.materials.all():
        label = f"{m.seq:03d} {m.name}"
        if m.necessity == Necessity.CONDITIONAL and not m.condition and m.pk not in added:
            p.append(
                Problem(
                    f"materials.{m.seq}",
                    "conditional_without_condition",
                    _("材料“%(m)s”为视情形提交，但没有写明提交条件，也没有情形选项增加它。")
                    % {"m": label},
                    "error",
                )
            )
        if m.source == "licence" and not m.licence_type:
            p.append(
                Problem(
                    f"materials.{m.seq}",
                    "licence_without_type",
                    _("材料“%(m)s”来源为电子证照，应填写证照类型代码。") % {"m": label},
                )
            )
        for term, reason in terms:
            if term in m.name:
                p.append(
                    Problem(
                        f"materials.{m.seq}",
                        "material_needs_review",
                        _("材料“%(m)s”可能属于不得要求提供的材料（%(r)s），请复核。")
                        % {"m": label, "r": reason},
                    )
                )
    return p
