"""Approval operations on the review step in hand (审批操作): signing a multi-signer step
(会签 / 或签 / 票签 / 依次审批), 转办, 委派 and its take-back, 加签 before or after oneself,
退回 to any earlier step, and 催办 of the current holder.

Each is one service: in one transaction the case row is locked, the version compared, the
transition table consulted (the case must be in review), the task and signer rows read under
that lock and guarded, then the rows updated and one hash-chained event appended (through
``common.transition``). A refused operation raises a ``DomainError`` and writes nothing. The
signatures of one step are serialised by the case's row lock: two reviewers completing a
countersign at once record both signatures and complete the step once.

催办 alone leaves the case's version as it is (like a supervisor's urge): it must not make the
holder's open form stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError, PermissionDenied
from tongban.core.events import event_append
from tongban.core.models import User
from tongban.core.notifications import staff_notify
from tongban.core.permissions import Perm, has_perm, has_role

from .. import access
from ..errors import CaseErrorCode
from ..models import (
    Case,
    CaseEvent,
    ReviewTask,
    SignerStatus,
    StepMode,
    StepOutcome,
    StepSigner,
    TaskStatus,
    Vote,
)
from ..models.approvals import MULTI_SIGNER_MODES
from ..states import CaseAction as A
from ..states import CaseStatus, target_of
from .common import StaleCase, _last_handled, locked, require_reason, transition
from .lifecycle import _open_task
from .review import _steps
from .signers import signer_notify

URGE_INTERVAL = dt.timedelta(hours=2)  # one urge of a task by one person per two hours
OPEN_TASK = (TaskStatus.OPEN, TaskStatus.CLAIMED)


# ---------------------------------------------------------------- reads (guards and pages)


def current_task(case: Case, *, lock: bool = False) -> ReviewTask | None:
    tasks = case.tasks.filter(status__in=OPEN_TASK).select_related("assignee", "delegated_by")
    return (tasks.select_for_update(of=("self",)) if lock else tasks).first()


def task_signers(task: ReviewTask) -> list[StepSigner]:
    """The task's signers in order (cancelled ones too: the page shows who was replaced)."""
    return list(task.signers.select_related("user", "added_by", "delegated_by"))


def may_sign_now(row: StepSigner, rows: list[StepSigner]) -> bool:
    """A pending signer may sign once the signer it waits for has signed (or was cancelled)."""
    if row.status != SignerStatus.PENDING:
        return False
    if row.waits_for_id is None:
        return True
    before = next((r for r in rows if r.pk == row.waits_for_id), None)
    return before is None or before.status != SignerStatus.PENDING


def is_department_reviewer(user, case: Case) -> bool:
    return access.in_department(user, case) and (
        has_perm(user, Perm.CASE_REVIEW) or has_perm(user, Perm.CASE_APPROVE)
    )


def _holds_single(user, case: Case, task: ReviewTask) -> bool:
    """A one-person task is in ``user``'s hands: theirs, or in the pool and of their role."""
    uid = getattr(user, "pk", None)
    return (
        task.mode == StepMode.SINGLE
        and access.in_department(user, case)
        and has_role(user, task.role)
        and task.assignee_id in (None, uid)
    )


def _own_row(rows: list[StepSigner], user) -> StepSigner | None:
    uid = getattr(user, "pk", None)
    return next((r for r in rows if r.user_id == uid and r.status == SignerStatus.PENDING), None)


def _is_final(case: Case, task: ReviewTask) -> bool:
    steps, _procedure = _steps(case)
    return task.step == steps[-1]["code"]


def earlier_steps(case: Case, task: ReviewTask) -> list[dict]:
    steps, _procedure = _steps(case)
    index = next((i for i, s in enumerate(steps) if s["code"] == task.step), 0)
    return steps[:index]


@dataclass
class StepState:
    """What the step page shows: the task, its signers, and the operations ``user`` may take
    now (as the services would judge them; they judge again under the lock)."""

    task: ReviewTask | None
    signers: list[StepSigner] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    earlier: list[dict] = field(default_factory=list)
    agree: int = 0
    disagree: int = 0
    previous: ReviewTask | None = None  # the last multi-signer step done, with its signatures
    previous_signers: list[StepSigner] = field(default_factory=list)


