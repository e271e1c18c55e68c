"""The demo district and catalogue (regions, departments, staff, items, bundles) for the bundle,
容缺 and 告知承诺 tests, and a helper that takes a case through its review steps."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from PIL import Image

from tests.factories import make_staff
from tongban.cases import selectors
from tongban.cases.models import Case, ReviewTask, TaskStatus
from tongban.cases.services import case_decide, task_claim, task_complete
from tongban.core.models import User


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _png()
RIDE_ANSWERS = {
    "has_driver_permit": "no",
    "vehicle_registered": "no",
    "household_local": "yes",
    "exam_passed": "yes",
    "proxy": "self",
}


@pytest.fixture(scope="module")
def _district(django_db_setup, django_db_blocker):
    from tongban.catalog import demo as catalog_demo
    from tongban.core import demo as core_demo

    with django_db_blocker.unblock(), transaction.atomic():
        core_demo.load(out=io.StringIO().write)
        catalog_demo.load(out=io.StringIO().write)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def district(_district, db):
    """The demo district and catalogue, rolled back after the module."""


def staff_for(case: Case, role: str) -> User:
    """A staff member of the case's department with ``role`` (made when there is none)."""
    user = (
        User.objects.filter(is_active=True, staff__department=case.department_id, groups__name=role)
        .order_by("pk")
        .first()
    )
    return user or make_staff(role, department=case.department)


def review_to_decision(case: Case, *, approve: bool, reason: str = "") -> Case:
    """Through every review step by the department's staff, then the decision."""
    for _ in range(10):
        task = ReviewTask.objects.filter(
            case=case, status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]
        ).first()
        user = task.assignee or staff_for(case, task.role)
        if task.assignee is None:
            task_claim(actor=user, case=case)
            case = Case.objects.get(pk=case.pk)
        if task.step == selectors.review_steps(case)[-1]["code"]:
            return case_decide(actor=user, case=case, approve=approve, reason=reason)
        case = task_complete(actor=user, case=case, opinion="材料齐全，符合条件")
    raise AssertionError("too many steps")


def upload(n: int = 0):
    from tongban.cases.services.bundles import Supplied

    return Supplied(way="provided", name=f"材料{n}.png", data=PNG)
