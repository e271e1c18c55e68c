"""How fast the 12345 hotline runs with a million tickets in the database, over HTTP.

    .venv/bin/python bench/hotline.py --postgres                  # the target: PostgreSQL
    scripts/with-postgres.sh .venv/bin/python bench/hotline.py    # the same
    .venv/bin/python bench/hotline.py --tickets 20000             # SQLite, smaller

Sets up Django itself (production settings, a throwaway data directory, migrations applied
quietly): the district 云溪区 with six streets and their communities, 12 departments, the
streets' service centres, a taxonomy of 60 subjects, a published dispatch catalogue with 20
keyword rules, the default handling limits, an operator and a handler per unit with API tokens.

Then ``--tickets`` (1,000,000) historic tickets over the past 180 days, in every state, with
their assignments, callbacks and hash-chained events (about 4 per ticket, each hashed as
``event_append`` would), loaded with COPY on PostgreSQL (bulk_create on SQLite), then ANALYZE.

Over HTTP (gunicorn, 2 sync workers, a separate client process with ``--concurrency`` threads):

(a) **complete lifecycles**: ``POST /api/v1/tickets`` (operator, Idempotency-Key) → ``POST
    …/actions/dispatch`` → ``POST …/actions/sign`` (the unit's handler) → ``POST …/actions/reply``
    → ``GET /api/v1/tickets?q=<number>``; lifecycles/s and p50/p99 per step. Target ≥ 100/s.
(b) **intake with dispatch rules**: ``POST /api/v1/tickets`` whose text or subject the rules and
    the catalogue match, so each is dispatched at once (秒派). Target ≥ 200/s.
(c) the trivial ``GET /healthz``, for scale.

Also: SQL statements per request for each step (counted in-process once), the memory at rest
(RSS and PSS of the gunicorn processes and of PostgreSQL), and — when bench/hotline_knowledge.py
is there — the operator's knowledge search over 50,000 articles. Never fails on time.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import hotline_data as data  # noqa: E402 - the bench's own test data, beside this file
from measure import children, free_port, line, load, pct, postmaster_pid, tree_cpu  # noqa: E402

TARGET_LIFECYCLES = 100.0
TARGET_INTAKE = 200.0

HOST = "127.0.0.1"
STOP = object()  # no more jobs


def setup_django(data_dir: str) -> None:
    os.environ.update(server_env(data_dir))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def server_env(data_dir: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings.production",
        "TONGBAN_DATA_DIR": data_dir,
        "TONGBAN_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40),
        "TONGBAN_SSL_REDIRECT": "false",
        "TONGBAN_ALLOWED_HOSTS": f"{HOST},localhost",
        "TONGBAN_LOG_LEVEL": "WARNING",
    }


# ---------------------------------------------------------------- figures and processes


class Http:
    """One thread's connection to the server (reconnects when the server closes it)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple:
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return response.status, payload
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")


