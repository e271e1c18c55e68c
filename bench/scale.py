"""The key pages and queries at data scale: millions of cases and tickets.

    scripts/with-postgres.sh .venv/bin/python bench/scale.py --cases 5000000 --tickets 10000000
    .venv/bin/python bench/scale.py --cases 100000 --tickets 200000      # SQLite, smaller
    .venv/bin/python bench/scale.py --data-dir DIR --skip-seed           # measure again

Sets up Django (production settings, the data directory ``--data-dir`` or a throwaway one,
migrations), loads the demo district's set-up (regions, departments, staff, the catalogue, the
hotline's subjects and dispatch catalogue; ``--full-demo`` for all of ``tongban demo load``) and
then ``tongban bench seed
--cases N --tickets M`` (a year of cases and tickets with their events; its rate is printed so
the full-size time can be computed), unless the data directory was seeded before.

Then, through Django's test client (the whole middleware stack, logged-in sessions, templates
rendered) and the selectors, each after one warm-up, ``--runs`` times (default 5), p50 and max:

- work queue: ``GET /console/cases/`` as the window clerk and as a reviewer — target p50 ≤ 100 ms
- case page: ``GET /console/cases/<no>/`` of a different seeded case each run — target ≤ 50 ms
- ticket search: ``GET /api/v1/tickets?q=<ticket number>`` and ``?q=<word>`` as the operator,
  ``GET /console/hotline/`` as a handler — target p50 ≤ 100 ms
- supervision lists: ``GET /console/supervision/cards/`` (red/yellow cards) as the supervisor
- the monthly KPI set of last month for the district and every department
  (``kpis.figures`` + ``kpis.figures_by("department")``) — target ≤ 3 s
- the monthly hotline report of last month (``hotline.reports.build``)

For every measurement over its target, the slowest SQL statements of one run are printed, and
on PostgreSQL their ``EXPLAIN (ANALYZE, BUFFERS)``. Prints row counts and the load average with
the figures. Never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "load"))
from run import server_env  # noqa: E402 - bench/load/run.py: the same production environment

from measure import load  # noqa: E402


def setup(
    data_dir: str,
    cases: int,
    tickets: int,
    seed: int,
    skip_seed: bool,
    args_full_demo: bool,
    minutes: float | None = None,
    defer_indexes: bool = False,
    migrate: bool = True,
) -> None:
    os.environ.update(server_env(data_dir))
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0, interactive=False)
    marker = Path(data_dir) / "scale-seeded"
    if skip_seed or marker.exists():
        print("seed: using the data already there", flush=True)
        return
    started = time.perf_counter()
    if args_full_demo:
        call_command("demo", "load", stdout=open(os.devnull, "w"))  # noqa: SIM115
    else:  # the district, its staff, catalogue and hotline set-up; the history comes from the seed
        from tongban.catalog import demo as catalog_demo
        from tongban.core import demo as core_demo
        from tongban.hotline import demo as hotline_demo

        core_demo.load(lambda _line: None)
        catalog_demo.load(lambda _line: None)
        hotline_demo.load(lambda _line: None, count=0)
    print(f"seed: demo district in {time.perf_counter() - started:.0f} s; load {load()}")
    from tongban.supervision.bench_seed import existing_rows

    before = existing_rows()
    started = time.perf_counter()
    call_command(
        "bench",
        "seed",
        cases=cases,
        tickets=tickets,
        seed=seed,
        minutes=minutes,
        defer_indexes=defer_indexes,
    )
    seconds = time.perf_counter() - started
    after = existing_rows()
    made = (after[0] - before[0], after[1] - before[1])
    print(
        f"seed: {made[0]:,} cases + {made[1]:,} tickets (asked {cases:,} + {tickets:,}) in "
        f"{seconds:.0f} s = {sum(made) / seconds:,.0f} cases+tickets/s; load {load()}",
        flush=True,
    )
    marker.write_text(f"{made[0]} {made[1]} {seconds:.0f}\n")


def sizes() -> str:
    """PostgreSQL: the database's size on disk and its largest tables (with indexes)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (total,) = cursor.fetchone()
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) AS s, "
            "pg_size_pretty(pg_total_relation_size(c.oid)), "
            "pg_size_pretty(pg_indexes_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
            "AND c.relkind = 'r' AND NOT c.relispartition ORDER BY 2 DESC LIMIT 8"
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT p.relname, pg_size_pretty(sum(pg_total_relation_size(c.oid))), "
            "pg_size_pretty(sum(pg_indexes_size(c.oid))) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "GROUP BY p.relname ORDER BY sum(pg_total_relation_size(c.oid)) DESC"
        )
        partitioned = cursor.fetchall()
    lines = [f"database size {total}; largest tables (total, of which indexes):"]
    lines += [
        f"  {name:<34} {size:>10}  {index:>10}  (partitioned)" for name, size, index in partitioned
    ]
    lines += [f"  {name:<34} {pretty:>10}  {index:>10}" for name, _b, pretty, index in rows]
    return "\n".join(lines)


