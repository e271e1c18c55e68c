"""The day's traffic shape for Locust; bench/load/run.py seeds, starts the server and runs it.

Weights follow a district's working day (a 2026 district of ~500,000 people: about 60 % of the
requests are applicants reading the catalogue and guides, a tenth applying and following their
cases, a quarter staff working the case and ticket queues, a few percent supervisors' dashboards):

    applicant   browse the catalogue, search it, read guides                       weight 40
    apply       online application: create, upload, submit, then read its progress weight 8
    clerk       counter queue, case page, accept submitted cases                   weight 10
    reviewer    department queue, case page, complete the review step (claimed first
                only when it was left in the pool)                                weight 5
    operator    create a ticket, dispatch it, look tickets up                      weight 12
    handler     ticket queue, sign for and reply to dispatched tickets             weight 8
    supervisor  supervision home, dashboard, red/yellow cards                          weight 3

Every request is named ``<scenario>: <method> <route>`` so run.py can add them up per scenario.
``LOAD_SCENARIO=intake`` replaces them all with ticket intake alone (``POST /api/v1/tickets``
with 秒派, the subject known, no think time).

After ``LOAD_WARMUP_SECONDS`` at the first step's users (not counted: the statistics are reset),
the shape steps the users up every ``LOAD_STEP_SECONDS`` and stops after the first step whose
p99 passes ``LOAD_P99_LIMIT_MS`` or at ``LOAD_MAX_SECONDS``; after each step it writes the
cumulative statistics to ``LOAD_REPORT`` (JSON) for run.py.
"""

from __future__ import annotations

import io
import json
import os
import random
import time
import uuid
from collections import deque

from locust import FastHttpUser, LoadTestShape, between, constant, task

WORLD = json.loads(open(os.environ["LOAD_WORLD"]).read())  # noqa: SIM115
SCENARIO = os.environ.get("LOAD_SCENARIO", "mix")
SEARCH_WORDS = [
    "营业执照",
    "食品",
    "社保",
    "户口",
    "医保",
    "公积金",
    "出生",
    "养老",
    "驾驶",
    "老年",
]
FORWARDED = {"X-Forwarded-Proto": "https"}  # what nginx adds in front (production settings)

# Work handed from one simulated person to the next (one Locust process, gevent).
SUBMITTED: deque[str] = deque(maxlen=20000)  # applicants → clerks
ACCEPTED: deque[tuple[str, str | None]] = deque(maxlen=20000)  # clerks → reviewers
DISPATCHED: deque[str] = deque(maxlen=20000)  # operators → handlers
SEEN_CASES: deque[str] = deque(maxlen=500)
OPEN_TASK = ("open", "claimed")
SEEN_TICKETS: deque[str] = deque(maxlen=500)


def _multipart(seq: int, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "tongbanload" + uuid.uuid4().hex
    out = io.BytesIO()
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="seq"\r\n\r\n{seq}\r\n'.encode()
    )
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
    )
    out.write(data + f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%"
    + b"0" * 30000
    + b"\n%%EOF\n"
)


def _bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **extra}


class Staff(FastHttpUser):
    abstract = True
    role = ""

    def on_start(self) -> None:
        session = random.choice(WORLD["sessions"][self.role])
        self.page_headers = {**FORWARDED, "Cookie": f"sessionid={session}"}

    def page(self, path: str, name: str) -> None:
        self.client.get(path, headers=self.page_headers, name=name)

    def api(self, path: str, name: str, body: dict, token: str):
        with self.client.post(
            path, data=json.dumps(body), headers=_bearer(token), name=name, catch_response=True
        ) as response:
            if response.status_code >= 400:
                response.failure(f"{response.status_code} {response.text[:200]}")
                return None
            return response.json()