def start_server(data_dir: str, port: int, workers: int, worker_class: str, threads: int):
    env = {**os.environ, **server_env(data_dir)}
    env["TONGBAN_SECRET_KEY"] = os.environ["TONGBAN_SECRET_KEY"]  # the bench process's own
    command = [
        *(sys.executable, "-m", "gunicorn", "tongban.config.wsgi:application"),
        *("--bind", f"{HOST}:{port}", "--workers", str(workers)),
        *("--worker-class", worker_class, "--log-level", "warning", "--graceful-timeout", "5"),
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 - our own command
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def report_phase(label: str, stats: dict, units: str) -> float:
    done, seconds = len(stats["done"]), stats["seconds"]
    print(line(label, stats["unit"], done, seconds))
    for name, ms in stats["latency"].items():
        print(
            f"    {name:<34} {len(ms):>6} requests  p50 {statistics.median(ms):7.2f} ms  "
            f"p99 {pct(ms, 0.99):7.2f} ms"
        )
    if stats["errors"]:
        print(f"    {len(stats['errors'])} {units} failed, e.g. {stats['errors'][0]}")
    if done:
        cpu = {name: secs * 1000 / done for name, secs in stats["cpu"].items()}
        total = sum(cpu.values())
        parts = ", ".join(f"{name} {ms:.2f}" for name, ms in cpu.items())
        print(
            f"    CPU per {units[:-1]}: {parts} = {total:.2f} ms; on {os.cpu_count()} idle "
            f"cores that allows about {os.cpu_count() * 1000 / total:,.0f}/s"
        )
    return done / seconds if seconds else 0.0


# ---------------------------------------------------------------- SQL per request


def count_statements(world: dict) -> dict[str, int]:
    """SQL statements of each step, once, in this process (warm caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    op = {"HTTP_AUTHORIZATION": f"Bearer {world['operator_token']}"}
    leaf, dept, word = next(x for x in world["leaves"] if x[1])
    handler = {"HTTP_AUTHORIZATION": f"Bearer {world['handler_tokens'][dept]}"}
    client = Client(SERVER_NAME="127.0.0.1")
    counts = {}

    def run(label, call):
        with CaptureQueriesContext(connection) as ctx:
            response = call()
        assert response.status_code < 300, response.content[:300]
        counts[label] = len(ctx.captured_queries)
        if os.environ.get("BENCH_SHOW_SQL"):
            print(label, *(q["sql"][:150] for q in ctx.captured_queries), sep="\n    ")
        return response

    def post(path, body, extra):
        return client.post(path, json.dumps(body), content_type="application/json", **extra)

    body = _create_body(leaf, word, auto=False)
    warm = post("/api/v1/tickets", body, op).json()["ticket_no"]  # every cache loads once
    post(f"/api/v1/tickets/{warm}/actions/dispatch", {"department": dept}, op)
    post(f"/api/v1/tickets/{warm}/actions/sign", {}, handler)
    no = run(
        "POST /tickets",
        lambda: post("/api/v1/tickets", body, {**op, "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}),
    ).json()["ticket_no"]
    run(
        "POST dispatch",
        lambda: post(f"/api/v1/tickets/{no}/actions/dispatch", {"department": dept}, op),
    )
    run("POST sign", lambda: post(f"/api/v1/tickets/{no}/actions/sign", {}, handler))
    run(
        "POST reply",
        lambda: post(
            f"/api/v1/tickets/{no}/actions/reply", {"reply": "已处理", "solved": True}, handler
        ),
    )
    run("GET /tickets?q=", lambda: client.get("/api/v1/tickets", {"q": no}, **op))
    run(
        "POST /tickets (秒派)",
        lambda: post("/api/v1/tickets", _create_body(leaf, word, auto=True), op),
    )
    return counts


def profile_lifecycles(world: dict, n: int) -> None:
    """Where a lifecycle's server time goes (cProfile, in this process, test client)."""
    import cProfile
    import pstats

    from django.test import Client

    op = {"HTTP_AUTHORIZATION": f"Bearer {world['operator_token']}"}
    leaf, dept, word = next(x for x in world["leaves"] if x[1])
    handler = {"HTTP_AUTHORIZATION": f"Bearer {world['handler_tokens'][dept]}"}
    client = Client(SERVER_NAME="127.0.0.1")

    def post(path, body, extra):
        return client.post(path, json.dumps(body), content_type="application/json", **extra)

    def lifecycle():
        no = post("/api/v1/tickets", _create_body(leaf, word, auto=False), op).json()["ticket_no"]
        post(f"/api/v1/tickets/{no}/actions/dispatch", {"department": dept}, op)
        post(f"/api/v1/tickets/{no}/actions/sign", {}, handler)
        post(f"/api/v1/tickets/{no}/actions/reply", {"reply": "已处理", "solved": True}, handler)
        client.get("/api/v1/tickets", {"q": no}, **op)

    lifecycle()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(n):
        lifecycle()
    profiler.disable()
    print(f"profile: {n} lifecycles in {time.perf_counter() - started:.2f} s (with profiling)")
    pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime")).print_stats(
        int(os.environ.get("BENCH_PROFILE_ROWS", "40"))
    )


def _create_body(leaf, word: str, *, auto: bool) -> dict:
    return {
        "ticket_type": "complaint",
        "title": f"{word}问题反映",
        "content": f"来电反映小区附近{word}，已持续多日，希望尽快处理。",
        "caller_name": "张先生",
        "caller_phone": "13905710001",
        "address": "云溪区云溪街道望湖社区学府路 18 号",
        "subject": leaf.code,
        "auto_dispatch": auto,
    }


# ---------------------------------------------------------------- the client process


