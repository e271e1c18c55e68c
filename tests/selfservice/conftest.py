"""Fixtures for self-service tests: an issued case (a result to hand out), lockers, a kiosk."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.cases.conftest import (  # noqa: F401 - fixtures reused from the case tests
    applicant,
    approver,
    at,
    clerk,
    code,
    item,
    mzj,
    other_applicant,
    reviewer,
)
from tests.cases.helpers import submitted_case
from tests.factories import make_kiosk, make_locker_bank
from tongban.cases.models import ReviewTask
from tongban.cases.services import case_accept, case_decide, case_issue, task_complete
from tongban.selfservice.lockers import SimulatedLocker


@pytest.fixture(autouse=True)
def _fresh_locker_and_cache():
    SimulatedLocker.reset()
    cache.clear()
    yield
    SimulatedLocker.reset()


@pytest.fixture
def issue_case(applicant, clerk, reviewer, approver, code):  # noqa: F811 - imported fixtures
    """A factory of cases of ``applicant`` carried to 已出证 (ready to hand out)."""

    def make(user=None):
        case = submitted_case(user or applicant, code)
        case = case_accept(actor=clerk, case=case)
        case = task_complete(actor=reviewer, case=case, opinion="材料齐全")
        assert ReviewTask.objects.filter(case=case, step="decide").exists()
        case = case_decide(actor=approver, case=case, approve=True)
        return case_issue(actor=approver, case=case)

    return make


@pytest.fixture
def issued(issue_case):
    return issue_case()


@pytest.fixture
def bank(db):
    return make_locker_bank("A", compartments=4)


@pytest.fixture
def kiosk(db):
    return make_kiosk("k1")
