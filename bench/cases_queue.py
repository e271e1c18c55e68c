"""How fast the staff work queue (办件工作台) renders with 100,000 cases in the database.

    .venv/bin/python bench/cases_queue.py [--cases 100000] [--templates 500] [--requests 100]
    scripts/with-postgres.sh .venv/bin/python bench/cases_queue.py      # on PostgreSQL

Sets up Django itself (local settings with DEBUG off, a throwaway data directory, migrations
applied quietly; SQLite unless DATABASE_URL names a throwaway PostgreSQL), then:

1. **The demo district** (core and catalogue demo) and ``--templates`` demo cases made by
   ``tongban.cases.demo.load``: real cases, every call through the case services at past moments,
   in every status (drafts … archived), with on-time, late, paused, extended and deemed-accepted
   clocks. (Demo accounts get a fast password hash here: they are throwaway.)
2. **100,000 cases** (test-data generation, this file only): each template is cloned until there
   are ``--cases`` cases — the case row under a new case number (same region and day, next
   sequence numbers; the day counters are moved on), its review tasks and materials, and its
   events with the hash chain recomputed for the new stream (``core.events.event_digest``) and a
   chain head — all bulk-inserted. ``chain_verify`` then checks every case event.
3. **The measurement**: ``GET /console/cases/`` through Django's test client (the whole
   middleware stack, a logged-in session, the template rendered) as the window clerk, a
   reviewer, an approver and the supervisor, on their default tab and with filters (tab, card,
   due group, search, a later page); after a warm-up, ``--requests`` requests per scenario. Also
   the ``tongban.cases.queue.queue_page`` selector alone. Prints p50/p90/p99/max per scenario and
   overall; the target is a page p50 ≤ 80 ms. Never fails on time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

P50_TARGET_MS = 80.0
BATCH = 1000  # cloned cases per transaction


def setup_django(data_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.config.settings.local"
    os.environ["TONGBAN_DATA_DIR"] = data_dir
    os.environ["TONGBAN_DEBUG"] = "false"  # no query log, templates as in production
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def fmt(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):7.1f}  p90 {percentile(values, 90):7.1f}  "
        f"p99 {percentile(values, 99):7.1f}  max {max(values):7.1f} ms"
    )


# ---------------------------------------------------------------- the data


def load_templates(count: int) -> None:
    from django.test.utils import override_settings

    from tongban.cases import demo as cases_demo
    from tongban.catalog import demo as catalog_demo
    from tongban.core import demo as core_demo

    quiet = [].append
    fast_hash = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # throwaway accounts
    with override_settings(PASSWORD_HASHERS=fast_hash):
        core_demo.load(quiet)
        catalog_demo.load(quiet)
        cases_demo.load(print, count=count)


class Inserter:
    """Raw multi-row inserts with explicit ids: each template row's column values are prepared
    for the database once (``get_db_prep_save``), then copied with a few columns changed."""

    def __init__(self, model):
        from django.db import connection

        self.model = model
        self.fields = model._meta.concrete_fields
        self.columns = [f.column for f in self.fields]
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        columns = ", ".join(qn(c) for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        # Table and column names come from the model, quoted; the values are parameters.
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        self.next_id = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.rows: list[tuple] = []
        self.index = {f.attname: i for i, f in enumerate(self.fields)}

    def prepare(self, obj) -> list:
        from django.db import connection

        return [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in self.fields]

    def add(self, prepared: list, **changes) -> int:
        from django.db import connection

        row = list(prepared)
        pk = self.next_id
        self.next_id += 1
        row[self.index["id"]] = pk
        for attname, value in changes.items():
            field = self.fields[self.index[attname]]
            row[self.index[attname]] = field.get_db_prep_save(value, connection)
        self.rows.append(tuple(row))
        return pk

    def flush(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), 5000):
                cursor.executemany(self.sql, self.rows[start : start + 5000])
        self.rows = []


def clone_cases(total: int) -> int:
    """Clone the existing cases until there are ``total``; returns how many were made."""
    from types import SimpleNamespace

    from django.core.management.color import no_style
    from django.db import connection, transaction

    from tongban.cases.models import Case, CaseEvent, CaseMaterial, CaseNumberCounter, ReviewTask
    from tongban.core.events import GENESIS_HASH, event_digest
    from tongban.core.models import EventChainHead

    templates = list(Case.objects.order_by("pk"))
    need = total - len(templates)
    if need <= 0:
        return 0
    cases, events, heads = Inserter(Case), Inserter(CaseEvent), Inserter(EventChainHead)
    tasks, materials = Inserter(ReviewTask), Inserter(CaseMaterial)
    prepared_case = {c.pk: cases.prepare(c) for c in templates}
    template_events = defaultdict(list)
    for e in CaseEvent.objects.order_by("case_id", "seq"):
        template_events[e.case_id].append((e, events.prepare(e)))
    template_tasks = defaultdict(list)
    for t in ReviewTask.objects.order_by("pk"):
        template_tasks[t.case_id].append(tasks.prepare(t))
    template_materials = defaultdict(list)
    for m in CaseMaterial.objects.order_by("pk"):
        template_materials[m.case_id].append(materials.prepare(m))
    last_seq: dict[tuple[str, str], int] = Counter()
    for no in Case.objects.values_list("case_no", flat=True):
        region, day, seq = no.split("-")
        last_seq[(region, day)] = max(last_seq[(region, day)], int(seq))

    table = CaseEvent._meta.label_lower
    made = 0
    while made < need:
        batch = [templates[(made + i) % len(templates)] for i in range(min(BATCH, need - made))]
        with transaction.atomic():
            for template in batch:
                region, day, _seq = template.case_no.split("-")
                last_seq[(region, day)] += 1
                case_no = f"{region}-{day}-{last_seq[(region, day)]:05d}"
                stream = f"case:{case_no}"
                case_id = cases.add(
                    prepared_case[template.pk], case_no=case_no, idempotency_key=None
                )
                prev = GENESIS_HASH
                for e, prepared in template_events[template.pk]:
                    view = SimpleNamespace(
                        stream=stream,
                        seq=e.seq,
                        occurred_at=e.occurred_at,
                        actor_id=e.actor_id,
                        actor_label=e.actor_label,
                        action=e.action,
                        from_state=e.from_state,
                        to_state=e.to_state,
                        reason=e.reason,
                        payload=e.payload,
                        prev_hash=prev,
                    )
                    digest = event_digest(view)
                    events.add(
                        prepared, case_id=case_id, stream=stream, prev_hash=prev, hash=digest
                    )
                    prev = digest
                heads.rows.append(
                    (heads.next_id, table, stream, len(template_events[template.pk]), prev)
                )
                heads.next_id += 1
                for prepared in template_tasks[template.pk]:
                    tasks.add(prepared, case_id=case_id)
                for prepared in template_materials[template.pk]:
                    materials.add(prepared, case_id=case_id)
            for inserter in (cases, events, heads, tasks, materials):
                inserter.flush()
        made += len(batch)
        print(f"\r  cloned {made:,} / {need:,} cases", end="", flush=True)
    print()
    with transaction.atomic():
        for (region, day), last in last_seq.items():
            date = f"{day[:4]}-{day[4:6]}-{day[6:]}"
            CaseNumberCounter.objects.update_or_create(
                region_code=region, day=date, defaults={"last": last}
            )
        models = [Case, CaseEvent, EventChainHead, ReviewTask, CaseMaterial]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
    return made


# ---------------------------------------------------------------- the measurement


def scenarios():
    """(label, username, query string) of each measured page: the clerk, the reviewer and the
    approver of the department with the most cases in review, and the supervisor."""
    from django.db.models import Count

    from tongban.cases.models import Case
    from tongban.core.models import Department, User
    from tongban.core.permissions import Role

    busiest = (
        Case.objects.filter(status="in_review")
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_id")
        .first()
    )
    department = Department.objects.get(pk=busiest["department_id"])

    def staff(role: str) -> str:
        users = User.objects.filter(staff__department=department, groups__name=role)
        return users.order_by("username").values_list("username", flat=True).first()

    reviewer, approver = staff(Role.REVIEWER), staff(Role.APPROVER)
    waiting = Case.objects.filter(status="submitted").select_related("applicant").first()
    surname = waiting.applicant.name[:1] if waiting else "张"
    d = department.code
    return [
        ("clerk: 待受理 (default tab)", "clerk", ""),
        ("clerk: 待送达", "clerk", "tab=to_deliver"),
        (f"clerk: 待受理, applicant {surname}…", "clerk", f"q={surname}"),
        (f"reviewer {d}: 我的任务 (default)", reviewer, ""),
        (f"reviewer {d}: 审查中", reviewer, "tab=in_review"),
        (f"reviewer {d}: 审查中, yellow cards", reviewer, "tab=in_review&card=yellow"),
        (f"approver {d}: 审查中, overdue", approver, "tab=in_review&due=overdue"),
        (f"approver {d}: 待出证", approver, "tab=approved"),
        ("supervisor: 审查中, all departments", "supervisor", "tab=in_review"),
        ("supervisor: 审查中, page 5", "supervisor", "tab=in_review&page=5"),
        ("supervisor: 审查中, blue cards", "supervisor", "tab=in_review&card=blue"),
    ]


def measure_pages(cases, requests: int, warmup: int, cpu_all: list[float]) -> list[float]:
    from django.test import Client

    from tongban.core.models import User

    everything: list[float] = []
    print(f"\nGET /console/cases/ — {requests} requests per scenario after {warmup} warm-up")
    for label, username, query in cases:
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=username))
        url = "/console/cases/" + (f"?{query}" if query else "")
        response = client.get(url)
        if response.status_code != 200:
            print(f"  {label:42} HTTP {response.status_code} — skipped")
            continue
        rows = response.content.count(b'href="/console/cases/330199-')
        for _ in range(warmup - 1):
            client.get(url)
        times, cpu = [], []
        for _ in range(requests):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        everything.extend(times)
        cpu_all.extend(cpu)
        print(
            f"  {label:42} {fmt(times)}  cpu p50 {statistics.median(cpu):6.1f} ms  "
            f"({rows // 2} rows, {len(response.content) // 1024} KiB)"
        )
    return everything


def measure_selector(cases, requests: int) -> list[float]:
    from tongban.cases import queue
    from tongban.core.models import User

    everything: list[float] = []
    print(f"\nqueue.queue_page(...) alone — {requests} calls per scenario")
    for label, username, query in cases:
        user = User.objects.get(username=username)
        filters = queue.QueueFilters.from_query(
            dict(part.split("=", 1) for part in query.split("&") if part)
        )
        page = queue.queue_page(user, filters)
        times = []
        for _ in range(requests):
            user = User.objects.get(username=username)  # a fresh user, as in a request
            start = time.perf_counter()
            page = queue.queue_page(user, filters)
            times.append((time.perf_counter() - start) * 1000)
        everything.extend(times)
        print(f"  {label:42} {fmt(times)}  ({page.count} listed)")
    return everything


def generate(args) -> None:
    from tongban.cases.models import Case, CaseEvent

    start = time.perf_counter()
    load_templates(args.templates)
    print(f"template cases through the services: {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    made = clone_cases(args.cases)
    print(
        f"cloned {made:,} cases in {time.perf_counter() - start:.0f} s: "
        f"{Case.objects.count():,} cases, {CaseEvent.objects.count():,} events"
    )
    statuses = Counter(Case.objects.values_list("status", flat=True))
    print("  " + ", ".join(f"{s} {n:,}" for s, n in statuses.most_common()))
    if not args.no_verify:
        from tongban.core.events import chain_verify

        start = time.perf_counter()
        report = chain_verify([CaseEvent])
        verdict = "OK" if report.ok else f"{len(report.problems)} PROBLEMS"
        print(
            f"chain_verify: {verdict}, {report.events:,} events in {report.streams:,} "
            f"streams ({time.perf_counter() - start:.0f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--templates", type=int, default=500)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--no-verify", action="store_true", help="skip chain_verify")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE before measuring")
    parser.add_argument(
        "--data-dir", help="keep the data here (and reuse it next time) instead of a temporary one"
    )
    args = parser.parse_args()

    if args.data_dir:
        os.makedirs(args.data_dir, exist_ok=True)
        context = contextlib.nullcontext(args.data_dir)
    else:
        context = tempfile.TemporaryDirectory(prefix="tongban-bench-")
    with context as data_dir:
        setup_django(data_dir)
        from django.db import connection

        from tongban.cases.models import Case

        print(f"database: {connection.vendor}; data directory {data_dir}")
        if Case.objects.count() >= args.cases:
            print(f"reusing the {Case.objects.count():,} cases already in {data_dir}")
        else:
            generate(args)
        if args.analyze:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print("ANALYZE done (planner statistics)")
        cases = scenarios()
        cpu: list[float] = []
        pages = measure_pages(cases, args.requests, args.warmup, cpu)
        selector = measure_selector(cases, max(10, args.requests // 2))
        print()
        if pages:
            p50 = statistics.median(pages)
            verdict = "met" if p50 <= P50_TARGET_MS else "NOT met"
            print(f"queue page, all scenarios:  {fmt(pages)}")
            print(f"  CPU time of this process per page: {fmt(cpu)}; load average {load()}")
            print(f"target page p50 ≤ {P50_TARGET_MS:.0f} ms: {verdict}")
        print(f"queue selector, all scenarios: {fmt(selector)}")


if __name__ == "__main__":
    main()
