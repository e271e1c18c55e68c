"""The ticket page (工单详情) and its actions: dispatch (with the rules' or classifier's suggestion
and its confidence), close at intake, sign for, reply, ask for an extension, return, the
dispatcher's return review (派单异议审核) and extension approval, callback, reopen, urge and
escalate.

Each action is one form posted to ``…/<action>/``; the view validates it, calls the one service
and redirects. A refused action shows the page again with the message beside the form, and
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tongban.core import workdays
from tongban.core.access import rule
from tongban.core.errors import DomainError, PermissionDenied
from tongban.core.permissions import Perm, has_perm

from .. import selectors, services
from ..models import AssignmentRole, AssignmentStatus
from ..states import TicketAction, TicketStatus
from . import console_forms as f
from .console import DOMAIN, error_list, get_ticket, safe_next, staff_view

A = TicketAction

# The panels of the ticket page, in the order they appear, and the service actions behind each.
PANELS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "dispatch": (gettext_lazy("派单"), (A.DISPATCH,)),
    "close": (
        gettext_lazy("不派单，直接办结"),
        (A.DIRECT_ANSWER, A.EMERGENCY_TRANSFER, A.LEGAL_ROUTE, A.EXPLAIN_CLOSE, A.POLICE_REFERRAL),
    ),
    "sign": (gettext_lazy("签收"), (A.SIGN,)),
    "reply": (gettext_lazy("办理答复"), (A.REPLY,)),
    "extension_request": (gettext_lazy("申请延期"), (A.REQUEST_EXTENSION,)),
    "return_request": (gettext_lazy("申请退单"), (A.REQUEST_RETURN,)),
    "return_decide": (
        gettext_lazy("派单异议审核"),
        (A.ACCEPT_RETURN, A.REJECT_RETURN, "return_decide"),
    ),
    "extension_decide": (
        gettext_lazy("延期审核"),
        (A.APPROVE_EXTENSION, A.REFUSE_EXTENSION, "extension_decide"),
    ),
    "callback": (gettext_lazy("回访"), (A.CALLBACK,)),
    "reopen": (gettext_lazy("重办"), (A.REOPEN,)),
    "urge": (gettext_lazy("催办"), (A.URGE,)),
    "escalate": (gettext_lazy("提级督办"), (A.ESCALATE,)),
}
DESTRUCTIVE = {"return_request", "escalate"}
SECONDARY = {"close", "extension_request", "urge", "reopen"}


@dataclass
class Panel:
    action: str
    label: str
    form: Any
    destructive: bool = False
    secondary: bool = False
    failed: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)


def panels_for(user, ticket) -> list[str]:
    """The panels whose actions this user may take on the ticket now."""
    allowed = {str(a) for a in selectors.ticket_actions(user, ticket)}
    return [name for name, (_label, actions) in PANELS.items() if allowed & set(actions)]


def _department_choices() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in selectors.dispatch_units()]


def action_form(action: str, ticket, data=None, *, suggestion=None) -> f.ActionForm:
    """The form of ``action`` for the ticket (bound to ``data`` when it was posted)."""
    initial: dict[str, Any] = {"expected_version": ticket.version}
    extra: dict[str, Any] = {}
    if action in f.WITH_DEPARTMENTS:
        extra["departments"] = _department_choices()
    if action == "dispatch":
        if suggestion is not None:
            if suggestion.department is not None:
                initial["department_code"] = suggestion.department.code
            initial["to_locality"] = bool(suggestion.to_locality)
            subject = suggestion.subject or ticket.subject
        else:
            subject = ticket.subject
        if subject is not None:
            initial["subject_code"] = f"{subject.code} {subject.name}"
    return f.ACTION_FORMS[action](data, prefix=action, initial=initial, **extra)


def ticket_context(request: HttpRequest, ticket, *, failed=None) -> dict:
    user = request.user
    names = panels_for(user, ticket)
    suggestion = None
    if "dispatch" in names:
        suggestion = selectors.dispatch_suggestion(ticket)
    panels = []
    for name in names:
        is_failed = bool(failed and failed[0] == name)
        form = failed[1] if is_failed else action_form(name, ticket, suggestion=suggestion)
        panels.append(
            Panel(
                name,
                str(PANELS[name][0]),
                form,
                destructive=name in DESTRUCTIVE,
                secondary=name in SECONDARY,
                failed=is_failed,
                errors=error_list(form) if is_failed else [],
            )
        )
    clock = selectors.ticket_clock(ticket)
    leads = [
        a
        for a in selectors.ticket_assignments(ticket)
        if a.role == AssignmentRole.LEAD
        and a.status not in (AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN)
    ]
    lead = leads[-1] if leads else None
    returnable = (
        lead is not None
        and not lead.by_centre_decision
        and ticket.status in (TicketStatus.DISPATCHED, TicketStatus.HANDLING)
    )
    return {
        "undo": _undo_offer(user, ticket),
        "undo_failed": failed is not None and failed[0] == UNDO,
        "return_due": lead.return_due if returnable else None,
        "ticket": ticket,
        "caller": selectors.caller_shown(ticket, user),
        "clock": clock,
        "timeline": selectors.ticket_timeline(ticket, user),
        "suggestion": suggestion,
        "pending_return": selectors.ticket_pending_return(ticket),
        "pending_extension": selectors.ticket_pending_extension(ticket),
        "panels": panels,
        "failed_errors": error_list(failed[1]) if failed else [],
        "failed_elsewhere": failed is not None and not any(p.failed for p in panels),
        "subjects": selectors.subjects_search("", limit=500) if "dispatch" in names else [],
        "back_url": reverse("hotline-console:home"),
    }


# --------------------------------------------------------------------------- undo 秒派

UNDO = "undo_auto_dispatch"


class UndoForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _undo_offer(user, ticket) -> dict | None:
    """The undo control, when this person may undo the ticket's automatic dispatch now."""
    if ticket.status != TicketStatus.DISPATCHED or not has_perm(user, Perm.TICKET_DISPATCH):
        return None
    due = services.auto_dispatch_undo_due(ticket)
    if due is None or timezone.now() > due or ticket.signed_at is not None:
        return None
    return {"due": due, "form": UndoForm(initial={"expected_version": ticket.version})}


