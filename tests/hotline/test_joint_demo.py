"""The joint/merge part of the hotline demo: joint tickets in every state, merged groups
(handled, replied to every caller, split again, across two streets), loaded twice without
change."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction

from tongban.catalog import demo as catalog_demo
from tongban.core import demo as core_demo
from tongban.core.events import chain_verify
from tongban.hotline import demo as hotline_demo
from tongban.hotline import demo_joint
from tongban.hotline.models import (
    Callback,
    CoordinationMeeting,
    CoReply,
    MergeSuggestion,
    Ticket,
    TicketEvent,
)


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    lines: list[str] = []
    with django_db_blocker.unblock(), transaction.atomic():
        core_demo.load(lines.append)
        catalog_demo.load(lines.append)
        hotline_demo._setup(Counter())
        created = demo_joint.load(lines.append)
        yield created, lines
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_loaded, db):
    return _loaded


def test_joint_tickets_in_every_state(loaded):
    created, lines = loaded
    joint = Ticket.objects.filter(idempotency_key__startswith="joint-demo-")
    assert created["joint tickets"] == len(demo_joint.JOINT) == joint.count()
    assert set(joint.values_list("status", flat=True)) == {
        "dispatched",
        "handling",
        "replied",
        "closed",
    }
    assert CoReply.objects.filter(ticket__in=joint, late=True).count() == 1
    assert CoordinationMeeting.objects.filter(ticket__in=joint).count() == 1
    assert any(line.startswith("hotline joint/merge: ") for line in lines)


def test_merged_groups(loaded):
    merge = Ticket.objects.filter(idempotency_key__startswith="merge-demo-")
    statuses = Counter(merge.values_list("status", flat=True))
    assert statuses["merged"] == 3
    split = merge.get(idempotency_key="merge-demo-c0")
    assert (split.status, split.merged_into_id) == ("received", None)
    replied = merge.get(idempotency_key="merge-demo-b1")
    assert replied.reply == "井盖已更换加固，现场已恢复通行。"
    assert Callback.objects.filter(ticket=replied, status="pending").count() == 1
    pending = MergeSuggestion.objects.filter(status="pending", ticket__in=merge)
    assert {s.ticket.idempotency_key for s in pending} >= {"merge-demo-a3", "merge-demo-d1"}
    assert chain_verify([TicketEvent]).problems == []


def test_loading_again_changes_nothing(loaded):
    before = (Ticket.objects.count(), MergeSuggestion.objects.count(), TicketEvent.objects.count())
    lines: list[str] = []
    assert demo_joint.load(lines.append) == {}
    after = (Ticket.objects.count(), MergeSuggestion.objects.count(), TicketEvent.objects.count())
    assert after == before
