"""A day of mixed load, with Locust, against a server this script starts on loopback.

    .venv/bin/python bench/load/run.py                                # SQLite
    scripts/with-postgres.sh .venv/bin/python bench/load/run.py       # PostgreSQL
    .venv/bin/python bench/load/run.py --scenario intake              # ticket intake alone
    .venv/bin/python bench/load/run.py --profile 40                   # + py-spy flame graphs

1. Seeds a database: migrations, then the demo district (``tongban demo load``: catalogue,
   departments, staff, six months of hotline tickets …) and, on top, what the load needs: a
   published item with one material (the online application), API tokens for the applicants,
   the window clerk, the reviewer, the hotline operator and the handler, and logged-in console
   sessions for the staff pages. ``--data-dir`` keeps the SQLite data between runs (the seed is
   done once); on PostgreSQL the throwaway database of scripts/with-postgres.sh is used.
2. Starts gunicorn (``--workers``, default 2 × cores + 1, sync workers) on 127.0.0.1 and a free
   port, with production settings (HTTPS is what nginx adds in front: the client sends
   ``X-Forwarded-Proto: https``).
3. Runs Locust headless (bench/load/locustfile.py): ``--scenario mix`` is the day's traffic shape
   (applicants browsing guides and applying, clerks and reviewers working queues, operators
   creating and dispatching tickets, handlers replying, supervisors opening dashboards);
   ``--scenario intake`` is ticket intake alone (``POST /api/v1/tickets`` with 秒派). The users
   step up every ``--step-seconds`` until the p99 of a step passes 500 ms, or ``--minutes``.
4. Prints, per step, the request rate and p50/p99, the saturation point (the last step within
   p99 ≤ 500 ms), the sustained throughput per scenario at that step, the failures, and the RSS
   of every gunicorn worker after the run (target ≤ 250 MB). Stops the server by itself.

Only loopback traffic. Never fails on time.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from measure import children, free_port, load, tree_cpu  # noqa: E402

HOST = "127.0.0.1"
P99_LIMIT_MS = 500.0
TARGET_MIX = 300.0
TARGET_INTAKE = 200.0
TARGET_RSS_MB = 250.0
BENCH_BASIC_CODE = "000107009900"


def server_env(data_dir: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings.production",
        "TONGBAN_DATA_DIR": data_dir,
        "TONGBAN_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or "bench-" + "k" * 50,
        "TONGBAN_SSL_REDIRECT": "false",
        "TONGBAN_ALLOWED_HOSTS": f"{HOST},localhost",
        "TONGBAN_LOG_LEVEL": "WARNING",
        "TONGBAN_REQUIRE_2FA": "false",
        # Fixed bench keys for personal data (production refuses to start without keys).
        "TONGBAN_DATA_KEYS": "bench1:"
        + base64.b64encode(b"tongban-load-bench-data-key-0001").decode(),
        "TONGBAN_LICENCE_KEY_SECRET": "tongban-load-bench-licence-key-secret",
        "TONGBAN_BLIND_INDEX_KEY": base64.b64encode(b"tongban-load-bench-blind-index-1").decode(),
        # Every simulated user comes from 127.0.0.1: per-address limits would throttle the bench.
        "TONGBAN_RATE_LOGIN_PER_MINUTE": "1000000",
        "TONGBAN_RATE_TICKETS_PER_MINUTE": "1000000",
        "TONGBAN_RATE_VERIFY_PER_MINUTE": "1000000",
        "TONGBAN_RATE_RATINGS_PER_MINUTE": "1000000",
    }


# ---------------------------------------------------------------- seeding (this process)


def seed(data_dir: str, world_path: Path) -> dict:
    os.environ.update(server_env(data_dir))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tongban.core.models import User

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    marker = Path(data_dir) / "load-seeded"
    seeded = marker.exists() or os.environ.get("LOAD_SKIP_DEMO") == "1"
    if not (seeded and User.objects.filter(username="operator").exists()):
        print("seeding: tongban demo load …", flush=True)
        call_command("demo", "load", stdout=open(os.devnull, "w"))  # noqa: SIM115
        marker.touch()
    print(f"seeding: demo district ready in {time.perf_counter() - started:.0f} s", flush=True)
    world = make_world()
    world_path.write_text(json.dumps(world, ensure_ascii=False))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()
    return world


def make_world() -> dict:
    from django.contrib.auth import SESSION_KEY
    from django.test import Client

    from tongban.catalog.models import ServiceItem
    from tongban.catalog.services import item_save_spec
    from tongban.core.models import User
    from tongban.core.services import api_token_create
    from tongban.hotline.models import Subject

    if not ServiceItem.objects.filter(basic_code=BENCH_BASIC_CODE).exists():
        item_save_spec(
            spec={
                "department": "scjg",
                "basic_code": BENCH_BASIC_CODE,
                "exercise_level": "4",
                "name": "食品经营许可证补办",
                "item_type": "01",
                "legal_limit_days": 20,
                "promised_limit_days": 5,
                "outcome_name": "食品经营许可证",
                "legal_bases": [
                    {"law_name": "中华人民共和国食品安全法", "clause_number": "第三十五条"}
                ],
                "materials": [{"seq": 1, "name": "补办申请书"}],
            },
            publish=True,
        )
    bench_item = ServiceItem.objects.get(basic_code=BENCH_BASIC_CODE)

    def token(username: str) -> str:
        return api_token_create(user=User.objects.get(username=username), name="load")[1]

    def session(username: str) -> str:
        client = Client()
        client.force_login(User.objects.get(username=username))
        assert SESSION_KEY in client.session
        return client.cookies["sessionid"].value

    applicants = list(
        User.objects.filter(is_staff=False, person__isnull=False)
        .order_by("pk")
        .values_list("username", flat=True)[:4]
    )
    items = list(
        ServiceItem.objects.filter(versions__status="published")
        .distinct()
        .values_list("implementation_code", flat=True)[:200]
    )
    subjects = list(
        Subject.objects.filter(children__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)[:90]
    )
    return {
        "item": bench_item.implementation_code,
        "items": items,
        "subjects": subjects,
        "applicants": [token(u) for u in applicants for _ in range(3)],
        "clerk": token("clerk"),
        "reviewer": token("reviewer"),
        # Every reviewer of the bench item's department: acceptance assigns the task to one of
        # them at random (随机派件), and that one completes it (keyed as the API names them).
        "reviewers": {
            str(u): token(u.username)
            for u in User.objects.filter(
                is_active=True,
                staff__department=bench_item.department_id,
                groups__name="reviewer",
            )
        },
        "operator": token("operator"),
        "handler": token("handler"),
        "handler_department": "cgj",
        "sessions": {
            "clerk": [session("clerk") for _ in range(4)],
            "reviewer": [session("reviewer") for _ in range(4)],
            "operator": [session("operator") for _ in range(4)],
            "handler": [session("handler") for _ in range(4)],
            "supervisor": [session("supervisor") for _ in range(4)],
        },
    }


# ---------------------------------------------------------------- the server


def start_server(data_dir: str, port: int, args: argparse.Namespace) -> subprocess.Popen:
    """gunicorn with deploy/gunicorn.conf.py (what tongban-web.service runs), its knobs set
    through the environment: workers, worker class and threads, preloading; no access log, and
    no recycling unless ``--max-requests`` (so the memory after the run is of workers that
    served the whole run)."""
    env = {
        **os.environ,
        **server_env(data_dir),
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_WORKER_CLASS": args.worker_class,
        "GUNICORN_THREADS": str(args.threads),
        "GUNICORN_PRELOAD": "1" if args.preload else "0",
        "GUNICORN_MAX_REQUESTS": str(args.max_requests),
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    command = [str(ROOT / ".venv/bin/gunicorn"), "--config", str(ROOT / "deploy/gunicorn.conf.py")]
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 - our own command
    deadline = time.monotonic() + 240  # 5 workers importing Django on a busy 2-core machine
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 240 s")


def rss_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return float("nan")


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS (shared pages divided among the processes sharing them) and USS (pages of this
    process alone) from /proc/<pid>/smaps_rollup. RSS counts the pages a preloaded master
    shares with its workers once per worker; PSS is the honest per-worker figure."""
    fields: dict[str, int] = {}
    try:
        for row in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, _sep, rest = row.partition(":")
            fields[name] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        return {"rss": rss_mb(pid), "pss": float("nan"), "uss": float("nan")}
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {
        "rss": fields.get("Rss", 0) / 1024,
        "pss": fields.get("Pss", 0) / 1024,
        "uss": uss / 1024,
    }


