"""How fast the working-day calendar answers: calls per second on one core.

    .venv/bin/python bench/workdays.py [--calls 1000000] [--rounds 5]

Sets up Django itself (local settings, a throwaway data directory, migrations applied quietly) so
that it measures the real public functions ``add_workdays`` and ``workdays_between`` with the
index built from the package and the (empty) override table. Arguments are random dates in
2004–2026 (random n of 1–60 for ``add_workdays``), generated before the clock starts; each figure
is the median of the rounds, after a warm-up, and includes the Python loop that makes the calls.
Prints the figures and whether the target is met; never fails on time.
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
from collections.abc import Callable

TARGET = 500_000  # calls per second, each function
FIRST, LAST = dt.date(2004, 1, 1), dt.date(2026, 12, 31)
LAST_ADD_START = dt.date(2026, 9, 30)  # 60 working days later is still in 2026


def setup_django(data_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.config.settings.local"
    os.environ["TONGBAN_DATA_DIR"] = data_dir
    import django  # only once the environment is set

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here)"


def random_dates(rng: random.Random, first: dt.date, last: dt.date, count: int) -> list[dt.date]:
    low, high = first.toordinal(), last.toordinal()
    return [dt.date.fromordinal(rng.randint(low, high)) for _ in range(count)]


def time_calls(func: Callable, firsts: list, seconds: list) -> float:
    """Seconds for one call of ``func`` per argument pair, with the garbage collector paused."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for a, b in zip(firsts, seconds, strict=True):
            func(a, b)
        return time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()


def measure(name: str, func: Callable, firsts: list, seconds: list, rounds: int) -> float:
    warm = min(len(firsts), 50_000)
    time_calls(func, firsts[:warm], seconds[:warm])
    rates = [len(firsts) / time_calls(func, firsts, seconds) for _ in range(rounds)]
    rate = statistics.median(rates)
    verdict = "met" if rate >= TARGET else "NOT met"
    print(
        f"{name:<17} {rate:>12,.0f} calls/s  (median of {rounds} rounds of {len(firsts):,}; "
        f"min {min(rates):,.0f}, max {max(rates):,.0f})  target {TARGET:,}: {verdict}"
    )
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tongban-bench-") as data_dir:
        setup_django(data_dir)
        from tongban.core import workdays  # needs Django set up

        pinned = pin_to_one_core()
        rng = random.Random(args.seed)
        add_starts = random_dates(rng, FIRST, LAST_ADD_START, args.calls)
        add_days = [rng.randint(1, 60) for _ in range(args.calls)]
        between_starts = random_dates(rng, FIRST, LAST, args.calls)
        between_ends = random_dates(rng, FIRST, LAST, args.calls)

        built = time.perf_counter()
        workdays.covered_years()  # builds the index
        built = time.perf_counter() - built
        assert workdays.add_workdays(dt.date(2026, 9, 26), 20) == dt.date(2026, 10, 29)

        print(
            f"Python {sys.version.split()[0]}, {pinned}; index built in {built * 1000:.0f} ms "
            f"({workdays.covered_years()[0]}–{workdays.covered_years()[1]})"
        )
        add_rate = measure("add_workdays", workdays.add_workdays, add_starts, add_days, args.rounds)
        between_rate = measure(
            "workdays_between",
            workdays.workdays_between,
            between_starts,
            between_ends,
            args.rounds,
        )
        met = add_rate >= TARGET and between_rate >= TARGET
        print(f"target {TARGET:,} calls/s for each: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
