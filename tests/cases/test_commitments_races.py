"""Races on a post-check: two approvers record "false commitment" at once (one revocation, one
event, one bar), and a pass racing a fail (exactly one wins). SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.factories import make_staff
from tongban.cases.models import (
    Case,
    CaseEvent,
    CommitmentBar,
    MaterialStatus,
    PostCheck,
)
from tongban.cases.services import case_decide, task_complete
from tongban.cases.services.commitments import post_check_fail, post_check_pass
from tongban.core.errors import DomainError
from tongban.core.permissions import Role

from .deferral_helpers import accepted
from .test_races import _race, _sms_status_waits_like_a_file_database, _working_tuesday  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def decided(applicant, clerk, reviewer, approver, flex_code):
    case = accepted(applicant, clerk, flex_code, record=MaterialStatus.COMMITMENT)
    case = task_complete(actor=reviewer, case=case, opinion="依承诺办理")
    return case_decide(actor=approver, case=case, approve=True)


def test_two_approvers_fail_one_post_check_at_once(decided, approver, mzj):
    second = make_staff(Role.APPROVER, department=mzj, username="approver2")
    check = PostCheck.objects.get(case=decided)
    outcomes = _race(
        lambda: post_check_fail(actor=approver, check=check, finding="承诺不实（甲）"),
        lambda: post_check_fail(actor=second, check=check, finding="承诺不实（乙）"),
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"]
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, DomainError)
    assert Case.objects.get(pk=decided.pk).status == "revoked"
    assert CaseEvent.objects.filter(case=decided, action="revoke").count() == 1
    assert CommitmentBar.objects.count() == 1


def test_a_pass_racing_a_fail_has_one_winner(decided, reviewer, approver):
    check = PostCheck.objects.get(case=decided)
    outcomes = _race(
        lambda: post_check_pass(actor=reviewer, check=check, finding="属实"),
        lambda: post_check_fail(actor=approver, check=check, finding="承诺不实"),
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    status = PostCheck.objects.get(pk=check.pk).status
    revoked = Case.objects.get(pk=decided.pk).status == "revoked"
    assert (status, revoked) in {("passed", False), ("failed", True)}
    assert (
        CaseEvent.objects.filter(case=decided, action__in=["revoke", "post_check_pass"]).count()
        == 1
    )
