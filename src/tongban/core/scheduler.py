"""Periodic jobs: the platform's daily and monthly work, run by ``tongban scheduler``.

A job is a ``tongban`` command with its arguments and a five-field cron schedule read in
Asia/Shanghai time (``TONGBAN_SCHEDULE`` in the settings; docs/scheduler.md lists the defaults:
the supervision sweep every 5 minutes, rating invitations every 10, licence expiry reminders and
expired knowledge articles daily, policy matching nightly, the monthly report on the 1st).

Each pass looks, for every job, at the latest slot of its schedule that is not in the future;
if no run of that slot is recorded, it inserts one (``ScheduledRun``, unique per job and slot)
and runs the command. The insert is the lock: with a scheduler on each of several servers, one
runs each slot and the others skip it. A scheduler that was down for several slots runs the
latest one once when it comes back, not every missed one (the jobs catch up by themselves: each
looks at what is due now). A job's output and failure are recorded on its run.
"""

from __future__ import annotations

import datetime as dt
import io
import shlex
import socket
import traceback
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from croniter import croniter
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from .masking import redact_text
from .models import RunStatus, ScheduledRun

ZONE = ZoneInfo("Asia/Shanghai")
OUTPUT_LIMIT = 20_000


@dataclass(frozen=True)
class Job:
    name: str
    schedule: str  # five cron fields, Asia/Shanghai
    command: tuple[str, ...]
    description: str = ""

    def latest_slot(self, now: dt.datetime) -> dt.datetime:
        """The latest time of the schedule at or before ``now`` (aware, UTC)."""
        local = now.astimezone(ZONE)
        itr = croniter(self.schedule, local + dt.timedelta(seconds=1))
        return itr.get_prev(dt.datetime).astimezone(dt.UTC)

    def next_slot(self, now: dt.datetime) -> dt.datetime:
        return (
            croniter(self.schedule, now.astimezone(ZONE)).get_next(dt.datetime).astimezone(dt.UTC)
        )


class ScheduleError(ValueError):
    """A schedule entry that cannot be run (bad cron expression or command)."""


def jobs() -> list[Job]:
    """The configured jobs (``TONGBAN_SCHEDULE``: name → (cron, command line, description))."""
    result = []
    for name, entry in (getattr(settings, "TONGBAN_SCHEDULE", {}) or {}).items():
        schedule, command, *rest = entry
        if not croniter.is_valid(schedule):
            raise ScheduleError(f"job {name}: {schedule!r} is not a five-field cron expression")
        words = tuple(shlex.split(command))
        if not words:
            raise ScheduleError(f"job {name}: no command")
        result.append(Job(name, schedule, words, rest[0] if rest else ""))
    return result


@dataclass
class Outcome:
    job: str
    slot: dt.datetime
    status: str  # done | failed | skipped (another scheduler has it, or it ran already)
    output: str = ""


def _claim(job: Job, slot: dt.datetime, now: dt.datetime) -> ScheduledRun | None:
    if ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
        return None
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(
                job=job.name, slot=slot, started_at=now, host=socket.gethostname()[:128]
            )
    except IntegrityError:  # another scheduler inserted it first
        return None


def run_job(job: Job, run: ScheduledRun) -> Outcome:
    out = io.StringIO()
    try:
        call_command(*job.command, stdout=out, stderr=out)
        status = RunStatus.DONE
    except Exception as exc:  # recorded: one job's failure never stops the others
        out.write("\n" + "".join(traceback.format_exception(exc)))
        status = RunStatus.FAILED
    text = redact_text(out.getvalue())[-OUTPUT_LIMIT:]  # stored and shown: no ID or mobile
    ScheduledRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), output=text
    )
    return Outcome(job.name, run.slot, status, text)


def run_due(*, now: dt.datetime | None = None, only: str | None = None) -> list[Outcome]:
    """One pass: run every job whose latest slot has no recorded run yet."""
    now = now or timezone.now()
    outcomes = []
    for job in jobs():
        if only and job.name != only:
            continue
        slot = job.latest_slot(now)
        run = _claim(job, slot, now)
        if run is None:
            outcomes.append(Outcome(job.name, slot, "skipped"))
            continue
        outcomes.append(run_job(job, run))
    return outcomes


def last_runs() -> dict[str, ScheduledRun]:
    latest: dict[str, ScheduledRun] = {}
    for run in ScheduledRun.objects.order_by("job", "-slot").distinct():
        latest.setdefault(run.job, run)
    return latest
