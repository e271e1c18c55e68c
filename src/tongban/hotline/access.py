"""Who may see and act on a ticket.

- The hotline centre (operators: create, dispatch, arbitrate, call back) and supervisors see
  every ticket.
- A handler (承办单位人员) sees the tickets ever dispatched to their own unit, and acts only on
  the one currently dispatched to it: a street's handler sees only its street's tickets.
- A grid worker sees the tickets they reported; a citizen the tickets they submitted.
- The identity of a 举报 reporter, of an anonymous caller, and of a caller who asked for
  confidentiality (GB/T 33358) is never shown to handlers.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import PermissionDenied
from tongban.core.models import StaffProfile
from tongban.core.permissions import Perm, has_perm

from .models import Ticket, TicketAssignment, TicketType

CENTRE_PERMS = (
    Perm.TICKET_CREATE,
    Perm.TICKET_DISPATCH,
    Perm.TICKET_ARBITRATE,
    Perm.TICKET_CALLBACK,
)


def department_id_of(user) -> int | None:
    """The user's unit (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_hotline_department_id", False)
    if cached is not False:
        return cached
    value = (
        StaffProfile.objects.filter(user_id=user.pk).values_list("department_id", flat=True).first()
    )
    user._hotline_department_id = value
    return value


def is_centre(user) -> bool:
    return any(has_perm(user, p) for p in CENTRE_PERMS)


def sees_all(user) -> bool:
    return is_centre(user) or has_perm(user, Perm.SUPERVISION_VIEW)


def is_handler(user) -> bool:
    return has_perm(user, Perm.TICKET_HANDLE)


def visible_filter(user) -> Q | None:
    """A filter for the tickets ``user`` may see; ``None`` means every ticket. A unit's
    handlers: the tickets ever dispatched to it (a semi-join on the assignments' department
    index, so a small unit's list stays fast among a million tickets)."""
    if sees_all(user):
        return None
    uid = getattr(user, "pk", None)
    if uid is None:
        return Q(pk__in=[])
    dept = department_id_of(user) if is_handler(user) else None
    if dept is not None:
        q = Q(pk__in=TicketAssignment.objects.filter(department_id=dept).values("ticket_id"))
        if has_perm(user, Perm.GRID_REPORT):
            q |= Q(created_by_id=uid)
        return q
    return Q(caller_user_id=uid) | Q(created_by_id=uid)


def can_view(user, ticket: Ticket) -> bool:
    """Exactly what ``visible_filter`` lets through, for one ticket."""
    if sees_all(user):
        return True
    uid = getattr(user, "pk", None)
    if uid is None:
        return False
    dept = department_id_of(user) if is_handler(user) else None
    if dept is not None:
        if ticket.department_id == dept or (
            TicketAssignment.objects.filter(ticket=ticket, department_id=dept).exists()
        ):
            return True
        return has_perm(user, Perm.GRID_REPORT) and ticket.created_by_id == uid
    return uid in (ticket.caller_user_id, ticket.created_by_id)


def in_unit(user, department_id: int | None) -> bool:
    return (
        department_id is not None and is_handler(user) and department_id_of(user) == department_id
    )


def require_unit(user, department_id: int | None, what) -> None:
    """Handlers act only on tickets dispatched to their own unit."""
    if not in_unit(user, department_id):
        raise PermissionDenied(_("只有该工单当前承办单位的工作人员可以%(what)s。") % {"what": what})


def require_any(user, perms: tuple[str, ...], message) -> None:
    if not any(has_perm(user, p) for p in perms):
        raise PermissionDenied(message)


def identity_protected(ticket: Ticket) -> bool:
    """The caller's identity is protected: a 举报, an anonymous or a confidential ticket."""
    return ticket.ticket_type == TicketType.REPORT or ticket.anonymous or ticket.confidential


def sees_caller(user, ticket: Ticket) -> bool:
    """Whether ``user`` may see who the caller is (name and number)."""
    if user is not None and getattr(user, "pk", None) == ticket.caller_user_id:
        return True
    if sees_all(user):
        return True
    return not identity_protected(ticket) and can_view(user, ticket)
