"""Reads of core's data. Object lookups answer 'not found' for missing and forbidden alike."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from .errors import NotFound
from .masking import mask_id_number, mask_phone
from .models import Department, Enterprise, Person, Region, StaffNotice, StaffProfile, User
from .permissions import Perm, Role, has_perm, roles_of


def regions_list(*, level: str | None = None, parent_code: str | None = None) -> QuerySet[Region]:
    qs = Region.objects.select_related("parent")
    if level:
        qs = qs.filter(level=level)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    return qs.order_by("code")


def departments_list(*, region_code: str | None = None) -> QuerySet[Department]:
    qs = Department.objects.select_related("region", "parent").filter(is_active=True)
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs.order_by("region__code", "code")


def staff_profile_of(user: User) -> StaffProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return StaffProfile.objects.select_related("department__region").get(user=user)
    except StaffProfile.DoesNotExist:
        return None


def person_of(user: User) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def get_person_for_user(*, user: User, pk: int) -> Person:
    """A person record: applicants see only themselves; staff who need identities see any."""
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound()
    if _is_own(person, user) or has_perm(user, Perm.IDENTITY_VIEW_FULL):
        return person
    raise NotFound()


def _is_own(person: Person, user: User) -> bool:
    """The person is the user's own record (never true for an anonymous user)."""
    return person.user_id is not None and person.user_id == getattr(user, "pk", None)


def shown_id_number(person: Person, viewer: User) -> str:
    """The ID number as a page or API shows it: masked for everyone, staff included.

    A staff member who needs the whole number uses the reveal flow (「查看完整信息」,
    ``core.personal_data.personal_data_reveal``), which records the view in the access log;
    the person themselves sees it masked too (a signed-in page is often on a shared screen).
    """
    return mask_id_number(person.id_number)


def shown_phone(phone: str, viewer: User) -> str:
    """A phone number as a page or API shows it: masked for everyone (see shown_id_number)."""
    return mask_phone(phone)


def role_labels(user: User) -> list[str]:
    return [str(Role(role).label) for role in Role.values if role in roles_of(user)]


def enterprises_for(user: User) -> QuerySet[Enterprise]:
    """The enterprises an applicant may act for today: valid, unrevoked authorisations."""
    if not getattr(user, "is_authenticated", False):
        return Enterprise.objects.none()
    today = timezone.localdate()
    return (
        Enterprise.objects.filter(
            authorisations__person__user=user,
            authorisations__revoked_at__isnull=True,
            authorisations__valid_from__lte=today,
        )
        .filter(
            Q(authorisations__valid_until__isnull=True) | Q(authorisations__valid_until__gte=today)
        )
        .distinct()
        .order_by("name")
    )


def can_act_for(user: User, enterprise: Enterprise) -> bool:
    return enterprises_for(user).filter(pk=enterprise.pk).exists()


def staff_notices_of(user: User, *, limit: int = 10) -> tuple[list[StaffNotice], int]:
    """The newest work notices of a staff member and how many are unread."""
    notices = StaffNotice.objects.filter(user=user)
    return list(notices[:limit]), notices.filter(read_at__isnull=True).count()
