"""``tongban scheduler``: run the periodic jobs (tongban.core.scheduler, docs/scheduler.md)."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from tongban.core import scheduler


class Command(BaseCommand):
    help = (
        "Run the periodic jobs of TONGBAN_SCHEDULE: a loop (one pass every --interval seconds), "
        "one pass (--once, for cron), or the list of jobs with their last and next runs (--list)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument(
            "--list", dest="list_jobs", action="store_true", help="print the jobs and exit"
        )
        parser.add_argument("--job", help="only this job (with --once)")
        parser.add_argument(
            "--interval", type=int, default=30, help="seconds between passes (default 30)"
        )

    def handle(self, *args, once: bool, list_jobs: bool, job: str | None, interval: int, **options):
        try:
            jobs = scheduler.jobs()
        except scheduler.ScheduleError as exc:
            raise CommandError(str(exc)) from exc
        if job and job not in {j.name for j in jobs}:
            raise CommandError(f"no job named {job!r}; see `tongban scheduler --list`")
        if list_jobs:
            self._list(jobs)
            return
        if once:
            self._pass(job)
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_a: stopping.append(True))
        self.stdout.write(f"scheduler: {len(jobs)} jobs, a pass every {interval} s")
        while not stopping:
            close_old_connections()
            self._pass(None)
            for _ in range(interval):
                if stopping:
                    break
                time.sleep(1)
        self.stdout.write("scheduler: stopped")

    def _pass(self, only: str | None) -> None:
        for outcome in scheduler.run_due(only=only):
            if outcome.status == "skipped":
                continue
            local = timezone.localtime(outcome.slot)
            self.stdout.write(f"{outcome.job} @ {local:%Y-%m-%d %H:%M}: {outcome.status}")
            if outcome.status == "failed":
                self.stderr.write(outcome.output[-2000:])

    def _list(self, jobs) -> None:
        now = timezone.now()
        last = scheduler.last_runs()
        for job in jobs:
            run = last.get(job.name)
            done = f"{timezone.localtime(run.slot):%Y-%m-%d %H:%M} {run.status}" if run else "never"
            nxt = timezone.localtime(job.next_slot(now))
            self.stdout.write(
                f"{job.name:<22} {job.schedule:<16} tongban {' '.join(job.command):<34} "
                f"last {done:<24} next {nxt:%Y-%m-%d %H:%M}"
            )
