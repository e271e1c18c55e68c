"""How fast cases are submitted and accepted: through the services, and over HTTP.

    .venv/bin/python bench/cases.py [--service-cases 300] [--seconds 15] [--concurrency 6]
        [--server granian|gunicorn] [--threads 4] [--worker-class sync|gthread]
    scripts/with-postgres.sh .venv/bin/python bench/cases.py      # on PostgreSQL
    .venv/bin/python bench/cases.py --postgres                    # the same, started for you

Sets up Django itself (production settings, a throwaway data directory, migrations applied
quietly): one district, one department with three reviewers, one window clerk, a published item
that needs two uploaded materials (an application form as PDF and a photo as PNG), and applicant
accounts, each with an API token. The database is SQLite (WAL, in the data directory) unless
DATABASE_URL names a PostgreSQL.

(a) **Services**: one online submission after another — ``case_create`` (with an idempotency
key), two ``case_material_add`` uploads, ``case_submit`` — then ``case_accept`` by the clerk.

(b) **HTTP**: a WSGI server with 2 worker processes on 127.0.0.1 and a free port serves the same
database: granian (Rust HTTP/1.1 with keep-alive, ``--threads`` blocking threads per worker,
default 4) unless ``--server gunicorn`` (``--worker-class sync``, no keep-alive, or ``gthread``
with ``--threads``). A separate client process drives complete online submissions with bearer
tokens — ``POST /api/v1/cases`` (with Idempotency-Key), two multipart ``POST …/materials``,
``POST …/submit`` — then the clerk's ``POST …/actions/accept`` on the cases it made, then the
trivial ``GET /healthz`` (one ``SELECT 1``) on the same server. The client is lean, as it shares
the cores: ``http.client`` keep-alive connections, one per thread, request bodies built once;
its share of the CPU is printed. Every phase is bounded in requests and in seconds. Prints the
rates, p50/p99 latencies, the CPU each unit took in the server, database and client processes,
and the ratio to the trivial view; the target is ≥ 150 complete online submissions/s over HTTP
on PostgreSQL on a 2-core machine. Only loopback traffic; never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import multiprocessing
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

TARGET_HTTP_SUBMISSIONS = 150.0  # per second, PostgreSQL, 2 cores
HOST = "127.0.0.1"
STOP = object()  # no more jobs
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import free_port, line, load, pct, postmaster_pid, tree_cpu  # noqa: E402

ITEM_BASIC_CODE = "000107009000"
PASSWORD = "bench-password-2026"
FORM = {"phone": "13900000000", "address": "云溪区学府路 18 号"}  # the item's application form


def _pdf() -> bytes:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n"
    return body + b"%" + b"0" * 40_000 + b"\n%%EOF\n"  # about 40 KB, like a scanned form


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (295, 413), (250, 250, 250)).save(out, format="PNG")  # 1-inch photo
    return out.getvalue()


# ---------------------------------------------------------------- set-up (the bench process)


def setup_django(data_dir: str) -> None:
    os.environ.update(server_env(data_dir))
    import django  # only once the environment is set

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


def make_world(applicants: int) -> dict:
    from stdnum.cn import uscc

    from tongban.catalog.services import item_save_spec
    from tongban.core.permissions import Role
    from tongban.core.services import (
        api_token_create,
        applicant_account_create,
        department_create,
        person_register,
        region_create,
        staff_create,
    )

    region = region_create(code="330199", name="云溪区")
    body = "11330199MB0000007"
    department = department_create(
        code="mzj",
        name="云溪区民政局",
        region=region,
        credit_code=body + uscc.calc_check_digit(body + "0"),
    )
    version = item_save_spec(
        spec={
            "department": "mzj",
            "basic_code": ITEM_BASIC_CODE,
            "exercise_level": "4",
            "name": "老年人优待证办理",
            "item_type": "07",
            "legal_limit_days": 20,
            "promised_limit_days": 5,
            "outcome_name": "老年人优待证",
            "legal_bases": [
                {"law_name": "中华人民共和国老年人权益保障法", "clause_number": "第五十七条"}
            ],
            "materials": [
                {"seq": 1, "name": "老年人优待证申请表"},
                {"seq": 2, "name": "近期免冠照片"},
            ],
        },
        publish=True,
    )
    for n in range(3):
        staff_create(
            username=f"reviewer{n}",
            password=PASSWORD,
            display_name=f"审查员{n}",
            department=department,
            roles=[Role.REVIEWER],
        )
    clerk = staff_create(
        username="clerk",
        password=PASSWORD,
        display_name="综合窗口",
        department=department,
        roles=[Role.WINDOW_CLERK],
    )
    from stdnum.cn import ric

    people = []
    for n in range(applicants):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=n)
        number = f"110101{birth:%Y%m%d}{(n * 2) % 1000:03d}"
        number += ric.calc_check_digit(number + "0")
        person = person_register(name=f"申请人{n}", id_number=number, phone=f"139{n:08d}")
        user = applicant_account_create(username=f"applicant{n}", password=PASSWORD, person=person)
        people.append((user, person, api_token_create(user=user, name="bench")[1]))
    return {
        "code": version.item.implementation_code,
        "clerk": clerk,
        "clerk_token": api_token_create(user=clerk, name="bench")[1],
        "people": people,
    }


# ---------------------------------------------------------------- figures


# ---------------------------------------------------------------- (a) the service layer


def bench_services(world: dict, n: int, pdf: bytes, png: bytes) -> None:
    from tongban.cases.services import case_accept, case_create, case_material_add, case_submit

    people, clerk, code = world["people"], world["clerk"], world["code"]
    submit_ms, accept_ms, per_call = [], [], defaultdict(list)
    made = []

    def timed(name: str, call):
        start = time.perf_counter()
        out = call()
        per_call[name].append((time.perf_counter() - start) * 1000)
        return out

    started = time.perf_counter()
    for i in range(n):
        user, person, _token = people[i % len(people)]
        t0 = time.perf_counter()
        case = timed(
            "case_create",
            lambda u=user, p=person: case_create(
                actor=u,
                item_code=code,
                applicant=p,
                channel="web",
                form_data=FORM,
                idempotency_key=uuid.uuid4().hex,
            ),
        )
        timed(
            "case_material_add (PDF)",
            lambda u=user, c=case: case_material_add(
                actor=u, case=c, seq=1, name="申请表.pdf", data=pdf
            ),
        )
        timed(
            "case_material_add (PNG)",
            lambda u=user, c=case: case_material_add(
                actor=u, case=c, seq=2, name="照片.png", data=png
            ),
        )
        case = timed("case_submit", lambda u=user, c=case: case_submit(actor=u, case=c))
        submit_ms.append((time.perf_counter() - t0) * 1000)
        made.append(case)
    submitted = time.perf_counter() - started
    started = time.perf_counter()
    for case in made:
        t0 = time.perf_counter()
        timed("case_accept", lambda c=case: case_accept(actor=clerk, case=c))
        accept_ms.append((time.perf_counter() - t0) * 1000)
    accepted = time.perf_counter() - started
    print("(a) services, one call after another in this process:")
    print(line("online submission (4 calls)", submit_ms, n, submitted))
    print(line("acceptance", accept_ms, n, accepted))
    print(
        f"  {'submit and accept':<34} {n:>6} in {submitted + accepted:6.2f} s = "
        f"{n / (submitted + accepted):8.1f}/s"
    )
    for name, ms in per_call.items():
        print(f"    {name:<32} p50 {statistics.median(ms):7.2f} ms  p99 {pct(ms, 0.99):7.2f} ms")


# ---------------------------------------------------------------- (b) HTTP: the client process


def _multipart(fields: dict[str, str], file: tuple[str, str, bytes] | None) -> tuple[bytes, str]:
    boundary = "tongbanbench" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    if file is not None:
        field, filename, data = file
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


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
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return response.status, data
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")


def client_run(port: int, phase: str, jobs: list, threads: int, seconds: float, out) -> None:
    """Run one phase's jobs from ``threads`` threads until done or ``seconds`` pass.

    Lean on purpose, as it shares the cores with the server: one keep-alive connection per
    thread (when the server keeps it), the two multipart bodies built once."""
    uploads = [
        (f"POST materials ({label})", *_multipart({"seq": str(seq)}, ("file", name, content)))
        for seq, name, content, label in (
            (1, "申请表.pdf", _pdf(), "PDF"),
            (2, "照片.png", _png(), "PNG"),
        )
    ]
    lock = threading.Lock()
    jobs = list(reversed(jobs))
    stats: dict = {"latency": defaultdict(list), "done": [], "errors": [], "unit": []}
    deadline = time.perf_counter() + seconds

    def take():
        with lock:
            return jobs.pop() if jobs and time.perf_counter() < deadline else STOP

    def call(http: Http, name: str, method: str, path: str, body=None, headers=None):
        start = time.perf_counter()
        status, data = http.request(method, path, body, headers or {})
        stats["latency"][name].append((time.perf_counter() - start) * 1000)
        if status >= 400:
            raise RuntimeError(f"{name}: {status} {data[:300]!r}")
        return data

    def submission(http: Http, job) -> str:
        token, code = job
        auth = {"Authorization": f"Bearer {token}"}
        body = json.dumps({"item": code, "answers": {}, "form_data": FORM})
        data = call(
            http,
            "POST /cases",
            "POST",
            "/api/v1/cases",
            body.encode(),
            {**auth, "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
        )
        case_no = json.loads(data)["case_no"]
        for label, body, ctype in uploads:
            call(
                http,
                label,
                "POST",
                f"/api/v1/cases/{case_no}/materials",
                body,
                {**auth, "Content-Type": ctype},
            )
        call(http, "POST submit", "POST", f"/api/v1/cases/{case_no}/submit", None, auth)
        return case_no

    def accept(http: Http, job) -> str:
        token, case_no = job
        call(
            http,
            "POST actions/accept",
            "POST",
            f"/api/v1/cases/{case_no}/actions/accept",
            None,
            {"Authorization": f"Bearer {token}"},
        )
        return case_no

    def healthz(http: Http, _job) -> str:
        call(http, "GET /healthz", "GET", "/healthz")
        return ""

    unit = {"submit": submission, "accept": accept, "healthz": healthz}[phase]

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


def run_client(
    port: int, phase: str, jobs: list, threads: int, seconds: float, watch: dict | None = None
) -> dict:
    """One phase from a fresh client process; ``watch`` names the server and database
    processes whose CPU time the phase used."""
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


# ---------------------------------------------------------------- (b) HTTP: the server


def server_command(args, port: int) -> tuple[list[str], str]:
    """The command that serves the WSGI app on ``port`` with ``args.workers`` processes, and
    how the report names it."""
    app = "tongban.config.wsgi:application"
    if args.server == "granian":
        # Rust HTTP/1.1 with keep-alive; each worker runs Django in ``threads`` blocking threads.
        command = [
            *(sys.executable, "-m", "granian", "--interface", "wsgi"),
            *("--host", HOST, "--port", str(port), "--workers", str(args.workers)),
            *("--blocking-threads", str(args.threads), "--no-ws", "--log-level", "warning"),
            "--no-access-log",
            app,
        ]
        return command, f"granian (WSGI), {args.threads} thread(s) per worker"
    command = [
        *(sys.executable, "-m", "gunicorn", app, "--bind", f"{HOST}:{port}"),
        *("--workers", str(args.workers), "--worker-class", args.worker_class),
        *("--log-level", "warning", "--graceful-timeout", "5"),
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
        return command, f"gunicorn gthread, {args.threads} threads per worker"
    return command, "gunicorn sync (no keep-alive)"


def start_server(data_dir: str, command: list[str], port: int) -> subprocess.Popen:
    env = {**os.environ, **server_env(data_dir)}
    env["TONGBAN_SECRET_KEY"] = os.environ["TONGBAN_SECRET_KEY"]  # the bench process's own
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
            raise SystemExit(f"{command[2]} exited with {server.returncode}")
    server.terminate()
    raise SystemExit(f"{command[2]} did not answer /healthz within 60 s")


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
            f"    {name:<32} {len(ms):>6} requests  p50 {statistics.median(ms):7.2f} ms  "
            f"p99 {pct(ms, 0.99):7.2f} ms"
        )
    if stats["errors"]:
        print(f"    {len(stats['errors'])} {units} failed, e.g. {stats['errors'][0]}")
    if done:
        cpu = {name: seconds * 1000 / done for name, seconds in stats["cpu"].items()}
        total = sum(cpu.values())
        parts = ", ".join(f"{name} {ms:.2f}" for name, ms in cpu.items())
        print(
            f"    CPU per {units[:-1]}: {parts} = {total:.2f} ms (client {cpu['client'] / total:.0%}); "
            f"on {os.cpu_count()} idle cores that allows about {os.cpu_count() * 1000 / total:,.0f}/s"
        )
    return done / seconds if seconds else 0.0


def bench_http(world: dict, data_dir: str, args, vendor: str) -> None:
    port = free_port()
    command, server_name = server_command(args, port)
    server = start_server(data_dir, command, port)
    watch = {"server": server.pid, "database": postmaster_pid()}
    if watch["database"] is None:
        del watch["database"]  # SQLite works inside the server's processes
    try:
        code, people = world["code"], world["people"]
        tokens = [token for _u, _p, token in people]
        warm = [(tokens[i % len(tokens)], code) for i in range(20)]
        run_client(port, "submit", warm, 2, 30)  # every worker imports and connects once
        jobs = [(tokens[i % len(tokens)], code) for i in range(args.max_submissions)]
        print(
            f"(b) HTTP: {server_name}, {args.workers} workers on {HOST}:{port}, "
            f"{vendor}; client process with {args.concurrency} threads, at most "
            f"{args.max_submissions} submissions or {args.seconds:.0f} s per phase"
        )
        print(f"  load average before: {load()}")
        submitted = run_client(port, "submit", jobs, args.concurrency, args.seconds, watch)
        rate = report_phase("complete online submissions", submitted, "submissions")
        accepts = [(world["clerk_token"], no) for no in submitted["done"]]
        accepted = run_client(port, "accept", accepts, args.concurrency, args.seconds, watch)
        report_phase("acceptances (clerk)", accepted, "acceptances")
        health = run_client(
            port, "healthz", [None] * args.max_health, args.concurrency, args.seconds, watch
        )
        health_rate = report_phase("trivial view GET /healthz", health, "requests")
        requests = sum(len(ms) for ms in submitted["latency"].values())
        request_rate = requests / submitted["seconds"]
        print(f"  load average after: {load()}")
        print(
            f"  ratio: {request_rate:.0f} submission requests/s vs {health_rate:.0f} /healthz "
            f"requests/s = {request_rate / health_rate:.2f}; one complete submission costs as "
            f"much as {health_rate / rate:.1f} trivial requests"
            if rate and health_rate
            else ""
        )
        verdict = "met" if rate >= TARGET_HTTP_SUBMISSIONS else "NOT met"
        where = "" if vendor.startswith("PostgreSQL") else " (the target is for PostgreSQL)"
        print(
            f"  target ≥ {TARGET_HTTP_SUBMISSIONS:.0f} complete online submissions/s: "
            f"{rate:.1f}/s, {verdict}{where}"
        )
    finally:
        stop_server(server)


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true", help="run under with-postgres.sh")
    parser.add_argument("--service-cases", type=int, default=300)
    parser.add_argument("--applicants", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=15.0, help="at most, per HTTP phase")
    parser.add_argument("--max-submissions", type=int, default=4000)
    parser.add_argument("--max-health", type=int, default=30000)
    parser.add_argument("--concurrency", type=int, default=6, help="client threads")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", default="granian", choices=["granian", "gunicorn"])
    parser.add_argument(
        "--worker-class", default="sync", choices=["sync", "gthread"], help="gunicorn's"
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="per worker: granian's blocking threads, gthread's"
    )
    parser.add_argument("--no-http", action="store_true")
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
        start = time.perf_counter()
        world = make_world(args.applicants)
        print(
            f"set-up: {args.applicants} applicants with tokens in {time.perf_counter() - start:.1f} s"
        )
        pdf, png = _pdf(), _png()
        print(f"materials per submission: PDF {len(pdf):,} bytes, PNG {len(png):,} bytes")
        bench_services(world, args.service_cases, pdf, png)
        connection.close()  # the server's workers get the database to themselves
        if not args.no_http:
            bench_http(world, data_dir, args, vendor)


if __name__ == "__main__":
    main()
