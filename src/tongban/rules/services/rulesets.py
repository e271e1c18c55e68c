"""Saving and activating rule sets."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import ValidationFailed
from tongban.core.events import event_append
from tongban.core.models import AuditEvent
from tongban.core.permissions import Perm, require_perm

from ..engine import compile_rule
from ..errors import RuleError, RulesError, RulesErrorCode
from ..models import ReplayReport, Rule, RuleSet, RuleSetMode, RuleSetStatus, Severity
from ..selectors import declared_fields

MAX_RULES = 50


def rules_digest(rules: list[tuple[str, str, str]]) -> str:
    """A fingerprint of a rule set's rules ((name, expression, severity) in order): a replay
    report activates only the rules it replayed."""
    return hashlib.sha256(json.dumps(rules, ensure_ascii=False).encode()).hexdigest()[:32]


def rule_set_digest(rule_set: RuleSet) -> str:
    return rules_digest(
        [
            list(r)
            for r in rule_set.rules.order_by("position").values_list(
                "name", "expression", "severity"
            )
        ]
    )


def rule_set_stream(rule_set: RuleSet) -> str:
    """The rule set's history: hash-chained audit events (saved, activated, retired)."""
    return f"rule_set:{rule_set.pk}"


def _event(
    rule_set: RuleSet,
    *,
    action: str,
    actor,
    from_state: str = "",
    reason: str = "",
    payload: dict | None = None,
    new_stream: bool = False,
) -> None:
    event_append(
        model=AuditEvent,
        stream=rule_set_stream(rule_set),
        action=action,
        actor=actor,
        actor_label="" if getattr(actor, "pk", None) else "system",
        from_state=from_state,
        to_state=rule_set.status,
        reason=reason,
        payload={"item_code": rule_set.item_code, "mode": rule_set.mode, **(payload or {})},
        new_stream=new_stream,
    )


def _check_actor(actor, perm: str) -> None:
    if actor is not None:
        require_perm(actor, perm)


def _lock(rule_set: RuleSet) -> RuleSet:
    return RuleSet.objects.select_for_update().get(pk=rule_set.pk)


