"""Background tasks (django-tasks; ``TONGBAN_TASKS`` chooses where they run: inline, the
database queue or Redis). Callers keep their API: they enqueue after their transaction commits,
and a task re-reads its rows by primary key (arguments are JSON).

Queues: ``notifications`` (SMS delivery), ``reports`` (monthly reports, policy matching and other
long commands) and ``default``. ``tongban worker`` runs them (docs/deploy.md).
"""

from __future__ import annotations

import io
import logging
import shlex

from django.core.management import call_command
from django_tasks import task

from .sms import deliver_notification_sms

logger = logging.getLogger("tongban.tasks")

# Commands a ``run_command`` task may run: the periodic and heavy jobs, never an arbitrary one.
QUEUED_COMMANDS = {
    "report",
    "policies",
    "supervision",
    "licences",
    "ratings",
    "partitions",
    "merge",
    "knowledge",
    "grid",
    "hall",
    "lockers",
    "audit",
}


@task(queue_name="notifications")
def deliver_sms(notification_id: int) -> str:
    """Hand one stored notification to the SMS backend and record the outcome on it."""
    return deliver_notification_sms(notification_id=notification_id)


@task(queue_name="reports")
def run_command(command_line: str) -> str:
    """Run a ``tongban`` command (e.g. ``report monthly --previous``) on a worker; its output is
    the task's result."""
    words = shlex.split(command_line)
    if not words or words[0] not in QUEUED_COMMANDS:
        raise ValueError(f"not a queueable command: {command_line!r}")
    out = io.StringIO()
    call_command(*words, stdout=out, stderr=out)
    return out.getvalue()[-20_000:]


@task()
def ping(value: str = "pong") -> str:
    """A task that only answers: the deploy check and the tests queue it to see a worker run."""
    logger.info("ping task ran: %s", value)
    return value
