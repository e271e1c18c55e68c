"""How fast rule sets evaluate: rule-set evaluations per second on one core (5 rules each).

    .venv/bin/python bench/rules_eval.py [--subjects 20000] [--rounds 5]

Sets up Django (local settings, a throwaway data directory, migrations applied quietly so the
working-day calendar is built once) and compiles
the 老年人优待证 style rule set below with the real ``compile_rule`` (type-checked against the
declared fields). Then, for ``--subjects`` generated applicants (birth dates 1930–2010, districts,
licence lists, form values), it times what an evaluation does once the connector values are in
hand, two ways in the same run:

- **compiled** (what ``services.evaluation.run`` does): ``engine.run_values`` runs the rules'
  compiled closures (``rules.compiler``) on the flat values; only a rule whose closure is not
  certain (an error, a missing field) runs through CEL on a nested context built for it;
- **CEL only** (the baseline): build the nested context from the flat values (``engine.nest``),
  make the CEL context and run the five rules (``engine.run_rules``: one call into CEL for the
  whole set, per-rule only when a rule errors).

Both must give the same outcomes (checked here, and by the property tests in
``tests/rules/test_compiler.py``). Connector fetches and the saved ``Evaluation`` row are not part
of this figure (``bench/instant_approval.py`` measures the whole request).

Figures (median of the rounds, after a warm-up, garbage collector paused):
(a) every rule yields true/false (the usual case: pass or fail);
(b) the same with 5 % of the subjects missing a connector field (those run rule by rule).
The wall-clock rate is the figure; the rate per CPU second of the process is printed beside it
because on a shared, loaded machine the wall clock also counts the time spent waiting for a CPU.
Target: ≥ 50,000 rule-set evaluations/s. Prints the figures; never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import tempfile
import time

TARGET = 50_000  # rule-set evaluations per second
TODAY = dt.date(2026, 3, 16)

DECLARED = {
    "applicant.age": "int",
    "applicant.birth_date": "date",
    "applicant.kind": "string",
    "today": "date",
    "form.submitted_on": "date",
    "population.hukou_district": "string",
    "population.residence_permit": "bool",
    "population.status": "string",
    "licences.valid_types": "list",
}
RULES = [
    "applicant.age >= 60",
    'population.hukou_district == "云溪区" || population.residence_permit',
    '!("YXLRYDZ" in licences.valid_types)',
    'population.status == "正常"',
    "age_on(applicant.birth_date, today) >= 60 && workdays_between(form.submitted_on, today) <= 5",
]


def setup_django(data_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.config.settings.local"
    os.environ["TONGBAN_DATA_DIR"] = data_dir
    import django  # only once the environment is set

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)  # the working-day calendar's tables


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here)"


def subjects(rng: random.Random, count: int, missing: float) -> list[dict]:
    from tongban.rules.functions import add_workdays, age_on

    out = []
    for _ in range(count):
        born = dt.date(rng.randint(1930, 2010), rng.randint(1, 12), rng.randint(1, 28))
        values = {
            "applicant.kind": "person",
            "applicant.birth_date": born.isoformat(),
            "applicant.age": age_on(born, TODAY),
            "today": TODAY.isoformat(),
            "form.submitted_on": add_workdays(TODAY, -rng.randint(0, 8)),
            "population.hukou_district": rng.choice(["云溪区", "云溪区", "云溪区", "海口市"]),
            "population.residence_permit": rng.random() < 0.2,
            "population.status": "正常" if rng.random() < 0.97 else "迁出",
            "licences.valid_types": rng.choice([[], [], ["JMSFZ"], ["YXLRYDZ", "JMSFZ"]]),
        }
        if rng.random() < missing:
            del values[rng.choice(["population.status", "licences.valid_types"])]
        out.append(values)
    return out


def cel_only(rules, values):
    from tongban.rules.engine import nest, run_rules

    return run_rules(rules, nest(values))


def compiled(rules, values):
    from tongban.rules.engine import batch_for, run_values

    return run_values(batch_for(rules), values)


def time_round(rules, batch: list[dict], way) -> tuple[float, float, dict[str, int]]:
    outcomes = {"pass": 0, "fail": 0, "error": 0}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start, cpu_start = time.perf_counter(), time.process_time()
        for values in batch:
            results = way(rules, values)
            worst = (
                "error"
                if any(r.result == "error" for r in results)
                else "fail"
                if any(r.result == "fail" for r in results)
                else "pass"
            )
            outcomes[worst] += 1
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
    finally:
        if gc_was_enabled:
            gc.enable()
    return seconds, cpu, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    with tempfile.TemporaryDirectory(prefix="tongban-bench-") as data_dir:
        setup_django(data_dir)
        from tongban.rules.engine import compile_rule

        pinned = pin_to_one_core()
        rules = [compile_rule(text, declared=DECLARED) for text in RULES]
        assert all(rule.closure is not None for rule in rules), "a rule fell outside the subset"
        rng = random.Random(7)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"rule-set evaluations, {len(rules)} rules each; {pinned}; load {load}")
        for label, missing in (
            ("(a) all rules true/false", 0.0),
            ("(b) 5 % missing a field", 0.05),
        ):
            batch = subjects(rng, args.subjects, missing)
            check = [
                [(r.result, r.reason) for r in way(rules, v)]
                for way in (cel_only, compiled)
                for v in batch[:2000]
            ]
            assert check[:2000] == check[2000:], "compiled and CEL results differ"
            print(f"  {label}")
            for name, way in (("compiled", compiled), ("CEL only (baseline)", cel_only)):
                time_round(rules, batch[: min(2000, len(batch))], way)  # warm-up
                rates, cpu_rates, outcomes = [], [], {}
                for _ in range(args.rounds):
                    seconds, cpu, outcomes = time_round(rules, batch, way)
                    rates.append(len(batch) / seconds)
                    cpu_rates.append(len(batch) / cpu if cpu else float("nan"))
                rate, cpu_rate = statistics.median(rates), statistics.median(cpu_rates)
                target = f"target ≥ {TARGET:,}/s: {'met' if rate >= TARGET else 'NOT met'}"
                print(
                    f"    {name:<20} {rate:>10,.0f} evaluations/s wall-clock "
                    f"({1e6 / rate:6.2f} µs each; best {max(rates):,.0f}/s), "
                    f"{cpu_rate:,.0f}/s of CPU time; outcomes {outcomes}"
                    + (f"; {target}" if way is compiled else "")
                )


if __name__ == "__main__":
    main()
