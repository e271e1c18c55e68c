"""Races with real threads and transactions (SQLite here, PostgreSQL under
scripts/with-postgres.sh): one pickup code entered at two kiosks at once opens the door once and
delivers the case once; two clerks placing into one compartment at once: one wins."""

from __future__ import annotations

import pytest

from tests.cases.test_races import _race
from tests.factories import make_staff
from tongban.cases.models import Case, CaseEvent
from tongban.core.permissions import Role
from tongban.selfservice import services
from tongban.selfservice.errors import SelfserviceError
from tongban.selfservice.lockers import SimulatedLocker
from tongban.selfservice.models import Deposit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _working_day(at):
    at("2026-06-02 10:00")


def test_one_code_at_two_kiosks_at_once_opens_once(clerk, bank, issued):
    compartment = bank.compartments.get(number=1)
    _deposit, code = services.deposit_place(
        actor=clerk, compartment_id=compartment.pk, case_no=issued.case_no
    )
    outcomes = _race(
        lambda: services.deposit_pickup(code=code, kiosk_code="k1"),
        lambda: services.deposit_pickup(code=code, kiosk_code="k2"),
    )
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["error", "ok"]
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, SelfserviceError) and error.code == "pickup_code_invalid"
    assert len(SimulatedLocker.openings) == 2  # placing, and one pickup
    assert Case.objects.get(pk=issued.pk).status == "delivered"
    assert CaseEvent.objects.filter(case=issued, action="deliver").count() == 1


def test_two_clerks_one_compartment(clerk, bank, issue_case):
    other = make_staff(Role.WINDOW_CLERK, username="clerk2")
    first, second = issue_case(), issue_case()
    compartment = bank.compartments.get(number=2)
    outcomes = _race(
        lambda: services.deposit_place(
            actor=clerk, compartment_id=compartment.pk, case_no=first.case_no
        ),
        lambda: services.deposit_place(
            actor=other, compartment_id=compartment.pk, case_no=second.case_no
        ),
    )
    assert sorted(kind for kind, _value in outcomes) == ["error", "ok"]
    error = next(value for kind, value in outcomes if kind == "error")
    assert error.code == "compartment_busy"
    assert Deposit.objects.filter(compartment=compartment).count() == 1
