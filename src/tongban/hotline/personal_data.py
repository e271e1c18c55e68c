"""The hotline's personal data that staff may reveal in full (「查看完整信息」, logged).

- kind ``ticket`` (ref: the ticket number): the caller's phone, for the staff who need to reach
  the caller — operators, the callback team, a handler of a unit the ticket went to (unless the
  caller's identity is protected from it), and holders of ``identity.view_full``;
- kind ``missed_call`` (ref: the missed call's id): the number, for operators.

Pages and the API show the numbers masked; the call-back of a missed call fills the number into
the intake form on the server (``missed_call_for_callback``), which records that view with the
purpose 联系/回访. Registered with core from ``HotlineConfig.ready``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound
from tongban.core.masking import mask_name, mask_phone
from tongban.core.models import AccessPurpose
from tongban.core.permissions import Perm, has_perm
from tongban.core.personal_data import (
    Subject,
    may_reveal,
    personal_data_access_record,
    register_subject,
)

from . import access
from .models import MissedCall, Ticket

TICKET = "ticket"
MISSED_CALL = "missed_call"
CALLBACK_REASON = _("漏接来电回拨并登记工单")


def may_contact_caller(user, ticket: Ticket | None = None) -> bool:
    """Whether ``user``'s work needs the caller's number (then it may be revealed, logged)."""
    if has_perm(user, Perm.IDENTITY_VIEW_FULL) or has_perm(user, Perm.TICKET_CREATE):
        return True
    if has_perm(user, Perm.TICKET_CALLBACK):
        return True
    if access.is_handler(user) and not access.sees_all(user):
        return ticket is None or access.sees_caller(user, ticket)
    return False


def _ticket_subject(user, ref: str) -> Subject:
    ticket = Ticket.objects.filter(ticket_no=ref[:32]).first()
    if (
        ticket is None
        or not ticket.caller_phone
        or not access.can_view(user, ticket)
        or not access.sees_caller(user, ticket)
        or not may_contact_caller(user, ticket)
    ):
        raise NotFound()
    return Subject(
        kind=TICKET,
        ref=ticket.ticket_no,
        label=f"{ticket.ticket_no} {mask_name(ticket.caller_name)}（{mask_phone(ticket.caller_phone)}）",
        values={"caller_phone": ticket.caller_phone},
    )


def _may_call_back(user) -> bool:
    return has_perm(user, Perm.TICKET_CREATE)


def _missed_call_subject(user, ref: str) -> Subject:
    call = (
        MissedCall.objects.filter(pk=int(ref)).first() if ref.isdigit() and len(ref) < 12 else None
    )
    if call is None:
        raise NotFound()
    return Subject(
        kind=MISSED_CALL,
        ref=str(call.pk),
        label=f"#{call.pk}（{mask_phone(call.phone)}）",
        values={"caller_phone": call.phone},
    )


def missed_call_for_callback(*, actor, call_id: int, ip: str | None = None) -> MissedCall | None:
    """The missed call whose number goes into the intake form for the call-back, the view
    recorded in the access log (purpose 联系/回访); None for an unknown call or a user who
    may not call back."""
    if not may_reveal(actor, MISSED_CALL):
        return None
    try:
        subject = _missed_call_subject(actor, str(call_id))
    except NotFound:
        return None
    personal_data_access_record(
        actor=actor,
        subject=subject,
        fields=["caller_phone"],
        purpose=AccessPurpose.CONTACT,
        reason=f"{CALLBACK_REASON}（#{call_id}）",
        ip=ip,
    )
    return MissedCall.objects.get(pk=call_id)


def register() -> None:
    register_subject(TICKET, _ticket_subject, label=_("12345 工单"), allowed=may_contact_caller)
    register_subject(MISSED_CALL, _missed_call_subject, label=_("漏接来电"), allowed=_may_call_back)
