"""催办 (urge) and 督办 (supervision orders): what a supervisor does about a case, a ticket or a
rectification, recorded in the subject's history and sent to the people who must act."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases.models import Case, ReviewTask, TaskStatus
from tongban.cases.states import CaseStatus
from tongban.core import workdays
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.notifications import staff_notify, staff_notify_heads
from tongban.core.permissions import Perm, has_perm
from tongban.hotline.models import Ticket, TicketAssignment
from tongban.ratings.models import Rectification

from .. import selectors
from ..errors import SupervisionErrorCode, SupervisionRefused
from ..models import OrderStatus, SubjectKind, SupervisionOrder, Urge
from .cards import _record, subject_link

User = get_user_model()
ORDER_DEFAULT_DAYS = 3


@dataclass(frozen=True)
class Subject:
    kind: str
    ref: str
    department_id: int
    handlers: tuple[int, ...]  # user ids of the people handling it now
    title: str


def subject_find(*, kind: str, ref: str) -> Subject:
    """The case, ticket or rectification a supervisor names; a clear message when none."""
    ref = (ref or "").strip()[:40]
    if kind == SubjectKind.CASE:
        case = Case.objects.filter(case_no=ref).exclude(status=CaseStatus.DRAFT).first()
        if case is not None:
            handlers = ReviewTask.objects.filter(
                case=case, status=TaskStatus.CLAIMED, assignee__isnull=False
            ).values_list("assignee_id", flat=True)
            return Subject(kind, ref, case.department_id, tuple(handlers), ref)
    elif kind == SubjectKind.TICKET:
        ticket = Ticket.objects.filter(ticket_no=ref, department__isnull=False).first()
        if ticket is not None:
            handlers = TicketAssignment.objects.filter(
                ticket=ticket, department_id=ticket.department_id, signed_by__isnull=False
            ).values_list("signed_by_id", flat=True)
            return Subject(kind, ref, ticket.department_id, tuple(handlers), ticket.title)
    elif kind == SubjectKind.RECTIFICATION and ref.isdigit():
        rect = Rectification.objects.filter(pk=int(ref)).first()
        if rect is not None:
            return Subject(kind, ref, rect.department_id, (), ref)
    raise ValidationFailed(
        SupervisionErrorCode.SUBJECT_NOT_FOUND,
        gettext_lazy("没有找到编号为“%(ref)s”的办件、工单或整改。"),
        field="ref",
        ref=ref,
    )


def _require_urger(actor) -> None:
    if not has_perm(actor, Perm.SUPERVISION_URGE):
        raise PermissionDenied(gettext_lazy("只有监察督办人员可以催办和督办。"))


def _text(value: str, what, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(
            SupervisionErrorCode.TEXT_REQUIRED,
            gettext_lazy("请填写%(what)s。"),
            field=field,
            what=what,
        )
    return value[:limit]


def supervision_urge(*, actor, kind: str, ref: str, message: str) -> Urge:
    """催办: a work notice to the handler(s) and the department's heads, the urge stored and
    written in the subject's history, in one transaction."""
    _require_urger(actor)
    message = _text(message, gettext_lazy("催办内容"), "message", 256)
    subject = subject_find(kind=kind, ref=ref)
    with transaction.atomic():
        urge = Urge.objects.create(
            subject_kind=kind,
            subject_ref=subject.ref,
            department_id=subject.department_id,
            message=message,
            by=actor,
        )
        _record(urge, action="urge", reason=message, payload={"urge": urge.pk}, actor=actor)
        title = _("催办：%(ref)s") % {"ref": subject.ref}
        link = subject_link(kind, subject.ref)
        for user in User.objects.filter(pk__in=subject.handlers, is_active=True):
            staff_notify(user=user, title=title, body=message, link=link)
        staff_notify_heads(
            department=urge.department, title=title, body=message, link=link, key=f"urge:{urge.pk}"
        )
    return urge