def _previous(case: Case) -> tuple[ReviewTask | None, list[StepSigner]]:
    done = (
        case.tasks.filter(status=TaskStatus.DONE)
        .exclude(mode=StepMode.SINGLE)
        .order_by("-completed_at", "-pk")
        .first()
    )
    if done is None:
        return None, []
    return done, [r for r in task_signers(done) if r.status == SignerStatus.SIGNED]


def step_state(user, case: Case) -> StepState:
    previous, previous_signers = _previous(case)
    task = current_task(case) if case.status == CaseStatus.IN_REVIEW else None
    if task is None:
        return StepState(task=None, previous=previous, previous_signers=previous_signers)
    rows = task_signers(task) if task.mode in MULTI_SIGNER_MODES else []
    own = _own_row(rows, user)
    uid = getattr(user, "pk", None)
    holds = own is not None or _holds_single(user, case, task)
    final = _is_final(case, task)
    ops: list[str] = []
    if own is not None and may_sign_now(own, rows):
        ops.append("sign")
    if holds:
        ops.append("transfer")
        delegated = own.delegated_by_id if own is not None else task.delegated_by_id
        if delegated is None:  # a delegate handles it, or gives it back: no second delegation
            ops.append("delegate")
        if not final:
            ops.append("add_signer")
    if (task.mode == StepMode.SINGLE and task.delegated_by_id == uid) or any(
        r.delegated_by_id == uid and r.status == SignerStatus.PENDING for r in rows
    ):
        ops.append("take_back")
    earlier = earlier_steps(case, task)
    if holds and earlier:
        ops.append("send_back")
    if is_department_reviewer(user, case) and _urge_targets(case, task, rows, exclude=uid):
        ops.append("urge")
    signed = [r for r in rows if r.status == SignerStatus.SIGNED]
    return StepState(
        task=task,
        signers=rows,
        operations=ops,
        earlier=earlier,
        agree=sum(1 for r in signed if r.vote == Vote.AGREE),
        disagree=sum(1 for r in signed if r.vote == Vote.DISAGREE),
        previous=previous if previous is not None and previous.pk != task.pk else None,
        previous_signers=previous_signers,
    )


# ---------------------------------------------------------------- the one write path


@dataclass
class _Plan:
    action: str
    payload: dict[str, Any]
    then: Callable[[Case], None]
    reason: str = ""


def _operate(
    *,
    case: Case,
    actor: User,
    action: str,
    expected_version: int | None,
    prepare: Callable[[Case, ReviewTask], _Plan],
) -> Case:
    """Lock the case, compare the version, consult the transition table, lock the open task,
    let ``prepare`` guard and plan (nothing written yet), then go through ``transition`` (which
    re-reads the locked row, bumps the version and appends the plan's one event)."""
    with transaction.atomic():
        current = locked(case.pk, like=case)
        if expected_version is not None and current.version != expected_version:
            raise StaleCase(
                CaseErrorCode.STALE,
                _("该办件已被其他人办理，请刷新后查看。%(last)s"),
                last=_last_handled(current),
            )
        target_of(action, current.status)
        task = current_task(current, lock=True)
        if task is None:
            raise DomainError(CaseErrorCode.NO_TASK, _("该办件当前没有待办的审查环节。"))
        plan = prepare(current, task)
        return transition(
            case=current,
            actor=actor,
            action=plan.action,
            reason=plan.reason,
            payload=plan.payload,
            then=plan.then,
        )


def _require_reviewer(actor, case: Case) -> None:
    if not is_department_reviewer(actor, case):
        raise PermissionDenied(_("只有实施部门的审查、批准人员可以办理此操作。"))


def _held_row(actor, task: ReviewTask, rows: list[StepSigner]) -> StepSigner:
    """The actor's own pending signature on a multi-signer task, or a clear refusal."""
    own = _own_row(rows, actor)
    if own is not None:
        return own
    if any(r.user_id == actor.pk and r.status == SignerStatus.SIGNED for r in rows):
        raise DomainError(
            CaseErrorCode.ALREADY_SIGNED,
            _("您已签署过“%(step)s”，不能重复签署。"),
            step=task.step_name,
        )
    raise DomainError(
        CaseErrorCode.NOT_A_SIGNER, _("您不是“%(step)s”的签署人。"), step=task.step_name
    )


