"""Countersign races with real threads and real transactions (SQLite here, PostgreSQL under
scripts/with-postgres.sh): two reviewers completing a step at once complete it exactly once."""

from __future__ import annotations

from functools import partial

import pytest

from tests.factories import make_staff
from tongban.cases.models import Case, CaseEvent, ReviewTask, SignerStatus, StepSigner
from tongban.cases.services.approvals import step_sign
from tongban.core.errors import DomainError
from tongban.core.events import chain_verify
from tongban.core.permissions import Role

from .approval_helpers import at_joint_step, procedure
from .test_races import _race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reviewer2(mzj):
    return make_staff(Role.REVIEWER, department=mzj, username="reviewer2")


@pytest.fixture(autouse=True)
def _working_tuesday(at):
    at("2026-06-02 10:00")


def _fresh(case):
    return Case.objects.get(pk=case.pk)


def _completions(case) -> int:
    return CaseEvent.objects.filter(
        case=case, action="complete_step", payload__step="joint"
    ).count()


@pytest.mark.parametrize("mode", ["all", "any", "vote"])
def test_two_reviewers_completing_one_step_at_once_complete_it_once(
    mode, applicant, clerk, reviewer, reviewer2, approver, item, code
):
    procedure(item, mode=mode, quorum=1 if mode == "vote" else None)
    for _round in range(3):
        case = at_joint_step(applicant, clerk, reviewer, code)
        outcomes = _race(
            partial(step_sign, actor=reviewer, case=_fresh(case), opinion="同意", vote="agree"),
            partial(step_sign, actor=reviewer2, case=_fresh(case), opinion="同意", vote="agree"),
        )
        kinds = sorted(kind for kind, _ in outcomes)
        joint = ReviewTask.objects.get(case=case, step="joint")
        signed = joint.signers.filter(status=SignerStatus.SIGNED).count()
        if mode == "all":  # both signatures count; the second one completes the step
            assert kinds == ["ok", "ok"], outcomes
            assert signed == 2
        else:  # the first signature completes it; the other is told the step is done
            assert kinds == ["error", "ok"], outcomes
            error = next(value for kind, value in outcomes if kind == "error")
            assert isinstance(error, DomainError)
            assert error.message == "“会审”已办结，无需再签署。"
            assert signed == 1
            assert joint.signers.filter(status=SignerStatus.CANCELLED).count() == 1
        assert joint.status == "done"
        assert _completions(case) == 1
        assert ReviewTask.objects.filter(case=case, step="decide").count() == 1
    assert chain_verify().ok


def test_one_reviewer_signing_twice_at_once_signs_once(
    applicant, clerk, reviewer, reviewer2, approver, item, code
):
    procedure(item, mode="all")
    for _round in range(3):
        case = at_joint_step(applicant, clerk, reviewer, code)
        outcomes = _race(
            partial(step_sign, actor=reviewer, case=_fresh(case), opinion="同意"),
            partial(step_sign, actor=reviewer, case=_fresh(case), opinion="同意"),
        )
        assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
        error = next(value for kind, value in outcomes if kind == "error")
        assert error.code == "already_signed"
        assert StepSigner.objects.filter(task__case=case, user=reviewer).count() == 1
        assert CaseEvent.objects.filter(case=case, action="step_sign").count() == 1
        assert _completions(case) == 0
    assert chain_verify().ok
