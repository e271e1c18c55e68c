"""The hotline demo (issue 5, item 9): the taxonomy and dispatch catalogue, 100 knowledge
articles, and a small ticket history (``TONGBAN_DEMO_TICKETS`` = 60 in the test settings) made
by the ticket services at past moments and by cloning.

The demo district (core and catalogue demo) and the hotline demo are loaded once for the module
inside a transaction rolled back at the end; each test runs in a savepoint of it.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tongban.catalog import demo as catalog_demo
from tongban.core import addresses, workdays
from tongban.core import demo as core_demo
from tongban.core.events import chain_verify
from tongban.core.identifiers import validate_phone
from tongban.core.models import EventChainHead, User
from tongban.core.permissions import roles_of
from tongban.hotline import clocks
from tongban.hotline import demo as hotline_demo
from tongban.hotline.demo_data.clone import PREFIX as CLONE_PREFIX
from tongban.hotline.models import (
    Article,
    ArticleSource,
    ArticleState,
    CatalogueStatus,
    DispatchCatalogue,
    DispatchEntry,
    DispatchRule,
    MissedCall,
    OwnerLevel,
    Source,
    Subject,
    Ticket,
    TicketAssignment,
    TicketEvent,
    TicketExtension,
    TicketReturn,
    TicketType,
)
from tongban.hotline.states import TicketAction as A
from tongban.hotline.states import TicketStatus as S
from tongban.hotline.states import TriageOutcome

COUNT = settings.TONGBAN_DEMO_TICKETS
TZ = workdays.BUSINESS_TZ


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    lines: list[str] = []
    with django_db_blocker.unblock(), transaction.atomic():
        core_demo.load(lines.append)
        catalog_demo.load(lines.append)
        created = hotline_demo.load(lines.append)
        yield created, lines
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_loaded, db):
    return _loaded


@pytest.fixture
def tickets(loaded):
    return list(
        Ticket.objects.filter(idempotency_key__startswith="demo-").select_related(
            "subject", "region", "street", "department"
        )
    )


def test_the_settings_give_the_count():
    assert COUNT == 60
    assert hotline_demo.DEFAULT_COUNT == 20_000


def test_the_requested_number_of_tickets_in_every_state(loaded, tickets):
    created, lines = loaded
    assert len(tickets) == COUNT
    assert created["tickets (through the services)"] + created["tickets (cloned)"] == COUNT
    assert created["tickets (cloned)"] >= 10  # the cloning path runs in the test too
    assert {t.status for t in tickets} == set(S.values)
    closed_at_intake = {t.triage for t in tickets if t.triage}
    assert closed_at_intake == set(TriageOutcome.values) - {TriageOutcome.PROCEDURE}
    assert {t.source for t in tickets} == set(Source.values)
    assert {t.ticket_type for t in tickets} == set(TicketType.values)
    assert any(line.startswith("hotline: ") and "tickets (cloned)" in line for line in lines)


def test_every_path_of_the_demo_is_there(tickets):
    closed = [t for t in tickets if t.status == S.CLOSED and not t.triage]
    assert {t.satisfaction for t in closed} >= {"satisfied", "basic", "dissatisfied", ""}
    assert any(t.reopen_count for t in tickets)
    assert any(t.escalated for t in tickets)
    assert any(t.assigned_by_centre for t in tickets)
    assert any(t.auto_dispatched for t in tickets)
    assert any(t.locality_unresolved and t.region_id is None for t in tickets)
    assert any(t.anonymous and t.ticket_type == TicketType.REPORT for t in tickets)
    assert any(t.confidential for t in tickets)
    merged = [t for t in tickets if t.status == S.MERGED]
    assert merged and all(t.merged_into_id for t in merged)
    ids = [t.pk for t in tickets]
    returns = Counter(
        TicketReturn.objects.filter(assignment__ticket_id__in=ids).values_list(
            "assignment__ticket_id", flat=True
        )
    )
    assert max(returns.values()) >= 2  # returned twice (and more, before the centre decides)
    decisions = set(TicketReturn.objects.values_list("decision", flat=True))
    assert decisions == {"approved", "refused", "pending"}
    assert set(TicketExtension.objects.values_list("decision", flat=True)) >= {
        "approved",
        "refused",
        "pending",
    }
    assert TicketEvent.objects.filter(ticket_id__in=ids, action=A.URGE).exists()


def test_open_tickets_show_every_card(tickets):
    now = timezone.now()
    cards = Counter(
        clocks.compute(t, now=now).card
        for t in tickets
        if t.status in (S.DISPATCHED, S.HANDLING, S.RETURN_REQUESTED)
    )
    assert cards["red"] >= 1
    assert cards["yellow"] >= 1
    assert cards["blue"] >= 1
    assert cards[""] >= 1
    handling = [t for t in tickets if t.status == S.HANDLING]
    assert any(t.extended_from for t in handling)  # an approved extension running


def test_tickets_span_six_months_and_every_event_is_in_the_past_in_order(tickets):
    now = timezone.now()
    created = [t.created_at for t in tickets]
    assert max(created) <= now
    assert (now - min(created)).days >= 90
    assert (now - min(created)).days <= hotline_demo.WINDOW_DAYS + 20
    for ticket in tickets:
        events = list(ticket.events.order_by("seq"))
        assert events[0].action == A.CREATE, ticket.ticket_no
        times = [e.occurred_at for e in events]
        assert times == sorted(times), ticket.ticket_no
        assert times[-1] <= now
        day = workdays.business_date(ticket.created_at)
        assert ticket.ticket_no.startswith(f"12345-{day:%Y%m%d}-"), ticket.ticket_no
        assert events[-1].to_state == ticket.status or events[-1].action == A.ESCALATE


def test_handlers_sign_and_reply_in_working_hours_unless_the_limit_is_in_hours(tickets):
    for ticket in tickets:
        if ticket.hazard or ticket.urgency == "urgent":
            continue
        staff_actions = [A.SIGN, A.REPLY, A.REQUEST_RETURN, A.REQUEST_EXTENSION]
        for event in ticket.events.filter(action__in=staff_actions):
            local = event.occurred_at.astimezone(TZ)
            assert workdays.is_workday(local.date()), (ticket.ticket_no, event.action, local)
            assert 8 <= local.hour < 18, (ticket.ticket_no, event.action, local)


def test_the_event_chains_verify(loaded, tickets):
    report = chain_verify([TicketEvent])
    assert report.ok, report.problems[:5]
    # the demo's own tickets, and the joint/merge demo's (hotline/demo_joint.py, keys joint-demo-…)
    extra = Ticket.objects.exclude(idempotency_key__startswith="demo-").count()
    assert report.streams == COUNT + extra
    heads = EventChainHead.objects.filter(table="hotline.ticketevent").count()
    assert heads == COUNT + extra
    out = io.StringIO()
    call_command("verify_chain", stdout=out)
    assert out.getvalue().startswith("OK: ")


def test_clones_are_their_own_tickets(tickets):
    clones = [t for t in tickets if t.idempotency_key.startswith(CLONE_PREFIX)]
    assert clones
    numbers = [t.ticket_no for t in tickets]
    assert len(set(numbers)) == len(numbers)
    for ticket in clones:
        match = addresses.resolve_address(ticket.address) if ticket.address else None
        assert (match.region.pk if match else None) == ticket.region_id, ticket.address
        assert (match.street.pk if match else None) == ticket.street_id, ticket.address
        assert ticket.locality_unresolved == (match is None)
        if ticket.caller_phone:
            assert validate_phone(ticket.caller_phone) == ticket.caller_phone
        assert ticket.events.first().stream == f"ticket:{ticket.ticket_no}"
        lead = TicketAssignment.objects.filter(ticket=ticket).order_by("-pk").first()
        if ticket.department_id:
            assert lead.department_id == ticket.department_id
    assert len({t.content for t in tickets}) >= COUNT * 0.8


def test_the_taxonomy_has_sixty_leaves_all_mapped_in_the_published_catalogue(loaded):
    leaves = Subject.objects.filter(level=3)
    assert leaves.count() >= 60
    assert Subject.objects.filter(level=1).count() >= 10
    assert all(s.parent.level == 2 and s.parent.parent.level == 1 for s in leaves)
    catalogue = DispatchCatalogue.objects.get(status=CatalogueStatus.PUBLISHED)
    entries = DispatchEntry.objects.filter(catalogue=catalogue)
    assert set(entries.values_list("subject_id", flat=True)) == set(
        leaves.values_list("pk", flat=True)
    )
    for entry in entries.select_related("department"):
        assert entry.basis
        if entry.owner_level == OwnerLevel.DEPARTMENT:
            assert entry.department is not None and entry.department.is_active
        else:
            assert entry.department is None
    levels = set(entries.values_list("owner_level", flat=True))
    assert levels == {OwnerLevel.DEPARTMENT, OwnerLevel.STREET, OwnerLevel.COMMUNITY}
    assert 18 <= DispatchRule.objects.filter(catalogue=catalogue).count() <= 25
    assert DispatchRule.objects.filter(catalogue=catalogue, region__isnull=False).exists()


def test_one_hundred_knowledge_articles_some_expired_and_the_catalogue_guides(loaded):
    manual = Article.objects.filter(source=ArticleSource.MANUAL)
    assert manual.count() == 100
    today = workdays.business_date(timezone.now())
    published = manual.filter(state=ArticleState.PUBLISHED)
    assert published.filter(valid_until__lt=today).count() >= 3  # flagged to their owners
    assert manual.filter(state=ArticleState.PENDING).exists()
    assert manual.filter(state=ArticleState.DRAFT).exists()
    assert not manual.filter(department__isnull=True).exists()
    assert manual.filter(subject__isnull=False).count() == 100
    assert published.filter(reviewed_by__username="kb_reviewer").count() == published.count()
    assert Article.objects.filter(source=ArticleSource.CATALOG).count() >= 50
    direct = Ticket.objects.filter(triage=TriageOutcome.DIRECT_ANSWER)
    for ticket in direct:
        close = ticket.events.get(action=A.DIRECT_ANSWER)
        assert Article.objects.filter(pk=close.payload["article"]).exists()


def test_the_missed_call_list_has_calls_waiting(loaded):
    assert MissedCall.objects.filter(status="pending").exists()
    assert MissedCall.objects.filter(status="called_back").exists()


def test_the_demo_accounts_exist_with_their_roles(loaded):
    for role, username in hotline_demo.users():
        assert role in roles_of(User.objects.get(username=username))
    handled_by = set(TicketAssignment.objects.values_list("department_id", flat=True))
    with_handlers = set(
        User.objects.filter(groups__name="handler").values_list("staff__department_id", flat=True)
    )
    assert handled_by <= with_handlers


def test_a_second_load_adds_nothing(loaded):
    tables = [Ticket, TicketEvent, TicketAssignment, Article, Subject, MissedCall, User]
    before = {m: m.objects.count() for m in tables}
    last = TicketEvent.objects.order_by("-pk").values_list("pk", "hash").first()
    lines: list[str] = []
    assert hotline_demo.load(lines.append) == {}
    assert lines == ["hotline: nothing to do (already loaded)"]
    assert {m: m.objects.count() for m in tables} == before
    assert TicketEvent.objects.order_by("-pk").values_list("pk", "hash").first() == last


def test_planning_is_deterministic(loaded):
    now = timezone.now()

    def plans():
        planner = hotline_demo.Paths(now=now, seed=hotline_demo.SEED, window_days=183)
        return [
            (p.key, p.kind, p.variant, p.leaf, p.source, [(s.at, s.op) for s in p.steps])
            for p in planner.plan_all(hotline_demo.targets(COUNT))
        ]

    assert plans() == plans()


def test_merged_repeats_go_through_the_merge_service_and_are_called_back(tickets):
    by_pk = {t.pk: t for t in Ticket.objects.filter(idempotency_key__startswith="demo-ticket-")}
    merged = [t for t in by_pk.values() if t.status == S.MERGED]
    assert merged
    for t in merged:
        primary = Ticket.objects.get(pk=t.merged_into_id)
        actions = list(
            TicketEvent.objects.filter(ticket=t).order_by("seq").values_list("action", "payload")
        )
        assert [a for a, _p in actions][:2] == ["create", "merge"]
        assert actions[1][1]["into"] == primary.ticket_no
        merged_in = TicketEvent.objects.filter(ticket=primary, action=A.MERGED_IN)
        assert [e.payload["ticket"] for e in merged_in] == [t.ticket_no]
        if primary.status == S.CLOSED:  # replied and called back: so is the repeat's caller
            assert [a for a, _p in actions][2:] == ["shared_reply", "callback"]
            assert list(t.callbacks.values_list("status", flat=True)) == ["done"]