def _require_holder(actor, case: Case, task: ReviewTask, rows: list[StepSigner]):
    """The row (multi-signer task) or None (one-person task) the actor holds; refusal else."""
    if task.mode in MULTI_SIGNER_MODES:
        return _held_row(actor, task, rows)
    if not _holds_single(actor, case, task):
        if task.assignee_id is not None and access.in_department(actor, case):
            raise DomainError(
                CaseErrorCode.TASK_TAKEN,
                _("“%(step)s”由 %(who)s 办理，只有办理人可以进行此操作。"),
                step=task.step_name,
                who=str(task.assignee),
            )
        raise PermissionDenied(
            _("该环节“%(step)s”需由实施部门的相应岗位办理。") % {"step": task.step_name}
        )
    return None


def _colleague(case: Case, task: ReviewTask, username: str, *, actor) -> User:
    """Another active reviewer of the case's department (for 转办, 委派 and 加签).

    A one-person step needs the step's role; a signer needs to review or approve. Anyone else —
    another department's staff, an applicant, an unknown name, oneself — is refused."""
    username = (username or "").strip()
    user = User.objects.filter(username=username, is_active=True).first() if username else None
    ok = user is not None and user.pk != actor.pk and is_department_reviewer(user, case)
    if ok and task.mode == StepMode.SINGLE:
        ok = has_role(user, task.role)
    if not ok:
        if user is not None and user.pk == actor.pk:
            raise DomainError(
                CaseErrorCode.REVIEWER_INVALID,
                _("不能选择自己。"),
                field="reviewer",
            )
        raise DomainError(
            CaseErrorCode.REVIEWER_INVALID,
            _("“%(name)s”不是%(department)s在岗的审查或批准人员，不能转交给他（她）。"),
            field="reviewer",
            name=username or "—",
            department=case.department.name,
        )
    return user


def _not_a_live_signer(rows: list[StepSigner], user: User, task: ReviewTask) -> None:
    if any(r.user_id == user.pk and r.status != SignerStatus.CANCELLED for r in rows):
        raise DomainError(
            CaseErrorCode.REVIEWER_INVALID,
            _("%(who)s 已是“%(step)s”的签署人。"),
            field="reviewer",
            who=str(user),
            step=task.step_name,
        )


def _link(case: Case) -> str:
    return reverse("cases-console:case", args=[case.case_no])


def _tell(user: User, case: Case, title, body) -> None:
    staff_notify(user=user, title=str(title), body=str(body), link=_link(case))


# ---------------------------------------------------------------- signing a step


