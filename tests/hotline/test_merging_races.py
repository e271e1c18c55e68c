"""Two operators confirming the same merge at once: exactly one wins, the other is told, and
the history stays one chain. Real threads and transactions (SQLite and PostgreSQL)."""

from __future__ import annotations

from functools import partial

import pytest

from tongban.core.events import chain_verify
from tongban.hotline.models import MergeSuggestion, Ticket, TicketEvent
from tongban.hotline.services import merging
from tongban.hotline.services.common import StaleTicket, TicketRefused

from .factories import new_ticket, operator_in
from .test_races import _race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _working_tuesday(at):
    at("2026-06-02 10:00")


@pytest.mark.parametrize("with_version", [True, False], ids=["expected-version", "no-version"])
def test_two_operators_confirm_one_merge_exactly_one_wins(with_version, world, operator):
    second = operator_in(world, "operator2")
    for _round in range(2):
        primary = new_ticket(operator)
        dup = new_ticket(operator)
        version = dup.version if with_version else None
        call = partial(
            merging.merge_confirm,
            ticket_no=dup.ticket_no,
            into_no=primary.ticket_no,
            expected_version=version,
        )
        outcomes = _race(partial(call, actor=operator), partial(call, actor=second))
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["error", "ok"]
        error = next(value for kind, value in outcomes if kind == "error")
        assert isinstance(error, StaleTicket | TicketRefused)
        assert Ticket.objects.get(pk=dup.pk).merged_into_id == primary.pk
        assert TicketEvent.objects.filter(ticket=dup, action="merge").count() == 1
        assert TicketEvent.objects.filter(ticket=primary, action="merged_in").count() == 1
        assert MergeSuggestion.objects.filter(ticket=dup, status="confirmed").count() == 1
    assert chain_verify([TicketEvent]).problems == []
