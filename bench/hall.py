"""The service hall under load, over HTTP: 500 numbers taken and called concurrently across 12
windows, and how fast the hall screen shows a call.

    .venv/bin/python bench/hall.py                                # SQLite
    .venv/bin/python bench/hall.py --postgres                     # PostgreSQL (with-postgres.sh)
    .venv/bin/python bench/hall.py --numbers 2000 --takers 16

Sets up Django itself (production settings, a throwaway data directory, migrations applied
quietly): one hall open round the clock (so the bench runs at any hour of a working or weekend
day; a statutory holiday closes it, and the bench says so), 4 window groups, 12 windows with a
clerk signed in at each (API token each), and a kiosk account with a token.

Then a gunicorn server on loopback (gthread) and, in this process:

- ``--takers`` threads take ``--numbers`` numbers: ``POST /api/v1/hall/halls/<code>/numbers``
  (latency of take: p50/p99);
- 12 window threads, one per window, call and finish at the same time: ``POST
  …/windows/<n>/call-next`` (latency of call: p50/p99), serve for 1–2 s, ``POST …/finish``;
- a screen thread polls the hall screen's live partial ``GET /hall/<code>/screen/live/`` once
  a second, as the page's htmx does, and notes when each called number first appears. The
  update latency is appearance time minus the moment the call was answered; target p50 ≤ 1 s.

Never fails on time; prints its figures.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import free_port, line, load, pct  # noqa: E402

HOST = "127.0.0.1"
HALL = "bench-hall"
TARGET_SCREEN_P50 = 1.0
POLL_SECONDS = 1.0


def server_env(data_dir: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings.production",
        "TONGBAN_DATA_DIR": data_dir,
        "TONGBAN_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40),
        "TONGBAN_SSL_REDIRECT": "false",
        "TONGBAN_ALLOWED_HOSTS": f"{HOST},localhost",
        "TONGBAN_LOG_LEVEL": "WARNING",
        # production refuses to run without personal-data keys: throwaway ones for the bench
        "TONGBAN_DATA_KEYS": os.environ.get("TONGBAN_DATA_KEYS")
        or "bench:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "TONGBAN_BLIND_INDEX_KEY": os.environ.get("TONGBAN_BLIND_INDEX_KEY")
        or base64.b64encode(secrets.token_bytes(32)).decode(),
        # the bench's clerks call by API token without an authenticator (no second factor)
        "TONGBAN_REQUIRE_2FA": "false",
    }


def setup_world(data_dir: str) -> dict:
    env = server_env(data_dir)
    os.environ.update(env)
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection
    from django.utils import timezone

    from tongban.core.models import Department, Region, User
    from tongban.core.permissions import Role
    from tongban.core.services import api_token_create, staff_create
    from tongban.hall import services
    from tongban.hall.models import Hall, OpeningHours, Window, WindowGroup

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE hall_hallevent, hall_queuenumber, hall_numbercounter CASCADE")
    region, _ = Region.objects.get_or_create(
        code="330199000000", defaults={"name": "云溪区", "level": "district"}
    )
    department, _ = Department.objects.get_or_create(
        code="bench-zwzx",
        defaults={"name": "政务服务中心", "region": region, "kind": "service_centre"},
    )
    hall, created = Hall.objects.get_or_create(
        code=HALL, defaults={"name": "基准测试大厅", "department": department}
    )
    if created:
        for weekday in range(7):
            OpeningHours.objects.create(
                hall=hall, weekday=weekday, opens=dt.time(0), closes=dt.time(23, 59)
            )
        groups = [
            WindowGroup.objects.create(hall=hall, code=code, name=name, sort_order=i)
            for i, (code, name) in enumerate(
                [("A", "综合受理"), ("B", "企业开办"), ("C", "社保医保"), ("D", "不动产")]
            )
        ]
        for number in range(1, 13):
            window = Window.objects.create(hall=hall, number=number)
            window.groups.add(groups[(number - 1) % 4], groups[number % 4])
    tokens = {}
    for number in range(1, 13):
        username = f"bench-clerk{number}"
        user = User.objects.filter(username=username).first() or staff_create(
            username=username,
            password=secrets.token_urlsafe(12),
            display_name=f"窗口{number}",
            department=department,
            roles=[Role.WINDOW_CLERK],
        )
        window = Window.objects.get(hall=hall, number=number)
        if window.clerk_id != user.pk:
            services.window_sign_in(window=window, actor=user)
        tokens[number] = api_token_create(user=user, name="bench")[1]
    kiosk = User.objects.filter(username="bench-kiosk").first() or staff_create(
        username="bench-kiosk",
        password=secrets.token_urlsafe(12),
        display_name="取号机",
        department=department,
        roles=[Role.WINDOW_CLERK],
    )
    open_now = services.is_open(hall, timezone.now())
    return {
        "tokens": tokens,
        "kiosk": api_token_create(user=kiosk, name="bench")[1],
        "open": open_now,
        "vendor": connection.vendor,
    }


def start_server(data_dir: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, **server_env(data_dir)}
    env["TONGBAN_SECRET_KEY"] = os.environ["TONGBAN_SECRET_KEY"]
    command = [
        *(sys.executable, "-m", "gunicorn", "tongban.config.wsgi:application"),
        *("--bind", f"{HOST}:{port}", "--workers", str(workers), "--threads", str(threads)),
        *("--worker-class", "gthread", "--log-level", "warning", "--graceful-timeout", "5"),
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 - our own command
    deadline = time.monotonic() + 180
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
    raise SystemExit("gunicorn did not answer /healthz within 180 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class Http:
    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None, token: str = ""):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                return response.status, payload
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def run(port: int, world: dict, numbers: int, takers: int) -> dict:
    lock = threading.Lock()
    take_ms: list[float] = []
    call_ms: list[float] = []
    finish_ms: list[float] = []
    called_at: dict[str, float] = {}  # number → when the call was answered
    seen_at: dict[str, float] = {}
    errors: list[str] = []
    taken = [0]
    finished = [0]
    done_taking = threading.Event()
    stop = threading.Event()

    def taker(share: int) -> None:
        client = Http(port)
        for _ in range(share):
            group = random.choice("ABCD")
            t0 = time.perf_counter()
            status, body = client.request(
                "POST",
                f"/api/v1/hall/halls/{HALL}/numbers",
                {"group_code": group, "channel": "kiosk"},
                world["kiosk"],
            )
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                if status == 201:
                    take_ms.append(ms)
                    taken[0] += 1
                else:
                    errors.append(f"take {status} {body[:120]!r}")

    def window(number: int) -> None:
        client = Http(port)
        token = world["tokens"][number]
        base = f"/api/v1/hall/halls/{HALL}/windows/{number}"
        while not stop.is_set():
            t0 = time.perf_counter()
            status, body = client.request("POST", f"{base}/call-next", {}, token)
            answered = time.perf_counter()
            if status != 200:
                if status >= 500:
                    with lock:
                        errors.append(f"call {status}")
                if done_taking.is_set() and finished[0] >= taken[0]:
                    return
                time.sleep(0.05)
                continue
            code = json.loads(body)["number"]
            with lock:
                call_ms.append((answered - t0) * 1000)
                called_at[code] = answered
            time.sleep(random.uniform(1.0, 2.0))
            for _attempt in range(5):  # a 500 (SQLite busy under load) is retried
                t1 = time.perf_counter()
                status, body = client.request("POST", f"{base}/finish", None, token)
                with lock:
                    if status == 200:
                        finish_ms.append((time.perf_counter() - t1) * 1000)
                        finished[0] += 1
                        break
                    errors.append(f"finish {status} {body[:120]!r}")

    def screen() -> None:
        client = Http(port)
        pattern = re.compile(r"data-latest-number>([A-Z]\d{3})<|data-call=\"([A-Z]\d{3})\"")
        while not stop.is_set():
            t0 = time.perf_counter()
            status, body = client.request("GET", f"/hall/{HALL}/screen/live/")
            now = time.perf_counter()
            if status == 200:
                for match in pattern.finditer(body.decode()):
                    code = match.group(1) or match.group(2)
                    with lock:
                        if code in called_at and code not in seen_at:
                            seen_at[code] = now
            time.sleep(max(0.0, POLL_SECONDS - (time.perf_counter() - t0)))

    started = time.perf_counter()
    threads = [
        threading.Thread(target=taker, args=(numbers // takers + (i < numbers % takers),))
        for i in range(takers)
    ]
    windows = [threading.Thread(target=window, args=(n,)) for n in range(1, 13)]
    watcher = threading.Thread(target=screen)
    for t in [*threads, *windows, watcher]:
        t.start()
    for t in threads:
        t.join()
    take_seconds = time.perf_counter() - started
    done_taking.set()
    for t in windows:
        t.join(timeout=600)
    stop.set()
    watcher.join()
    total = time.perf_counter() - started
    screen_s = [seen_at[c] - called_at[c] for c in seen_at]
    return {
        "take_ms": take_ms,
        "call_ms": call_ms,
        "finish_ms": finish_ms,
        "take_seconds": take_seconds,
        "total": total,
        "screen_s": screen_s,
        "called": len(called_at),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--numbers", type=int, default=500)
    parser.add_argument("--takers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--postgres", action="store_true", help="run under with-postgres.sh")
    args = parser.parse_args()
    if args.postgres and not os.environ.get("DATABASE_URL"):
        script = str(ROOT / "scripts" / "with-postgres.sh")
        argv = [a for a in sys.argv[1:] if a != "--postgres"]
        os.execv(script, [script, sys.executable, __file__, *argv])  # noqa: S606
    data_dir = tempfile.mkdtemp(prefix="tongban-bench-hall-")
    os.environ["TONGBAN_SECRET_KEY"] = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(
        40
    )
    world = setup_world(data_dir)
    print(f"hall bench: {world['vendor']}, {args.numbers} numbers, 12 windows, load {load()}")
    if not world["open"]:
        print("  the hall is closed today (a statutory holiday): nothing to measure")
        return
    port = free_port()
    server = start_server(data_dir, port, args.workers, args.threads)
    try:
        r = run(port, world, args.numbers, args.takers)
    finally:
        stop_server(server)
    print(line("take a number (POST numbers)", r["take_ms"], len(r["take_ms"]), r["take_seconds"]))
    print(line("call next (POST call-next)", r["call_ms"], len(r["call_ms"]), r["total"]))
    print(line("finish (POST finish)", r["finish_ms"], len(r["finish_ms"]), r["total"]))
    seen = r["screen_s"]
    if seen:
        p50 = statistics.median(seen)
        verdict = "meets" if p50 <= TARGET_SCREEN_P50 else "MISSES"
        print(
            f"  hall screen call → visible (1 s polling): {len(seen)} of {r['called']} calls seen, "
            f"p50 {p50:.2f} s  p90 {pct(seen, 0.9):.2f} s  p99 {pct(seen, 0.99):.2f} s "
            f"({verdict} the p50 ≤ {TARGET_SCREEN_P50:.0f} s target)"
        )
    if r["errors"]:
        print(f"  {len(r['errors'])} errors, first: {r['errors'][0]}")


if __name__ == "__main__":
    main()
