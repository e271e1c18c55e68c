"""Reads of cases: permission-checked lookups, clocks, lists and the timeline (the staff work
queue is in ``queue``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import selectors as core_selectors
from tongban.core import workdays
from tongban.core.errors import NotFound
from tongban.core.models import Enterprise, EnterpriseAuthorisation, Person
from tongban.core.permissions import Perm, has_perm, has_role
from tongban.core.personal_data import person_by_id_number

from . import access, clocks, progress_steps
from .models import (
    Case,
    CaseEvent,
    CaseMaterial,
    Deferral,
    ItemProcedure,
    ReviewTask,
    TaskStatus,
)
from .models.procedure import DEFAULT_STEPS
from .states import OPEN, CaseStatus, allowed_actions
from .states import CaseAction as A


def get_case_for_user(*, user, case_no: str) -> Case:
    """The case if ``user`` may see it; 'not found' for missing and forbidden alike."""
    case = (
        Case.objects.select_related(
            "item_version__item__procedure", "department", "applicant", "enterprise"
        )
        .filter(case_no=case_no)
        .first()
    )
    if case is None or not access.can_view(user, case):
        raise NotFound(_("没有找到该办件。"))
    return case


def clock(
    case: Case, *, today: dt.date | None = None, events: list[CaseEvent] | None = None
) -> clocks.Clock:
    """The case's clock; ``events`` (in order) when the caller has already read them."""
    return clocks.compute(
        case,
        case.events.order_by("seq") if events is None else events,
        today=today,
        limits=clocks.step_limits_for(case),
    )


def timeline(case: Case):
    return case.events.order_by("seq")


def cases_of_applicant(user) -> QuerySet[Case]:
    return Case.objects.filter(applicant__user=user).select_related("item_version")


def current_version(case: Case) -> int:
    """The case's version as stored now (a page compares it to the one it was rendered with)."""
    return Case.objects.filter(pk=case.pk).values_list("version", flat=True).first() or 0


def open_tasks(case: Case) -> list[ReviewTask]:
    return list(case.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]))


# ---------------------------------------------------------------- lists and the API


def cases_for_user(user, *, status: str | None = None) -> QuerySet[Case]:
    """The cases a list shows ``user``: exactly those ``access.can_view`` lets them open.

    Window clerks (一窗受理 for every department) and supervisors see every case; reviewers and
    approvers their department's; anyone else the cases they applied for or act in as agent.
    """
    qs = Case.objects.select_related("item_version__item", "department", "applicant")
    if has_perm(user, Perm.CASE_ACCEPT) or has_perm(user, Perm.SUPERVISION_VIEW):
        pass
    elif has_perm(user, Perm.CASE_REVIEW) or has_perm(user, Perm.CASE_APPROVE):
        staff = core_selectors.staff_profile_of(user)
        qs = qs.filter(department_id=staff.department_id) if staff else qs.none()
    else:
        qs = qs.filter(Q(applicant__user_id=user.pk) | Q(agent_id=user.pk))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def case_by_idempotency_key(*, user, key: str) -> Case | None:
    """The case ``user`` already created with this Idempotency-Key, if any."""
    return (
        Case.objects.select_related("item_version__item", "department", "applicant")
        .filter(created_by_id=user.pk, idempotency_key=key)
        .first()
    )


def registered_person(*, id_number: str) -> Person | None:
    """The registered person with this (already validated) ID number (by its blind index)."""
    return person_by_id_number(id_number)


def person_represents(person: Person, enterprise: Enterprise, *, on: dt.date | None = None) -> bool:
    """The person holds a valid, unrevoked authorisation to act for the enterprise."""
    on = on or timezone.localdate()
    return (
        EnterpriseAuthorisation.objects.filter(
            person=person, enterprise=enterprise, revoked_at__isnull=True, valid_from__lte=on
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .exists()
    )


def enterprise_by_credit_code(credit_code: str) -> Enterprise | None:
    return Enterprise.objects.filter(credit_code=credit_code).first()


def item_procedure(case: Case) -> ItemProcedure | None:
    """The case's item's procedure: one query, none when ``item_version__item__procedure`` was
    selected with the case (``get_case_for_user``)."""
    version = case.item_version
    item = version.item if _ITEM.is_cached(version) else None
    if item is not None and _PROCEDURE.is_cached(item):
        return getattr(item, "procedure", None)  # None cached: the item has none
    return ItemProcedure.objects.filter(item_id=version.item_id).first()


def review_steps(case: Case) -> list[dict]:
    procedure = item_procedure(case)
    return procedure.steps if procedure and procedure.steps else DEFAULT_STEPS


_PROCEDURE = ItemProcedure._meta.get_field("item").remote_field  # ServiceItem.procedure
_ITEM = Case._meta.get_field("item_version").related_model._meta.get_field("item")


def case_events(case: Case) -> list[CaseEvent]:
    return list(case.events.order_by("seq"))


def case_materials(case: Case) -> list[CaseMaterial]:
    return list(case.materials.select_related("material"))


def case_open_tasks(case: Case) -> list[ReviewTask]:
    return list(
        case.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]).select_related(
            "assignee"
        )
    )


