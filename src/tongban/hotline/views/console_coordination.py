"""Console pages for joint tickets (联动工单) and merging (并单).

- ``/console/hotline/joint/``: the joint-ticket list (tabs: awaiting co-handlers, co-handlers
  overdue, awaiting the lead's final reply, with a coordination meeting, replied or closed);
- ``/console/hotline/merging/``: the merge suggestions (confirm with the street override, or
  dismiss);
- ``/console/hotline/coordination/<ticket_no>/<action>/``: one form per action on a ticket —
  ``joint`` (fix lead and co-handlers), ``co-sign``, ``co-reply``, ``release`` (解除协办),
  ``meeting`` (协调会议),
  ``merge``, ``split``, ``callback`` (a merged caller's callback). GET shows the form on its own
  page; POST calls the one service and goes back to the ticket; a refusal shows the form again
  with an error summary and the message beside the field, and changes nothing.

The ticket page shows the joint and merge panels through the ``hotline_coordination`` tag.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound, PermissionDenied
from tongban.core.permissions import Perm

from .. import coordination, selectors, services
from ..services import joint, merging
from . import console_forms as f
from .console import error_list, get_ticket, require, staff_view
from .error_summary import add_domain_error

TEXTAREA = forms.Textarea(attrs={"rows": 4})
DATE = forms.DateInput(attrs={"type": "date"})


def _units():
    return [(d.code, d.name) for d in selectors.dispatch_units()]


class JointForm(f.ActionForm):
    lead_code = forms.ChoiceField(
        label=gettext_lazy("主办单位"),
        required=False,
        help_text=gettext_lazy("主办单位牵头办理并统一答复来电人。"),
    )
    co_codes = forms.MultipleChoiceField(
        label=gettext_lazy("协办单位"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("协办单位在各自期限内向主办单位提交协办意见。"),
    )
    note = forms.CharField(
        label=gettext_lazy("派单说明"), required=False, max_length=2000, widget=TEXTAREA
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_code"].choices = [("", gettext_lazy("（请选择）")), *units]
        self.fields["co_codes"].choices = list(units)
        self.fields["lead_code"].conditional = True  # required; the service says so clearly
        self.fields["co_codes"].conditional = True


class CoSignForm(forms.Form):
    pass


class CoReplyForm(forms.Form):
    content = forms.CharField(
        label=gettext_lazy("协办意见"),
        max_length=4000,
        widget=TEXTAREA,
        error_messages=f.required(gettext_lazy("协办意见")),
        help_text=gettext_lazy("写明本单位核查和处理的情况，供主办单位统一答复。"),
    )


class ReleaseForm(f.ActionForm):
    department_code = forms.ChoiceField(
        label=gettext_lazy("解除的协办单位"),
        widget=forms.RadioSelect,
        error_messages=f.choose(gettext_lazy("解除的协办单位")),
        help_text=gettext_lazy(
            "热线中心可随时解除；主办单位只能解除已超过协办期限仍未答复的协办单位。"
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("解除理由"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=f.required(gettext_lazy("解除理由")),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department_code"].choices = list(units)


class MeetingForm(f.ActionForm):
    held_on = forms.DateField(
        label=gettext_lazy("会议日期"),
        widget=DATE,
        error_messages={
            "required": gettext_lazy("请填写会议日期。"),
            "invalid": gettext_lazy("会议日期：请按“年-月-日”填写，例如 2026-06-10。"),
        },
    )
    participant_codes = forms.MultipleChoiceField(
        label=gettext_lazy("参会单位"),
        widget=forms.CheckboxSelectMultiple,
        error_messages=f.choose(gettext_lazy("参会单位")),
    )
    other_participants = forms.CharField(
        label=gettext_lazy("其他参会人员"), required=False, max_length=200
    )
    decision = forms.CharField(
        label=gettext_lazy("会议决定"),
        max_length=4000,
        widget=TEXTAREA,
        error_messages=f.required(gettext_lazy("会议决定")),
    )
    follow_up = forms.CharField(
        label=gettext_lazy("后续事项"),
        max_length=4000,
        widget=TEXTAREA,
        error_messages=f.required(gettext_lazy("后续事项")),
        help_text=gettext_lazy("由谁、做什么；参会单位会收到通知。"),
    )
    follow_up_due = forms.DateField(
        label=gettext_lazy("落实期限"),
        required=False,
        widget=DATE,
        error_messages={"invalid": gettext_lazy("落实期限：请按“年-月-日”填写，例如 2026-06-17。")},
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant_codes"].choices = list(units)


class MergeForm(f.ActionForm):
    into_no = forms.CharField(
        label=gettext_lazy("并入工单编号"),
        max_length=32,
        error_messages=f.required(gettext_lazy("并入工单编号")),
        help_text=gettext_lazy("此工单并入该工单，由该工单统一办理和答复。"),
    )
    override_street = forms.BooleanField(
        label=gettext_lazy("确认跨街道并单"),
        required=False,
        help_text=gettext_lazy("两张工单属于不同街道、但确属同一事项时勾选。"),
    )
    reason = forms.CharField(
        label=gettext_lazy("并单说明"), required=False, max_length=500, widget=TEXTAREA
    )


class SplitForm(f.ActionForm):
    reason = forms.CharField(
        label=gettext_lazy("拆分理由"),
        max_length=500,
        widget=TEXTAREA,
        error_messages=f.required(gettext_lazy("拆分理由")),
    )


class DismissForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=500)


# (title, form class, whether the form lists units)
ACTIONS = {
    "joint": (gettext_lazy("联动派单：指定主办和协办单位"), JointForm, True),
    "co-sign": (gettext_lazy("协办签收"), CoSignForm, False),
    "co-reply": (gettext_lazy("提交协办意见"), CoReplyForm, False),
    "release": (gettext_lazy("解除协办"), ReleaseForm, False),
    "meeting": (gettext_lazy("记录协调会议"), MeetingForm, True),
    "merge": (gettext_lazy("并单"), MergeForm, False),
    "split": (gettext_lazy("拆分并单"), SplitForm, False),
    "callback": (gettext_lazy("回访并单来电人"), f.CallbackForm, False),
}


def action_form(action: str, ticket, data=None, initial=None):
    _title, form_class, with_units = ACTIONS[action]
    kwargs = {"prefix": action}
    if issubclass(form_class, f.ActionForm):
        kwargs["initial"] = {"expected_version": ticket.version, **(initial or {})}
    elif initial:
        kwargs["initial"] = initial
    if with_units:
        kwargs["units"] = _units()
    if action == "release":  # the co-handlers the lead still waits for
        view = coordination.joint_view(ticket)
        kwargs["units"] = [
            (r.assignment.department.code, r.assignment.department.name)
            for r in (view.waiting if view else [])
        ]
    return form_class(data, **kwargs)


def _initial_for(action: str, ticket, request: HttpRequest) -> dict:
    if action == "joint":
        view = coordination.joint_view(ticket)
        lead = view.lead.department.code if view and view.lead else ""
        lead = lead or (ticket.department.code if ticket.department_id else "")
        return {
            "lead_code": lead,
            "co_codes": [r.assignment.department.code for r in view.co] if view else [],
        }
    if action == "meeting":
        view = coordination.joint_view(ticket)
        codes = []
        if view:
            codes = ([view.lead.department.code] if view.lead else []) + [
                r.assignment.department.code for r in view.co
            ]
        return {"participant_codes": codes}
    if action == "merge":
        return {"into_no": (request.GET.get("into") or "")[:32]}
    return {}


def _perform(action: str, user, ticket, data: dict) -> str:
    no = ticket.ticket_no
    version = data.get("expected_version")
    if action == "joint":
        joint.ticket_joint_dispatch(
            no,
            actor=user,
            lead_code=data["lead_code"],
            co_codes=data["co_codes"],
            note=data["note"],
            expected_version=version,
        )
        return _("已指定主办和协办单位，各单位已收到通知。")
    if action == "co-sign":
        joint.ticket_co_sign(no, actor=user)
        return _("已签收协办任务，请在协办期限内提交协办意见。")
    if action == "co-reply":
        joint.ticket_co_reply(no, actor=user, content=data["content"])
        return _("协办意见已提交，主办单位已收到通知。")
    if action == "release":
        joint.ticket_co_release(
            no,
            actor=user,
            department_code=data["department_code"],
            reason=data["reason"],
            expected_version=version,
        )
        return _("已解除该单位的协办任务，主办单位可以统一答复。")
    if action == "meeting":
        joint.coordination_meeting_record(
            no,
            actor=user,
            held_on=data["held_on"],
            participant_codes=data["participant_codes"],
            other_participants=data["other_participants"],
            decision=data["decision"],
            follow_up=data["follow_up"],
            follow_up_due=data["follow_up_due"],
            expected_version=version,
        )
        return _("协调会议已记录，参会单位已收到通知。")
    if action == "merge":
        merging.merge_confirm(
            actor=user,
            ticket_no=no,
            into_no=data["into_no"],
            override_street=data["override_street"],
            reason=data["reason"],
            expected_version=version,
        )
        return _("已并单：此工单由 %(no)s 统一办理，答复后每位来电人都会收到答复。") % {
            "no": data["into_no"].strip()
        }
    if action == "split":
        merging.merge_split(
            actor=user, ticket_no=no, reason=data["reason"], expected_version=version
        )
        return _("已拆分：此工单已退回待派单，请单独派单。")
    if action == "callback":
        reached = data["reached"] == "yes"
        services.ticket_callback(
            no,
            actor=user,
            expected_version=version,
            reached=reached,
            satisfaction=data["satisfaction"] if reached else "",
            solved=(data["solved"] == "yes") if reached and data["solved"] else None,
            note=data["note"],
        )
        return _("回访已记录。") if reached else _("已记录本次未联系上来电人。")
    raise Http404  # pragma: no cover - ACTIONS and this list name the same actions


def _form_page(request, ticket, action, form, status=200):
    title = ACTIONS[action][0]
    context = {
        "ticket": ticket,
        "action": action,
        "title": title,
        "form": form,
        "errors": error_list(form) if form.is_bound else [],
        "joint": coordination.joint_view(ticket)
        if action in ("joint", "meeting", "co-reply", "release")
        else None,
        "ticket_url": reverse("hotline-console:ticket", args=[ticket.ticket_no]),
    }
    return render(request, "hotline/console_coordination_form.html", context, status=status)


@rule("staff")
@require_http_methods(["GET", "POST"])
@staff_view
def coordination_action(request: HttpRequest, ticket_no: str, action: str) -> HttpResponse:
    ticket = get_ticket(request, ticket_no)
    if action not in ACTIONS:
        raise Http404
    if request.method == "GET":
        form = action_form(action, ticket, initial=_initial_for(action, ticket, request))
        return _form_page(request, ticket, action, form)
    form = action_form(action, ticket, request.POST)
    status = 400
    if form.is_valid():
        try:
            message = _perform(action, request.user, ticket, form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
            status = 403
        except NotFound as exc:
            form.add_error("into_no" if "into_no" in form.fields else None, exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
            status = exc.status_code if exc.status_code in (409, 422) else 400
        else:
            messages.success(request, message)
            page = reverse("hotline-console:ticket", args=[ticket.ticket_no])
            return HttpResponseRedirect(page + "#coordination")
    ticket = get_ticket(request, ticket_no)
    return _form_page(request, ticket, action, form, status=status)


# --------------------------------------------------------------------------- lists


def _tab(request, tabs) -> str:
    slugs = [slug for slug, _label in tabs]
    tab = request.GET.get("tab") or slugs[0]
    return tab if tab in slugs else slugs[0]


@rule("perm:ticket.dispatch|perm:ticket.arbitrate|perm:ticket.handle|perm:supervision.view")
@require(Perm.TICKET_DISPATCH, Perm.TICKET_ARBITRATE, Perm.TICKET_HANDLE, Perm.SUPERVISION_VIEW)
def joint_list(request: HttpRequest) -> HttpResponse:
    tabs = coordination.joint_tabs()
    tab = _tab(request, tabs)
    page = Paginator(coordination.joint_tickets(request.user, tab), coordination.PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "hotline/console_joint_list.html",
        {"tabs": tabs, "tab": tab, "page": page, "rows": coordination.joint_rows(page.object_list)},
    )


@rule("perm:ticket.dispatch")
@require(Perm.TICKET_DISPATCH)
def merge_suggestions(request: HttpRequest) -> HttpResponse:
    tabs = coordination.suggestion_tabs()
    tab = _tab(request, tabs)
    page = Paginator(coordination.merge_suggestions(tab), coordination.PAGE).get_page(
        request.GET.get("page")
    )
    rows = []
    for s in page.object_list:
        differ = bool(
            s.ticket.street_id and s.target.street_id and s.ticket.street_id != s.target.street_id
        )
        form = None
        if tab == "pending":
            form = action_form(
                "merge",
                s.ticket,
                initial={"into_no": s.target.ticket_no},
            )
            form.prefix = f"merge-{s.pk}"
        rows.append({"s": s, "differ": differ, "form": form})
    return render(
        request,
        "hotline/console_merge_suggestions.html",
        {"tabs": tabs, "tab": tab, "page": page, "rows": rows},
    )


@rule("perm:ticket.dispatch")
@require_POST
@require(Perm.TICKET_DISPATCH)
def merge_suggestion_confirm(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    """Confirm from the suggestions list (the form carries the repeat's version)."""
    s = coordination.merge_suggestions("pending").filter(pk=suggestion_id).first()
    if s is None:
        messages.error(request, _("该并单建议已处理或不存在，请刷新后查看。"))
        return HttpResponseRedirect(reverse("hotline-console:merging"))
    form = MergeForm(request.POST, prefix=f"merge-{s.pk}")
    status = 400
    if form.is_valid():
        try:
            merging.merge_confirm(
                actor=request.user,
                ticket_no=s.ticket.ticket_no,
                into_no=s.target.ticket_no,
                override_street=form.cleaned_data["override_street"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            status = exc.status_code if exc.status_code in (409, 422) else 400
        else:
            messages.success(
                request,
                _("已将 %(a)s 并入 %(b)s。") % {"a": s.ticket.ticket_no, "b": s.target.ticket_no},
            )
            return HttpResponseRedirect(reverse("hotline-console:merging"))
    return _form_page(request, s.ticket, "merge", form, status=status)


@rule("perm:ticket.dispatch")
@require_POST
@require(Perm.TICKET_DISPATCH)
def merge_suggestion_dismiss(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    form = DismissForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        row = merging.merge_dismiss(actor=request.user, suggestion_id=suggestion_id, note=note)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已标记 %(a)s 与 %(b)s 不是重复件。")
            % {"a": row.ticket.ticket_no, "b": row.target.ticket_no},
        )
    return HttpResponseRedirect(reverse("hotline-console:merging"))
