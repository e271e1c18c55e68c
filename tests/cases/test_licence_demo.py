"""The demo e-licences issued from the approved demo cases (issue 8, item 10).

The demo district, catalogue, licence types and keys and 300 demo cases (with their licences) are loaded once for the
module inside a transaction that is rolled back at the end.
"""

from __future__ import annotations

import io

import pytest
from django.db import transaction

from tongban.cases import demo as cases_demo
from tongban.cases import demo_licences
from tongban.cases.models import Case, CaseEvent
from tongban.cases.states import CaseStatus as S
from tongban.catalog import demo as catalog_demo
from tongban.core import demo as core_demo
from tongban.core.events import chain_verify
from tongban.core.models import Enterprise
from tongban.licences import demo as licences_demo
from tongban.licences.models import Licence, LicenceEvent, LicenceType
from tongban.licences.selectors import licence_state

COUNT = 300


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        core_demo.load(out.write)
        catalog_demo.load(out.write)
        licences_demo.load(out.write)
        cases_demo.load(lambda line: out.write(line + "\n"), count=COUNT)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_loaded, db):
    return _loaded


def test_approved_demo_cases_of_licence_items_yield_their_licences(loaded):
    from_cases = Licence.objects.filter(imported=False).exclude(case_no="")
    case_nos = set(from_cases.values_list("case_no", flat=True))
    assert len(case_nos) >= 5
    cases = Case.objects.filter(case_no__in=case_nos).select_related("item_version")
    assert cases.count() == len(case_nos)
    for case in cases:
        assert case.status in demo_licences.DECIDED
        licence = from_cases.filter(case_no=case.case_no).order_by("-version").first()
        assert licence.licence_type.code == case.item_version.outcome_licence_type
    issued = Case.objects.filter(
        status__in=[S.ISSUED, S.DELIVERED, S.ARCHIVED],
        item_version__outcome_licence_type__in=list(
            LicenceType.objects.filter(holder_kind="person").values_list("code", flat=True)
        ),
    )
    for case in issued:  # the ISSUE step names the licence (an archived case may be a denial)
        if not CaseEvent.objects.filter(case=case, action="approve").exists():
            continue
        payload = CaseEvent.objects.get(case=case, action="issue").payload
        assert payload["licence"] == from_cases.get(case_no=case.case_no, version=1).identifier


def test_the_demo_shows_expired_revoked_and_reissued_licences(loaded):
    from_cases = list(Licence.objects.filter(imported=False).exclude(case_no=""))
    states = [licence_state(licence) for licence in from_cases]
    assert states.count("expired") == demo_licences.LAPSED
    assert states.count("revoked") == 1
    assert states.count("superseded") == 1
    reissued = [licence for licence in from_cases if licence.version == 2]
    assert len(reissued) == 1
    assert licence_state(reissued[0]) == "valid"
    assert "revoked" in loaded
    assert "reissued" in loaded


def test_imported_business_licences_for_the_demo_enterprises(loaded):
    imported = Licence.objects.filter(licence_type__code="YYZZ", imported=True)
    assert imported.count() == Enterprise.objects.count() >= 20
    assert {licence.source_system for licence in imported} == {"市场监管登记系统"}
    assert "imported business licences" in loaded


def test_a_second_load_changes_nothing_and_the_chains_hold(loaded):
    before = Licence.objects.count()
    out = io.StringIO()
    assert demo_licences.load(out.write) == {}
    assert Licence.objects.count() == before
    assert chain_verify([LicenceEvent]).problems == []