def step_sign(
    *,
    actor: User,
    case: Case,
    opinion: str,
    vote: str = "",
    expected_version: int | None = None,
) -> Case:
    """Sign a multi-signer step with an opinion (and, in 票签, a vote).

    The step completes — its task done, the other signers' rows cancelled, the next step's
    task opened, one ``complete_step`` event instead of ``step_sign`` — when:
    会签 / 依次审批: every signer has signed; 或签: one signer has signed and nobody added after
    them (加签) is still to sign; 票签: the agreeing votes reach the quorum (passed) or can no
    longer reach it (rejected: the result goes on to the next step, which decides)."""
    opinion = require_reason(opinion, _("签署意见"))

    def prepare(c: Case, task: ReviewTask) -> _Plan:
        if task.mode not in MULTI_SIGNER_MODES:
            done = (
                StepSigner.objects.filter(task__case=c, user=actor, task__status=TaskStatus.DONE)
                .select_related("task")
                .order_by("-task__completed_at", "-pk")
                .first()
            )
            if done is not None:  # a 或签 / 票签 another signer finished a moment ago
                raise DomainError(
                    CaseErrorCode.NOT_A_SIGNER,
                    _("“%(step)s”已办结，无需再签署。"),
                    step=done.task.step_name,
                )
            raise DomainError(
                CaseErrorCode.NO_TASK,
                _("“%(step)s”由一人办理，请使用“完成本环节”。"),
                step=task.step_name,
            )
        _require_reviewer(actor, c)
        rows = task_signers(task)
        own = _held_row(actor, task, rows)
        if not may_sign_now(own, rows):
            before = next(r for r in rows if r.pk == own.waits_for_id)
            raise DomainError(
                CaseErrorCode.NOT_YOUR_TURN,
                _("请等 %(who)s 签署后再签署。"),
                who=str(before.user),
            )
        if task.mode == StepMode.VOTE and vote not in Vote.values:
            raise DomainError(
                CaseErrorCode.REASON_REQUIRED, _("请选择同意或不同意。"), field="vote"
            )
        own.status, own.opinion, own.signed_at = SignerStatus.SIGNED, opinion, timezone.now()
        own.vote = vote if task.mode == StepMode.VOTE else ""
        outcome = _outcome(task, rows)
        payload: dict[str, Any] = {"step": task.step, "mode": task.mode, "task": task.pk}
        if own.vote:
            payload["vote"] = own.vote
        if own.delegated_by_id:
            payload["delegated_by"] = own.delegated_by.username
        steps, procedure = _steps(c)
        if outcome is None:

            def then(_c: Case) -> None:
                own.save(update_fields=["status", "opinion", "signed_at", "vote"])
                for row in rows:  # whoever waited for this signature: their turn now
                    if row.waits_for_id == own.pk and row.status == SignerStatus.PENDING:
                        signer_notify(row)

            return _Plan(A.STEP_SIGN, payload, then, opinion)
        index = next(i for i, s in enumerate(steps) if s["code"] == task.step)
        nxt = steps[index + 1]
        payload.update(next=nxt["code"], signers=_summary(rows))
        if task.mode == StepMode.VOTE:
            payload.update(outcome=outcome, quorum=task.quorum)

        def complete(cc: Case) -> None:
            own.save(update_fields=["status", "opinion", "signed_at", "vote"])
            task.signers.filter(status=SignerStatus.PENDING).update(status=SignerStatus.CANCELLED)
            task.status, task.completed_at = TaskStatus.DONE, timezone.now()
            task.outcome = outcome if task.mode == StepMode.VOTE else ""
            task.opinion = _opinion_text(task, rows, outcome)
            task.save(update_fields=["status", "completed_at", "outcome", "opinion"])
            _open_task(cc, nxt, procedure)

        return _Plan(A.COMPLETE_STEP, payload, complete, opinion)

    return _operate(
        case=case,
        actor=actor,
        action=A.STEP_SIGN,
        expected_version=expected_version,
        prepare=prepare,
    )


def _outcome(task: ReviewTask, rows: list[StepSigner]) -> str | None:
    """The step's result once decided by the signatures in ``rows`` (one just signed in
    memory); None while it is not."""
    live = [r for r in rows if r.status != SignerStatus.CANCELLED]
    pending = [r for r in live if r.status == SignerStatus.PENDING]
    signed = [r for r in live if r.status == SignerStatus.SIGNED]
    if task.mode in (StepMode.ALL, StepMode.SEQUENCE):
        return StepOutcome.PASSED if not pending else None
    if task.mode == StepMode.ANY:
        waited_on = {r.waits_for_id for r in pending}
        done = any(r.pk not in waited_on for r in signed)
        return StepOutcome.PASSED if done else None
    agree = sum(1 for r in signed if r.vote == Vote.AGREE)
    quorum = task.quorum or 1
    if agree >= quorum:
        return StepOutcome.PASSED
    if agree + len(pending) < quorum:
        return StepOutcome.REJECTED
    return None


def _summary(rows: list[StepSigner]) -> list[dict[str, str]]:
    return [
        {"user": r.user.username, "status": r.status, **({"vote": r.vote} if r.vote else {})}
        for r in rows
        if r.status != SignerStatus.CANCELLED
    ]


def _opinion_text(task: ReviewTask, rows: list[StepSigner], outcome: str) -> str:
    lines = [
        f"{r.user}：{r.get_vote_display() + '，' if r.vote else ''}{r.opinion}"
        for r in rows
        if r.status == SignerStatus.SIGNED
    ]
    if task.mode == StepMode.VOTE:
        lines.insert(0, str(StepOutcome(outcome).label))
    return "\n".join(lines)


# ---------------------------------------------------------------- 转办 / 委派 / 收回


