"""Compile and run rule expressions (CEL through the ``common-expression-language`` package;
never Python ``eval``).

The common subset of CEL rules use is also compiled into Python closures (``compiler``) that run
on the flat values with no CEL context to build: ``run_values`` evaluates a rule set that way and
runs through CEL only the rules a closure is not certain of (an error, a missing field, a type
CEL refuses), so every result and every error reason is CEL's.

``compile_rule`` type-checks an expression against the declared field types (see
``checker``) and compiles it once; ``run_rules`` evaluates compiled rules against one context and
returns each rule's result. A rule whose evaluation raises (division by zero, a missing field, a
type only known at run time, a calendar year not covered) is an ``error`` result with the reason,
never a pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import cel
from django.utils.translation import gettext as _

from .checker import CheckError, check, divisors
from .compiler import compile_closure
from .errors import RuleError
from .functions import FUNCTIONS

# The context's own roots; every other root is a connector code.
BUILTIN_ROOTS = frozenset({"form", "answers", "applicant", "today"})


@dataclass(frozen=True)
class CompiledRule:
    expression: str
    program: Any = field(repr=False, compare=False)
    fields: frozenset[str] = frozenset()
    guards: tuple = field(default=(), repr=False, compare=False)
    closure: Any = field(default=None, repr=False, compare=False)  # None: CEL only

    @property
    def connectors(self) -> frozenset[str]:
        """The connector codes this rule reads (roots that are not the built-in context)."""
        return frozenset(f.split(".", 1)[0] for f in self.fields) - BUILTIN_ROOTS


def compile_rule(expression: str, *, declared: dict[str, str]) -> CompiledRule:
    """Type-check against ``declared`` (dotted field → type) and compile. Raises ``RuleError``
    (message, position) for a syntax error, an unknown field or function, or a type error."""
    text = (expression or "").strip()
    if not text:
        raise RuleError(_("表达式不能为空。"), 0)
    if len(text) > 2000:
        raise RuleError(_("表达式过长（最多 2000 个字符）。"), 2000)
    try:
        result = check(text, declared)
    except CheckError as exc:
        raise RuleError(exc.message, exc.position) from None
    if result.type not in ("bool", "dyn"):
        raise RuleError(
            _("规则的结果必须是布尔值（true/false），而不是 %(type)s。") % {"type": result.type}, 0
        )
    try:
        program = cel.compile(text)
    except Exception as exc:  # the package's parser is the final word on syntax
        raise RuleError(
            _("语法错误：%(detail)s") % {"detail": str(exc).splitlines()[0][:200]}, 0
        ) from None
    return CompiledRule(
        expression=text,
        program=program,
        fields=frozenset(result.fields),
        guards=guards_for(text),
        closure=compile_closure(text),
    )


def guards_for(text: str) -> tuple:
    """Programs that are true when a divisor of ``text`` is zero."""
    out = []
    for divisor in divisors(text) if "/" in text or "%" in text else ():
        try:
            out.append(cel.compile(f"({divisor}) == 0"))
        except Exception:  # noqa: S112 - a divisor we cannot isolate is left to CEL
            continue
    return tuple(out)


def nest(values: dict[str, Any]) -> dict[str, Any]:
    """``{"applicant.age": 61}`` → ``{"applicant": {"age": 61}}``."""
    tree: dict[str, Any] = {}
    for dotted, value in values.items():
        if "." not in dotted:
            tree[dotted] = value
            continue
        *parents, leaf = dotted.split(".")
        node = tree
        for part in parents:
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            node = child
        node[leaf] = value
    return tree


@dataclass
class RuleResult:
    result: str  # "pass" | "fail" | "error"
    reason: str = ""


def describe_error(exc: Exception) -> str:
    if isinstance(exc, ZeroDivisionError):
        return _("计算时出现除以零。")
    if isinstance(exc, KeyError):
        return _("缺少字段“%(field)s”的值。") % {"field": str(exc).strip("'\"")}
    if isinstance(exc, TypeError):
        return _("运行时类型错误：%(detail)s") % {"detail": str(exc)[:120]}
    message = getattr(exc, "message", None)
    if message:
        return str(message)
    return _("规则无法计算：%(detail)s") % {"detail": str(exc)[:120] or type(exc).__name__}


def make_context(tree: dict[str, Any], functions: dict | None = None) -> cel.Context:
    return cel.Context(tree, FUNCTIONS if functions is None else functions)


_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def functions_for(expressions) -> dict:
    """The helper functions the expressions call (a context with fewer functions is cheaper to
    build)."""
    names = {m.group(1) for text in expressions for m in _CALL.finditer(text)}
    return {name: fn for name, fn in FUNCTIONS.items() if name in names}


@dataclass(frozen=True)
class Batch:
    """The rules of a rule set compiled once more as one CEL list ``[r1, r2, …]``: evaluating a
    whole rule set is then a single call into CEL (the fast path). When that call raises or
    yields anything but booleans, each rule runs on its own so the failing one is named. Rules
    with zero-divisor guards always run on their own."""

    rules: tuple[CompiledRule, ...]
    program: Any = field(default=None, repr=False, compare=False)
    functions: dict = field(default_factory=dict, repr=False, compare=False)
    closures: tuple = field(default=(), repr=False, compare=False)


_batches: dict[tuple[str, ...], Batch] = {}


def batch_for(rules: list[CompiledRule]) -> Batch:
    key = tuple(r.expression for r in rules)
    batch = _batches.get(key)
    if batch is None:
        program = None
        if rules and not any(r.guards for r in rules):
            try:
                program = cel.compile("[" + ", ".join(f"({r.expression})" for r in rules) + "]")
            except Exception:  # the per-rule path still works
                program = None
        batch = Batch(
            rules=tuple(rules),
            program=program,
            functions=functions_for(key),
            closures=tuple(r.closure for r in rules),
        )
        if len(_batches) > 10_000:
            _batches.clear()
        _batches[key] = batch
    return batch


def run_batch(batch: Batch, tree: dict[str, Any]) -> list[RuleResult]:
    """Evaluate every rule of ``batch`` against one context (nested dict)."""
    context = make_context(tree, batch.functions)
    if batch.program is not None:
        try:
            values = batch.program.execute(context)
        except Exception:  # one rule failed: run them one by one to say which
            values = None
        if (
            isinstance(values, list)
            and len(values) == len(batch.rules)
            and all(v is True or v is False for v in values)
        ):
            return [RuleResult("pass") if v else RuleResult("fail") for v in values]
    return [run_rule(rule, context) for rule in batch.rules]


def run_rule(rule: CompiledRule, context: cel.Context) -> RuleResult:
    for guard in rule.guards:
        try:
            if guard.execute(context) is True:
                return RuleResult("error", _("计算时出现除以零。"))
        except Exception:  # noqa: S112 - the rule itself reports the problem
            continue
    try:
        value = rule.program.execute(context)
    except Exception as exc:
        return RuleResult("error", describe_error(exc))
    if value is True:
        return RuleResult("pass")
    if value is False:
        return RuleResult("fail")
    return RuleResult("error", _("规则的结果不是布尔值。"))


def run_rules(rules: list[CompiledRule], tree: dict[str, Any]) -> list[RuleResult]:
    """Evaluate each rule against one context (nested dict)."""
    return run_batch(batch_for(rules), tree)


PASS, FAIL = "pass", "fail"


def run_values(batch: Batch, values: dict[str, Any]) -> list[RuleResult]:
    """Evaluate every rule of ``batch`` against the flat values (``{"applicant.age": 61}``):
    compiled closures first; a rule without one, or whose closure is not certain, runs through
    CEL on the nested context (built once, only when needed). Same results as ``run_batch``."""
    out: list[RuleResult | None] = []
    pending = False
    for fn in batch.closures:
        if fn is not None:
            try:
                value = fn(values)
            except Exception:  # not certain: CEL decides (and names the error)
                value = None
            if value is True:
                out.append(RuleResult(PASS))
                continue
            if value is False:
                out.append(RuleResult(FAIL))
                continue
        out.append(None)
        pending = True
    if not pending:
        return out  # type: ignore[return-value]
    context = make_context(nest(values), batch.functions)
    return [
        ran if ran is not None else run_rule(rule, context)
        for ran, rule in zip(out, batch.rules, strict=True)
    ]
