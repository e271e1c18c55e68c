"""Background tasks: inline by default (nothing changes for the callers), queued in the
database with TONGBAN_TASKS=database and run by `tongban worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from tests.factories import PersonFactory
from tongban.core.models import Notification
from tongban.core.notifications import notify
from tongban.core.tasks import ping, run_command

DATABASE_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "notifications", "reports"],
    }
}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS


def test_the_default_backend_runs_a_task_inline():
    assert task_backends["default"].__class__.__name__ == "ImmediateBackend"
    result = ping.enqueue("inline")
    assert (result.status, result.return_value) == ("SUCCESSFUL", "inline")


@pytest.mark.django_db(transaction=True)
def test_notify_sends_its_sms_inline_after_commit_by_default():
    person = PersonFactory(phone="13800138000")
    note = notify(person=person, title="受理通知", body="您的申请已受理。")
    note.refresh_from_db()
    assert note.sms_status == "logged"
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_sms_waits_for_the_worker(database_queue):
    person = PersonFactory(phone="13800138000")
    note = notify(person=person, title="受理通知", body="您的申请已受理。")
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.queue_name, queued.status) == (
        "tongban.core.tasks.deliver_sms",
        "notifications",
        "READY",
    )
    assert queued.args_kwargs == {"args": [note.pk], "kwargs": {}}
    assert Notification.objects.get(pk=note.pk).sms_status == ""
    call_command("worker", "--batch", "--queues", "notifications", "--interval", "0")
    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "logged")
    assert Notification.objects.get(pk=note.pk).sms_status == "logged"


@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_only_its_queues(database_queue):
    report = run_command.enqueue("partitions list")
    pong = ping.enqueue("queued")
    call_command("worker", "--batch", "--queues", "default", "--interval", "0")
    statuses = {str(pk): status for pk, status in DBTaskResult.objects.values_list("id", "status")}
    assert statuses == {report.id: "READY", pong.id: "SUCCESSFUL"}
    call_command("worker", "--batch", "--queues", "reports", "--interval", "0")
    assert DBTaskResult.objects.get(id=report.id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_run_command_refuses_a_command_that_is_not_a_job(database_queue):
    result = run_command.enqueue("flush --noinput")
    call_command("worker", "--batch", "--queues", "reports", "--interval", "0")
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == "builtins.ValueError"


@pytest.mark.django_db
def test_the_worker_refuses_bad_options(database_queue):
    with pytest.raises(CommandError, match="unknown queue"):
        call_command("worker", "--queues", "emails")
    with pytest.raises(CommandError, match="--processes must be 1 or more"):
        call_command("worker", "--processes", "0")


@pytest.mark.django_db
def test_the_worker_has_nothing_to_do_with_the_immediate_backend():
    with pytest.raises(CommandError, match="TONGBAN_TASKS=immediate"):
        call_command("worker", "--batch")


def _worker_env() -> dict:
    env = dict(os.environ)
    settings_dict = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}"
        f"@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    )
    env.update(
        TONGBAN_TASKS="database",
        DJANGO_SETTINGS_MODULE="tongban.config.settings.test",
        PYTHONPATH=str(ROOT / "src") + os.pathsep + str(ROOT),
    )
    return env


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_runs_queued_tasks_and_stops_gracefully_on_sigterm(database_queue):
    """`tongban worker --processes 2` as its own processes on the test database (PostgreSQL: a
    database other processes can open), stopped with SIGTERM like `systemctl stop`."""
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database cannot be opened by another process")
    results = [ping.enqueue(f"n{i}") for i in range(4)]
    worker = subprocess.Popen(
        [sys.executable, "-m", "tongban", "worker", "--processes", "2", "--interval", "0.2"],
        env=_worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300  # three Python processes start on a busy machine
        while time.monotonic() < deadline:
            done = DBTaskResult.objects.filter(status="SUCCESSFUL").count()
            if done == len(results):
                break
            time.sleep(0.3)
        if DBTaskResult.objects.filter(status="SUCCESSFUL").count() != len(results):
            worker.kill()
            pytest.fail("the worker ran nothing: " + worker.communicate(timeout=30)[0][-3000:])
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    returns = sorted(DBTaskResult.objects.values_list("return_value", flat=True))
    assert returns == ["n0", "n1", "n2", "n3"]
    assert all(ids for ids in DBTaskResult.objects.values_list("worker_ids", flat=True))
