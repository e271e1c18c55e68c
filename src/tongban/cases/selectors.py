"""Reads of cases: permission-checked lookups, clocks, queues and the timeline."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound

from . import access, clocks
from .models import Case, ReviewTask, TaskStatus


def get_case_for_user(*, user, case_no: str) -> Case:
    """The case if ``user`` may see it; 'not found' for missing and forbidden alike."""
    case = (
        Case.objects.select_related("item_version__item", "department", "applicant", "enterprise")
        .filter(case_no=case_no)
        .first()
    )
    if case is None or not access.can_view(user, case):
        raise NotFound(_("没有找到该办件。"))
    return case


def clock(case: Case, *, today: dt.date | None = None) -> clocks.Clock:
    return clocks.compute(case, case.events.order_by("seq"), today=today)


def timeline(case: Case):
    return case.events.order_by("seq")


def cases_of_applicant(user) -> QuerySet[Case]:
    return Case.objects.filter(applicant__user=user).select_related("item_version")


def open_tasks(case: Case) -> list[ReviewTask]:
    return list(case.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]))
