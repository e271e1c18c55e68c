"""A rule set runs as one CEL call (the rules compiled together as a list); its results must be
exactly those of running each rule on its own, including when a rule errors."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.rules.engine import batch_for, compile_rule, make_context, nest, run_rule, run_rules

DECLARED = {
    "today": "date",
    "applicant.age": "int",
    "form.area": "double",
    "form.rent": "double",
    "population.hukou_district": "string",
    "licences.valid_types": "list",
}
EXPRESSIONS = [
    "applicant.age >= 60",
    'population.hukou_district == "云溪区"',
    '!("YXLRYDZ" in licences.valid_types)',
    "form.area > 0.0 && form.rent <= 2000.0",
    'applicant.age >= 18 || population.hukou_district != ""',
]
RULES = [compile_rule(text, declared=DECLARED) for text in EXPRESSIONS]


def one_by_one(rules, values):
    context = make_context(nest(values))
    return [(r.result, r.reason) for r in (run_rule(rule, context) for rule in rules)]


def test_the_whole_set_is_one_program_unless_a_rule_divides():
    assert batch_for(RULES).program is not None
    assert batch_for(RULES).functions == {}
    dividing = compile_rule("form.rent / form.area <= 200.0", declared=DECLARED)
    assert batch_for([*RULES, dividing]).program is None
    aged = compile_rule("age_on(today, today) == 0", declared=DECLARED)
    assert set(batch_for([aged]).functions) == {"age_on"}


def test_an_error_names_the_rule_that_raised():
    values = {"applicant.age": 70, "population.hukou_district": "云溪区", "form.area": 10.0}
    results = run_rules(RULES, nest(values))
    assert [r.result for r in results] == ["pass", "pass", "error", "error", "pass"]
    assert [(r.result, r.reason) for r in results] == one_by_one(RULES, values)
    assert results[3].reason == "缺少字段“rent”的值。"
    assert results[2].reason.startswith("规则无法计算：")


values_strategy = st.fixed_dictionaries(
    {},
    optional={
        "applicant.age": st.integers(min_value=0, max_value=120),
        "population.hukou_district": st.sampled_from(["云溪区", "海口市", ""]),
        "licences.valid_types": st.lists(st.sampled_from(["YXLRYDZ", "JMSFZ"]), max_size=2),
        "form.area": st.floats(min_value=-5, max_value=500, allow_nan=False),
        "form.rent": st.floats(min_value=0, max_value=5000, allow_nan=False),
    },
)


@settings(max_examples=200, deadline=None)
@given(values=values_strategy)
def test_the_fast_path_equals_rule_by_rule(values):
    together = [(r.result, r.reason) for r in run_rules(RULES, nest(values))]
    assert together == one_by_one(RULES, values)
    if len(values) < 5:
        assert "pass" not in [
            result
            for (result, _reason), rule in zip(together, RULES, strict=True)
            if any(f not in values for f in rule.fields)
            and "||" not in rule.expression
            and "&&" not in rule.expression
        ]
