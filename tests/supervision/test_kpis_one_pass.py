"""``kpis.figures_with_groups``: the whole and the groups from one grouped query per source are
exactly ``kpis.figures`` and ``kpis.figures_by`` — on a year of bench-seeded cases, refusals,
tickets, assignments and callbacks, with case materials and ratings (follow-ups, appeals,
rectifications, anonymous raters) added at random, for every month, both groupings, several
scopes and subsets of areas; and the dashboard and the monthly report use it."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Avg
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_staff
from tongban.cases.models import Case, CaseMaterial
from tongban.catalog import demo as catalog_demo
from tongban.catalog.models import Material
from tongban.core import demo as core_demo
from tongban.core import workdays
from tongban.core.models import Department, Person, Region
from tongban.core.permissions import Role
from tongban.hotline import demo as hotline_demo
from tongban.hotline.models import Ticket
from tongban.ratings.models import Rating, Rectification
from tongban.supervision import kpis
from tongban.supervision.models import MonthlyReport
from tongban.supervision.services.reporting import monthly_report_generate

SH = workdays.BUSINESS_TZ
AREAS = ("cases", "items", "tickets", "ratings")
STREET_AREAS = ("cases", "tickets")  # the dashboard's street ranking


def _ratings(rng: random.Random, today: dt.date, n: int) -> None:
    departments = list(Department.objects.values_list("pk", flat=True))
    regions = [None, *Region.objects.values_list("pk", flat=True)]
    person = Person.objects.first()
    start = dt.datetime.combine(today - dt.timedelta(days=400), dt.time(), SH)
    firsts = []
    for i in range(n):
        rated = start + dt.timedelta(minutes=rng.randrange(400 * 24 * 60))
        follow = None  # one follow-up at most per first rating
        if firsts and rng.random() < 0.1:
            follow = firsts.pop(rng.randrange(len(firsts)))
        rating = Rating.objects.create(
            service_kind="case",
            service_ref=f"KP{i:05d}",
            department_id=rng.choice(departments),
            region_id=rng.choice(regions),
            item_code=rng.choice(["", "A", "B"]),
            channel=rng.choice(["web", "sms", "device"]),
            level=rng.choice([1, 2, 3, 4, 5, 5, 4]),
            person=person if rng.random() < 0.7 else None,
            real_name=rng.random() < 0.7,
            rated_at=rated,
            follow_up_of=follow,
            appeal_result=rng.choice(["", "", "", "", "malicious", "mistaken", "fraudulent"]),
        )
        if follow is None:
            firsts.append(rating)
        if rating.level <= 2 and follow is None and rng.random() < 0.8:
            responded = rated + dt.timedelta(days=rng.randrange(1, 25))
            status = rng.choice(["closed", "closed", "rectifying", "verifying"])
            Rectification.objects.create(
                rating=rating,
                department_id=rating.department_id,
                status=status,
                verify_due=rated + dt.timedelta(days=1),
                due=rated + dt.timedelta(days=15),
                responded_at=responded if status != "verifying" else None,
                closed_at=responded if status == "closed" else None,
            )


def _case_materials(rng: random.Random) -> None:
    materials = {}
    for pk, version_id in Material.objects.values_list("pk", "version_id"):
        materials.setdefault(version_id, []).append(pk)
    cases = list(
        Case.objects.filter(accepted_on__isnull=False)
        .order_by("pk")
        .values_list("pk", "item_version_id")[:300]
    )
    CaseMaterial.objects.bulk_create(
        CaseMaterial(case_id=pk, material_id=rng.choice(materials[version]), status="provided")
        for pk, version in cases
        for _n in range(rng.randrange(0, 4))
        if version in materials
    )


@pytest.fixture(scope="module")
def _year(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        core_demo.load(lambda _line: None)
        catalog_demo.load(lambda _line: None)
        hotline_demo.load(lambda _line: None, count=0)
        call_command(
            "bench", "seed", cases=500, tickets=700, seed=5, no_progress=True, stdout=io.StringIO()
        )
        today = workdays.business_date(dt.datetime.now(SH))
        rng = random.Random(11)
        _ratings(rng, today, 260)
        _case_materials(rng)
        # tickets with no department yet (registered, not dispatched): only in the whole
        Ticket.objects.filter(pk__in=Ticket.objects.order_by("-pk").values("pk")[:25]).update(
            department=None
        )
        yield today
        transaction.set_rollback(True)


@pytest.fixture
def year(_year, db):
    return _year


def _scopes() -> list[kpis.Scope]:
    departments = list(Department.objects.order_by("pk").values_list("pk", flat=True))
    streets = list(
        Region.objects.filter(level="street").order_by("pk").values_list("pk", flat=True)
    )
    codes = list(
        Case.objects.order_by().values_list("item_version__item__implementation_code", flat=True)
    )
    common = max(set(codes), key=codes.count)
    return [
        kpis.ALL,
        kpis.Scope(department_ids=tuple(departments[:2])),
        kpis.Scope(region_ids=tuple(streets[:1])),
        kpis.Scope(item_codes=(common,)),
    ]


def _same(one_pass, total, by) -> None:
    whole, groups = one_pass
    assert whole.counts == total.counts
    assert whole.values() == total.values()
    assert {g: f.counts for g, f in groups.items()} == {g: f.counts for g, f in by.items()}


def test_the_seeded_year_has_something_to_count(year):
    whole, groups = kpis.figures_with_groups(
        "department", kpis.Period(year - dt.timedelta(days=400), year), today=year
    )
    counts = whole.counts
    for key in (
        *("accepted", "concluded", "overdue", "not_accepted", "case_materials", "dispatched"),
        *("returned", "replied", "closed", "created", "callbacks_rated", "ratings", "rectified"),
    ):
        assert counts[key] > 0, key
    # the unassigned tickets count in the whole but in no department
    assert sum(f.counts.get("created", 0) for f in groups.values()) < counts["created"]


@pytest.mark.parametrize("group", kpis.GROUPS)
def test_one_pass_equals_figures_and_figures_by_every_month(year, group):
    for period in kpis.recent_months(13, today=year):
        total = kpis.figures(period, today=year)
        by = kpis.figures_by(group, period, today=year)
        _same(kpis.figures_with_groups(group, period, today=year), total, by)


@pytest.mark.parametrize("group", kpis.GROUPS)
def test_one_pass_equals_for_scopes_and_areas(year, group):
    periods = kpis.recent_months(4, today=year)[:3]
    for scope in _scopes():
        for areas in (AREAS, ("cases", "tickets"), ("ratings",), ("items",)):
            for period in periods:
                _same(
                    kpis.figures_with_groups(group, period, scope, today=year, areas=areas),
                    kpis.figures(period, scope, today=year, areas=areas),
                    kpis.figures_by(group, period, scope, today=year, areas=areas),
                )


def test_rankings_equal_figures_and_both_groupings(year):
    """The dashboard's month: department and street rows from one query per source."""
    for scope in _scopes():
        for period in kpis.recent_months(13, today=year):
            total, by_department, by_street = kpis.figures_with_rankings(period, scope, today=year)
            _same(
                (total, by_department),
                kpis.figures(period, scope, today=year),
                kpis.figures_by("department", period, scope, today=year),
            )
            expected = kpis.figures_by("street", period, scope, today=year, areas=STREET_AREAS)
            assert {g: f.counts for g, f in by_street.items()} == {
                g: f.counts for g, f in expected.items()
            }


