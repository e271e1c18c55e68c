"""Compiling rules: refusals with a message and a position; the fields a rule reads."""

from __future__ import annotations

import pytest

from tongban.rules.engine import compile_rule
from tongban.rules.errors import RuleError

DECLARED = {
    "today": "date",
    "applicant.age": "int",
    "applicant.birth_date": "date",
    "applicant.name": "string",
    "form.area": "double",
    "form.rooms": "int",
    "population.hukou_city": "string",
    "population.found": "bool",
    "licences.valid_types": "list",
}


@pytest.mark.parametrize(
    ("expression", "message", "position"),
    [
        ("applicant.age >", "语法错误：表达式不完整", 15),
        ("applicant.age >= 60)", "语法错误：多余的“)”", 19),
        ("applicant.agee >= 60", "未知字段“applicant.agee”", 10),
        ("pension.amount > 1.0", "未知字段“pension”", 0),
        ('applicant.age + "岁" == "60岁"', "类型错误：不能对 int 和 string 使用“+”", 14),
        ('applicant.birth_date < "2000-01-01"', "类型错误：不能对 date 和 string 使用“<”", 21),
        (
            "applicant.age >= 60 && applicant.name",
            "类型错误：“&&”两边必须是布尔值，而不是 string",
            20,
        ),
        ("form.rooms % 2.0 == 0", "类型错误：不能对 int 和 double 使用“%”", 11),
        ("frobnicate(applicant.age)", "未知函数“frobnicate”", 0),
        (
            "age_on(applicant.name, today) >= 60",
            "类型错误：age_on() 的参数应为 date，而不是 string",
            0,
        ),
        ("applicant.age", "规则的结果必须是布尔值（true/false），而不是 int。", 0),
        ("", "表达式不能为空。", 0),
        ("applicant.age # 1", "无法识别的字符“#”", 14),
    ],
)
def test_refusals(expression, message, position):
    with pytest.raises(RuleError) as exc:
        compile_rule(expression, declared=DECLARED)
    assert exc.value.message == message
    assert exc.value.position == position


@pytest.mark.parametrize(
    ("expression", "fields", "connectors"),
    [
        ("applicant.age >= 60", {"applicant.age"}, set()),
        ("age_on(applicant.birth_date, today) >= 60", {"applicant.birth_date", "today"}, set()),
        (
            'population.found && population.hukou_city == "海口市"',
            {"population.found", "population.hukou_city"},
            {"population"},
        ),
        ('!("elder_card" in licences.valid_types)', {"licences.valid_types"}, {"licences"}),
        ('licences.valid_types.exists(t, t == "x")', {"licences.valid_types"}, {"licences"}),
        ("has(form.area) ? form.area > 10 : false", {"form.area"}, set()),
        ("form.area / form.rooms > 1.0 || true", None, None),
    ],
)
def test_fields_read(expression, fields, connectors):
    if fields is None:  # double / int: no overload
        with pytest.raises(RuleError):
            compile_rule(expression, declared=DECLARED)
        return
    rule = compile_rule(expression, declared=DECLARED)
    assert rule.fields == frozenset(fields)
    assert rule.connectors == frozenset(connectors)
