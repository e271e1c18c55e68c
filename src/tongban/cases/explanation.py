"""The rule trace of a case in plain language (个人信息保护法第二十四条): for the applicant's
progress page and the staff case page alike — each rule, what it checked, the values it read
(personal ones masked) and its result.

Reads only: the evaluations come from ``tongban.rules.selectors``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core.masking import mask_id_number, mask_name, mask_phone
from tongban.rules import selectors as rules_selectors
from tongban.rules.models import Connector, Evaluation, Outcome, RuleSetMode

from . import application_form
from .models import Case

APPLICANT_LABELS = {
    "applicant.kind": gettext_lazy("申请人类型"),
    "applicant.name": gettext_lazy("姓名或名称"),
    "applicant.id_no": gettext_lazy("证件号码"),
    "applicant.birth_date": gettext_lazy("出生日期"),
    "applicant.age": gettext_lazy("年龄（周岁）"),
    "applicant.gender": gettext_lazy("性别"),
    "applicant.region_code": gettext_lazy("户籍或登记地区划代码"),
    "applicant.credit_code": gettext_lazy("统一社会信用代码"),
    "applicant.legal_representative_id_no": gettext_lazy("法定代表人证件号码"),
    "applicant.registered_capital": gettext_lazy("注册资本"),
    "applicant.established_on": gettext_lazy("成立日期"),
    "today": gettext_lazy("核验日期"),
}
RESULT_LABELS = {
    "pass": gettext_lazy("符合"),
    "fail": gettext_lazy("不符合"),
    "error": gettext_lazy("无法核验，转人工"),
}
_ID_RE = re.compile(r"^\d{17}[\dXx]$")
_PHONE_RE = re.compile(r"^1\d{10}$")


@dataclass
class Value:
    label: str
    shown: str
    source: str


@dataclass
class RuleLine:
    name: str
    message: str
    result: str
    result_label: str
    severity: str
    values: list[Value] = field(default_factory=list)
    reason: str = ""


@dataclass
class Explanation:
    evaluation: Evaluation
    outcome: str
    outcome_label: str
    automatic: bool
    assist: bool
    rules: list[RuleLine]
    failed: list[RuleLine]
    sources: list[tuple[str, bool, str]]
    requested_at: dt.datetime | None
    review_due: dt.date | None = None  # the human review's deadline (working days), if asked


def _personal(path: str) -> str:
    """Which masking a field needs: "id", "phone", "name", "date", "address" or ""."""
    leaf = path.rsplit(".", 1)[-1].lower()
    if "id_no" in leaf or "id_number" in leaf or "credit_code" in leaf:
        return "id"
    if "phone" in leaf or "mobile" in leaf:
        return "phone"
    if leaf in ("name", "applicant_name", "holder_name") or leaf.endswith("_name"):
        return "name"
    if "birth" in leaf:
        return "date"
    if "address" in leaf:
        return "address"
    return ""


def shown_value(path: str, value: Any) -> str:
    """A value as a person reads it, masked where it is personal."""
    if value is None:
        return _("（无数据）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | tuple):
        if not value:
            return _("（无）")
        return "、".join(shown_value(path, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{shown_value(f'{path}.{k}', v)}" for k, v in value.items())
    text = str(value)
    kind = _personal(path)
    if kind == "id" or _ID_RE.match(text):
        return mask_id_number(text) if len(text) >= 15 else text[:2] + "*" * max(len(text) - 2, 0)
    if kind == "phone" or _PHONE_RE.match(text):
        return mask_phone(text)
    if kind == "name":
        return mask_name(text)
    if kind == "date":
        return text[:4] + "-**-**" if len(text) >= 10 else text
    if kind == "address":  # the district or street stays readable, the house number not
        keep = min(6, len(text) // 2)
        return text[:keep] + "*" * min(len(text) - keep, 8)
    return text


def _labels(case: Case | None) -> dict[str, str]:
    labels = {k: str(v) for k, v in APPLICANT_LABELS.items()}
    for f in application_form.fields_of(case.item_version) if case is not None else []:
        labels[f"form.{f.code}"] = _("申请表：%(label)s") % {"label": f.label}
    return labels


def _connectors() -> list[tuple[str, str, list]]:
    """(code, name, declared fields) of every connector: one plain read (the selector of the
    console counts calls, too much for a case page)."""
    return list(Connector.objects.order_by().values_list("code", "name", "fields"))


connectors_read = _connectors


def _connector_labels(connectors) -> dict[str, str]:
    labels = {}
    for code, _name, fields in connectors:
        for spec in fields or []:
            if isinstance(spec, dict) and spec.get("name") and spec.get("label"):
                labels[f"{code}.{spec['name']}"] = str(spec["label"])
    return labels


def _source_of(path: str, names: dict[str, str] | None = None) -> str:
    root = path.split(".", 1)[0]
    if root == "form":
        return _("您填写的申请表")
    if root == "answers":
        return _("您选择的办理情形")
    if root == "applicant":
        return _("实名登记信息")
    if root == "today":
        return _("系统日期")
    return _("数据共享：%(source)s") % {"source": (names or {}).get(root, root)}


def explain(case: Case | None, evaluation: Evaluation, *, connectors=None) -> Explanation:
    """The evaluation in plain language. ``connectors`` (from ``connectors_read``) spares the
    read when one page explains many evaluations."""
    if connectors is None:
        connectors = _connectors()
    labels = {**_connector_labels(connectors), **_labels(case)}
    names = {code: name for code, name, _fields in connectors}
    rules: list[RuleLine] = []
    for row in evaluation.trace or []:
        values = [
            Value(
                label=str(row.get("labels", {}).get(path) or labels.get(path) or path),
                shown=shown_value(path, value),
                source=_source_of(path, names),
            )
            for path, value in (row.get("values") or {}).items()
        ]
        result = str(row.get("result", "error"))
        rules.append(
            RuleLine(
                name=str(row.get("rule", "")),
                message=str(row.get("message", "")),
                result=result,
                result_label=str(RESULT_LABELS.get(result, result)),
                severity=str(row.get("severity", "")),
                values=values,
                reason=str(row.get("reason") or row.get("error") or ""),
            )
        )
    sources = []
    for code, state in (evaluation.sources or {}).items():
        if isinstance(state, dict):
            ok = bool(state.get("ok", True))
            sources.append((str(state.get("name") or code), ok, str(state.get("error", ""))))
        else:
            sources.append((str(code), bool(state), ""))
    outcome_label = (
        Outcome(evaluation.outcome).label if evaluation.outcome in Outcome.values else ""
    )
    return Explanation(
        evaluation=evaluation,
        outcome=evaluation.outcome,
        outcome_label=str(outcome_label),
        automatic=evaluation.automatic_decision,
        assist=evaluation.rule_set.mode == RuleSetMode.ASSIST,
        rules=rules,
        failed=[r for r in rules if r.result != "pass"],
        sources=sources,
        requested_at=evaluation.human_review_requested_at,
    )


def case_explanation(case: Case) -> Explanation | None:
    """The latest evaluation of the case, explained (None when no rules ran on it)."""
    evaluations = [
        e for e in rules_selectors.evaluations_for_case(case.case_no) if e.purpose != "replay"
    ]
    if not evaluations:
        return None
    decided = next((e for e in evaluations if e.automatic_decision), None)
    explained = explain(case, decided or evaluations[-1])
    if explained.requested_at is not None:
        request = case.events.filter(action="human_review_request").order_by("-seq").first()
        due = (request.payload or {}).get("due") if request is not None else None
        explained.review_due = dt.date.fromisoformat(due) if due else None
    return explained


def applicant_context(case: Case, events, *, viewer) -> dict[str, Any]:
    """What the applicant's case page needs: the explanation, whether the one-click human
    review may be asked (the applicant, a decision by the rules, not asked yet) and its due."""
    explanation = case_explanation(case)
    requested = next((e for e in reversed(events) if e.action == "human_review_request"), None)
    due = None
    if requested is not None and requested.payload.get("due"):
        due = dt.date.fromisoformat(requested.payload["due"])
    return {
        "explanation": explanation,
        "can_request_review": bool(
            explanation is not None
            and explanation.automatic
            and explanation.requested_at is None
            and case.applicant.user_id == getattr(viewer, "pk", None)
        ),
        "review_due": due,
    }
