"""The dashboard's KPI sets are cached per (month, scope, today): a second view reads fewer
queries, another scope or month is computed apart, and the figures come back fresh once the
entry's lifetime (a few minutes for a closed month, seconds for the current one) has passed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.supervision.conftest import at
from tongban.supervision import kpis
from tongban.supervision.views.console import kpi_cache_seconds

pytestmark = pytest.mark.django_db

OCTOBER = "/console/supervision/dashboard/?month=2026-10"
NOVEMBER = "/console/supervision/dashboard/?month=2026-11"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.TONGBAN_DASHBOARD_CACHE_SECONDS = 300
    settings.TONGBAN_DASHBOARD_CACHE_TODAY_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sup(supervisor):
    client = Client()
    client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    return client


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def accepted(client: Client, url: str) -> int:
    response = client.get(url)
    return dict((k.key, v) for k, v in response.context["all_kpis"])["accepted"]


def test_lifetimes_closed_month_and_current_month():
    today = dt.date(2026, 11, 20)
    assert kpi_cache_seconds(dt.date(2026, 10, 1), today) == 300
    assert kpi_cache_seconds(dt.date(2026, 11, 1), today) == 30
    assert kpi_cache_seconds(dt.date(2026, 12, 1), today) == 30


def test_a_second_view_reads_fewer_queries(november, october, sup):
    first = queries(sup, OCTOBER)
    second = queries(sup, OCTOBER)
    assert first - second >= 20  # the KPI sets: about two dozen aggregates
    assert queries(sup, OCTOBER) == second


def test_scope_and_month_are_cached_apart(november, october, mzj, sup):
    assert accepted(sup, OCTOBER) == 5
    assert accepted(sup, f"{OCTOBER}&department={mzj.pk}") == 4
    assert accepted(sup, NOVEMBER) == 0
    assert accepted(sup, OCTOBER) == 5


def test_a_closed_month_is_fresh_after_five_minutes(october, item, make_case, sup):
    with time_machine.travel(at("2026-11-20"), tick=False) as traveller:
        assert accepted(sup, OCTOBER) == 5
        make_case(item, accepted="2026-10-21", promised="2026-10-28")
        assert accepted(sup, OCTOBER) == 5  # cached
        traveller.shift(dt.timedelta(seconds=299))
        assert accepted(sup, OCTOBER) == 5
        traveller.shift(dt.timedelta(seconds=2))
        assert accepted(sup, OCTOBER) == 6


def test_the_current_month_is_fresh_after_thirty_seconds(item, make_case, sup):
    with time_machine.travel(at("2026-11-20"), tick=False) as traveller:
        assert accepted(sup, NOVEMBER) == 0
        make_case(item, accepted="2026-11-19", promised="2026-11-26")
        assert accepted(sup, NOVEMBER) == 0  # cached
        traveller.shift(dt.timedelta(seconds=31))
        assert accepted(sup, NOVEMBER) == 1


def test_the_cache_can_be_turned_off(settings, november, october, item, make_case, sup):
    settings.TONGBAN_DASHBOARD_CACHE_SECONDS = 0
    assert accepted(sup, OCTOBER) == 5
    make_case(item, accepted="2026-10-21", promised="2026-10-28")
    assert accepted(sup, OCTOBER) == 6
    assert kpis.month_period(dt.date(2026, 10, 1)).end == dt.date(2026, 10, 31)


def test_closed_months_and_weeks_of_the_trends_outlive_the_current_month(settings, sup):
    with time_machine.travel(at("2026-11-20"), tick=False) as traveller:
        settings.TONGBAN_DASHBOARD_CACHE_SECONDS = 0
        settings.TONGBAN_DASHBOARD_CACHE_TODAY_SECONDS = 0
        uncached = queries(sup, NOVEMBER)
        settings.TONGBAN_DASHBOARD_CACHE_SECONDS = 300
        settings.TONGBAN_DASHBOARD_CACHE_TODAY_SECONDS = 30
        queries(sup, NOVEMBER)
        cached_view = queries(sup, NOVEMBER)
        traveller.shift(dt.timedelta(seconds=31))
        recomputed = queries(sup, NOVEMBER)
    # the current month and week are computed again; the 11 closed months and 7 closed weeks
    # of the trends are not (3 aggregates each: cases, refusals, case materials)
    assert recomputed == uncached - (11 + 7) * 3
    assert cached_view < recomputed