def task_transfer(
    *,
    actor: User,
    case: Case,
    to_username: str,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """转办: hand the step (or one's signature on it) to another reviewer of the department,
    for good; they become its holder."""
    return _hand_over(
        actor=actor,
        case=case,
        to_username=to_username,
        note=note,
        expected_version=expected_version,
        delegate=False,
    )


def task_delegate(
    *,
    actor: User,
    case: Case,
    to_username: str,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """委派: ask another reviewer of the department to handle the step (or one's signature) on
    one's behalf; the delegator stays responsible and may take it back until it is done."""
    return _hand_over(
        actor=actor,
        case=case,
        to_username=to_username,
        note=note,
        expected_version=expected_version,
        delegate=True,
    )


def _hand_over(*, actor, case, to_username, note, expected_version, delegate: bool) -> Case:
    note = (note or "").strip()[:2000]
    action = A.TASK_DELEGATE if delegate else A.TASK_TRANSFER

    def prepare(c: Case, task: ReviewTask) -> _Plan:
        _require_reviewer(actor, c)
        rows = task_signers(task) if task.mode in MULTI_SIGNER_MODES else []
        row = _require_holder(actor, c, task, rows)
        delegated_by = row.delegated_by_id if row is not None else task.delegated_by_id
        if delegate and delegated_by is not None:
            raise DomainError(
                CaseErrorCode.NOT_DELEGATED,
                _("受委派的环节不能再委派：请办理，或由委派人收回。"),
            )
        target = _colleague(c, task, to_username, actor=actor)
        _not_a_live_signer(rows, target, task)
        payload = {"step": task.step, "task": task.pk, "to": target.username}
        title = _("委派审查任务") if delegate else _("转办审查任务")
        body = _("%(who)s 将办件 %(no)s 的“%(step)s”%(what)s给您。%(note)s") % {
            "who": str(actor),
            "no": c.case_no,
            "step": task.step_name,
            "what": _("委派") if delegate else _("转办"),
            "note": note,
        }

        def then(cc: Case) -> None:
            if row is not None:
                row.user = target
                row.delegated_by = actor if delegate else None
                row.save(update_fields=["user", "delegated_by"])
            else:
                task.assignee, task.status = target, TaskStatus.CLAIMED
                task.delegated_by = actor if delegate else None
                task.save(update_fields=["assignee", "status", "delegated_by"])
            _tell(target, cc, title, body)

        return _Plan(action, payload, then, note)

    return _operate(
        case=case, actor=actor, action=action, expected_version=expected_version, prepare=prepare
    )


def task_take_back(
    *, actor: User, case: Case, note: str = "", expected_version: int | None = None
) -> Case:
    """收回委派: the delegator takes the step (or their signature) back from the delegate."""
    note = (note or "").strip()[:2000]

    def prepare(c: Case, task: ReviewTask) -> _Plan:
        _require_reviewer(actor, c)
        rows = task_signers(task) if task.mode in MULTI_SIGNER_MODES else []
        row = next(
            (r for r in rows if r.delegated_by_id == actor.pk and r.status == SignerStatus.PENDING),
            None,
        )
        if row is None and not (task.mode == StepMode.SINGLE and task.delegated_by_id == actor.pk):
            raise DomainError(
                CaseErrorCode.NOT_DELEGATED,
                _("您没有委派“%(step)s”，无可收回。"),
                step=task.step_name,
            )
        holder = row.user if row is not None else task.assignee
        payload = {"step": task.step, "task": task.pk, "from": holder.username}

        def then(cc: Case) -> None:
            if row is not None:
                row.user, row.delegated_by = actor, None
                row.save(update_fields=["user", "delegated_by"])
            else:
                task.assignee, task.delegated_by = actor, None
                task.save(update_fields=["assignee", "delegated_by"])
            _tell(
                holder,
                cc,
                _("委派已收回"),
                _("%(who)s 已收回办件 %(no)s 的“%(step)s”。")
                % {"who": str(actor), "no": cc.case_no, "step": task.step_name},
            )

        return _Plan(A.TASK_TAKE_BACK, payload, then, note)

    return _operate(
        case=case,
        actor=actor,
        action=A.TASK_TAKE_BACK,
        expected_version=expected_version,
        prepare=prepare,
    )


# ---------------------------------------------------------------- 加签


def task_add_signer(
    *,
    actor: User,
    case: Case,
    to_username: str,
    before: bool,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """加签: add a reviewer of the department who signs before oneself (前加签: one waits for
    their signature) or after (后加签: the step is not done until they sign after one).

    A one-person step becomes a 依次审批 of the holder and the added signer. The decision step
    is one person's and takes no added signer."""
    note = (note or "").strip()[:2000]

    def prepare(c: Case, task: ReviewTask) -> _Plan:
        _require_reviewer(actor, c)
        if _is_final(c, task):
            raise DomainError(
                CaseErrorCode.NO_TASK,
                _("“%(step)s”是作出决定的环节，不能加签。"),
                step=task.step_name,
            )
        rows = task_signers(task) if task.mode in MULTI_SIGNER_MODES else []
        row = _require_holder(actor, c, task, rows)
        target = _colleague(c, task, to_username, actor=actor)
        _not_a_live_signer(rows, target, task)
        payload = {
            "step": task.step,
            "task": task.pk,
            "signer": target.username,
            "where": "before" if before else "after",
        }

        def then(cc: Case) -> None:
            mine = row
            if mine is None:  # a one-person step becomes 依次审批 of its holder and the added
                task.mode, task.status, task.assignee = StepMode.SEQUENCE, TaskStatus.CLAIMED, None
                task.save(update_fields=["mode", "status", "assignee"])
                mine = StepSigner.objects.create(
                    task=task, user=actor, position=0, delegated_by=task.delegated_by
                )
            position = mine.position if before else mine.position + 1
            task.signers.filter(position__gte=position).update(position=F("position") + 1)
            added = StepSigner.objects.create(
                task=task,
                user=target,
                position=position,
                added_by=actor,
                waits_for_id=mine.waits_for_id if before else mine.pk,
            )
            if before:
                mine.waits_for = added
                mine.save(update_fields=["waits_for"])
            else:
                task.signers.filter(waits_for=mine, status=SignerStatus.PENDING).exclude(
                    pk=added.pk
                ).update(waits_for=added)
            _tell(
                target,
                cc,
                _("加签：请签署意见"),
                _("%(who)s 请您在办件 %(no)s 的“%(step)s”签署意见。%(note)s")
                % {"who": str(actor), "no": cc.case_no, "step": task.step_name, "note": note},
            )

        return _Plan(A.TASK_ADD_SIGNER, payload, then, note)

    return _operate(
        case=case,
        actor=actor,
        action=A.TASK_ADD_SIGNER,
        expected_version=expected_version,
        prepare=prepare,
    )


# ---------------------------------------------------------------- 退回


def task_send_back(
    *,
    actor: User,
    case: Case,
    to_step: str,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """退回: send the case back to any step before the current one, with a reason. The current
    task (and its signatures still owed) is cancelled and the earlier step's task opens —
    with whoever last completed that step, when they still can take it."""
    reason = require_reason(reason, _("退回理由"))

    def prepare(c: Case, task: ReviewTask) -> _Plan:
        _require_reviewer(actor, c)
        rows = task_signers(task) if task.mode in MULTI_SIGNER_MODES else []
        _require_holder(actor, c, task, rows)
        earlier = earlier_steps(c, task)
        step = next((s for s in earlier if s["code"] == to_step), None)
        if step is None:
            names = "、".join(s["name"] for s in earlier) or _("无")
            raise DomainError(
                CaseErrorCode.STEP_UNKNOWN,
                _("不能退回到“%(step)s”：只能退回到本环节之前的环节（%(names)s）。"),
                field="to_step",
                step=to_step or "—",
                names=names,
            )
        _steps_all, procedure = _steps(c)
        payload = {"step": task.step, "task": task.pk, "to": step["code"]}

        def then(cc: Case) -> None:
            task.signers.filter(status=SignerStatus.PENDING).update(status=SignerStatus.CANCELLED)
            task.status, task.completed_at = TaskStatus.CANCELLED, timezone.now()
            task.save(update_fields=["status", "completed_at"])
            reopened = _open_task(cc, step, procedure)
            _back_to_last_holder(cc, reopened)
            for user in _holders(reopened):
                _tell(
                    user,
                    cc,
                    _("办件被退回"),
                    _("办件 %(no)s 已由 %(who)s 从“%(from)s”退回到“%(to)s”，理由：%(r)s")
                    % {
                        "no": cc.case_no,
                        "who": str(actor),
                        "from": task.step_name,
                        "to": step["name"],
                        "r": reason,
                    },
                )

        return _Plan(A.SEND_BACK, payload, then, reason)

    return _operate(
        case=case,
        actor=actor,
        action=A.SEND_BACK,
        expected_version=expected_version,
        prepare=prepare,
    )


def _back_to_last_holder(case: Case, task: ReviewTask) -> None:
    """A one-person step sent back goes to whoever completed it last, if they still can."""
    if task.mode != StepMode.SINGLE:
        return
    last = (
        case.tasks.filter(step=task.step, status=TaskStatus.DONE, assignee__isnull=False)
        .exclude(pk=task.pk)
        .select_related("assignee")
        .order_by("-completed_at", "-pk")
        .first()
    )
    if last is None or last.assignee_id == task.assignee_id:
        return
    user = last.assignee
    if user.is_active and access.in_department(user, case) and has_role(user, task.role):
        task.assignee, task.status = user, TaskStatus.CLAIMED
        task.save(update_fields=["assignee", "status"])


def _holders(task: ReviewTask) -> list[User]:
    if task.mode in MULTI_SIGNER_MODES:
        return [r.user for r in task_signers(task) if r.status == SignerStatus.PENDING]
    return [task.assignee] if task.assignee is not None else []


# ---------------------------------------------------------------- 催办


def _urge_targets(case: Case, task: ReviewTask, rows: list[StepSigner], *, exclude) -> list[User]:
    """Who holds the step now: the signers who may sign now, the assignee, or — for a task
    still in the pool — the department's holders of the step's role."""
    if task.mode in MULTI_SIGNER_MODES:
        users = [r.user for r in rows if may_sign_now(r, rows)]
    elif task.assignee is not None:
        users = [task.assignee]
    else:
        users = list(
            User.objects.filter(
                is_active=True, staff__department=case.department_id, groups__name=task.role
            ).distinct()
        )
    return [u for u in users if u.pk != exclude]


def task_urge(*, actor: User, case: Case, note: str = "") -> CaseEvent:
    """催办: a work notice to whoever holds the current step, and a ``task_urge`` event.

    By the department's reviewers and approvers (a supervisor urges through supervision);
    one urge of a task by one person per ``URGE_INTERVAL``; never of oneself. The case's
    version stays (the holder's open form must not go stale)."""
    note = (note or "").strip()[:500]
    with transaction.atomic():
        current = locked(case.pk, like=case)
        target_of(A.TASK_URGE, current.status)
        _require_reviewer(actor, current)
        task = current_task(current, lock=True)
        if task is None:
            raise DomainError(CaseErrorCode.NO_TASK, _("该办件当前没有待办的审查环节。"))
        rows = task_signers(task) if task.mode in MULTI_SIGNER_MODES else []
        targets = _urge_targets(current, task, rows, exclude=actor.pk)
        if not targets:
            raise DomainError(
                CaseErrorCode.NO_TASK, _("“%(step)s”目前由您办理，无需催办。"), step=task.step_name
            )
        last = (
            current.events.filter(
                action=A.TASK_URGE,
                actor=actor,
                payload__task=task.pk,
                occurred_at__gt=timezone.now() - URGE_INTERVAL,
            )
            .order_by("-seq")
            .first()
        )
        if last is not None:
            raise DomainError(
                CaseErrorCode.URGED_RECENTLY,
                _("您已于 %(when)s 催办过“%(step)s”，请两小时后再催办。"),
                when=timezone.localtime(last.occurred_at).strftime("%H:%M"),
                step=task.step_name,
            )
        for user in targets:
            _tell(
                user,
                current,
                _("催办：请尽快办理"),
                _("%(who)s 催办办件 %(no)s 的“%(step)s”。%(note)s")
                % {"who": str(actor), "no": current.case_no, "step": task.step_name, "note": note},
            )
        return event_append(
            model=CaseEvent,
            stream=current.stream,
            action=A.TASK_URGE,
            actor=actor,
            from_state=current.status,
            to_state=current.status,
            reason=note,
            payload={"step": task.step, "task": task.pk, "to": [u.username for u in targets]},
            case=current,
        )
