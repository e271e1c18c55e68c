"""Crash safety: kill the server with SIGKILL in the middle of a load, again and again, and prove
that no acknowledged write is lost and none is duplicated or half-written.

    .venv/bin/python scripts/crash_safety.py                      # SQLite (WAL), 5 kill cycles
    .venv/bin/python scripts/crash_safety.py --cycles 10 --threads 8
    scripts/with-postgres.sh .venv/bin/python scripts/crash_safety.py   # PostgreSQL

Sets up Django itself (production settings, a throwaway data directory, migrations applied): a
district with a hotline centre, units and a dispatch catalogue (bench/hotline_data.py), one
published item and applicants with API tokens. Then, ``--cycles`` times:

1. start gunicorn (2 sync workers) on a free loopback port;
2. ``--threads`` client threads file 12345 tickets (``POST /api/v1/tickets``, the operator) and
   apply for cases (``POST /api/v1/cases``, an applicant), each with a fresh ``Idempotency-Key``;
   a 2xx answer is an **acknowledged** write (its number is recorded), a broken connection is an
   **unknown** one (its key is kept);
3. after a random 1–3 s, SIGKILL the master and every worker at once (no clean shutdown);
4. on the next start, every unknown key is retried first with the same key and body: the server
   must answer with the write it made before the crash, or make it now — never a second one.

At the end, with the server stopped, the database is read directly: every acknowledged number
exists with the data sent; no idempotency key has more than one case or ticket; every case and
ticket has its first event and every hash-chained event log verifies (no half-written write);
``PRAGMA integrity_check`` on SQLite. Prints the figures and exits 1 on any violation.

SQLite runs in WAL mode with ``synchronous=NORMAL`` (the project's setting): a commit is durable
against a crash of the application process, which is what this script does; only a power loss
or an OS crash can lose the last commits in that mode (``synchronous=FULL`` closes that gap at
some cost in write speed; docs/backup.md and the SQLite documentation explain the trade-off).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import hotline_data  # noqa: E402 - the bench's world of a hotline
from measure import free_port  # noqa: E402

HOST = "127.0.0.1"
ITEM_BASIC_CODE = "000107009000"
PASSWORD = "crash-password-2026"


def server_env(data_dir: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings.production",
        "TONGBAN_DATA_DIR": data_dir,
        "TONGBAN_SECRET_KEY": os.environ.get("TONGBAN_SECRET_KEY") or secrets.token_urlsafe(40),
        "TONGBAN_SSL_REDIRECT": "false",
        "TONGBAN_ALLOWED_HOSTS": f"{HOST},localhost",
        "TONGBAN_LOG_LEVEL": "ERROR",
        # Production refuses to start without personal-data keys (docs/personal-data.md): a
        # throwaway pair, the same for every restart of this run.
        "TONGBAN_DATA_KEYS": os.environ.get("TONGBAN_DATA_KEYS")
        or "crash1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "TONGBAN_BLIND_INDEX_KEY": os.environ.get("TONGBAN_BLIND_INDEX_KEY")
        or base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def setup(data_dir: str, applicants: int) -> dict:
    os.environ.update(server_env(data_dir))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from stdnum.cn import ric, uscc

    from tongban.catalog.services import item_save_spec
    from tongban.core.services import (
        api_token_authenticate,
        api_token_create,
        applicant_account_create,
        department_create,
        person_register,
    )

    world = hotline_data.make_world()
    body = "11330199MB0000099"
    department_create(
        code="crash-mzj",
        name="云溪区民政局（测试）",
        region=world["district"],
        credit_code=body + uscc.calc_check_digit(body + "0"),
    )
    version = item_save_spec(
        spec={
            "department": "crash-mzj",
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
            "materials": [{"seq": 1, "name": "老年人优待证申请表"}],
        },
        publish=True,
    )
    tokens = []
    for n in range(applicants):
        number = f"11010119{50 + n % 40:02d}0101{n % 1000:03d}"
        number += ric.calc_check_digit(number + "0")
        person = person_register(name=f"申请人{n}", id_number=number, phone=f"139{n:08d}")
        user = applicant_account_create(username=f"crash{n}", password=PASSWORD, person=person)
        tokens.append(api_token_create(user=user, name="crash")[1])
    # Production requires a second factor of staff (docs/security.md): the operator's bearer
    # token counts only while the operator has a confirmed authenticator.
    operator = api_token_authenticate(world["operator_token"])
    TOTPDevice.objects.create(user=operator, name="crash-safety", confirmed=True)
    leaf, _dept, word = world["leaves"][0]
    return {
        "item": version.item.implementation_code,
        "subject": leaf.code,
        "word": word,
        "operator_token": world["operator_token"],
        "applicant_tokens": tokens,
    }


class Server:
    def __init__(self, data_dir: str):
        self.data_dir = data_dir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, **server_env(self.data_dir)}
        command = [
            *(sys.executable, "-m", "gunicorn", "tongban.config.wsgi:application"),
            *("--bind", f"{HOST}:{self.port}", "--workers", "2", "--log-level", "critical"),
        ]
        # A session of its own, so one killpg reaches the master and every worker.
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            command, env=env, cwd=ROOT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not answer /healthz within 60 s")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


class Ledger:
    """What the clients were told: acknowledged writes and the keys whose fate is unknown."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged: dict[str, tuple[str, str, dict]] = {}  # key -> (kind, number, body)
        self.unknown: dict[str, tuple[str, str, dict]] = {}  # key -> (kind, token, body)
        self.refused: list[str] = []
        self.retried = 0

    def ack(self, key, kind, number, body):
        with self.lock:
            previous = self.acknowledged.get(key)
            if previous and previous[1] != number:
                self.refused.append(f"key {key} answered {previous[1]} then {number}")
            self.acknowledged[key] = (kind, number, body)
            self.unknown.pop(key, None)