def test_rankings_with_ratings_per_street(year):
    period = kpis.recent_months(2, today=year)[0]
    total, _by_department, by_street = kpis.figures_with_rankings(
        period, today=year, street_areas=AREAS
    )
    assert total.counts == kpis.figures(period, today=year).counts
    expected = kpis.figures_by("street", period, today=year)
    assert {g: f.counts for g, f in by_street.items()} == {g: f.counts for g, f in expected.items()}
    assert any(f.counts.get("ratings") for f in by_street.values())


def test_a_longer_period_and_a_week(year):
    for period in (
        kpis.Period(year - dt.timedelta(days=200), year),
        kpis.recent_weeks(3, today=year)[0],
    ):
        _same(
            kpis.figures_with_groups("department", period, today=year),
            kpis.figures(period, today=year),
            kpis.figures_by("department", period, today=year),
        )


def test_every_count_is_additive_over_groups():
    """The one-pass whole is a sum only because every count is a plain Count or Sum; a new
    count of another kind (an average, a distinct count) gets its own total query."""
    period = kpis.month_period(dt.date(2026, 10, 1))
    sources = {c.source for c in kpis.COUNTS.values()}
    for source in sources:
        for name, aggregate in kpis._aggregates(source, period, dt.date(2026, 11, 20)).items():
            assert kpis._additive(aggregate), name
    assert not kpis._additive(kpis.Count("pk", distinct=True))
    assert not kpis._additive(Avg("pk"))


def test_an_unknown_group_is_refused():
    with pytest.raises(ValueError):
        kpis.figures_with_groups("item", kpis.month_period(dt.date(2026, 10, 1)))


def test_the_monthly_report_stores_the_one_pass_figures(year):
    month = kpis.recent_months(2, today=year)[0].start
    report = monthly_report_generate(month=month)
    period = kpis.month_period(month)
    assert report.figures["total"] == kpis.figures(period, today=year).as_json()
    assert report.figures["departments"] == {
        str(pk): f.as_json() for pk, f in kpis.figures_by("department", period, today=year).items()
    }
    assert MonthlyReport.objects.filter(month=month).count() == 1


def test_the_dashboard_reads_each_source_once_for_the_month(year, settings):
    """The month's whole, its departments' and its streets' rows: one grouped query per
    source — no second, ungrouped pass and no second pass per street."""
    settings.TONGBAN_DASHBOARD_CACHE_SECONDS = 0
    settings.TONGBAN_DASHBOARD_CACHE_TODAY_SECONDS = 0
    client = Client()
    client.force_login(
        make_staff(Role.SUPERVISOR, username="kpi_sup"),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    month = kpis.recent_months(2, today=year)[0].start
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/console/supervision/dashboard/?month={month:%Y-%m}")
    assert response.status_code == 200
    shown = dict((k.key, v) for k, v in response.context["all_kpis"])
    assert shown == kpis.figures(kpis.month_period(month), today=year).values()
    ticket_reads = [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "hotline_ticket"' in q["sql"] and '"replied_at"' in q["sql"]
    ]
    # the month's tickets grouped by department and street at once: no whole-district pass,
    # no second pass for the street ranking
    assert len(ticket_reads) == 1
    assert "GROUP BY" in ticket_reads[0]
