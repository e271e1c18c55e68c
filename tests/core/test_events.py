"""The append-only, hash-chained event log and `tongban verify-chain`."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import subprocess
import sys
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, close_old_connections, connection

from tongban import cli
from tongban.core.events import GENESIS_HASH, ChainProblem, chain_verify, event_append, event_digest
from tongban.core.models import AuditEvent, EventChainHead

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

TABLE = "core.auditevent"
STREAM = "case:330199-20261121-0001"


def append(n: int, stream: str = STREAM, **kwargs) -> list[AuditEvent]:
    return [
        event_append(model=AuditEvent, stream=stream, action=f"step{i}", **kwargs)
        for i in range(1, n + 1)
    ]


def problems() -> list[tuple[str, int | None, str]]:
    return [(p.stream, p.seq, p.problem) for p in chain_verify([AuditEvent]).problems]


def test_append_numbers_links_and_anchors_the_chain():
    actor = UserFactory(display_name="林窗口")
    when = dt.datetime(2026, 9, 26, 9, 30, tzinfo=dt.UTC)
    first = event_append(
        model=AuditEvent,
        stream=STREAM,
        action="accept",
        actor=actor,
        from_state="submitted",
        to_state="accepted",
        reason="材料齐全",
        payload={"due": dt.date(2026, 10, 29), "人数": 2},
        occurred_at=when,
    )
    second = event_append(model=AuditEvent, stream=STREAM, action="note")
    first.refresh_from_db()
    assert (first.seq, first.prev_hash, first.actor_label) == (1, GENESIS_HASH, "林窗口")
    assert first.payload == {"due": "2026-10-29", "人数": 2}
    assert first.occurred_at == when
    assert first.hash == event_digest(first)
    assert (second.seq, second.prev_hash, second.actor, second.actor_label) == (
        2,
        first.hash,
        None,
        "",
    )
    head = EventChainHead.objects.get(table=TABLE, stream=STREAM)
    assert (head.seq, head.hash) == (2, second.hash)


def test_streams_are_numbered_independently():
    append(2, stream="a")
    append(3, stream="b")
    assert list(AuditEvent.objects.values_list("stream", "seq")) == [
        ("a", 1),
        ("a", 2),
        ("b", 1),
        ("b", 2),
        ("b", 3),
    ]


def test_intact_chain_is_ok():
    append(3)
    append(2, stream="other")
    report = chain_verify([AuditEvent])
    assert report.ok
    assert (report.events, report.streams, report.problems) == (5, 2, [])


def test_an_edited_event_is_detected():
    events = append(3)
    AuditEvent.objects.filter(pk=events[1].pk).update(reason="悄悄改了")
    assert problems() == [(STREAM, 2, "content does not match its hash (edited)")]


@pytest.mark.parametrize(
    "change",
    [
        {"payload": {"amount": 1}},
        {"action": "approve"},
        {"to_state": "approved"},
        {"occurred_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        {"seq": 9},
    ],
)
def test_any_edited_field_is_detected(change):
    events = append(3)
    AuditEvent.objects.filter(pk=events[0].pk).update(**change)
    assert (STREAM, change.get("seq", 1), "content does not match its hash (edited)") in problems()


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link():
    events = append(3)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.reason = "伪造"
    AuditEvent.objects.filter(pk=forged.pk).update(reason="伪造", hash=event_digest(forged))
    assert problems() == [(STREAM, 3, "previous-hash link broken (an earlier event changed)")]


def test_a_deleted_middle_event_is_detected():
    events = append(4)
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    assert problems() == [(STREAM, 3, "event #2 is missing (deleted)")]
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    assert problems() == [(STREAM, 4, "events #2–#3 are missing (deleted)")]


def test_a_deleted_first_event_is_detected():
    events = append(2)
    AuditEvent.objects.filter(pk=events[0].pk).delete()
    assert problems() == [(STREAM, 2, "event #1 is missing (deleted)")]


def test_a_deleted_last_event_is_detected():
    events = append(3)
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    assert problems() == [
        (
            STREAM,
            3,
            "head says event #3 is the newest but the chain ends at #2 "
            "(the newest event was deleted or altered)",
        )
    ]


def test_an_edited_last_event_with_a_recomputed_hash_is_caught_by_the_head():
    events = append(2)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.reason = "伪造"
    AuditEvent.objects.filter(pk=forged.pk).update(reason="伪造", hash=event_digest(forged))
    assert problems() == [
        (
            STREAM,
            2,
            "head says event #2 is the newest but the chain ends at #2 "
            "(the newest event was deleted or altered)",
        )
    ]


def test_a_whole_deleted_stream_is_detected():
    append(3)
    append(1, stream="other")
    AuditEvent.objects.filter(stream=STREAM).delete()
    assert problems() == [(STREAM, None, "all 3 events of the stream are gone")]


def test_events_without_a_head_are_detected():
    append(1)
    EventChainHead.objects.all().delete()
    assert problems() == [(STREAM, None, "no chain head for this stream")]


def test_problem_reads_as_one_line():
    problem = ChainProblem(TABLE, STREAM, 2, "content does not match its hash (edited)")
    assert str(problem) == f"{TABLE} {STREAM} #2: content does not match its hash (edited)"


# --- the command ------------------------------------------------------------------------------


def test_verify_chain_command_reports_ok():
    append(3)
    out = io.StringIO()
    call_command("verify_chain", stdout=out)
    assert "OK: 3 events in 1 streams checked, no broken links\n" in out.getvalue()
    assert "BROKEN" not in out.getvalue()


def test_verify_chain_command_fails_when_broken():
    events = append(3)
    AuditEvent.objects.filter(pk=events[1].pk).update(reason="x")
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_chain", stdout=out)
    assert out.getvalue().splitlines() == [
        f"BROKEN {TABLE} {STREAM} #2: content does not match its hash (edited)",
        f"BROKEN {TABLE} {STREAM} #3: head says event #3 is the newest but the chain ends at #2 "
        "(the newest event was deleted or altered)",
    ]
    assert str(exc.value) == "2 broken link(s); 2 events in 1 streams checked"


def _tongban(*args: str, data_dir) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TONGBAN_DATA_DIR": str(data_dir),
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings.test",
    }
    return subprocess.run(
        [sys.executable, "-m", "tongban.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_tongban_verify_chain_exit_status(tmp_path):
    """The real command line, on a database of its own: 0 when intact, 1 when broken."""
    assert cli.ALIASES["verify-chain"] == "verify_chain"
    assert _tongban("migrate", "--noinput", data_dir=tmp_path).returncode == 0
    script = (
        "from tongban.core.events import event_append\n"
        "from tongban.core.models import AuditEvent\n"
        "for i in range(3): event_append(model=AuditEvent, stream='s', action=f'a{i}')\n"
    )
    assert _tongban("shell", "-c", script, data_dir=tmp_path).returncode == 0

    intact = _tongban("verify-chain", data_dir=tmp_path)
    assert (intact.returncode, intact.stdout) == (
        0,
        "OK: 3 events in 1 streams checked, no broken links\n",
    )

    tamper = "from tongban.core.models import AuditEvent\nAuditEvent.objects.filter(seq=2).delete()"
    assert _tongban("shell", "-c", tamper, data_dir=tmp_path).returncode == 0
    broken = _tongban("verify-chain", data_dir=tmp_path)
    assert broken.returncode == 1
    assert broken.stdout == f"BROKEN {TABLE} s #3: event #2 is missing (deleted)\n"
    assert "1 broken link(s); 2 events in 1 streams checked" in broken.stderr


# --- concurrency ------------------------------------------------------------------------------


def test_sequential_appends_are_contiguous():
    append(50)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 51))
    assert EventChainHead.objects.get(table=TABLE, stream=STREAM).seq == 50
    assert chain_verify([AuditEvent]).ok


def _append_retrying(stream: str, action: str) -> None:
    """SQLite's shared in-memory test database answers 'table is locked' instead of waiting;
    a caller retries the whole transaction. PostgreSQL waits on the head row's lock instead."""
    for _attempt in range(500):
        try:
            event_append(model=AuditEvent, stream=stream, action=action)
            return
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(random.uniform(0.001, 0.004))
    raise AssertionError("gave up after 500 attempts")


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_stream_stay_contiguous():
    threads, per_thread, errors = 4, 10, []
    start = threading.Barrier(threads)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                _append_retrying(STREAM, f"t{n}-{i}")
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    total = threads * per_thread
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    assert AuditEvent.objects.values("action").distinct().count() == total
    assert EventChainHead.objects.get(table=TABLE, stream=STREAM).seq == total
    report = chain_verify([AuditEvent])
    assert (report.ok, report.events) == (True, total)