def available_actions(
    user,
    case: Case,
    *,
    events: list[CaseEvent],
    tasks: list[ReviewTask],
    steps: list[dict],
    clock: clocks.Clock,
) -> list[str]:
    """The actions ``user`` may take on the case now, as the services would judge them.

    For showing buttons and API hints only: the services check again, under the row lock.
    """
    applicant_side = access.is_applicant_side(user, case) or has_perm(user, Perm.CASE_ACCEPT)
    clerk = has_perm(user, Perm.CASE_ACCEPT)
    in_department = access.in_department(user, case)
    done = {e.action for e in events}
    task = tasks[0] if tasks else None
    last_step = steps[-1]["code"] if steps else None
    uid = getattr(user, "pk", None)
    on_task = (
        task is not None
        and in_department
        and has_role(user, task.role)
        and task.assignee_id in (None, uid)
        and task.mode == "single"  # 会签 / 或签 / 票签 / 依次审批: services.approvals.step_state
    )
    rules = {
        A.SUBMIT: applicant_side,
        A.ACCEPT: clerk,
        A.REFUSE: clerk,
        A.REQUEST_CORRECTION: clerk
        and A.REQUEST_CORRECTION not in done
        and not clock.deemed_accepted,
        A.RESUBMIT: applicant_side,
        A.WITHDRAW: applicant_side,
        A.CLAIM: on_task and task.status == TaskStatus.OPEN,
        A.RELEASE: on_task and task.assignee_id == uid,
        A.COMPLETE_STEP: on_task and task.step != last_step,
        A.APPROVE: on_task and task.step == last_step and has_perm(user, Perm.CASE_APPROVE),
        A.SUSPEND: in_department and has_perm(user, Perm.CASE_REVIEW),
        A.RESUME: in_department and has_perm(user, Perm.CASE_REVIEW),
        A.EXTEND: in_department and has_perm(user, Perm.CASE_APPROVE) and A.EXTEND not in done,
        A.ISSUE: in_department or clerk,
        A.DELIVER: in_department or clerk,
        # 秒批: the applicant asked a person to review the automatic decision
        A.HUMAN_REVIEW_COMPLETE: on_task
        and A.HUMAN_REVIEW_REQUEST in done
        and A.HUMAN_REVIEW_COMPLETE not in done,
    }
    rules[A.DENY] = rules[A.APPROVE]
    return [a for a in allowed_actions(case.status) if rules.get(a, False)]


# ---------------------------------------------------------------- the applicant's pages (portal)


def get_own_case(*, user, case_no: str) -> Case:
    """A case the user applied for (or acts in as agent); 'not found' for any other, also for
    staff who may see it elsewhere: the portal shows a person only their own cases."""
    case = (
        Case.objects.select_related(
            "item_version__item", "department", "applicant", "enterprise__legal_representative"
        )
        .filter(case_no=case_no[:32])
        .first()
    )
    if case is None or not access.is_applicant_side(user, case):
        raise NotFound(_("没有找到该办件。"))
    return case


def applicant_cases(user, *, drafts: bool) -> QuerySet[Case]:
    """我的办件: the drafts (newest first), or the other cases (latest submitted first), of
    ``user`` (as applicant or agent), with the item, the department and each material's
    status read in fixed queries."""
    qs = Case.objects.filter(Q(applicant__user_id=user.pk) | Q(agent_id=user.pk))
    qs = qs.filter(status="draft") if drafts else qs.exclude(status="draft")
    order = ["-created_at", "-id"] if drafts else [F("received_at").desc(nulls_last=True), "-id"]
    return (
        qs.select_related("item_version", "department")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=CaseMaterial.objects.only("id", "case_id", "material_id", "status"),
            )
        )
        .order_by(*order)
    )


def applicant_timeline(case: Case) -> list[CaseEvent]:
    """The case's events in order, with each actor's department (staff are shown by it)."""
    return list(case.events.select_related("actor__staff__department").order_by("seq"))


# [B] 容缺受理 (b1): supplements past their deadline, for supervision (电子监察).
def overdue_supplements(*, today: dt.date | None = None, department_id: int | None = None):
    """Deferrals (容缺) past their deadline with materials still owed, oldest deadline first."""
    today = today or workdays.business_date(timezone.now())
    owing = OPEN | {CaseStatus.APPROVED, CaseStatus.ISSUED}
    qs = Deferral.objects.filter(supplied_at__isnull=True, due__lt=today, case__status__in=owing)
    if department_id is not None:
        qs = qs.filter(case__department_id=department_id)
    return qs.select_related("case__department", "case__applicant", "case__item_version").order_by(
        "due", "id"
    )


# [W] The self-service kiosk (selfservice sits above cases and reads cases through these).
def cases_of_person(person: Person) -> QuerySet[Case]:
    """The person's cases past the draft (their own and those they applied for an enterprise),
    newest first."""
    return (
        Case.objects.filter(applicant=person)
        .exclude(status=CaseStatus.DRAFT)
        .select_related("item_version", "department")
        .order_by("-created_at")
    )


def case_of_person(person: Person, case_no: str) -> Case:
    """One of the person's cases past the draft; ``NotFound`` for missing and someone else's."""
    case = (
        Case.objects.filter(applicant=person, case_no=case_no)
        .exclude(status=CaseStatus.DRAFT)
        .select_related("item_version__item", "department", "applicant", "enterprise")
        .first()
    )
    if case is None:
        raise NotFound(_("没有找到该办件。"))
    return case


def applicant_progress(case: Case) -> list[progress_steps.Step]:
    """The step indicator 申报 → 受理 → 审查 → 决定 → 送达 of ``case`` as its applicant sees it,
    with the date the current step is due by (none when the calendar lacks the year)."""
    events = list(case.events.order_by("seq"))
    clock, _error = progress_steps.safe_clock(case, events)
    return progress_steps.steps(case, events, clock=clock)


def results_awaiting_delivery(*, limit: int) -> list[Case]:
    """Issued results with no delivery chosen yet and no deferred material holding the delivery
    back (the lockers' demo places these), oldest case number first."""
    return list(
        Case.objects.filter(status=CaseStatus.ISSUED, delivery_method="")
        .exclude(deferral__supplied_at__isnull=True, deferral__blocks="delivery")
        .order_by("case_no")[:limit]
    )