if SCENARIO == "intake":

    class IntakeOperator(FastHttpUser):
        """Ticket intake alone: one POST after another, each dispatched at once (秒派)."""

        wait_time = constant(0)

        @task
        def intake(self) -> None:
            body = {
                "ticket_type": "complaint",
                "title": "夜间施工噪音扰民",
                "content": "来电反映小区附近工地夜间施工噪音扰民，已持续多日，希望尽快处理。",
                "caller_name": "张先生",
                "caller_phone": "13905710001",
                "address": "云溪区云溪街道望湖社区学府路 18 号",
                "subject": random.choice(WORLD["subjects"]),
                "auto_dispatch": True,
            }
            headers = _bearer(WORLD["operator"], **{"Idempotency-Key": uuid.uuid4().hex})
            with self.client.post(
                "/api/v1/tickets",
                data=json.dumps(body),
                headers=headers,
                name="intake: POST /api/v1/tickets",
                catch_response=True,
            ) as response:
                if response.status_code >= 400:
                    response.failure(f"{response.status_code} {response.text[:200]}")

else:

    class Applicant(FastHttpUser):
        weight = 40
        wait_time = between(0.5, 2.0)

        @task(5)
        def search(self) -> None:
            word = random.choice(SEARCH_WORDS)
            self.client.get(
                f"/items/?q={word}", headers=FORWARDED, name="applicant: GET /items/?q="
            )

        @task(1)
        def catalogue(self) -> None:
            self.client.get("/items/", headers=FORWARDED, name="applicant: GET /items/")

        @task(8)
        def guide(self) -> None:
            code = random.choice(WORLD["items"])
            self.client.get(
                f"/items/{code}/", headers=FORWARDED, name="applicant: GET /items/<code>/"
            )

    class Apply(FastHttpUser):
        weight = 8
        wait_time = between(1.0, 3.0)

        def on_start(self) -> None:
            self.token = random.choice(WORLD["applicants"])
            self.mine: list[str] = []

        @task(3)
        def apply(self) -> None:
            headers = _bearer(self.token, **{"Idempotency-Key": uuid.uuid4().hex})
            body = {"item": WORLD["item"], "answers": {}, "form_data": {}}
            with self.client.post(
                "/api/v1/cases",
                data=json.dumps(body),
                headers=headers,
                name="apply: POST /api/v1/cases",
                catch_response=True,
            ) as response:
                if response.status_code >= 400:
                    response.failure(f"{response.status_code} {response.text[:200]}")
                    return
                case_no = response.json()["case_no"]
            data, ctype = _multipart(1, "补办申请书.pdf", PDF)
            auth = {"Authorization": f"Bearer {self.token}", "Content-Type": ctype}
            with self.client.post(
                f"/api/v1/cases/{case_no}/materials",
                data=data,
                headers=auth,
                name="apply: POST /api/v1/cases/<no>/materials",
                catch_response=True,
            ) as response:
                if response.status_code >= 400:
                    response.failure(f"{response.status_code} {response.text[:200]}")
                    return
            with self.client.post(
                f"/api/v1/cases/{case_no}/submit",
                data="{}",
                headers=_bearer(self.token),
                name="apply: POST /api/v1/cases/<no>/submit",
                catch_response=True,
            ) as response:
                if response.status_code >= 400:
                    response.failure(f"{response.status_code} {response.text[:200]}")
                    return
            SUBMITTED.append(case_no)
            self.mine.append(case_no)

        @task(2)
        def progress(self) -> None:
            if self.mine:
                self.client.get(
                    f"/api/v1/cases/{random.choice(self.mine)}",
                    headers=_bearer(self.token),
                    name="apply: GET /api/v1/cases/<no>",
                )

    class Clerk(Staff):
        weight = 10
        wait_time = between(0.5, 2.0)
        role = "clerk"

        @task(4)
        def queue(self) -> None:
            self.page("/console/cases/", "clerk: GET /console/cases/")

        @task(3)
        def case_page(self) -> None:
            if SEEN_CASES:
                no = random.choice(SEEN_CASES)
                self.page(f"/console/cases/{no}/", "clerk: GET /console/cases/<no>/")

        @task(3)
        def accept(self) -> None:
            if not SUBMITTED:
                return
            no = SUBMITTED.popleft()
            name = "clerk: POST /api/v1/cases/<no>/actions/accept"
            case = self.api(f"/api/v1/cases/{no}/actions/accept", name, {}, WORLD["clerk"])
            if case:
                # 随机派件: acceptance assigns the first task to one of the department's
                # reviewers at random (None: left in the pool, to be claimed).
                open_tasks = [t for t in case.get("tasks", ()) if t["status"] in OPEN_TASK]
                ACCEPTED.append((no, open_tasks[0]["assignee"] if open_tasks else None))
                SEEN_CASES.append(no)

    class Reviewer(Staff):
        weight = 5
        wait_time = between(0.5, 2.0)
        role = "reviewer"

        @task(2)
        def queue(self) -> None:
            self.page("/console/cases/", "reviewer: GET /console/cases/")

        @task(1)
        def case_page(self) -> None:
            if SEEN_CASES:
                no = random.choice(SEEN_CASES)
                self.page(f"/console/cases/{no}/", "reviewer: GET /console/cases/<no>/")

        @task(2)
        def review(self) -> None:
            if not ACCEPTED:
                return
            no, assignee = ACCEPTED.popleft()
            base = f"/api/v1/cases/{no}/actions"
            # The task is in its assignee's basket already (随机派件): that reviewer completes
            # it. Only a pool task is claimed first; claiming a task assigned to a colleague is
            # refused (400 task_taken, "该任务已由…领取") and is not what a reviewer does.
            token = WORLD["reviewers"].get(assignee) if assignee else WORLD["reviewer"]
            if token is None:
                return
            if assignee is None and not self.api(
                f"{base}/claim", "reviewer: POST …/actions/claim", {}, token
            ):
                return
            body = {"opinion": "材料齐全，符合条件，建议准予。"}
            self.api(f"{base}/complete_step", "reviewer: POST …/actions/complete_step", body, token)

    class Operator(Staff):
        weight = 12
        wait_time = between(0.5, 2.0)
        role = "operator"

        @task(4)
        def create_and_dispatch(self) -> None:
            body = {
                "ticket_type": random.choice(["complaint", "consultation", "help", "suggestion"]),
                "title": "小区路灯不亮",
                "content": "来电反映学府路小区门口路灯已坏多日，夜间出行不便，希望尽快修复。",
                "caller_name": "李女士",
                "caller_phone": "13905710002",
                "address": "云溪区云溪街道望湖社区学府路 18 号",
                "subject": random.choice(WORLD["subjects"]),
                "auto_dispatch": False,
            }
            with self.client.post(
                "/api/v1/tickets",
                data=json.dumps(body),
                headers=_bearer(WORLD["operator"], **{"Idempotency-Key": uuid.uuid4().hex}),
                name="operator: POST /api/v1/tickets",
                catch_response=True,
            ) as response:
                if response.status_code >= 400:
                    response.failure(f"{response.status_code} {response.text[:200]}")
                    return
                no = response.json()["ticket_no"]
            SEEN_TICKETS.append(no)
            name = "operator: POST …/actions/dispatch"
            body = {"department": WORLD["handler_department"]}
            if self.api(f"/api/v1/tickets/{no}/actions/dispatch", name, body, WORLD["operator"]):
                DISPATCHED.append(no)

        @task(2)
        def search(self) -> None:
            if SEEN_TICKETS:
                self.client.get(
                    f"/api/v1/tickets?q={random.choice(SEEN_TICKETS)}",
                    headers=_bearer(WORLD["operator"]),
                    name="operator: GET /api/v1/tickets?q=",
                )

        @task(1)
        def ticket_page(self) -> None:
            if SEEN_TICKETS:
                no = random.choice(SEEN_TICKETS)
                self.page(
                    f"/console/hotline/tickets/{no}/",
                    "operator: GET /console/hotline/tickets/<no>/",
                )

        @task(1)
        def intake_page(self) -> None:
            self.page("/console/hotline/intake/", "operator: GET /console/hotline/intake/")

    class Handler(Staff):
        weight = 8
        wait_time = between(0.5, 2.0)
        role = "handler"

        @task(2)
        def queue(self) -> None:
            self.page("/console/hotline/", "handler: GET /console/hotline/")

        @task(3)
        def handle(self) -> None:
            if not DISPATCHED:
                return
            no = DISPATCHED.popleft()
            base = f"/api/v1/tickets/{no}/actions"
            token = WORLD["handler"]
            if self.api(f"{base}/sign", "handler: POST …/actions/sign", {}, token):
                body = {"reply": "已安排人员现场处理完毕。", "solved": True}
                self.api(f"{base}/reply", "handler: POST …/actions/reply", body, token)

    class Supervisor(Staff):
        weight = 3
        wait_time = between(1.0, 3.0)
        role = "supervisor"

        @task(2)
        def home(self) -> None:
            self.page("/console/supervision/", "supervisor: GET /console/supervision/")

        @task(2)
        def dashboard(self) -> None:
            self.page("/console/supervision/dashboard/", "supervisor: GET …/dashboard/")

        @task(1)
        def overdue(self) -> None:
            self.page("/console/supervision/cards/", "supervisor: GET …/cards/")