def _post(port: int, path: str, token: str, key: str, body: dict) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": key,
                "Content-Type": "application/json",
            },
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def _send(port: int, ledger: Ledger, key: str, kind: str, token: str, body: dict) -> bool:
    path = "/api/v1/tickets" if kind == "ticket" else "/api/v1/cases"
    try:
        status, payload = _post(port, path, token, key, body)
    except (OSError, http.client.HTTPException):
        with ledger.lock:
            ledger.unknown[key] = (kind, token, body)
        return False
    if status in (200, 201):
        number = payload["ticket_no"] if kind == "ticket" else payload["case_no"]
        ledger.ack(key, kind, number, body)
        return True
    with ledger.lock:
        if status >= 500:
            ledger.unknown[key] = (kind, token, body)  # retried after the restart
        else:
            ledger.refused.append(f"{kind} {key}: HTTP {status} {str(payload)[:200]}")
    return False


def client(port: int, world: dict, ledger: Ledger, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        key = uuid.uuid4().hex
        if rng.random() < 0.5:
            body = {
                "ticket_type": "complaint",
                "title": f"{world['word']}问题反映",
                "content": f"来电反映{world['word']}，编号 {key[:8]}，希望尽快处理。",
                "caller_name": "张先生",
                "caller_phone": "13905710001",
                "address": "云溪区云溪街道望湖社区学府路 18 号",
                "subject": world["subject"],
            }
            _send(port, ledger, key, "ticket", world["operator_token"], body)
        else:
            token = rng.choice(world["applicant_tokens"])
            body = {"item": world["item"], "form_data": {}, "answers": {}}
            if not _send(port, ledger, key, "case", token, body):
                with ledger.lock:
                    if key in ledger.unknown:
                        ledger.unknown[key] = ("case", token, body)
        if not stop.is_set() and key in ledger.unknown:
            time.sleep(0.05)  # the server is down: wait for the next cycle


def verify(ledger: Ledger) -> list[str]:
    from django.db import connection
    from django.db.models import Count

    from tongban.cases.models import Case, CaseEvent
    from tongban.core.events import chain_verify
    from tongban.hotline.models import Ticket, TicketEvent

    problems: list[str] = list(ledger.refused)
    tickets = {
        t.idempotency_key: t
        for t in Ticket.objects.exclude(idempotency_key=None).exclude(idempotency_key="")
    }
    cases = {c.idempotency_key: c for c in Case.objects.exclude(idempotency_key=None)}
    for key, (kind, number, body) in ledger.acknowledged.items():
        row = tickets.get(key) if kind == "ticket" else cases.get(key)
        if row is None:
            problems.append(f"acknowledged {kind} {number} (key {key}) is missing")
            continue
        got = row.ticket_no if kind == "ticket" else row.case_no
        if got != number:
            problems.append(f"key {key}: acknowledged {number}, stored {got}")
        if kind == "ticket" and row.content != body["content"]:
            problems.append(f"ticket {number}: content differs from what was sent")
    for model, label in ((Ticket, "ticket"), (Case, "case")):
        doubled = (
            model.objects.exclude(idempotency_key=None)
            .exclude(idempotency_key="")
            .values("idempotency_key")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        problems += [f"{label} key {d['idempotency_key']} stored {d['n']} times" for d in doubled]
    ticket_streams = set(TicketEvent.objects.values_list("stream", flat=True).distinct())
    case_streams = set(CaseEvent.objects.values_list("stream", flat=True).distinct())
    problems += [
        f"ticket {t.ticket_no} has no event"
        for t in tickets.values()
        if f"ticket:{t.ticket_no}" not in ticket_streams
    ]
    problems += [
        f"case {c.case_no} has no event" for c in cases.values() if c.stream not in case_streams
    ]
    report = chain_verify()
    problems += [f"broken chain: {p}" for p in report.problems]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            result = cursor.fetchone()[0]
        if result != "ok":
            problems.append(f"SQLite integrity_check: {result}")
    print(
        f"stored: {len(tickets)} tickets and {len(cases)} cases with keys; "
        f"{report.events} events in {report.streams} chains verified"
    )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=5, help="kills (default 5)")
    parser.add_argument("--threads", type=int, default=6, help="client threads (default 6)")
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory(prefix="tongban-crash-") as data_dir:
        world = setup(data_dir, applicants=20)
        from django.db import connection

        vendor = connection.vendor
        connection.close()
        ledger = Ledger()
        server = Server(data_dir)
        started = time.monotonic()
        print(f"crash safety on {vendor}: {args.cycles} kill cycles, {args.threads} threads")
        try:
            for cycle in range(1, args.cycles + 1):
                server.start()
                retry = dict(ledger.unknown)
                for key, (kind, token, body) in retry.items():
                    ledger.retried += 1
                    _send(server.port, ledger, key, kind, token, body)
                stop = threading.Event()
                threads = [
                    threading.Thread(
                        target=client,
                        args=(server.port, world, ledger, stop, rng.random()),
                        daemon=True,
                    )
                    for _ in range(args.threads)
                ]
                for t in threads:
                    t.start()
                time.sleep(rng.uniform(1.0, 3.0))
                server.kill()  # SIGKILL mid-load: requests are in flight
                stop.set()
                for t in threads:
                    t.join(timeout=40)
                print(
                    f"  cycle {cycle}: killed; {len(ledger.acknowledged)} acknowledged so far, "
                    f"{len(ledger.unknown)} unknown to retry"
                )
            server.start()  # a last start: retry what is still unknown
            for key, (kind, token, body) in dict(ledger.unknown).items():
                ledger.retried += 1
                _send(server.port, ledger, key, kind, token, body)
        finally:
            server.stop()
        problems = verify(ledger)
        acknowledged = len(ledger.acknowledged)
        kinds = [k for k, _n, _b in ledger.acknowledged.values()]
        print(
            f"{args.cycles} SIGKILL cycles survived in {time.monotonic() - started:.0f} s: "
            f"{acknowledged} acknowledged writes ({kinds.count('ticket')} tickets, "
            f"{kinds.count('case')} cases), {ledger.retried} retries after a crash, "
            f"{len(ledger.unknown)} still unknown"
        )
        if problems:
            print(f"FAILED: {len(problems)} problem(s)")
            for problem in problems[:50]:
                print("  " + problem)
            raise SystemExit(1)
        print("OK: every acknowledged write is there, none doubled, none half-written")


if __name__ == "__main__":
    main()
