"""`tongban bench seed --cases N --tickets M [--seed S] [--append]`: a year of cases and tickets
on top of the demo district, in bulk, for the data-scale benchmark (bench/scale.py,
docs/performance.md). Test data only: never run it against a production database."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from tongban.supervision.bench_seed import SeedRefused, seed


class Command(BaseCommand):
    help = (
        "Benchmark data. `bench seed --cases 5000000 --tickets 10000000 [--seed 1] [--append]` "
        "generates a year of cases and 12345 tickets with their events on top of the demo "
        "district (run `tongban demo load` first): COPY on PostgreSQL, executemany on SQLite, "
        "with a progress bar; Ctrl-C stops it and keeps what was written. Refuses a database "
        "already seeded beyond the demo unless --append."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        make = sub.add_parser("seed", help="generate cases and tickets in bulk")
        make.add_argument("--cases", type=int, default=100_000)
        make.add_argument("--tickets", type=int, default=200_000)
        make.add_argument("--seed", type=int, default=1, help="same seed, same data")
        make.add_argument("--append", action="store_true", help="add to a seeded database")
        make.add_argument(
            "--minutes", type=float, help="stop after this long, keeping what was written"
        )
        make.add_argument(
            "--defer-indexes",
            action="store_true",
            help="PostgreSQL: drop the non-unique indexes for the load and rebuild them after",
        )
        make.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action: str, **options):
        cases, tickets = options["cases"], options["tickets"]
        if cases < 0 or tickets < 0:
            raise CommandError("--cases and --tickets must not be negative")
        bars = _Bars(cases, tickets, quiet=options["no_progress"])
        started = time.perf_counter()
        try:
            written = seed(
                cases=cases,
                tickets=tickets,
                seed=options["seed"],
                append=options["append"],
                progress=bars.update,
                minutes=options.get("minutes"),
                defer_indexes=options.get("defer_indexes", False),
                say=self.stdout.write,
            )
        except SeedRefused as exc:
            raise CommandError(f"bench seed refused: {exc}") from None
        finally:
            bars.close()
        seconds = time.perf_counter() - started
        made = written["case"] + written["ticket"]
        self.stdout.write(
            f"seeded {written['case']:,} cases and {written['ticket']:,} tickets in "
            f"{seconds:,.0f} s ({made / max(seconds, 1e-9):,.0f} cases and tickets/s, "
            f"{sum(written.values()) / max(seconds, 1e-9):,.0f} rows/s)"
        )
        if made < cases + tickets:
            self.stdout.write(f"stopped early: {cases:,} cases and {tickets:,} tickets were asked")
        for name, count in written.items():
            self.stdout.write(f"  {name:<14} {count:>12,} rows")


class _Bars:
    """tqdm progress bars on stderr (a plain counter line without tqdm)."""

    def __init__(self, cases: int, tickets: int, *, quiet: bool):
        self.bars = {}
        self.quiet = quiet
        self.totals = {"case": cases, "ticket": tickets}
        self.done = {"case": 0, "ticket": 0}
        if quiet:
            return
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover - tqdm comes with the dev tools
            return
        for kind, total in self.totals.items():
            if total:
                self.bars[kind] = tqdm(
                    total=total, desc=f"{kind}s", unit=" rows", unit_scale=True, file=sys.stderr
                )

    def update(self, kind: str, count: int) -> None:
        self.done[kind] += count
        if self.quiet:
            return
        bar = self.bars.get(kind)
        if bar is not None:
            bar.update(count)
        else:
            sys.stderr.write(f"\r{kind}s {self.done[kind]:,}/{self.totals[kind]:,}")

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
