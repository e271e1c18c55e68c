"""Review steps (承办 → 审核 → 批准), the decision, and the result's issue and delivery."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError, PermissionDenied
from tongban.core.models import User
from tongban.core.permissions import Perm, has_perm, has_role

from .. import access, selectors
from ..errors import CaseErrorCode
from ..models import Case, DeliveryMethod, ItemProcedure, ReviewTask, StepMode, TaskStatus
from ..models.commitments import DeferralBlocks
from ..models.procedure import DEFAULT_STEPS
from ..states import CaseAction as A
from ..states import CaseStatus as S
from . import deferrals, delivery
from .common import require_reason, transition
from .licensing import issue_payload, licence_after_approval
from .lifecycle import _open_task
from .notices import tell_applicant

APPEAL_RIGHTS = _(
    "如不服本决定，可自收到决定之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。"
)


def _steps(case: Case) -> tuple[list[dict], ItemProcedure | None]:
    procedure = selectors.item_procedure(case)
    return (procedure.steps if procedure and procedure.steps else DEFAULT_STEPS), procedure


def _task_for(case: Case, actor: User, *, lock: bool = False) -> ReviewTask:
    """The case's open task, if ``actor`` holds its role in the case's department."""
    tasks = case.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED])
    task = (tasks.select_for_update() if lock else tasks).first()
    if task is None:
        raise DomainError(CaseErrorCode.NO_TASK, _("该办件当前没有待办的审查环节。"))
    if task.mode != StepMode.SINGLE:  # 会签 / 或签 / 票签 / 依次审批: services.approvals
        raise DomainError(
            CaseErrorCode.NO_TASK,
            _("“%(step)s”为%(mode)s环节，请由签署人“签署意见”办理。"),
            step=task.step_name,
            mode=StepMode(task.mode).label,
        )
    if not (has_role(actor, task.role) and access.in_department(actor, case)):
        raise PermissionDenied(
            _("该环节“%(step)s”需由实施部门的相应岗位办理。") % {"step": task.step_name}
        )
    return task


def task_claim(*, actor: User, case: Case, expected_version: int | None = None) -> ReviewTask:
    """Take the open task of the case from the department's pool.

    Like every transition: the case row first (and its state: a decided case has nothing to
    claim, 409), then the task row."""
    held: dict = {}
    payload: dict = {}

    def check(c: Case) -> None:
        task = _task_for(c, actor, lock=True)
        if task.status == TaskStatus.CLAIMED and task.assignee_id != actor.pk:
            raise DomainError(
                CaseErrorCode.TASK_TAKEN, _("该任务已由 %(who)s 领取。"), who=str(task.assignee)
            )
        held["task"], payload["step"] = task, task.step

    def then(c: Case) -> None:
        task = held["task"]
        task.status, task.assignee = TaskStatus.CLAIMED, actor
        task.save(update_fields=["status", "assignee"])

    transition(
        case=case,
        actor=actor,
        action=A.CLAIM,
        payload=payload,
        expected_version=expected_version,
        check=check,
        then=then,
    )
    return held["task"]


def task_release(*, actor: User, case: Case, expected_version: int | None = None) -> ReviewTask:
    held: dict = {}
    payload: dict = {}

    def check(c: Case) -> None:
        task = _task_for(c, actor, lock=True)
        if task.assignee_id != actor.pk:
            raise DomainError(CaseErrorCode.TASK_TAKEN, _("只能退回自己领取的任务。"))
        held["task"], payload["step"] = task, task.step

    def then(c: Case) -> None:
        task = held["task"]
        task.status, task.assignee = TaskStatus.OPEN, None
        task.save(update_fields=["status", "assignee"])

    transition(
        case=case,
        actor=actor,
        action=A.RELEASE,
        payload=payload,
        expected_version=expected_version,
        check=check,
        then=then,
    )
    return held["task"]


def _claimed_by(case: Case, actor: User) -> ReviewTask:
    task = _task_for(case, actor, lock=True)
    if task.assignee_id not in (None, actor.pk):
        raise DomainError(
            CaseErrorCode.TASK_TAKEN, _("该任务已由 %(who)s 领取。"), who=str(task.assignee)
        )
    return task


def task_complete(
    *, actor: User, case: Case, opinion: str, expected_version: int | None = None
) -> Case:
    """Finish a non-final step with an opinion; the next step's task opens."""
    opinion = require_reason(opinion, _("审查意见"))
    steps, procedure = _steps(case)
    held: dict = {}
    payload: dict = {}

    def check(c: Case) -> None:
        task = _claimed_by(c, actor)
        index = next(i for i, s in enumerate(steps) if s["code"] == task.step)
        if index == len(steps) - 1:
            raise DomainError(
                CaseErrorCode.NO_TASK, _("这是最后一个环节，请作出准予或不予许可的决定。")
            )
        first_check = False
        if procedure is not None and procedure.two_reviewers and index == 0:
            checked_by = _first_checker(c, task.step)
            if checked_by == actor.pk:
                raise DomainError(CaseErrorCode.TASK_TAKEN, _("需由另一名工作人员完成第二次核查。"))
            # 第三十四条: on-site verification by two staff; the first check is recorded
            # and the task goes back to the pool for a second, different reviewer.
            first_check = checked_by is None
        held.update(task=task, index=index, first_check=first_check)
        payload["step"] = task.step
        if task.delegated_by_id is not None:  # 委派: done on the delegator's behalf
            payload["delegated_by"] = task.delegated_by.username
        if first_check:
            payload["first_check"] = True
        else:
            payload["next"] = steps[index + 1]["code"]

    def then(c: Case) -> None:
        task = held["task"]
        if held["first_check"]:
            task.status, task.assignee = TaskStatus.OPEN, None
            task.save(update_fields=["status", "assignee"])
            return
        _close(task, actor, opinion)
        _open_task(c, steps[held["index"] + 1], procedure)

    return transition(
        case=case,
        actor=actor,
        action=A.COMPLETE_STEP,
        reason=opinion,
        expected_version=expected_version,
        payload=payload,
        check=check,
        then=then,
    )


