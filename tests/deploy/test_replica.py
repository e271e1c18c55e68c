"""The read replica: reads inside `using_replica()` (the KPI sets) go to the `replica`
database, writes and reads inside a transaction to `default`. The test replica is a TEST
MIRROR of the test database, so the routing is seen on real queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import DepartmentFactory
from tongban.config.db_router import ReplicaRouter
from tongban.core.models import Department
from tongban.core.replica import reads_from_replica, using_replica
from tongban.hotline import reports as hotline_reports
from tongban.supervision import kpis

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_on(settings):
    settings.TONGBAN_REPLICA_READS = True


def test_reads_in_the_block_go_to_the_replica_and_see_the_primarys_rows(replica_on):
    department = DepartmentFactory()
    with using_replica(), CaptureQueriesContext(connections["replica"]) as on_replica:
        assert Department.objects.all().db == "replica"
        assert list(Department.objects.values_list("pk", flat=True)) == [department.pk]
    assert len(on_replica) == 1
    assert Department.objects.all().db == "default"


def test_writes_always_go_to_default(replica_on):
    with using_replica():
        department = DepartmentFactory()
        assert department._state.db == "default"
    assert ReplicaRouter().db_for_write(Department) == "default"
    assert ReplicaRouter().allow_migrate("replica", "core") is False
    assert ReplicaRouter().allow_migrate("default", "core") is True


def test_reads_inside_a_transaction_stay_on_default(replica_on):
    with using_replica(), transaction.atomic():
        assert Department.objects.all().db == "default"


def test_nothing_goes_to_the_replica_when_its_reads_are_off(settings):
    settings.TONGBAN_REPLICA_READS = False
    with using_replica():
        assert Department.objects.all().db == "default"


def test_a_decorated_selector_reads_from_the_replica(replica_on):
    @reads_from_replica
    def count() -> int:
        return Department.objects.count()

    DepartmentFactory()
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        assert count() == 1
    assert (len(on_replica), len(on_default)) == (1, 0)


def test_the_kpi_set_of_a_month_is_read_from_the_replica(replica_on):
    period = kpis.month_period(dt.date(2026, 9, 1))
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        kpis.figures(period, today=dt.date(2026, 9, 30))
        kpis.figures_by("department", period, today=dt.date(2026, 9, 30))
    assert len(on_replica) > 0
    assert [q["sql"] for q in on_default] == []


def test_the_hotline_report_is_read_from_the_replica(replica_on):
    period = hotline_reports.period_of("month", dt.date(2026, 9, 1))
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        report = hotline_reports.build(period, now=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    assert report.volume == 0
    assert len(on_replica) == 12
    assert [q["sql"] for q in on_default] == []