class StepShape(LoadTestShape):
    """Step the users up until a step's p99 passes the limit, or the time bound."""

    max_seconds = int(os.environ.get("LOAD_MAX_SECONDS", "480"))
    step_seconds = int(os.environ.get("LOAD_STEP_SECONDS", "30"))
    start_users = int(os.environ.get("LOAD_START_USERS", "10"))
    step_users = int(os.environ.get("LOAD_STEP_USERS", "10"))
    fixed_users = int(os.environ.get("LOAD_FIXED_USERS", "0"))
    p99_limit = float(os.environ.get("LOAD_P99_LIMIT_MS", "500"))

    warmup_seconds = int(os.environ.get("LOAD_WARMUP_SECONDS", "0"))

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[dict] = []
        self.step_started = time.monotonic()
        self.users = self.start_users
        self.last_total: dict[int, int] = {}
        self.done = False
        self.warming = self.warmup_seconds > 0

    def snapshot(self) -> None:
        stats = self.runner.stats
        now = time.monotonic()
        entries = {
            e.name: {
                "count": e.num_requests,
                "fails": e.num_failures,
                "hist": {str(k): v for k, v in e.response_times.items()},
            }
            for e in stats.entries.values()
        }
        self.steps.append(
            {"users": self.users, "seconds": now - self.step_started, "entries": entries}
        )
        errors: dict[str, int] = {}
        for err in stats.errors.values():
            key = f"{err.name}: {err.error}"
            errors[key] = errors.get(key, 0) + err.occurrences
        with open(os.environ["LOAD_REPORT"], "w") as out:
            json.dump({"steps": self.steps, "errors": errors}, out, ensure_ascii=False)
        self.step_started = now

    def step_p99(self) -> float:
        current = dict(self.runner.stats.total.response_times)
        hist = {k: v - self.last_total.get(k, 0) for k, v in current.items()}
        self.last_total = current
        total = sum(hist.values())
        seen = 0
        for ms in sorted(hist):
            seen += hist[ms]
            if seen >= 0.99 * total:
                return float(ms)
        return 0.0

    def tick(self):
        if self.done:
            return None
        if self.warming:
            # The first users' requests, not counted: each worker's first render of a page
            # (templates, per-process caches the master did not load) is not the steady state.
            users = self.fixed_users or self.start_users
            if time.monotonic() - self.step_started < self.warmup_seconds:
                return (users, users)
            self.runner.stats.reset_all()
            self.warming = False
            self.step_started = time.monotonic()
        run_time = self.get_run_time() - self.warmup_seconds
        if self.fixed_users:
            if run_time > self.max_seconds:
                self.users = self.fixed_users
                self.snapshot()
                self.done = True
                return None
            return (self.fixed_users, self.fixed_users)
        if time.monotonic() - self.step_started >= self.step_seconds:
            p99 = self.step_p99()
            self.snapshot()
            if p99 > self.p99_limit or run_time > self.max_seconds - self.step_seconds:
                self.done = True
                return None
            self.users += self.step_users
        return (self.users, max(self.step_users, 5))