def _first_checker(case: Case, step: str) -> int | None:
    """The reviewer who made the first of two checks of ``step``, if it is still pending."""
    first = (
        case.events.filter(action=A.COMPLETE_STEP, payload__step=step, payload__first_check=True)
        .order_by("-seq")
        .first()
    )
    return first.actor_id if first is not None else None


def _close(task: ReviewTask, actor: User, opinion: str) -> None:
    task.status, task.assignee, task.opinion = TaskStatus.DONE, actor, opinion
    task.completed_at = timezone.now()
    task.save(update_fields=["status", "assignee", "opinion", "completed_at"])


def case_decide(
    *, actor: User, case: Case, approve: bool, reason: str = "", expected_version: int | None = None
) -> Case:
    """准予 / 不予许可 at the final step. A denial states its reasons and the appeal rights.

    The decision, the task it closes and the applicant's notice: one transaction."""
    access.require_department(actor, case, Perm.CASE_APPROVE)
    steps, _procedure = _steps(case)
    held: dict = {}

    def check(c: Case) -> None:
        task = _claimed_by(c, actor)
        if task.step != steps[-1]["code"]:
            raise DomainError(
                CaseErrorCode.NO_TASK, _("尚未到决定环节，当前环节为“%(s)s”。"), s=task.step_name
            )
        held["task"] = task
        if not approve:
            held["reason"] = require_reason(reason, _("不予许可的理由"))
        if approve:  # [B] 容缺: an approval waits for the deferred materials, as configured
            deferrals.check_not_owed(c, stage=DeferralBlocks.DECISION)

    def apply(c: Case) -> None:
        c.decided_at = timezone.now()
        c.decision_reason = held.get("reason", reason)

    def then(c: Case) -> None:
        _close(held["task"], actor, c.decision_reason or str(_("准予许可")))
        if approve:
            tell_applicant(c, _("准予许可"), _("经审查，准予许可。"))
        else:
            tell_applicant(
                c,
                _("不予许可"),
                _("不予许可，理由：%(r)s。%(rights)s")
                % {"r": c.decision_reason, "rights": APPEAL_RIGHTS},
            )

    decided = transition(
        case=case,
        actor=actor,
        action=A.APPROVE if approve else A.DENY,
        reason=reason if approve else (reason or "").strip(),
        expected_version=expected_version,
        check=check,
        apply=apply,
        then=then,
        payload={} if approve else {"appeal_rights": str(APPEAL_RIGHTS)},
    )
    if approve:  # the item's e-licence, right after the approval (制证 retries on a refusal)
        licence_after_approval(actor=actor, case=decided)
    return decided