def supervision_order_open(
    *, actor, kind: str, ref: str, requirement: str, due: dt.date | None = None
) -> SupervisionOrder:
    """督办: a formal order with a written requirement and a reply deadline (the end of a
    working day; by default ``ORDER_DEFAULT_DAYS`` working days from today)."""
    _require_urger(actor)
    requirement = _text(requirement, gettext_lazy("督办要求"), "requirement", 4000)
    subject = subject_find(kind=kind, ref=ref)
    today = workdays.business_date(timezone.now())
    due = due or workdays.add_workdays(today, ORDER_DEFAULT_DAYS)
    if due <= today:
        raise ValidationFailed(
            SupervisionErrorCode.DUE_INVALID,
            gettext_lazy("答复期限须在今天之后。"),
            field="due",
        )
    with transaction.atomic():
        order = SupervisionOrder.objects.create(
            subject_kind=kind,
            subject_ref=subject.ref,
            department_id=subject.department_id,
            requirement=requirement,
            due=workdays.end_of_day(due),
            issued_by=actor,
        )
        _record(
            order,
            action="supervision_order",
            reason=requirement,
            payload={"order": order.pk, "due": due.isoformat()},
            actor=actor,
        )
        staff_notify_heads(
            department=order.department,
            title=_("督办：%(ref)s，请于 %(due)s 前书面答复") % {"ref": subject.ref, "due": due},
            body=requirement,
            link=f"/console/supervision/orders/{order.pk}/",
            key=f"order:{order.pk}",
        )
    return order


def _locked_order(pk: int) -> SupervisionOrder:
    return SupervisionOrder.objects.select_for_update().get(pk=pk)


def supervision_order_respond(*, actor, order: SupervisionOrder, response: str) -> SupervisionOrder:
    """督办答复: the department's written response (its head, or a supervisor on its behalf)."""
    if not has_perm(actor, Perm.SUPERVISION_VIEW) or not selectors.in_view(
        actor, order.department_id
    ):
        raise PermissionDenied(gettext_lazy("只有责任部门可以答复督办。"))
    response = _text(response, gettext_lazy("书面答复"), "response", 8000)
    with transaction.atomic():
        current = _locked_order(order.pk)
        if current.status != OrderStatus.OPEN:
            raise SupervisionRefused(
                SupervisionErrorCode.ORDER_NOT_OPEN,
                gettext_lazy("该督办单已答复或已办结，不能再答复。"),
            )
        current.status = OrderStatus.RESPONDED
        current.response = response
        current.responded_by = actor
        current.responded_at = timezone.now()
        current.save(update_fields=["status", "response", "responded_by", "responded_at"])
        _record(
            current,
            action="order_response",
            reason=response[:2000],
            payload={"order": current.pk},
            actor=actor,
        )
        staff_notify(
            user=current.issued_by,
            title=_("督办已答复：%(ref)s") % {"ref": current.subject_ref},
            body=response[:500],
            link=f"/console/supervision/orders/{current.pk}/",
        )
    return current


def supervision_order_close(
    *, actor, order: SupervisionOrder, accept: bool = True, note: str = ""
) -> SupervisionOrder:
    """The supervisor closes a responded order (办结), or sends it back for a new response."""
    _require_urger(actor)
    with transaction.atomic():
        current = _locked_order(order.pk)
        if current.status != OrderStatus.RESPONDED:
            raise SupervisionRefused(
                SupervisionErrorCode.ORDER_NOT_RESPONDED,
                gettext_lazy("督办单尚未答复，不能办结。"),
            )
        if accept:
            current.status = OrderStatus.CLOSED
            current.closed_at = timezone.now()
            current.save(update_fields=["status", "closed_at"])
        else:
            note = _text(note, gettext_lazy("退回理由"), "note", 2000)
            current.status = OrderStatus.OPEN
            current.save(update_fields=["status"])
            staff_notify_heads(
                department=current.department,
                title=_("督办答复被退回：%(ref)s") % {"ref": current.subject_ref},
                body=note,
                link=f"/console/supervision/orders/{current.pk}/",
            )
    return current
