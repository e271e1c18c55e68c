"""A procedure with a multi-signer step for the approval-operation tests."""

from __future__ import annotations

from tongban.cases.models import Case, ItemProcedure, ReviewTask, TaskStatus
from tongban.cases.services import case_accept, task_complete

from .helpers import submitted_case


def procedure(item, *, mode="all", signers=("reviewer", "reviewer2"), quorum=None, extra=()):
    """承办 (one reviewer) → 会审 (``mode`` by ``signers``) → 批准 (the approver)."""
    middle = {"code": "joint", "name": "会审", "role": "reviewer", "mode": mode}
    if signers is not None:
        middle["signers"] = list(signers)
    if quorum is not None:
        middle["quorum"] = quorum
    steps = [
        {"code": "handle", "name": "承办", "role": "reviewer"},
        middle,
        *extra,
        {"code": "decide", "name": "批准", "role": "approver"},
    ]
    return ItemProcedure.objects.create(item=item.item, steps=steps, assignment="least_loaded")


def at_joint_step(applicant, clerk, reviewer, code) -> Case:
    """A case accepted and through 承办 (by ``reviewer``), at the multi-signer step."""
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    return task_complete(actor=reviewer, case=case, opinion="材料齐全，提请会审")


def open_task(case) -> ReviewTask:
    return ReviewTask.objects.get(case=case, status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED])


def snapshot(case) -> tuple:
    """Everything an operation may change: refused operations leave it as it was."""
    case = Case.objects.get(pk=case.pk)
    tasks = list(
        ReviewTask.objects.filter(case=case)
        .order_by("pk")
        .values_list("pk", "step", "status", "assignee", "mode", "delegated_by", "outcome")
    )
    signers = sorted(
        (s.pk, s.user_id, s.status, s.vote, s.waits_for_id, s.position, s.delegated_by_id)
        for t in ReviewTask.objects.filter(case=case)
        for s in t.signers.all()
    )
    return (case.version, case.status, case.events.count(), tasks, signers)