def case_issue(
    *, actor: User, case: Case, result: str = "", expected_version: int | None = None
) -> Case:
    """出具结果 (制证): for an item that yields an e-licence, the licence (issued now if the
    approval did not) is named in the event; a result document otherwise."""
    if not (access.in_department(actor, case) or has_perm(actor, Perm.CASE_ACCEPT)):
        raise PermissionDenied()
    payload = {"result": result or case.item_version.outcome_name}
    with transaction.atomic():  # a licence and the step that names it, or neither
        if case.status == S.APPROVED:  # any other state: the transition refuses it below
            payload.update(issue_payload(actor=actor, case=case))
        return transition(
            case=case,
            actor=actor,
            action=A.ISSUE,
            expected_version=expected_version,
            payload=payload,
        )


def case_deliver(
    *,
    actor: User,
    case: Case,
    method: str,
    tracking_no: str = "",
    carrier: str = "",
    expected_version: int | None = None,
    pickup_code: str = "",
    tell: bool = True,
) -> Case:
    """送达: window pickup with a pickup code, mail with carrier and tracking number, electronic.

    A bundle's one delivery (一口出件) passes one ``pickup_code`` for all its children and
    ``tell=False``: the applicant gets one notice for the bundle, not one per child."""
    if not (access.in_department(actor, case) or has_perm(actor, Perm.CASE_ACCEPT)):
        raise PermissionDenied()
    if method not in DeliveryMethod.values:
        raise DomainError(
            CaseErrorCode.REASON_REQUIRED, _("送达方式：不是可选值。"), field="method"
        )
    if method == DeliveryMethod.LOCKER:  # [W] through the lockers' provider (services.delivery)
        return delivery.case_locker_place(actor=actor, case=case)
    payload: dict[str, str] = {"method": method}
    if method == DeliveryMethod.MAIL:
        payload["carrier"] = require_reason(carrier, _("快递公司"))
        payload["tracking_no"] = require_reason(tracking_no, _("快递单号"))
    elif method == DeliveryMethod.WINDOW:
        payload["pickup_code"] = pickup_code or f"{secrets.randbelow(10**6):06d}"
    if method == DeliveryMethod.WINDOW:
        text = _("办理结果已可到窗口领取，取件码 %(c)s。") % {"c": payload["pickup_code"]}
    elif method == DeliveryMethod.MAIL:
        text = _("办理结果已通过%(c)s寄出，单号 %(n)s。") % {
            "c": payload["carrier"],
            "n": payload["tracking_no"],
        }
    else:
        text = _("办理结果已电子送达，请在“我的办件”中查看。")
    return transition(
        case=case,
        actor=actor,
        action=A.DELIVER,
        payload=payload,
        expected_version=expected_version,
        # [B] 容缺: the delivery waits for the deferred materials, as configured
        check=lambda c: deferrals.check_not_owed(c, stage=DeferralBlocks.DELIVERY),
        apply=lambda c: setattr(c, "delivery_method", method),
        then=lambda c: tell_applicant(c, _("办理结果送达"), text) if tell else None,
    )


def case_archive(*, actor: User | None, case: Case) -> Case:
    return transition(
        case=case, actor=actor, action=A.ARCHIVE, actor_label="" if actor else "system"
    )