def _lock_scope(rule_set: RuleSet) -> None:
    """Lock every set of the rule set's item scope, in one order, before reading any of them:
    two administrators activating two sets of one item at once are served one after the other,
    and the second retires the first (never two active sets; a unique index backs this)."""
    list(
        RuleSet.objects.select_for_update()
        .filter(item_code=rule_set.item_code, item_version_id=rule_set.item_version_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def validate_rules(rules: list[dict], declared: dict[str, str]) -> list[dict]:
    """Compile every rule; return the cleaned rules (with their fields) or raise a RuleError
    naming the rule (1-based number and name) and the problem."""
    if not isinstance(rules, list) or not rules:
        raise ValidationFailed(RulesErrorCode.RULE_SET_INVALID, _("规则集至少要有一条规则。"))
    if len(rules) > MAX_RULES:
        raise ValidationFailed(
            RulesErrorCode.RULE_SET_INVALID, _("一个规则集最多 %(n)s 条规则。"), n=MAX_RULES
        )
    cleaned, names = [], set()
    for number, raw in enumerate(rules, start=1):
        raw = raw if isinstance(raw, dict) else {}
        name = str(raw.get("name") or "").strip()[:128]
        message = str(raw.get("message") or "").strip()[:256]
        severity = str(raw.get("severity") or Severity.BLOCKING)
        label = name or str(number)
        if not name:
            raise RuleError(_("第 %(n)s 条规则：请填写规则名称。") % {"n": number}, rule=label)
        if name in names:
            raise RuleError(
                _("第 %(n)s 条规则：规则名称“%(name)s”重复。") % {"n": number, "name": name},
                rule=label,
            )
        if not message:
            raise RuleError(
                _("第 %(n)s 条规则“%(name)s”：请填写不通过时的说明。")
                % {"n": number, "name": name},
                rule=label,
            )
        if severity not in Severity.values:
            raise RuleError(
                _("第 %(n)s 条规则“%(name)s”：严重程度无效。") % {"n": number, "name": name},
                rule=label,
            )
        try:
            compiled = compile_rule(str(raw.get("expression") or ""), declared=declared)
        except RuleError as exc:
            raise RuleError(
                _("第 %(n)s 条规则“%(name)s”：%(problem)s（第 %(pos)s 个字符处）")
                % {"n": number, "name": name, "problem": exc.message, "pos": exc.position + 1},
                exc.position,
                rule=label,
            ) from None
        names.add(name)
        cleaned.append(
            {
                "name": name,
                "expression": compiled.expression,
                "message": message,
                "severity": severity,
                "fields": sorted(compiled.fields),
            }
        )
    return cleaned


@transaction.atomic
def rule_set_save(
    *,
    rule_set: RuleSet | None,
    item_code: str,
    name: str,
    mode: str,
    rules: list[dict],
    actor,
    item_version_id: int | None = None,
) -> RuleSet:
    """Create a draft rule set, or replace a draft's rules. Every rule is compiled and
    type-checked first: when one fails nothing is saved. Only drafts can be edited."""
    _check_actor(actor, Perm.RULES_EDIT)
    name = (name or "").strip()[:128]
    if not name:
        raise ValidationFailed(
            RulesErrorCode.RULE_SET_INVALID, _("请填写规则集名称。"), field="name"
        )
    if mode not in RuleSetMode.values:
        raise ValidationFailed(RulesErrorCode.RULE_SET_INVALID, _("审批方式无效。"), field="mode")
    item_code = (item_code or "").strip()
    if rule_set is not None:
        rule_set = _lock(rule_set)
        if rule_set.status != RuleSetStatus.DRAFT:
            raise RulesError(
                RulesErrorCode.NOT_DRAFT, _("只有草稿状态的规则集可以修改；请复制为新草稿。")
            )
        item_code = rule_set.item_code
        item_version_id = rule_set.item_version_id
    declared = declared_fields(item_code=item_code, item_version_id=item_version_id)
    cleaned = validate_rules(rules, declared)
    created = rule_set is None
    if rule_set is None:
        rule_set = RuleSet.objects.create(
            name=name,
            item_code=item_code,
            item_version_id=item_version_id,
            mode=mode,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    else:
        rule_set.name, rule_set.mode = name, mode
        rule_set.save(update_fields=["name", "mode"])
        rule_set.rules.all().delete()
    Rule.objects.bulk_create(
        [Rule(rule_set=rule_set, position=i, **rule) for i, rule in enumerate(cleaned, start=1)]
    )
    digest = rules_digest([[r["name"], r["expression"], r["severity"]] for r in cleaned])
    _event(
        rule_set,
        action="rule_set_create" if created else "rule_set_update",
        actor=actor,
        from_state="" if created else RuleSetStatus.DRAFT,
        payload={
            "name": rule_set.name,
            "rules": [r["name"] for r in cleaned],
            "rules_digest": digest,
        },
        new_stream=created,
    )
    return rule_set


@transaction.atomic
def rule_set_copy(*, rule_set: RuleSet, actor) -> RuleSet:
    """A new draft with the same rules (to change an active or retired set)."""
    _check_actor(actor, Perm.RULES_EDIT)
    rules = list(
        rule_set.rules.order_by("position").values("name", "expression", "message", "severity")
    )
    return rule_set_save(
        rule_set=None,
        item_code=rule_set.item_code,
        item_version_id=rule_set.item_version_id,
        name=(_("%(name)s（副本）") % {"name": rule_set.name})[:128],
        mode=rule_set.mode,
        rules=rules,
        actor=actor,
    )


@transaction.atomic
def rule_set_activate(*, rule_set: RuleSet, report: ReplayReport, actor) -> RuleSet:
    """Activate a draft from a replay report of this very rule set (and of its current rules);
    the item's previously active set (same item and version scope) retires."""
    _check_actor(actor, Perm.RULES_ACTIVATE)
    _lock_scope(rule_set)
    rule_set = _lock(rule_set)
    if report is None or report.rule_set_id != rule_set.pk:
        raise RulesError(RulesErrorCode.REPORT_MISMATCH, _("只能依据本规则集的回放报告启用。"))
    if rule_set.status != RuleSetStatus.DRAFT:
        raise RulesError(RulesErrorCode.NOT_DRAFT, _("该规则集不是草稿，不能再次启用。"))
    if not rule_set.item_code:
        raise RulesError(RulesErrorCode.NOT_DRAFT, _("政策的资格规则随政策生效，无需启用。"))
    if (report.matrix or {}).get("rules_digest") != rule_set_digest(rule_set):
        raise RulesError(
            RulesErrorCode.REPORT_MISMATCH, _("回放之后规则已修改，请重新回放后再启用。")
        )
    now = timezone.now()
    previous = RuleSet.objects.select_for_update().filter(
        item_code=rule_set.item_code,
        item_version_id=rule_set.item_version_id,
        status=RuleSetStatus.ACTIVE,
    )
    retired = list(previous.exclude(pk=rule_set.pk))
    for old in retired:
        old.status = RuleSetStatus.RETIRED
        old.save(update_fields=["status"])
        _event(
            old,
            action="rule_set_retire",
            actor=actor,
            from_state=RuleSetStatus.ACTIVE,
            reason=_("由规则集“%(name)s”接替。") % {"name": rule_set.name},
            payload={"replaced_by": rule_set.pk},
        )
    rule_set.status = RuleSetStatus.ACTIVE
    rule_set.activated_at = now
    rule_set.activated_from = report
    rule_set.save(update_fields=["status", "activated_at", "activated_from"])
    _event(
        rule_set,
        action="rule_set_activate",
        actor=actor,
        from_state=RuleSetStatus.DRAFT,
        payload={
            "report": report.pk,
            "agreement": report.agreement,
            "case_count": report.case_count,
            "rules_digest": (report.matrix or {}).get("rules_digest", ""),
            "replaced": [old.pk for old in retired],
        },
    )
    return rule_set


@transaction.atomic
def rule_set_retire(*, rule_set: RuleSet, actor) -> RuleSet:
    _check_actor(actor, Perm.RULES_ACTIVATE)
    rule_set = _lock(rule_set)
    if rule_set.status != RuleSetStatus.ACTIVE:
        raise RulesError(RulesErrorCode.NOT_DRAFT, _("只有已启用的规则集可以停用。"))
    rule_set.status = RuleSetStatus.RETIRED
    rule_set.save(update_fields=["status"])
    _event(rule_set, action="rule_set_retire", actor=actor, from_state=RuleSetStatus.ACTIVE)
    return rule_set
