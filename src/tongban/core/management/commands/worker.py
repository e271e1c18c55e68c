"""``tongban worker``: run background tasks (docs/deploy.md).

With ``TONGBAN_TASKS=database`` it runs django-tasks-db's worker on the queues given
(``--queues notifications,reports``, default all), ``--processes N`` worker processes under this
one; SIGTERM (``systemctl stop``) lets each finish its current task and exit. With
``TONGBAN_TASKS=rq`` it runs an RQ worker (django-rq) on the same queues from ``REDIS_URL``. With
the immediate backend there is nothing to run: tasks already run inline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

IMMEDIATE = "django_tasks.backends.immediate.ImmediateBackend"
RQ = "django_tasks_rq.RQBackend"


def task_queues() -> list[str]:
    return list(settings.TASKS["default"].get("QUEUES", ["default"]))


class Command(BaseCommand):
    help = "Run background task workers (TONGBAN_TASKS=database or rq)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--queues",
            default=None,
            help="comma-separated queues to take tasks from (default: all)",
        )
        parser.add_argument(
            "--processes",
            "--concurrency",
            type=int,
            default=1,
            help="worker processes to run (default 1; about one per core for the database queue)",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls of an empty queue"
        )
        parser.add_argument(
            "--batch", action="store_true", help="run what is queued now, then exit"
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after N tasks")

    def handle(
        self,
        *args,
        queues: str,
        processes: int,
        interval: float,
        batch: bool,
        max_tasks: int | None,
        verbosity: int,
        **options,
    ) -> None:
        known = task_queues()
        names = [name.strip() for name in (queues or ",".join(known)).split(",") if name.strip()]
        unknown = sorted(set(names) - set(known))
        if not names or unknown:
            raise CommandError(
                f"unknown queue(s) {', '.join(unknown) or '(none)'}; "
                f"the queues are {', '.join(known)}"
            )
        if processes < 1:
            raise CommandError("--processes must be 1 or more")
        backend = settings.TASKS["default"]["BACKEND"]
        if backend == IMMEDIATE:
            raise CommandError(
                "TONGBAN_TASKS=immediate runs every task inline: nothing for a worker to do "
                "(set TONGBAN_TASKS=database or rq)"
            )
        if processes > 1:
            self._supervise(processes, names, interval, batch, max_tasks, verbosity)
            return
        if backend == RQ:
            rq_args = [*names, "--job-class", "django_tasks_rq.Job"]
            if batch:
                rq_args.append("--burst")
            if max_tasks:
                rq_args += ["--max-jobs", str(max_tasks)]
            call_command("rqworker", *rq_args, verbosity=verbosity)
            return
        db_args = [
            "--queue-name",
            ",".join(names),
            "--interval",
            str(interval),
            "--no-reload",
            "--worker-id",
            f"{os.uname().nodename[:40]}-{os.getpid()}",
        ]
        if batch:
            db_args.append("--batch")
        if max_tasks:
            db_args += ["--max-tasks", str(max_tasks)]
        call_command("db_worker", *db_args, verbosity=verbosity)

    def _supervise(self, processes, names, interval, batch, max_tasks, verbosity) -> None:
        """Start N single-process workers; pass SIGTERM/SIGINT on and wait for them to finish
        their current task; restart one that dies (not in --batch mode)."""
        argv = [
            sys.executable,
            "-m",
            "tongban",
            "worker",
            "--queues",
            ",".join(names),
            "--interval",
            str(interval),
            "--processes",
            "1",
            "-v",
            str(verbosity),
        ]
        if batch:
            argv.append("--batch")
        if max_tasks:
            argv += ["--max-tasks", str(max_tasks)]
        children = [subprocess.Popen(argv) for _ in range(processes)]  # noqa: S603
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"tongban worker: {processes} processes on {', '.join(names)}")
        while True:
            alive = [child for child in children if child.poll() is None]
            if not alive and (stopping or batch or max_tasks):
                break
            if not stopping and not batch and not max_tasks:
                for i, child in enumerate(children):
                    if child.poll() is not None:
                        self.stderr.write(
                            f"worker {child.pid} exited ({child.returncode}); restarting"
                        )
                        children[i] = subprocess.Popen(argv)  # noqa: S603
            time.sleep(0.5)
        failed = [child.returncode for child in children if child.returncode not in (0, None)]
        if failed and not stopping:
            raise CommandError(f"worker processes failed: {failed}")
