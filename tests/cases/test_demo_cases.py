"""The demo cases (issue 4, item 10): a reduced set made through the services at past moments.

The demo district (core, catalogue) and 120 demo cases are loaded once for the module inside a
transaction that is rolled back at the end; each test runs in a savepoint of it.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from tongban.cases import demo as cases_demo
from tongban.cases import selectors
from tongban.cases.models import Case, CaseEvent, CaseMaterial, Channel, ReviewTask
from tongban.cases.states import CaseAction as A
from tongban.cases.states import CaseStatus as S
from tongban.catalog import demo as catalog_demo
from tongban.catalog.demo_data import ITEMS
from tongban.core import demo as core_demo
from tongban.core import workdays
from tongban.core.events import chain_verify
from tongban.core.models import Department, Enterprise, Notification, Person, User
from tongban.core.permissions import Role, roles_of

COUNT = 120


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        core_demo.load(out.write)
        catalog_demo.load(out.write)
        cases_demo.load(lambda line: out.write(line + "\n"), count=COUNT)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_loaded, db):
    return _loaded


@pytest.fixture
def demo_cases(loaded):
    return list(
        Case.objects.filter(idempotency_key__startswith=cases_demo.KEY_PREFIX).select_related(
            "item_version__item", "department", "applicant"
        )
    )


def test_the_requested_number_of_cases_in_every_status(demo_cases, loaded):
    assert len(demo_cases) == COUNT
    # 已撤销 (a decision revoked after a failed 告知承诺 post-check) is shown by demo_bundles
    assert {c.status for c in demo_cases} == set(S.values) - {S.REVOKED}
    assert f"{COUNT} cases in" in loaded


def test_cases_span_the_past_six_months_in_every_channel(demo_cases):
    now = timezone.now()
    created = [c.created_at for c in demo_cases]
    assert max(created) <= now
    assert (now - min(created)).days >= 100
    assert min(created) >= now - timezone.timedelta(days=cases_demo.WINDOW_DAYS + 30)
    assert {c.channel for c in demo_cases} == {
        Channel.WEB,
        Channel.MOBILE,
        Channel.WINDOW,
        Channel.KIOSK,
    }
    assert len({c.item_version.item_id for c in demo_cases}) >= 40


def test_every_event_happened_in_the_past_in_order(demo_cases):
    now = timezone.now()
    for case in demo_cases:
        events = list(case.events.order_by("seq"))
        assert events[0].action == A.CREATE
        times = [e.occurred_at for e in events]
        assert times == sorted(times), case.case_no
        assert times[-1] <= now
        # The case number is the region, the day it was created and that day's sequence.
        assert case.case_no.split("-")[1] == f"{workdays.business_date(times[0]):%Y%m%d}"
        # Staff act on working days, in working hours.
        for event in events:
            if event.action in (A.ACCEPT, A.REFUSE, A.REQUEST_CORRECTION, A.APPROVE, A.DENY):
                local = event.occurred_at.astimezone(workdays.BUSINESS_TZ)
                assert workdays.is_workday(local.date()), (case.case_no, event.action)
                assert 8 <= local.hour < 20, (case.case_no, event.action, local)


def test_cards_of_open_cases_come_out_of_the_events(demo_cases):
    cards = Counter()
    for case in demo_cases:
        clock = selectors.clock(case)
        if case.status in (S.IN_REVIEW, S.SUSPENDED):
            cards[clock.card] += 1
    assert cards["blue"] >= 1
    assert cards["yellow"] >= 1
    assert cards["red"] >= 1
    assert cards[""] >= 1


def test_clocks_show_deemed_acceptance_extension_pauses_and_on_time_decisions(demo_cases):
    clocks = {c.case_no: selectors.clock(c) for c in demo_cases}
    assert any(c.deemed_accepted for c in clocks.values())
    assert any(c.extension_days for c in clocks.values())
    assert any(c.pauses for c in clocks.values())
    assert any(c.suspended for c in clocks.values())
    decided = [c for c in clocks.values() if c.on_time is not None]
    on_time = sum(c.on_time for c in decided) / len(decided)
    assert 0.8 <= on_time <= 1, on_time
    # Instant items (即办件) are decided the day the clerk accepts them (a deemed acceptance
    # dates back to receipt, so that decision comes late).
    instant = [
        clocks[c.case_no]
        for c in demo_cases
        if c.item_version.handling_type == "instant" and clocks[c.case_no].decided_on
    ]
    assert instant
    for clock in instant:
        assert (clock.decided_on == clock.accepted_on) != clock.deemed_accepted, clock


def test_the_event_chain_verifies(loaded):
    report = chain_verify([CaseEvent])
    assert report.ok, report.problems[:5]
    # one stream per case: the demo cases, and the bundles' and approval operations' own
    assert report.streams == Case.objects.count() > COUNT


def test_applicants_are_valid_registered_people(demo_cases):
    for case in demo_cases:
        assert ric.is_valid(case.applicant.id_number)
        if case.channel != Channel.WINDOW:
            assert case.created_by_id == case.applicant.user_id  # online: the applicant
        else:
            assert Role.WINDOW_CLERK in roles_of(case.created_by)
        if case.enterprise_id:
            assert case.enterprise.legal_representative_id == case.applicant_id
    assert Person.objects.count() >= cases_demo.PEOPLE
    assert Enterprise.objects.count() >= len(cases_demo.ENTERPRISES)


def test_materials_uploads_are_real_files_and_notices_were_kept(demo_cases):
    uploads = CaseMaterial.objects.filter(case__in=demo_cases, status="provided")
    assert uploads.exists()
    for row in uploads[:20]:
        head = row.file.open("rb").read(8)
        assert head.startswith(b"%PDF-") or head.startswith(b"\x89PNG"), row.file.name
    assert Notification.objects.filter(person__cases__in=demo_cases).exists()


def test_every_department_with_items_has_a_reviewer_and_an_approver(loaded):
    for code in {spec["department"] for spec in ITEMS}:
        department = Department.objects.get(code=code)
        for role in (Role.REVIEWER, Role.APPROVER):
            assert User.objects.filter(
                staff__department=department, groups__name=role, is_active=True
            ).exists(), (code, role)
    for role, username in cases_demo.users():
        user = User.objects.get(username=username)
        assert role == "applicant" or role in roles_of(user)
    done = ReviewTask.objects.filter(status="done", case__idempotency_key__startswith="demo-")
    assert done.exists()


def test_a_second_load_changes_nothing(loaded):
    tables = [Case, CaseEvent, CaseMaterial, ReviewTask, Person, User, Enterprise, Notification]
    before = {m: m.objects.count() for m in tables}
    last = CaseEvent.objects.order_by("-pk").values_list("pk", "hash").first()
    lines = []
    created = cases_demo.load(lines.append, count=COUNT)
    assert created == {}
    assert lines[0] == "cases: nothing to do (already loaded)"
    assert all(line.endswith("nothing to do (already loaded)") for line in lines), lines
    assert {m: m.objects.count() for m in tables} == before
    assert CaseEvent.objects.order_by("-pk").values_list("pk", "hash").first() == last


def test_planning_is_deterministic(loaded):
    now = timezone.now()

    def plans():
        planner = cases_demo._Planner(
            now=now,
            versions=cases_demo._versions(),
            people_=cases_demo._people_rows(),
            enterprises_=cases_demo._enterprise_rows(),
            clerks=[User.objects.get(username="clerk"), User.objects.get(username="clerk_yx")],
        )
        return [
            (
                p.version.pk,
                p.channel,
                p.person.pk,
                [(s.at, s.op, sorted(s.kw.items())) for s in p.steps],
            )
            for p in (
                planner.plan(i, target, variant)
                for i, (target, variant) in enumerate(cases_demo._targets(40))
            )
        ]

    assert plans() == plans()
