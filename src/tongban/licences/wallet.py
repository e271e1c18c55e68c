"""Reads for the use of licences: the holder's wallet (their licences, the authorisations they
gave and the log of every use by someone else), the issuing department's search, and the
lookups the cases app makes for issuance and 免证办.

Object lookups answer "not found" for missing and forbidden alike (``NotFound``).
"""

from __future__ import annotations

import threading
import time

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.core import selectors as core_selectors
from tongban.core.errors import NotFound
from tongban.core.permissions import Perm, has_perm

from .models import Authorisation, Licence, LicenceAccess, LicenceType


def licence_stream(licence: Licence) -> str:
    """The name of a licence's event stream (one per version)."""
    return f"licence:{licence.pk}"  # as licence_issue names it (services.issuance.stream_of)


KEEP_TYPES_SECONDS = 30.0  # how long a process keeps the list of active licence types
_types_kept: dict[str, tuple[float, dict[str, LicenceType]]] = {}
_types_lock = threading.Lock()


def _active_types() -> dict[str, LicenceType] | None:
    """Every active licence type by code, as this process last read it outside a transaction
    (at most ``KEEP_TYPES_SECONDS`` ago); None inside a transaction, which reads afresh.

    免证办 asks at every new draft and every material whether the platform issues the licence
    type a material names: the answer is configuration, kept briefly rather than read on each
    request (a type switched on or off takes effect within the keep time)."""
    if connection.in_atomic_block:
        return None
    now = time.monotonic()
    with _types_lock:
        kept = _types_kept.get(connection.alias)
    if kept is not None and now - kept[0] < KEEP_TYPES_SECONDS:
        return kept[1]
    types = {t.code: t for t in LicenceType.objects.filter(is_active=True)}
    with _types_lock:
        _types_kept[connection.alias] = (now, types)
    return types


def forget_types() -> None:
    """Drop the kept licence types (tests; an administrator's change takes effect at once)."""
    with _types_lock:
        _types_kept.clear()


def active_licence_type(code: str) -> LicenceType | None:
    """The active licence type with that code (None for a code the platform does not issue)."""
    if not code:
        return None
    kept = _active_types()
    if kept is not None:
        return kept.get(code)
    return LicenceType.objects.filter(code=code, is_active=True).first()


def active_licence_types(codes) -> dict[str, LicenceType]:
    codes = [c for c in set(codes) if c]
    if not codes:
        return {}
    kept = _active_types()
    if kept is not None:
        return {c: kept[c] for c in codes if c in kept}
    return {t.code: t for t in LicenceType.objects.filter(code__in=codes, is_active=True)}


def licence_of_case(case_no: str) -> Licence | None:
    """The newest version of the licence a case yielded (None before it is issued)."""
    if not case_no:
        return None
    return (
        Licence.objects.select_related("licence_type", "issuer")
        .filter(case_no=case_no, imported=False)
        .order_by("-version", "-id")
        .first()
    )


def licences_by_identifier(identifiers) -> dict[str, Licence]:
    identifiers = [i for i in set(identifiers) if i]
    if not identifiers:
        return {}
    rows = Licence.objects.select_related("licence_type", "issuer").filter(
        identifier__in=identifiers
    )
    return {row.identifier: row for row in rows}


# ---------------------------------------------------------------- the holder's wallet


def _holder_filter(user) -> Q | None:
    """Licences held by the user as a person, or by an enterprise they may act for."""
    person = core_selectors.person_of(user) if getattr(user, "is_authenticated", False) else None
    if person is None:
        return None
    enterprises = list(core_selectors.enterprises_for(user).values_list("pk", flat=True))
    return Q(person=person) | Q(enterprise_id__in=enterprises)


def wallet_licences(user) -> QuerySet[Licence]:
    """Every version the user holds (as a person or for an enterprise), newest first."""
    holder = _holder_filter(user)
    if holder is None:
        return Licence.objects.none()
    return (
        Licence.objects.select_related("licence_type", "issuer", "enterprise", "person")
        .filter(holder)
        .order_by("-issued_on", "-id")
    )


def get_licence_for_holder(*, user, pk: int) -> Licence:
    licence = wallet_licences(user).filter(pk=pk).first()
    if licence is None:
        raise NotFound(_("没有找到该证照。"))
    return licence


def holder_authorisations(user, *, licence: Licence | None = None) -> QuerySet[Authorisation]:
    holder = _holder_filter(user)
    if holder is None:
        return Authorisation.objects.none()
    rows = Authorisation.objects.select_related(
        "licence__licence_type", "grantee_department"
    ).filter(licence__in=Licence.objects.filter(holder))
    if licence is not None:
        rows = rows.filter(licence=licence)
    return rows.order_by("-created_at", "-id")


def get_authorisation_for_holder(*, user, pk: int) -> Authorisation:
    row = holder_authorisations(user).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("没有找到该授权记录。"))
    return row


def holder_accesses(user, *, licence: Licence | None = None) -> QuerySet[LicenceAccess]:
    holder = _holder_filter(user)
    if holder is None:
        return LicenceAccess.objects.none()
    rows = LicenceAccess.objects.select_related("licence__licence_type", "authorisation").filter(
        licence__in=Licence.objects.filter(holder)
    )
    if licence is not None:
        rows = rows.filter(licence=licence)
    return rows.order_by("-at", "-id")


# ---------------------------------------------------------------- the issuing department


def _issuer_department_id(user) -> int | None:
    if not has_perm(user, Perm.LICENCE_ISSUE):
        return None
    staff = core_selectors.staff_profile_of(user)
    return staff.department_id if staff is not None else None


def can_manage_licences(user) -> bool:
    return _issuer_department_id(user) is not None


def department_licences(user, *, q: str = "") -> QuerySet[Licence]:
    """Licences issued by the user's department (LICENCE_ISSUE), searched by number, holder
    name, holder ID number or credit code, or identifier."""
    department_id = _issuer_department_id(user)
    if department_id is None:
        return Licence.objects.none()
    rows = Licence.objects.select_related("licence_type", "issuer").filter(issuer_id=department_id)
    q = (q or "").strip()
    if q:
        rows = rows.filter(
            Q(number__icontains=q)
            | Q(holder_name__icontains=q)
            | Q(holder_id_no__iexact=q.upper())
            | Q(identifier=q)
        )
    return rows.order_by("-id")


def get_licence_for_issuer(*, user, pk: int) -> Licence:
    licence = department_licences(user).filter(pk=pk).first()
    if licence is None:
        raise NotFound(_("没有找到该证照。"))
    return licence


def versions_of(licence: Licence) -> list[Licence]:
    """Every version of the licence's number (of its type), newest first."""
    return list(
        Licence.objects.filter(licence_type_id=licence.licence_type_id, number=licence.number)
        .select_related("licence_type")
        .order_by("-version", "-id")
    )