@rule("staff")
@require_POST
@staff_view
def auto_dispatch_undo(request: HttpRequest, ticket_no: str) -> HttpResponse:
    """撤销秒派: the ticket goes back to the dispatcher's queue (refusals shown on the page)."""
    ticket = get_ticket(request, ticket_no)
    form = UndoForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.ticket_auto_dispatch_undo(
                actor=request.user,
                ticket=ticket,
                expected_version=form.cleaned_data["expected_version"],
            )
        except PermissionDenied as exc:
            form.add_error(None, forms.ValidationError(exc.message, code=DOMAIN))
            status = 403
        except DomainError as exc:
            form.add_error(None, forms.ValidationError(exc.message, code=DOMAIN))
            status = exc.status_code if exc.status_code in (409, 422) else 400
        else:
            messages.success(request, _("已撤销秒派，工单已退回待派单，请人工派单。"))
            page = reverse("hotline-console:ticket", args=[ticket.ticket_no])
            return HttpResponseRedirect(page + "#panel-dispatch")
    else:
        form.add_error(None, forms.ValidationError(_("页面已过期，请刷新后再试。"), code=DOMAIN))
    ticket = get_ticket(request, ticket_no)
    context = ticket_context(request, ticket, failed=(UNDO, form))
    errors = [str(e) for e in form.non_field_errors()]
    context.update(
        failed_errors=[("undo-auto-dispatch", e) for e in errors],
        failed_elsewhere=False,
        undo_errors=errors,
    )
    if context["undo"] is None:
        # no longer possible: say why where the control was
        context["undo"] = {"due": services.auto_dispatch_undo_due(ticket), "form": None}
    return render(request, "hotline/console_ticket.html", context, status=status)


@rule("staff")
@require_GET
@staff_view
def ticket_page(request: HttpRequest, ticket_no: str) -> HttpResponse:
    ticket = get_ticket(request, ticket_no)
    return render(request, "hotline/console_ticket.html", ticket_context(request, ticket))


def _yes(value: str) -> bool:
    return value == "yes"