def cpu_times() -> list[tuple[int, int]]:
    """(busy, total) jiffies per CPU from /proc/stat."""
    out = []
    for row in Path("/proc/stat").read_text().splitlines():
        if row.startswith("cpu") and row[3:4].isdigit():
            values = [int(v) for v in row.split()[1:]]
            idle = values[3] + (values[4] if len(values) > 4 else 0)
            out.append((sum(values) - idle, sum(values)))
    return out


def per_core(before: list[tuple[int, int]], after: list[tuple[int, int]]) -> str:
    return ", ".join(
        f"cpu{i} {100 * (a[0] - b[0]) / max(1, a[1] - b[1]):.0f} %"
        for i, (b, a) in enumerate(zip(before, after, strict=False))
    )


def affinity() -> str:
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return ",".join(map(str, cores)) or "?"


def profile(master: int, seconds: int, label: str) -> None:
    """py-spy over the master and its workers: a flame graph and the collapsed stacks."""
    out = Path(
        os.environ.get("BENCH_PROFILE_DIR") or Path(tempfile.gettempdir()) / "tongban-profiles"
    )
    out.mkdir(parents=True, exist_ok=True)
    half = max(5, seconds // 2)
    for fmt, suffix in (("flamegraph", "svg"), ("raw", "txt")):
        subprocess.run(  # noqa: S603 - py-spy from the venv
            [
                *(str(ROOT / ".venv/bin/py-spy"), "record", "--pid", str(master)),
                *("--subprocesses", "--rate", "50", "--duration", str(half), "--nonblocking"),
                *("--format", fmt, "--output", str(out / f"profile-{label}.{suffix}")),
            ],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    print(f"  profile: {out}/profile-{label}.svg and .txt ({half} s each)", flush=True)
    from profile_report import summarise

    print("\n".join("  " + line for line in summarise(out / f"profile-{label}.txt")), flush=True)


# ---------------------------------------------------------------- the report


def percentile(hist: dict[str, int], p: float) -> float:
    total = sum(hist.values())
    if not total:
        return float("nan")
    want, seen = p * total, 0
    for ms, n in sorted((int(k), v) for k, v in hist.items()):
        seen += n
        if seen >= want:
            return float(ms)
    return float("nan")


def diff(after: dict, before: dict) -> dict:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def report(data: dict, scenario: str, db: str) -> dict:
    steps = data["steps"]
    print(f"\nLocust, {scenario} on {db} — per step (users, requests/s, p50, p99, failures):")
    saturation = None
    rows = []
    for prev, step in zip([None, *steps], steps, strict=False):
        entries = step["entries"]
        before = prev["entries"] if prev else {}
        seconds = step["seconds"]
        hist: dict[str, int] = {}
        count = fails = 0
        per_scenario: dict[str, float] = {}
        per_request: dict[str, tuple[float, float, float]] = {}
        for name, e in entries.items():
            b = before.get(name, {"count": 0, "fails": 0, "hist": {}})
            n = e["count"] - b["count"]
            h = diff(e["hist"], b["hist"])
            count += n
            fails += e["fails"] - b["fails"]
            for k, v in h.items():
                hist[k] = hist.get(k, 0) + v
            group = name.split(":", 1)[0]
            per_scenario[group] = per_scenario.get(group, 0.0) + n / seconds
            if n:
                per_request[name] = (n / seconds, percentile(h, 0.5), percentile(h, 0.99))
        p50, p99 = percentile(hist, 0.5), percentile(hist, 0.99)
        row = {
            "users": step["users"],
            "rps": count / seconds,
            "p50": p50,
            "p99": p99,
            "fails": fails,
            "scenarios": per_scenario,
            "requests": per_request,
        }
        rows.append(row)
        print(
            f"  {step['users']:>5} users  {row['rps']:8.1f} req/s  p50 {p50:6.0f} ms  "
            f"p99 {p99:6.0f} ms  failures {fails}"
        )
        if p99 <= P99_LIMIT_MS and (saturation is None or row["rps"] > saturation["rps"]):
            saturation = row
    if saturation is None:
        print("  no step stayed within p99 ≤ 500 ms")
        return {}
    target = TARGET_INTAKE if scenario == "intake" else TARGET_MIX
    verdict = "met" if saturation["rps"] >= target else "missed"
    print(
        f"saturation point: {saturation['users']} users, {saturation['rps']:.1f} req/s sustained "
        f"with p50 {saturation['p50']:.0f} ms, p99 {saturation['p99']:.0f} ms "
        f"(target ≥ {target:.0f}/s with p99 ≤ 500 ms: {verdict})"
    )
    print("  sustained throughput per scenario at that step:")
    for group, rate in sorted(saturation["scenarios"].items(), key=lambda kv: -kv[1]):
        print(f"    {group:<12} {rate:8.1f} req/s")
    print("  per request at that step (req/s, p50, p99):")
    for name, (rate, p50, p99) in sorted(saturation["requests"].items(), key=lambda kv: -kv[1][0]):
        print(f"    {name:<44} {rate:7.1f}/s  p50 {p50:5.0f} ms  p99 {p99:5.0f} ms")
    errors = data.get("errors") or {}
    if errors:
        print("  failures (first kinds):")
        for text, n in list(errors.items())[:12]:
            print(f"    {n:>6} × {text[:150]}")
    return saturation


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("mix", "intake"), default="mix")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=1, help="per gthread worker")
    parser.add_argument(
        "--preload",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="GUNICORN_PRELOAD: warm the indexes and the classifier in the master",
    )
    parser.add_argument("--max-requests", type=int, default=0, help="recycle workers (0: never)")
    parser.add_argument("--minutes", type=float, default=8.0, help="bound on the Locust run")
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument(
        "--warmup", type=int, default=15, help="seconds at the first step's users, not counted"
    )
    parser.add_argument("--start-users", type=int, default=10)
    parser.add_argument("--step-users", type=int, default=10)
    parser.add_argument("--data-dir", help="keep the SQLite data here (seeded once)")
    parser.add_argument(
        "--skip-demo", action="store_true", help="the database holds the demo district already"
    )
    parser.add_argument("--profile", type=int, default=0, help="py-spy seconds at a fixed load")
    parser.add_argument("--profile-users", type=int, default=40)
    args = parser.parse_args()

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="tongban-load-")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    world_path = Path(data_dir) / "load-world.json"
    print(f"bench/load: {db}, data in {data_dir}, load average {load()}", flush=True)
    if args.skip_demo:
        os.environ["LOAD_SKIP_DEMO"] = "1"
    seed(data_dir, world_path)

    port = free_port()
    server = start_server(data_dir, port, args)
    kind = args.worker_class + (
        f" × {args.threads} threads" if args.worker_class == "gthread" else ""
    )
    print(
        f"gunicorn (deploy/gunicorn.conf.py): {args.workers} {kind} workers, "
        f"preload {'on' if args.preload else 'off'}, on {HOST}:{port}; CPUs {affinity()}; "
        f"load {load()}",
        flush=True,
    )
    report_path = Path(data_dir) / f"load-report-{args.scenario}.json"
    env = {
        **os.environ,
        "LOAD_WORLD": str(world_path),
        "LOAD_REPORT": str(report_path),
        "LOAD_SCENARIO": args.scenario,
        "LOAD_MAX_SECONDS": str(int(args.minutes * 60)),
        "LOAD_STEP_SECONDS": str(args.step_seconds),
        "LOAD_START_USERS": str(args.start_users),
        "LOAD_STEP_USERS": str(args.step_users),
        "LOAD_P99_LIMIT_MS": str(P99_LIMIT_MS),
        "LOAD_WARMUP_SECONDS": str(args.warmup),
    }
    if args.profile:
        env.update(
            LOAD_FIXED_USERS=str(args.profile_users),
            LOAD_MAX_SECONDS=str(args.profile + 15),
        )
    locust = [
        *(str(ROOT / ".venv/bin/locust"), "-f", str(HERE / "locustfile.py"), "--headless"),
        *("--host", f"http://{HOST}:{port}", "--loglevel", "WARNING", "--only-summary"),
        "--skip-log-setup",
    ]
    started = time.monotonic()
    server_cpu0, cores0 = tree_cpu(server.pid), cpu_times()
    try:
        client = subprocess.Popen(locust, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603
        client_cpu = 0.0
        if args.profile:
            time.sleep(args.warmup + 5)
            profile(server.pid, args.profile, f"{args.scenario}-{db.lower()}")
        counted_from = None  # the server's CPU seconds when the warm-up ended
        while (
            client.poll() is None
            and time.monotonic() - started < args.minutes * 60 + 120 + args.warmup
        ):
            client_cpu = max(client_cpu, tree_cpu(client.pid))
            if counted_from is None and time.monotonic() - started >= args.warmup + 2:
                counted_from = tree_cpu(server.pid)  # Locust starts in about 2 s
            time.sleep(1)
        if counted_from is not None and not args.profile:
            server_cpu0 = counted_from
        client.wait(timeout=60)
        elapsed = time.monotonic() - started
        server_cpu = tree_cpu(server.pid) - server_cpu0
        cores = per_core(cores0, cpu_times())
        workers = [pid for pid in children(server.pid) if pid != server.pid]
        memory = {pid: memory_mb(pid) for pid in workers}
        master = memory_mb(server.pid)
        print(f"Locust ran {elapsed:.0f} s; load average after the run {load()}")
        print(f"  CPU use over the run: {cores}")
        data = json.loads(report_path.read_text())
        report(data, args.scenario, db)
        total = (
            sum(e["count"] for e in data["steps"][-1]["entries"].values()) if data["steps"] else 0
        )
        if total:
            per = 1000 * server_cpu / total
            print(
                f"server CPU after the warm-up: {server_cpu:.0f} s for {total} requests = "
                f"{per:.1f} ms CPU per request (ceiling: {1000 / per:.0f} req/s per core "
                f"at 100 %); "
                f"Locust itself used {client_cpu:.0f} s CPU"
            )
        worst = max(m["pss"] for m in memory.values())
        print(
            "worker memory after the run (RSS / PSS / USS): "
            + ", ".join(
                f"{m['rss']:.0f}/{m['pss']:.0f}/{m['uss']:.0f} MB"
                for m in sorted(memory.values(), key=lambda m: m["pss"])
            )
            + f"; max PSS {worst:.0f} MB, max RSS {max(m['rss'] for m in memory.values()):.0f} MB "
            + f"(target ≤ {TARGET_RSS_MB:.0f} MB: PSS "
            + ("met" if worst <= TARGET_RSS_MB else "missed")
            + ", RSS "
            + ("met" if max(m["rss"] for m in memory.values()) <= TARGET_RSS_MB else "missed")
            + f"); master RSS {master['rss']:.0f} MB, PSS {master['pss']:.0f} MB; "
            + f"all processes PSS {sum(m['pss'] for m in memory.values()) + master['pss']:.0f} MB"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        if not args.data_dir and db == "SQLite":
            print(f"(data left in {data_dir}; remove it when done)")


if __name__ == "__main__":
    main()
