"""Reads of the ratings app: rectification work lists, permission-checked lookups, overdue
rectifications for supervision, and the flagged-ratings review list."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.core.errors import NotFound
from tongban.core.permissions import Perm, Scope, has_perm, scope_of

from .models import (
    Rating,
    RatingDevice,
    Rectification,
    RectificationStatus,
    ServiceKind,
)

OPEN_STATUSES = (
    RectificationStatus.VERIFYING,
    RectificationStatus.RECTIFYING,
    RectificationStatus.REVIEWING,
)


def overdue_rectifications(*, now: dt.datetime | None = None) -> QuerySet[Rectification]:
    """Open rectifications the responsible department is late with: not verified (回访核实) by
    ``verify_due``, or not replied to by ``due``. A rectification waiting for the supervisor's
    review after an on-time reply is not overdue. Ordered by due date."""
    now = now or timezone.now()
    return (
        Rectification.objects.filter(status__in=OPEN_STATUSES)
        .filter(
            Q(verified_at__isnull=True, verify_due__lt=now)
            | Q(responded_at__isnull=True, due__lt=now)
        )
        .select_related("department", "rating")
        .order_by("due", "id")
    )


def _staff_department_id(user) -> int | None:
    staff = getattr(user, "staff", None)
    return staff.department_id if staff else None


def rectifications_for_user(*, user) -> QuerySet[Rectification]:
    """The rectifications a staff member may see: a supervisor (审核) all of them; a handler or
    department head those of their own department; anybody else none."""
    qs = Rectification.objects.select_related("department", "rating")
    if has_perm(user, Perm.RECTIFICATION_REVIEW) and scope_of(user) == Scope.ALL:
        return qs
    if has_perm(user, Perm.RECTIFICATION_HANDLE) or has_perm(user, Perm.RECTIFICATION_REVIEW):
        department_id = _staff_department_id(user)
        if department_id is not None:
            return qs.filter(department_id=department_id)
    return qs.none()


def get_rectification_for_user(*, user, pk: int) -> Rectification:
    """One rectification the user may see; ``NotFound`` for missing and forbidden alike."""
    found = rectifications_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def can_handle(user, rectification: Rectification) -> bool:
    """A handler (or head) of the responsible department."""
    return (
        has_perm(user, Perm.RECTIFICATION_HANDLE)
        and _staff_department_id(user) == rectification.department_id
    )


def can_review(user) -> bool:
    return has_perm(user, Perm.RECTIFICATION_REVIEW)


def rectification_work_list(*, user, status: str = "") -> QuerySet[Rectification]:
    qs = rectifications_for_user(user=user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "due", "id")


def flagged_ratings(*, reviewed: bool = False) -> QuerySet[Rating]:
    """Ratings flagged as a possible burst (for a supervisor's review), newest first."""
    return Rating.objects.filter(flagged=True).select_related("department").order_by("-rated_at")


def ratings_of_service(*, service_kind: str, service_ref: str) -> list[Rating]:
    """The first rating of a service event and its follow-up, oldest first."""
    return list(
        Rating.objects.filter(service_kind=service_kind, service_ref=service_ref).order_by(
            "rated_at", "id"
        )
    )


def first_rating(*, service_kind: str, service_ref: str) -> Rating | None:
    return Rating.objects.filter(
        service_kind=service_kind, service_ref=service_ref, follow_up_of__isnull=True
    ).first()


def devices_of(*, department_id: int | None = None) -> QuerySet[RatingDevice]:
    qs = RatingDevice.objects.select_related("department").order_by("department__code", "code")
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs


def rateable_kinds() -> list[str]:
    return [str(kind) for kind in ServiceKind]
