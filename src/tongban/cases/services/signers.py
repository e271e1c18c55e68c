"""The signers of a step's task when it opens (会签 / 或签 / 票签 / 依次审批).

Called by ``lifecycle._open_task`` for every task; a step of mode ``single`` (the default)
keeps the one-assignee task it always had. Reads and writes only this app's models.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.core.models import User
from tongban.core.notifications import staff_notify

from ..models import ReviewTask, StepMode, StepSigner, TaskStatus
from ..models.approvals import MULTI_SIGNER_MODES


def step_signers(*, department_id: int, step: dict[str, Any]) -> list[User]:
    """Who signs the step: the configured ``signers`` (usernames) who are active staff of the
    department, in the configured order; without a list, every active holder of the step's
    role in the department. Someone who left the department is skipped, never an error."""
    staff = User.objects.filter(is_active=True, staff__department=department_id)
    usernames = step.get("signers")
    if usernames:
        found = {u.username: u for u in staff.filter(username__in=usernames)}
        return [found[name] for name in usernames if name in found]
    return list(staff.filter(groups__name=step["role"]).distinct().order_by("pk"))


def signers_open(task: ReviewTask, step: dict[str, Any]) -> None:
    """Turn a just-created task into a multi-signer task when its step says so.

    With nobody to sign (no staff of the role), the task stays a one-person pool task, so a
    case never stalls on a configuration that no longer matches the department."""
    mode = step.get("mode", StepMode.SINGLE)
    if mode not in MULTI_SIGNER_MODES:
        return
    users = step_signers(department_id=task.department_id, step=step)
    if not users:
        return
    task.mode = mode
    if mode == StepMode.VOTE:
        task.quorum = min(int(step.get("quorum") or 1), len(users))
    task.status, task.assignee = TaskStatus.CLAIMED, None
    task.save(update_fields=["mode", "quorum", "status", "assignee"])
    previous = None
    for position, user in enumerate(users):
        previous = StepSigner.objects.create(
            task=task,
            user=user,
            position=position,
            waits_for=previous if mode == StepMode.SEQUENCE else None,
        )
        if position == 0 or mode != StepMode.SEQUENCE:
            signer_notify(previous)


def signer_notify(row: StepSigner) -> None:
    """A work notice to a signer whose turn has come (the console's 工作提醒)."""
    task = row.task
    staff_notify(
        user=row.user,
        title=_("请签署：%(step)s") % {"step": task.step_name},
        body=_("办件 %(no)s 的“%(step)s”（%(mode)s）等待您签署意见。")
        % {"no": task.case.case_no, "step": task.step_name, "mode": StepMode(task.mode).label},
        link=reverse("cases-console:case", args=[task.case.case_no]),
        key=f"sign:{row.pk}",
    )
