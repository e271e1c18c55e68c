"""Concurrency with real threads and transactions: two handlers signing one ticket at once
(exactly one wins, the other is told who signed), and creates racing with one Idempotency-Key.
Runs on SQLite and, under scripts/with-postgres.sh, on PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import OperationalError, close_old_connections, connection

from tongban.core.events import chain_verify
from tongban.hotline.models import Ticket, TicketEvent
from tongban.hotline.services import ticket_sign
from tongban.hotline.services.common import StaleTicket
from tongban.hotline.states import TicketTransitionRefused

from .factories import dispatched_ticket, new_ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _retrying(call: Callable[[], Any]) -> Any:
    """SQLite's shared in-memory test database answers 'table is locked' instead of waiting;
    retry the whole transaction as a client would. PostgreSQL waits on the row lock."""
    for _attempt in range(500):
        try:
            return call()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(random.uniform(0.001, 0.004))
    raise AssertionError("gave up after 500 attempts")


def _race(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    start = threading.Barrier(len(calls))
    outcomes: list[tuple[str, Any] | None] = [None] * len(calls)

    def work(i: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            outcomes[i] = ("ok", _retrying(call))
        except Exception as exc:
            outcomes[i] = ("error", exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(o is not None for o in outcomes), "a thread did not finish"
    return outcomes  # type: ignore[return-value]


@pytest.fixture(autouse=True)
def _working_tuesday(at):
    at("2026-06-02 10:00")


@pytest.mark.parametrize("with_version", [True, False], ids=["expected-version", "no-version"])
def test_two_handlers_sign_one_ticket_exactly_one_wins(
    with_version, world, operator, handler, handler2
):
    for _round in range(3):
        ticket = dispatched_ticket(operator)
        version = ticket.version if with_version else None
        outcomes = _race(
            partial(ticket_sign, ticket.ticket_no, actor=handler, expected_version=version),
            partial(ticket_sign, ticket.ticket_no, actor=handler2, expected_version=version),
        )
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["error", "ok"], outcomes
        winner = handler if outcomes[0][0] == "ok" else handler2
        error = next(value for kind, value in outcomes if kind == "error")
        if with_version:
            assert isinstance(error, StaleTicket)
            assert error.message.startswith("该工单已被其他人处理，请刷新后查看。")
        else:
            assert isinstance(error, TicketTransitionRefused)
            assert "办理中" in error.message
        assert f"最近一次由 {winner}" in error.message
        assert "“签收”" in error.message
        fresh = Ticket.objects.get(pk=ticket.pk)
        assert (fresh.status, fresh.version) == ("handling", ticket.version + 1)
        signs = TicketEvent.objects.filter(ticket=ticket, action="sign")
        assert [e.actor_id for e in signs] == [winner.pk]
    assert chain_verify().ok


def test_creates_with_one_idempotency_key_give_one_ticket(world, operator):
    outcomes = _race(*(partial(new_ticket, operator, idempotency_key="retry-1") for _ in range(3)))
    assert [kind for kind, _ in outcomes] == ["ok", "ok", "ok"], outcomes
    assert len({t.pk for _, t in outcomes}) == 1
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.filter(action="create").count() == 1


def test_parallel_creates_get_distinct_numbers(world, operator):
    outcomes = _race(*(partial(new_ticket, operator) for _ in range(4)))
    assert [kind for kind, _ in outcomes] == ["ok"] * 4, outcomes
    numbers = sorted(t.ticket_no for _, t in outcomes)
    assert numbers == [f"12345-20260602-{n:06d}" for n in range(1, 5)]
    assert chain_verify().ok