def client_run(port: int, phase: str, jobs: list, threads: int, seconds: float, out) -> None:
    import threading
    from collections import defaultdict

    lock = threading.Lock()
    jobs = list(reversed(jobs))
    stats: dict = {"latency": defaultdict(list), "done": [], "errors": [], "unit": []}
    deadline = time.perf_counter() + seconds

    def take():
        with lock:
            return jobs.pop() if jobs and time.perf_counter() < deadline else STOP

    def call(http, name, method, path, body=None, headers=None):
        start = time.perf_counter()
        status, data = http.request(method, path, body, headers or {})
        stats["latency"][name].append((time.perf_counter() - start) * 1000)
        if status >= 400:
            raise RuntimeError(f"{name}: {status} {data[:300]!r}")
        return data

    def json_headers(token, **extra):
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **extra}

    def lifecycle(http, job):
        op, handler, dept, body = job
        data = call(
            http,
            "1 POST /tickets",
            "POST",
            "/api/v1/tickets",
            json.dumps(body).encode(),
            json_headers(op, **{"Idempotency-Key": uuid.uuid4().hex}),
        )
        no = json.loads(data)["ticket_no"]
        base = f"/api/v1/tickets/{no}/actions"
        call(
            http,
            "2 POST dispatch",
            "POST",
            f"{base}/dispatch",
            json.dumps({"department": dept}).encode(),
            json_headers(op),
        )
        call(http, "3 POST sign", "POST", f"{base}/sign", b"{}", json_headers(handler))
        call(
            http,
            "4 POST reply",
            "POST",
            f"{base}/reply",
            json.dumps({"reply": "已现场处理完毕", "solved": True}).encode(),
            json_headers(handler),
        )
        found = json.loads(
            call(
                http,
                "5 GET /tickets?q=",
                "GET",
                f"/api/v1/tickets?q={no}",
                None,
                {"Authorization": f"Bearer {op}"},
            )
        )
        if [t["ticket_no"] for t in found["items"]] != [no] or found["items"][0][
            "status"
        ] != "replied":
            raise RuntimeError(f"search by number: {found}")
        return no

    def intake(http, job):
        op, body = job
        data = json.loads(
            call(
                http,
                "POST /tickets (秒派)",
                "POST",
                "/api/v1/tickets",
                json.dumps(body).encode(),
                json_headers(op),
            )
        )
        if data["status"] != "dispatched":
            raise RuntimeError(f"not dispatched at once: {data['ticket_no']} {data['status']}")
        return data["ticket_no"]

    def healthz(http, _job):
        call(http, "GET /healthz", "GET", "/healthz")
        return ""

    unit = {"lifecycle": lifecycle, "intake": intake, "healthz": healthz}[phase]

    def worker():
        http = Http(port)
        while (job := take()) is not STOP:
            start = time.perf_counter()
            try:
                result = unit(http, job)
            except Exception as exc:
                with lock:
                    stats["errors"].append(str(exc)[:300])
                continue
            with lock:
                stats["done"].append(result)
                stats["unit"].append((time.perf_counter() - start) * 1000)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    stats["seconds"] = time.perf_counter() - started
    stats["latency"] = dict(stats["latency"])
    stats["client_cpu"] = time.process_time()
    out.send(stats)
    out.close()


def run_client(port, phase, jobs, threads, seconds, watch=None) -> dict:
    import multiprocessing

    watch = watch or {}
    before = {name: tree_cpu(pid) for name, pid in watch.items()}
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=client_run, args=(port, phase, jobs, threads, seconds, send))
    process.start()
    send.close()
    stats = receive.recv()
    process.join(timeout=30)
    stats["cpu"] = {name: tree_cpu(pid) - before[name] for name, pid in watch.items()}
    stats["cpu"]["client"] = stats.pop("client_cpu")
    return stats


# ---------------------------------------------------------------- memory at rest


def _memory_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        for row in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if row.startswith("Rss:"):
                rss = int(row.split()[1])
            elif row.startswith("Pss:"):
                pss = int(row.split()[1])
    except OSError:
        pass
    return rss, pss


def memory(watch: dict) -> dict[str, tuple[float, float, int]]:
    out = {}
    for name, root in watch.items():
        pids = children(root)
        rss = pss = 0
        for pid in pids:
            r, p = _memory_kb(pid)
            rss, pss = rss + r, pss + p
        out[name] = (rss / 1024, pss / 1024, len(pids))
    return out


# ---------------------------------------------------------------- main


