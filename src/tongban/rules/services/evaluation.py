"""Running a rule set for one subject: context, needed connectors only, full trace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import cel
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.masking import mask_id_number, mask_phone
from tongban.core.personal_data_json import looks_sensitive

from .. import connectors as sources
from ..compiler import compile_closure
from ..context import Subject, applicant_values, coerce, form_field_types
from ..engine import (
    BUILTIN_ROOTS,
    CompiledRule,
    RuleResult,
    batch_for,
    guards_for,
    run_values,
)
from ..models import Connector, ConnectorCall, Evaluation, Outcome, RuleSet, Severity
from ..selectors import item_version_for

_programs: dict[str, tuple] = {}


@dataclass
class PreparedRule:
    name: str
    message: str
    severity: str
    compiled: CompiledRule


@dataclass
class Prepared:
    rule_set: RuleSet
    rules: list[PreparedRule]
    connectors: set[str]
    form_types: dict[str, str] = field(default_factory=dict)


@dataclass
class RunResult:
    outcome: str
    trace: list[dict]
    sources: dict[str, dict]
    failed: list[str] = field(default_factory=list)  # names of rules that did not pass


def _program(expression: str) -> tuple:
    """(program, zero-divisor guards, closure) of an expression, compiled once per process."""
    compiled = _programs.get(expression)
    if compiled is None:
        compiled = _programs[expression] = (
            cel.compile(expression),
            guards_for(expression),
            compile_closure(expression),
        )
    return compiled


def prepare(rule_set: RuleSet) -> Prepared:
    """Load and compile a rule set's rules (programs are cached by expression)."""
    rules = []
    for name, expression, message, severity, fields in rule_set.rules.order_by(
        "position"
    ).values_list("name", "expression", "message", "severity", "fields"):
        program, guards, closure = _program(expression)
        compiled = CompiledRule(
            expression=expression,
            program=program,
            fields=frozenset(fields or []),
            guards=guards,
            closure=closure,
        )
        rules.append(PreparedRule(name, message, severity, compiled))
    needed = set().union(*(r.compiled.connectors for r in rules)) if rules else set()
    form_types: dict[str, str] = {}
    if rule_set.item_code and any(f.startswith("form.") for r in rules for f in r.compiled.fields):
        version = item_version_for(rule_set.item_code, rule_set.item_version_id)
        form_types = form_field_types(version)
    return Prepared(rule_set=rule_set, rules=rules, connectors=needed, form_types=form_types)


SENSITIVE = ("id_no", "id_number", "credit_code")


def _shown(name: str, value: Any) -> Any:
    leaf = name.rsplit(".", 1)[-1]
    if isinstance(value, str) and any(leaf.endswith(s) for s in SENSITIVE):
        return mask_id_number(value)
    if isinstance(value, str) and leaf.endswith("phone"):
        return mask_phone(value)
    if isinstance(value, str) and looks_sensitive(value):
        # a form field of type id_number / phone under any name: never a full copy in the trace
        return mask_id_number(value) if len(value.strip()) == 18 else mask_phone(value)
    return value


def _form_values(prefix: str, data: dict, types: dict[str, str]) -> dict[str, Any]:
    out = {}
    for key, value in (data or {}).items():
        name = f"{prefix}.{key}"
        try:
            out[name] = coerce(value, types.get(name, "dyn"))
        except (ValueError, TypeError):
            continue  # a value of the wrong shape is missing: the rule reading it needs review
    return out


