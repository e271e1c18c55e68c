"""The [B] demo (b1): bundles filed and in progress with one child denied, and 容缺 and 告知承诺
cases in every state, including a revoked one — loaded on top of the demo cases."""

from __future__ import annotations

import io

import pytest
from django.db import transaction

from tongban.cases import demo as cases_demo
from tongban.cases import demo_bundles
from tongban.cases.models import BundleCase, Case, Deferral, PostCheck
from tongban.catalog import demo as catalog_demo
from tongban.core import demo as core_demo
from tongban.core.events import chain_verify

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


def test_bundles_at_every_stage_with_one_child_denied(loaded):
    statuses = sorted(BundleCase.objects.values_list("status", flat=True))
    assert statuses.count("submitted") >= 1
    assert statuses.count("in_progress") >= 2
    assert statuses.count("delivered") >= 1
    denied = Case.objects.filter(bundle_member__isnull=False, status="denied")
    assert denied.count() >= 1
    assert denied.first().decision_reason
    delivered = BundleCase.objects.get(status="delivered")
    assert (delivered.materials_count, delivered.materials_without_bundle) == (9, 15)


def test_deferrals_and_commitments_in_every_state(loaded):
    counts = demo_bundles.counts()
    assert Deferral.objects.filter(supplied_at__isnull=True).exists(), counts
    assert Deferral.objects.filter(supplied_at__isnull=False, late=False).exists()
    assert Deferral.objects.filter(late=True).exists()
    assert set(PostCheck.objects.values_list("status", flat=True)) == {
        "pending",
        "passed",
        "failed",
    }
    assert Case.objects.filter(status="revoked").count() == 1
    assert chain_verify().problems == []


def test_a_second_load_changes_nothing(loaded):
    before = demo_bundles.counts()
    assert demo_bundles.load(io.StringIO().write) == {}
    assert demo_bundles.counts() == before