def bench_http(world: dict, data_dir: str, args, vendor: str) -> None:
    port = free_port()
    server = start_server(data_dir, port, args.workers, args.worker_class, args.threads)
    watch = {"server": server.pid, "database": postmaster_pid()}
    if watch["database"] is None:
        del watch["database"]
    op = world["operator_token"]
    department_leaves = [x for x in world["leaves"] if x[1]]
    rng = random.Random(7)

    def lifecycle_job(i):
        leaf, dept, word = department_leaves[i % len(department_leaves)]
        return (op, world["handler_tokens"][dept], dept, _create_body(leaf, word, auto=False))

    ruled = world["leaves"][::3]  # the leaves whose word a keyword rule names

    def intake_job(i):
        if i % 2:  # half by the rules' keywords alone, no subject given
            leaf, _dept, word = ruled[rng.randrange(len(ruled))]
            body = _create_body(leaf, word, auto=True)
            body.pop("subject")
        else:  # half by the subject's catalogue entry
            leaf, _dept, word = world["leaves"][rng.randrange(len(world["leaves"]))]
            body = _create_body(leaf, word, auto=True)
        return (op, body)

    try:
        run_client(port, "lifecycle", [lifecycle_job(i) for i in range(20)], 2, 30)  # warm up
        print(
            f"HTTP: gunicorn {args.worker_class}, {args.workers} workers on {HOST}:{port}, {vendor}; client "
            f"process with {args.concurrency} threads, at most {args.seconds:.0f} s per phase"
        )
        print(f"  load average before: {load()}")
        stats = run_client(
            port,
            "lifecycle",
            [lifecycle_job(i) for i in range(args.max_lifecycles)],
            args.concurrency,
            args.seconds,
            watch,
        )
        rate = report_phase("(a) complete lifecycles", stats, "lifecycles")
        verdict = "met" if rate >= TARGET_LIFECYCLES else "NOT met"
        print(f"  target ≥ {TARGET_LIFECYCLES:.0f} lifecycles/s: {rate:.1f}/s, {verdict}")
        stats = run_client(
            port,
            "intake",
            [intake_job(i) for i in range(args.max_intake)],
            args.concurrency,
            args.seconds,
            watch,
        )
        rate = report_phase("(b) intake with dispatch rules (秒派)", stats, "tickets")
        verdict = "met" if rate >= TARGET_INTAKE else "NOT met"
        print(f"  target ≥ {TARGET_INTAKE:.0f} tickets/s: {rate:.1f}/s, {verdict}")
        stats = run_client(
            port, "healthz", [None] * 20000, args.concurrency, min(args.seconds, 5), watch
        )
        report_phase("(c) trivial view GET /healthz", stats, "requests")
        print(f"  load average after: {load()}")
        time.sleep(3)
        print("memory at rest (after the phases, idle 3 s):")
        total_rss = total_pss = 0.0
        for name, (rss, pss, n) in memory(watch).items():
            print(f"  {name:<10} {n:>3} processes  RSS {rss:8.1f} MB  PSS {pss:8.1f} MB")
            total_rss, total_pss = total_rss + rss, total_pss + pss
        print(
            f"  {'total':<10}                RSS {total_rss:8.1f} MB  PSS {total_pss:8.1f} MB "
            "(PSS counts shared pages once; DIGIT's published figure is about 27 GB)"
        )
    finally:
        stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true", help="run under with-postgres.sh")
    parser.add_argument(
        "--tickets", type=int, default=1_000_000, help="historic tickets loaded first"
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="at most, per HTTP phase")
    parser.add_argument("--max-lifecycles", type=int, default=4000)
    parser.add_argument("--max-intake", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=6, help="client threads")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="gthread: threads per worker")
    parser.add_argument("--articles", type=int, default=50_000, help="knowledge search benchmark")
    parser.add_argument("--no-knowledge", action="store_true")
    parser.add_argument(
        "--verify", action="store_true", help="verify every event chain after loading"
    )
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="profile N lifecycles in-process"
    )
    args = parser.parse_args()
    if args.postgres and not os.environ.get("DATABASE_URL"):
        script = str(ROOT / "scripts" / "with-postgres.sh")
        argv = [a for a in sys.argv[1:] if a != "--postgres"]
        os.execv(script, [script, sys.executable, str(Path(__file__).resolve()), *argv])  # noqa: S606
    with tempfile.TemporaryDirectory(prefix="tongban-bench-") as data_dir:
        setup_django(data_dir)
        from django.db import connection

        vendor = (
            f"PostgreSQL {connection.cursor().connection.info.server_version // 10000}"
            if connection.vendor == "postgresql"
            else f"SQLite {connection.Database.sqlite_version} (WAL, file)"
        )
        print(f"database: {vendor}; {os.cpu_count()} CPUs; load average {load()}")
        started = time.perf_counter()
        world = data.make_world()
        print(
            f"set-up: {len(world['units'])} units, {len(world['leaves'])} subjects, "
            f"{len(world['rules'])} dispatch rules in {time.perf_counter() - started:.1f} s"
        )
        print(f"loading {args.tickets:,} historic tickets with their events:")
        seconds = data.load_tickets(world, args.tickets)
        from tongban.hotline.models import Ticket, TicketEvent

        print(
            f"  {Ticket.objects.count():,} tickets, {TicketEvent.objects.count():,} events "
            f"in {seconds:.1f} s"
        )
        if args.verify:
            from tongban.core.events import chain_verify

            report = chain_verify()
            print(f"  chains: {report.streams:,} streams, {report.events:,} events, ok={report.ok}")
        counts = count_statements(world)
        print("SQL statements per request (warm caches):")
        for label, n in counts.items():
            print(f"  {label:<24} {n:>3}")
        if args.profile:
            profile_lifecycles(world, args.profile)
        connection.close()
        if not args.no_http:
            bench_http(world, data_dir, args, vendor)
        knowledge = ROOT / "bench" / "hotline_knowledge.py"
        if knowledge.exists() and not args.no_knowledge:
            spec = importlib.util.spec_from_file_location("bench_hotline_knowledge", knowledge)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            print(f"operator's knowledge search ({args.articles:,} articles):")
            module.run(args.articles)


if __name__ == "__main__":
    main()