def counts() -> str:
    from tongban.cases.models import Case, CaseEvent
    from tongban.hotline.models import Ticket, TicketEvent

    rows = {
        "cases": Case.objects.count(),
        "case events": CaseEvent.objects.count(),
        "tickets": Ticket.objects.count(),
        "ticket events": TicketEvent.objects.count(),
    }
    return ", ".join(f"{k} {v:,}" for k, v in rows.items())


class Timer:
    def __init__(self, runs: int, only: list[str] | None = None):
        self.runs = runs
        self.only = only or []
        self.rows: list[tuple[str, float, float, float | None]] = []

    def measure(self, label: str, call, target_ms: float | None, check=None) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        if self.only and not any(word in label for word in self.only):
            return
        call(0)  # warm-up
        times = []
        for run in range(1, self.runs + 1):
            started = time.perf_counter()
            out = call(run)
            times.append((time.perf_counter() - started) * 1000)
            if check and (problem := check(out)):
                print(f"  {label:<58} not measured: {problem}", flush=True)
                return
        p50 = statistics.median(times)
        self.rows.append((label, p50, max(times), target_ms))
        verdict = ""
        if target_ms is not None:
            verdict = "met" if p50 <= target_ms else f"MISSED by {p50 - target_ms:.0f} ms"
            verdict = f"(target ≤ {target_ms:.0f} ms: {verdict})"
        print(f"  {label:<58} p50 {p50:9.1f} ms  max {max(times):9.1f} ms  {verdict}", flush=True)
        if target_ms is not None and p50 > target_ms:
            with CaptureQueriesContext(connection) as ctx:
                call(self.runs + 1)
            slow = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
            print(f"    {len(ctx.captured_queries)} statements; the slowest:")
            for q in slow:
                print(f"    {float(q['time']) * 1000:8.1f} ms  {q['sql'][:400]}")
            if connection.vendor == "postgresql" and slow:
                explain(slow[0]["sql"])