def run(
    prepared: Prepared,
    *,
    subject: Subject,
    form: dict,
    answers: dict,
    today: dt.date,
    log: sources.CallLog,
    pending: list[ConnectorCall],
) -> RunResult:
    """Evaluate without saving the Evaluation (the connector calls go to ``pending``)."""
    values: dict[str, Any] = {"today": today.isoformat(), **applicant_values(subject, today)}
    values.update(_form_values("form", form, prepared.form_types))
    values.update(
        {f"answers.{k}": v for k, v in (answers or {}).items() if isinstance(v, str | int | bool)}
    )
    status: dict[str, dict] = {}
    unavailable: dict[str, str] = {}
    blocked: set[str] = set()  # refused by the SSRF guard (an internal address)
    if prepared.connectors:
        wanted: dict[str, set[str]] = {code: set() for code in prepared.connectors}
        for rule in prepared.rules:
            for f in rule.compiled.fields:
                root, _sep, rest = f.partition(".")
                if root in wanted and rest:
                    wanted[root].add(rest)
        found = {c.code: c for c in Connector.objects.filter(code__in=wanted)}
        for code in sorted(wanted):
            connector = found.get(code)
            if connector is None:
                unavailable[code] = code
                status[code] = {"ok": False, "name": code}
                continue
            try:
                fetched = sources.fetch(
                    connector, subject, sorted(wanted[code]), log=log, pending=pending
                )
            except sources.SourceUnavailable as exc:
                unavailable[code] = connector.name
                status[code] = {"ok": False, "name": connector.name}
                if exc.blocked:
                    blocked.add(connector.name)
                continue
            status[code] = {"ok": True, "name": connector.name}
            values.update({f"{code}.{k}": v for k, v in fetched.items()})
    results = run_values(batch_for([r.compiled for r in prepared.rules]), values)
    trace, failed = [], []
    blocking_failed = review = False
    for rule, ran in zip(prepared.rules, results, strict=True):
        down = sorted({unavailable[c] for c in rule.compiled.connectors if c in unavailable})
        if down and blocked.intersection(down):
            result = RuleResult(
                "error",
                _(
                    "数据来源“%(name)s”的地址指向内部网络，已被安全策略拦截；"
                    "如确需访问，请系统管理员将该主机加入允许名单。"
                )
                % {"name": "”“".join(sorted(blocked.intersection(down)))},
            )
        elif down:
            result = RuleResult(
                "error", _("数据来源“%(name)s”暂不可用") % {"name": "”“".join(down)}
            )
        else:
            result = ran
            if result.result == "error":
                missing = sorted(f for f in rule.compiled.fields if f not in values)
                if missing:
                    result = RuleResult(
                        "error", _("缺少字段“%(field)s”的值。") % {"field": "”“".join(missing)}
                    )
        entry = {
            "rule": rule.name,
            "expression": rule.compiled.expression,
            "severity": rule.severity,
            "values": {f: _shown(f, values.get(f)) for f in sorted(rule.compiled.fields)},
            "result": result.result,
        }
        if result.result != "pass":
            failed.append(rule.name)
            entry["message"] = rule.message
            if result.reason:
                entry["reason"] = result.reason
            if result.result == "fail" and rule.severity == Severity.BLOCKING:
                blocking_failed = True
            else:
                review = True
        trace.append(entry)
    if blocking_failed:
        outcome = Outcome.FAIL
    elif review or unavailable or not prepared.rules:
        outcome = Outcome.REVIEW
    else:
        outcome = Outcome.PASS
    return RunResult(outcome=str(outcome), trace=trace, sources=status, failed=failed)


def evaluate(
    *,
    rule_set: RuleSet,
    subject: Subject,
    form: dict,
    answers: dict,
    today: dt.date,
    case_no: str = "",
    purpose: str = "case",
    actor_label: str = "system",
) -> Evaluation:
    """Run a rule set and save the Evaluation with its full trace. Outcome ``pass`` only when
    every rule passed on available data; ``fail`` when a blocking rule failed; otherwise
    ``needs_review`` (a needs-review rule failed, a rule errored, a field was missing, a source
    was unavailable)."""
    prepared = prepare(rule_set)
    pending: list[ConnectorCall] = []
    log = sources.CallLog(purpose=purpose, case_no=case_no, actor_label=actor_label)
    with transaction.atomic():
        try:
            result = run(
                prepared,
                subject=subject,
                form=form,
                answers=answers,
                today=today,
                log=log,
                pending=pending,
            )
        finally:
            if pending:
                ConnectorCall.objects.bulk_create(pending)
        return Evaluation.objects.create(
            rule_set=rule_set,
            case_no=case_no[:32],
            purpose=purpose[:32],
            outcome=result.outcome,
            trace=result.trace,
            sources=result.sources,
        )


@transaction.atomic
def evaluation_mark_automatic(*, evaluation: Evaluation, case_no: str | None = None) -> Evaluation:
    """Record that a decision was taken on this evaluation with no human step, and on which case
    (``case_no``: a policy's evaluation gets the number of the benefit case it decided)."""
    changes: dict[str, Any] = {"automatic_decision": True}
    if case_no is not None and case_no != evaluation.case_no:
        changes["case_no"] = case_no[:32]
    Evaluation.objects.filter(pk=evaluation.pk).update(**changes)
    for name, value in changes.items():
        setattr(evaluation, name, value)
    return evaluation


@transaction.atomic
def evaluation_request_review(*, evaluation: Evaluation) -> Evaluation:
    """The applicant asked for a human review of the automated decision (PIPL art. 24).
    Idempotent: the first request's time stays."""
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.human_review_requested_at is None:
        locked.human_review_requested_at = timezone.now()
        locked.save(update_fields=["human_review_requested_at"])
    return locked


__all__ = [
    "BUILTIN_ROOTS",
    "Prepared",
    "RunResult",
    "evaluate",
    "evaluation_mark_automatic",
    "evaluation_request_review",
    "prepare",
    "run",
]