def _perform(action: str, user, ticket, data: dict) -> str:
    """Call the one service for ``action``; answers the message to show on success."""
    no = ticket.ticket_no
    common = {"actor": user, "expected_version": data["expected_version"]}
    if action == "dispatch":
        done = services.ticket_dispatch(
            no,
            **common,
            department_code=data["department_code"] or None,
            to_locality=data["to_locality"],
            subject_code=data["subject_code"],
            note=data["note"],
        )
        unit = done.department.name if done.department else _("属地街道（镇）")
        return _("已派单至%(unit)s。") % {"unit": unit}
    if action == "close":
        services.ticket_close_at_intake(
            no, **common, outcome=data["outcome"], note=data["note"], article_id=data["article_id"]
        )
        return _("工单已办结。")
    if action == "sign":
        services.ticket_sign(no, **common)
        return _("已签收，请在办理期限内答复。")
    if action == "reply":
        services.ticket_reply(no, **common, reply=data["reply"], solved=_yes(data["solved"]))
        return _("已答复，热线中心将回访来电人。")
    if action == "extension_request":
        services.ticket_extension_request(
            no, **common, reason=data["reason"], new_due=workdays.end_of_day(data["new_due"])
        )
        return _("延期申请已提交，等待热线中心审核。")
    if action == "return_request":
        services.ticket_return_request(
            no,
            **common,
            reason=data["reason"],
            explanation=data["explanation"],
            suggested_department_code=data["suggested_department_code"] or None,
        )
        return _("退单申请已提交，等待热线中心审核。")
    if action == "return_decide":
        accept = _yes(data["accept"])
        services.ticket_return_decide(
            no,
            **common,
            accept=accept,
            note=data["note"],
            redispatch_department_code=data["redispatch_department_code"] or None,
            redispatch_to_locality=data["redispatch_to_locality"],
        )
        return _("已同意退单。") if accept else _("已驳回退单，原承办单位继续办理。")
    if action == "extension_decide":
        approve = _yes(data["approve"])
        services.ticket_extension_decide(no, **common, approve=approve, note=data["note"])
        return _("已同意延期。") if approve else _("已不同意延期。")
    if action == "callback":
        reached = _yes(data["reached"])
        services.ticket_callback(
            no,
            **common,
            reached=reached,
            satisfaction=data["satisfaction"] if reached else "",
            solved=_yes(data["solved"]) if reached and data["solved"] else None,
            note=data["note"],
        )
        return _("回访已记录。") if reached else _("已记录本次未联系上来电人。")
    if action == "reopen":
        services.ticket_reopen(
            no,
            **common,
            reason=data["reason"],
            department_code=data["department_code"] or None,
            to_locality=data["to_locality"],
        )
        return _("工单已发回重办。")
    if action == "urge":
        services.ticket_urge(no, actor=user, note=data["note"])
        return _("已催办。")
    if action == "escalate":
        services.ticket_escalate(no, actor=user, reason=data["reason"])
        return _("已提级督办。")
    raise Http404  # pragma: no cover - ACTION_FORMS and this list name the same actions


@rule("staff")
@require_POST
@staff_view
def ticket_action(request: HttpRequest, ticket_no: str, action: str) -> HttpResponse:
    ticket = get_ticket(request, ticket_no)
    if action not in f.ACTION_FORMS:
        raise Http404
    form = action_form(action, ticket, request.POST)
    status = 400
    if form.is_valid():
        try:
            message = _perform(action, request.user, ticket, form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
            status = 403
        except DomainError as exc:
            target = exc.field if exc.field in form.fields else None
            if exc.status_code == 409:
                # The page was stale: show the ticket as it is now, with this form bound to the
                # current version, so that a second try is a decision taken on fresh facts.
                fresh = get_ticket(request, ticket_no)
                data = request.POST.copy()
                data[f"{action}-expected_version"] = str(fresh.version)
                form = action_form(action, fresh, data)
                form.is_valid()
                status = 409
            form.add_error(target, forms.ValidationError(exc.message, code=DOMAIN))
        else:
            messages.success(request, message)
            fallback = reverse("hotline-console:ticket", args=[ticket.ticket_no])
            return HttpResponseRedirect(safe_next(request, fallback))
    ticket = get_ticket(request, ticket_no)  # as it is now, for the page around the error
    context = ticket_context(request, ticket, failed=(action, form))
    return render(request, "hotline/console_ticket.html", context, status=status)
