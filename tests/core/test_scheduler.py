"""`tongban scheduler`: periodic jobs run once per slot of their cron schedule (Asia/Shanghai),
failures are recorded without stopping the others, a scheduler back from a pause runs the
latest slot once, and two schedulers racing run a slot once."""

from __future__ import annotations

import datetime as dt
import io
import random
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, close_old_connections, connection

from tongban.core import scheduler
from tongban.core.models import RunStatus, ScheduledRun

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# 2026-11-23 09:07 in Shanghai: the */5 slot is 09:05, the daily 08:00 slot is today's.
NOW = dt.datetime(2026, 11, 23, 9, 7, 30, tzinfo=SHANGHAI)


@pytest.fixture
def schedule(settings):
    settings.TONGBAN_SCHEDULE = {
        "often": ("*/5 * * * *", "workdays add 2026-09-30 5", "every five minutes"),
        "daily": ("0 8 * * *", "workdays between 2026-09-30 2026-10-12"),
        "broken": ("*/5 * * * *", "workdays add not-a-date 5"),
    }


@pytest.mark.django_db
def test_each_job_runs_once_for_its_latest_slot(schedule):
    outcomes = {o.job: o for o in scheduler.run_due(now=NOW)}
    assert outcomes["often"].status == "done"
    assert outcomes["often"].output.strip() == "2026-10-13"
    assert outcomes["often"].slot == dt.datetime(2026, 11, 23, 9, 5, tzinfo=SHANGHAI)
    assert outcomes["daily"].slot == dt.datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
    assert outcomes["daily"].output.strip() == "4"

    again = {o.job: o.status for o in scheduler.run_due(now=NOW + dt.timedelta(minutes=1))}
    assert again == {"often": "skipped", "daily": "skipped", "broken": "skipped"}
    later = {o.job: o.status for o in scheduler.run_due(now=NOW + dt.timedelta(minutes=3))}
    assert later["often"] == "done" and later["daily"] == "skipped"
    assert ScheduledRun.objects.filter(job="often").count() == 2


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_does_not_stop_the_others(schedule):
    outcomes = {o.job: o for o in scheduler.run_due(now=NOW)}
    assert outcomes["broken"].status == RunStatus.FAILED
    assert "CommandError" in outcomes["broken"].output
    run = ScheduledRun.objects.get(job="broken")
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert ScheduledRun.objects.get(job="often").status == RunStatus.DONE


@pytest.mark.django_db
def test_after_a_pause_only_the_latest_missed_slot_runs(schedule):
    scheduler.run_due(now=NOW, only="often")
    scheduler.run_due(now=NOW + dt.timedelta(hours=3), only="often")
    slots = sorted(ScheduledRun.objects.filter(job="often").values_list("slot", flat=True))
    assert slots == [
        dt.datetime(2026, 11, 23, 9, 5, tzinfo=SHANGHAI),
        dt.datetime(2026, 11, 23, 12, 5, tzinfo=SHANGHAI),
    ]


@pytest.mark.django_db
def test_a_bad_schedule_is_refused(settings):
    settings.TONGBAN_SCHEDULE = {"odd": ("every day", "workdays show 2026")}
    with pytest.raises(CommandError, match="not a five-field cron expression"):
        call_command("scheduler", "--once", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_list_and_one_pass_from_the_command_line(schedule):
    out = io.StringIO()
    call_command("scheduler", "--list", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["often", "daily", "broken"]
    assert "tongban workdays add 2026-09-30 5" in lines[0] and "last never" in lines[0]
    out = io.StringIO()
    call_command("scheduler", "--once", "--job", "often", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("often @ ") and out.getvalue().strip().endswith(": done")
    with pytest.raises(CommandError, match="no job named"):
        call_command("scheduler", "--once", "--job", "nothing", stdout=io.StringIO())


def test_the_default_schedule_names_real_commands():
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    for job in scheduler.jobs():
        assert job.command[0] in commands, job
        parser = load_command_class(commands[job.command[0]], job.command[0]).create_parser(
            "tongban", job.command[0]
        )
        parser.parse_args(list(job.command[1:]))  # exits on arguments the command refuses


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_run_a_slot_once(schedule, settings):
    settings.TONGBAN_SCHEDULE = {"often": settings.TONGBAN_SCHEDULE["often"]}
    start = threading.Barrier(2)
    results: list = []

    def work():
        try:
            start.wait(timeout=10)
            for _attempt in range(500):
                try:
                    results.append(scheduler.run_due(now=NOW)[0].status)
                    return
                except OperationalError as exc:  # SQLite's shared in-memory test database
                    if connection.vendor != "sqlite" or "locked" not in str(exc):
                        raise
                    time.sleep(random.uniform(0.001, 0.004))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["done", "skipped"]
    assert ScheduledRun.objects.filter(job="often").count() == 1