def explain(sql: str) -> None:
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    print("    EXPLAIN (ANALYZE, BUFFERS) of the slowest:")
    for row in plan[:40]:
        print(f"      {row}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir")
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument(
        "--no-migrate",
        action="store_true",
        help="measure the database as it is (a shared one other work is changing)",
    )
    parser.add_argument(
        "--only",
        action="append",
        help="measure only the timings whose label holds this text (repeatable)",
    )
    parser.add_argument(
        "--defer-indexes",
        action="store_true",
        help="PostgreSQL: the seed drops the non-unique indexes for the load, rebuilds them after",
    )
    parser.add_argument(
        "--seed-minutes", type=float, help="stop the seed after this long (a smaller data set)"
    )
    parser.add_argument(
        "--full-demo", action="store_true", help="`tongban demo load` (slow) before the seed"
    )
    args = parser.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="tongban-scale-")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    setup(
        data_dir,
        args.cases,
        args.tickets,
        args.seed,
        args.skip_seed,
        args.full_demo,
        args.seed_minutes,
        args.defer_indexes,
        not args.no_migrate,
    )

    from django.db import connection
    from django.test import Client

    from tongban.cases.models import Case
    from tongban.core.models import User
    from tongban.hotline import reports
    from tongban.hotline.models import Ticket
    from tongban.supervision import kpis

    print(f"database {connection.vendor}; rows: {counts()}; load {load()}", flush=True)
    if text := sizes():
        print(text, flush=True)
    rng = random.Random(7)

    def client(username: str) -> Client:
        c = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        c.force_login(User.objects.get(username=username))
        return c

    def ok(response) -> str:
        return "" if response.status_code == 200 else f"answered {response.status_code}"

    clerk, reviewer, operator = client("clerk"), client("reviewer"), client("operator")
    handler, supervisor = client("handler"), client("supervisor")
    reviewer_dept = User.objects.get(username="reviewer").staff.department_id
    last_id = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    case_nos = list(
        Case.objects.filter(department_id=reviewer_dept, pk__gt=last_id - 200_000)
        .exclude(status="draft")
        .order_by("-pk")
        .values_list("case_no", flat=True)[:2000]
    )
    last_ticket = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ticket_nos = list(
        Ticket.objects.filter(pk__gt=last_ticket - 500_000)
        .order_by("?" if connection.vendor == "sqlite" else "-pk")
        .values_list("ticket_no", flat=True)[:2000]
    )
    rng.shuffle(case_nos)
    rng.shuffle(ticket_nos)

    timer = Timer(args.runs, args.only)
    print(f"\nTimings (p50 of {args.runs} runs after a warm-up):")
    timer.measure(
        "work queue: GET /console/cases/ (window clerk)",
        lambda _r: clerk.get("/console/cases/", secure=True),
        100,
        ok,
    )
    timer.measure(
        "work queue: GET /console/cases/ (reviewer)",
        lambda _r: reviewer.get("/console/cases/", secure=True),
        100,
        ok,
    )
    timer.measure(
        "case page: GET /console/cases/<no>/ (reviewer)",
        lambda r: reviewer.get(f"/console/cases/{case_nos[r % len(case_nos)]}/", secure=True),
        50,
        ok,
    )
    timer.measure(
        "ticket search: GET /api/v1/tickets?q=<ticket no>",
        lambda r: operator.get(f"/api/v1/tickets?q={ticket_nos[r % len(ticket_nos)]}", secure=True),
        100,
        ok,
    )
    timer.measure(
        "ticket search: GET /api/v1/tickets?q=路灯",
        lambda _r: operator.get("/api/v1/tickets?q=路灯", secure=True),
        100,
        ok,
    )
    timer.measure(
        "ticket search: GET /api/v1/tickets?q=垃圾清运",
        lambda _r: operator.get("/api/v1/tickets?q=垃圾清运", secure=True),
        100,
        ok,
    )
    timer.measure(
        "ticket queue search: GET /console/hotline/?tab=all&q=路灯 (operator)",
        lambda _r: operator.get("/console/hotline/?tab=all&q=路灯", secure=True),
        100,
        ok,
    )
    timer.measure(
        "ticket queue: GET /console/hotline/ (handler)",
        lambda _r: handler.get("/console/hotline/", secure=True),
        100,
        ok,
    )
    timer.measure(
        "supervision cards: GET /console/supervision/cards/",
        lambda _r: supervisor.get("/console/supervision/cards/", secure=True),
        None,
        ok,
    )
    today = dt.date.today()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    period = kpis.month_period(month)

    def kpi_set(_r):
        kpis.figures(period, today=today)
        return kpis.figures_by("department", period, today=today)

    timer.measure(f"monthly KPI set {month:%Y-%m} (district + departments)", kpi_set, 3000)
    timer.measure(
        f"monthly KPI set {month:%Y-%m}, one pass (kpis.figures_with_groups)",
        lambda _r: kpis.figures_with_groups("department", period, today=today),
        3000,
    )
    # The dashboard's month sets the way a supervisor's request gets them (kpi_sets: the month's
    # total and departments in one pass, the street ranking, 12 months' and 8 weeks' trends,
    # each through the cache), the cache warm — then the same reads sent to the replica alias.
    from django.conf import settings as django_settings
    from django.core.cache import cache

    from tongban.core.replica import REPLICA, replica_configured, using_replica
    from tongban.supervision.views import console as supervision_console

    sup_today = supervision_console._today()
    timer.measure(
        f"monthly KPI set {month:%Y-%m}, report cache warm (dashboard path)",
        lambda _r: supervision_console.kpi_sets(month, kpis.ALL, sup_today),
        1000,
    )
    if replica_configured():
        replica_host = django_settings.DATABASES[REPLICA].get("HOST") or "local socket"

        def from_replica(_r):
            with using_replica():
                return supervision_console.kpi_sets(month, kpis.ALL, sup_today)

        timer.measure(
            f"monthly KPI set {month:%Y-%m}, cache warm, replica alias "
            f"({replica_host}: on this machine the same server on loopback)",
            from_replica,
            1000,
        )
        timer.measure(
            f"monthly KPI set {month:%Y-%m}, one pass, replica alias ({replica_host}, loopback)",
            lambda _r: kpis.figures_with_groups("department", period, today=today),
            3000,
        )
    dashboard = f"/console/supervision/dashboard/?month={month:%Y-%m}"
    local_cache = django_settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")

    def cold_page(_r):
        cache.clear()  # this process's own cache (no CACHE_URL): every KPI set recomputed
        return supervisor.get(dashboard, secure=True)

    if local_cache:
        timer.measure(
            f"supervision dashboard: GET {dashboard} (supervisor, cache cold)", cold_page, None, ok
        )
    timer.measure(
        f"supervision dashboard: GET {dashboard} (supervisor, cache warm)",
        lambda _r: supervisor.get(dashboard, secure=True),
        1000,
        ok,
    )
    hotline_period = reports.period_of("month", month)
    timer.measure(
        f"monthly hotline report {month:%Y-%m} (reports.build)",
        lambda _r: reports.build(hotline_period),
        None,
    )
    print(f"\nload average after: {load()}")


if __name__ == "__main__":
    main()
