"""Two window clerks accept the same bundle application at once (real threads and real
transactions; SQLite here, PostgreSQL under scripts/with-postgres.sh): exactly one wins, the
other is told clearly, and nothing is half done (each child accepted once, one event)."""

from __future__ import annotations

from functools import partial

import pytest

from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.cases.models import BundleCase, BundleEvent, CaseEvent
from tongban.cases.services.bundles import Supplied, bundle_accept, bundle_apply, children
from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.services import bundle_save, item_save_spec
from tongban.core.errors import DomainError
from tongban.core.events import chain_verify
from tongban.core.permissions import Role

from .bundle_helpers import PNG
from .test_races import _race

pytestmark = pytest.mark.django_db(transaction=True)
ANSWERS = {"self": "yes"}


@pytest.fixture(autouse=True)
def _working_tuesday(at):
    at("2026-06-02 10:00")


@pytest.fixture
def bundle(db):
    department("mzj", 7)
    department("gaj", 8)
    a = item_save_spec(spec=spec("mzj"), publish=True)
    b = item_save_spec(
        spec=spec("gaj", basic_code="000701003000", name="驾驶员背景核查"), publish=True
    )
    return bundle_save(
        spec={
            "code": "race",
            "name": "一件事竞态",
            "publish": True,
            "items": [a.item.implementation_code, b.item.implementation_code],
        }
    )


def _apply(bundle):
    user = UserFactory(username="driver")
    person = PersonFactory(name="王建国", user=user)
    result = catalog_selectors.bundle_materials_for(bundle, ANSWERS)
    supplied = {
        n.material.pk: Supplied(name=f"m{i}.png", data=PNG) for i, n in enumerate(result.materials)
    }
    return bundle_apply(
        actor=user,
        bundle=bundle,
        applicant=person,
        answers=ANSWERS,
        form_data={"address": "云溪区学府路 18 号"},
        supplied=supplied,
    )


def test_two_clerks_accepting_one_bundle_at_once_accept_it_once(bundle):
    bc = _apply(bundle)
    one = make_staff(Role.WINDOW_CLERK, username="clerk1")
    two = make_staff(Role.WINDOW_CLERK, username="clerk2")
    outcomes = _race(
        partial(bundle_accept, actor=one, bc=BundleCase.objects.get(pk=bc.pk), expected_version=1),
        partial(bundle_accept, actor=two, bc=BundleCase.objects.get(pk=bc.pk), expected_version=1),
    )
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, DomainError)
    assert error.code == "stale"
    assert str(error.message) == "该一件事已被其他人办理，请刷新后查看。"
    bc = BundleCase.objects.get(pk=bc.pk)
    assert (bc.status, bc.version) == ("in_progress", 2)
    assert list(BundleEvent.objects.filter(bundle_case=bc).values_list("action", flat=True)) == [
        "submit",
        "accept",
    ]
    kids = children(bc)
    assert {c.status for c in kids} == {"in_review"}
    for case in kids:
        assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert chain_verify().problems == []


def test_without_a_version_the_second_accept_is_refused_by_the_state(bundle):
    bc = _apply(bundle)
    one = make_staff(Role.WINDOW_CLERK, username="clerk1")
    two = make_staff(Role.WINDOW_CLERK, username="clerk2")
    outcomes = _race(
        partial(bundle_accept, actor=one, bc=BundleCase.objects.get(pk=bc.pk)),
        partial(bundle_accept, actor=two, bc=BundleCase.objects.get(pk=bc.pk)),
    )
    assert sorted(kind for kind, _value in outcomes) == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, DomainError)
    assert error.code == "transition_not_allowed"
    bc = BundleCase.objects.get(pk=bc.pk)
    assert BundleEvent.objects.filter(bundle_case=bc, action="accept").count() == 1
    for case in children(bc):
        assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
