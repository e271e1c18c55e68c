"""门边办 (door-side service): applications marked for a home visit become tasks for the grid
worker of the applicant's community, who records the visit. Each step (created, each visit)
is a hash-chained ``VisitTaskEvent`` on the stream ``visit:<task id>``.

A case is marked for a home visit by ``home_visit`` in its application form data or situation
answers (``true`` / ``"yes"``), as the window clerk or the applicant's agent sets it for an old
person who cannot come (e.g. 老年人优待证 at home).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case
from tongban.cases.states import CaseStatus
from tongban.core import addresses
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.models.regions import RegionLevel
from tongban.core.permissions import Perm, require_perm

from .. import selectors
from ..errors import GridErrorCode, GridRefused
from ..models import VisitOutcome, VisitStatus, VisitTask
from .history import visit_event_append

NOTE_MAX = 500
MARKED = Q(form_data__home_visit=True) | Q(answers__home_visit="yes")
CLOSED_CASES = (CaseStatus.DRAFT, CaseStatus.WITHDRAWN, CaseStatus.NOT_ACCEPTED)


def community_of(case: Case):
    """The applicant's community: from the address, else the household region when it is one."""
    person = case.applicant
    match = addresses.resolve_address(person.address) if person.address else None
    if match is not None and match.community is not None:
        return match.community
    region = person.household_region
    if region is not None and region.level == RegionLevel.COMMUNITY:
        return region
    return None


def visit_tasks_sync(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Create the visit tasks of marked cases that have none; answers (created, unrouted): the
    cases whose applicant's community no grid covers stay without a task until one does."""
    at = now or timezone.now()
    cases = (
        Case.objects.filter(MARKED, visit_task__isnull=True)
        .exclude(status__in=CLOSED_CASES)
        .select_related("applicant", "applicant__household_region")
        .order_by("pk")
    )
    created = unrouted = 0
    for case in cases:
        community = community_of(case)
        grid = selectors.grid_for_community(community.pk) if community else None
        if grid is None:
            unrouted += 1
            continue
        with transaction.atomic():
            task, made = VisitTask.objects.get_or_create(
                case=case, defaults={"grid": grid, "community": community, "created_at": at}
            )
            if made:
                visit_event_append(
                    task,
                    actor=None,
                    action="create",
                    to_state=VisitStatus.OPEN,
                    payload={"case": case.case_no, "grid": grid.code, "community": community.code},
                    new_stream=True,
                )
        created += int(made)
    return created, unrouted


def visit_record(
    *,
    actor,
    task_id: int,
    outcome: str,
    note: str = "",
    expected_version: int | None = None,
) -> VisitTask:
    """Record a home visit: served (the task is done) or nobody at home (it stays open, the
    attempt counted). Only a grid worker of the task's grid may record it."""
    require_perm(actor, Perm.GRID_REPORT)
    if outcome not in VisitOutcome.values:
        raise ValidationFailed(
            GridErrorCode.INVALID_INPUT, _("上门结果：请选择。"), field="outcome"
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            GridErrorCode.INVALID_INPUT,
            _("上门记录：不能超过 %(n)d 个字。"),
            field="note",
            n=NOTE_MAX,
        )
    if outcome == VisitOutcome.NOT_HOME and not note:
        raise ValidationFailed(
            GridErrorCode.INVALID_INPUT,
            _("上门记录：未遇到本人时请写明情况和下次上门安排。"),
            field="note",
        )
    mine = {g.pk for g in selectors.grids_of(actor)}
    with transaction.atomic():
        task = VisitTask.objects.select_for_update().filter(pk=task_id).first()
        if task is None or task.grid_id not in mine:
            raise NotFound()
        if expected_version is not None and task.version != expected_version:
            raise GridRefused(GridErrorCode.STALE, _("该任务已被其他人更新，请刷新后查看。"))
        if task.status != VisitStatus.OPEN:
            raise GridRefused(GridErrorCode.VISIT_CLOSED, _("该任务已完成上门服务。"))
        at = timezone.now()
        from_state = task.status
        task.attempts += 1
        task.last_outcome = outcome
        task.note = note
        task.visited_at = at
        task.visited_by = actor
        task.version += 1
        if outcome == VisitOutcome.SERVED:
            task.status = VisitStatus.DONE
        task.save()
        visit_event_append(
            task,
            actor=actor,
            action="visit",
            from_state=from_state,
            to_state=task.status,
            reason=note,
            payload={"outcome": outcome, "attempt": task.attempts},
        )
    return task
