"""The citizen's hotline pages on the portal (/hotline/): submit a request online (source web,
signed in or not; a phone number unless it is an anonymous 举报) and look a ticket up by its
number and phone number, with its progress in plain language and the reply.

Plain forms and redirects after every post: the pages work without JavaScript. A looked-up
ticket is remembered in the session, so that its page is an ordinary GET and the phone number
never appears in an address.
"""

from __future__ import annotations

import secrets

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound, ValidationFailed
from tongban.core.identifiers import validate_phone
from tongban.core.ratelimit import rate_limit

from .. import selectors, services
from ..models import Source, TicketType
from ..states import TicketStatus
from .error_summary import DOMAIN, add_domain_error, error_list

SESSION_SUBMITTED = "hotline_submitted"
SESSION_UNLOCKED = "hotline_unlocked"
MAX_UNLOCKED = 20


def _required(label) -> dict:
    return {"required": gettext_lazy("请填写%(label)s。") % {"label": label}}


class SubmitForm(forms.Form):
    ticket_type = forms.ChoiceField(
        label=gettext_lazy("您要反映的是"),
        choices=TicketType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择诉求类型。")},
    )
    content = forms.CharField(
        label=gettext_lazy("请说明您的诉求"),
        max_length=5000,
        help_text=gettext_lazy("写清楚什么时间、什么地点、发生了什么事，希望怎样解决。"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=_required(gettext_lazy("诉求内容")),
    )
    address = forms.CharField(
        label=gettext_lazy("事发地址"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("写到街道、小区或门牌号，便于转给属地办理。"),
    )
    caller_name = forms.CharField(label=gettext_lazy("您的姓名"), required=False, max_length=64)
    caller_phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("用于回复和回访，也是查询办理进度的凭证。"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("匿名举报：不留姓名和电话"),
        required=False,
        help_text=gettext_lazy("只有举报可以匿名。匿名举报无法回复和查询进度。"),
    )
    confidential = forms.BooleanField(
        label=gettext_lazy("请为我保密"),
        required=False,
        help_text=gettext_lazy("承办单位将看不到您的姓名和电话。"),
    )
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caller_phone"].conditional = True  # required unless an anonymous 举报

    def clean_caller_phone(self):
        phone = (self.cleaned_data.get("caller_phone") or "").strip()
        if not phone:
            return ""
        try:
            return validate_phone(phone, field="caller_phone")
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=DOMAIN) from None

    def clean(self):
        data = super().clean()
        if data.get("anonymous"):
            if data.get("ticket_type") and data["ticket_type"] != TicketType.REPORT:
                self.add_error("anonymous", _("只有举报可以匿名。"))
            data["caller_name"] = data["caller_phone"] = ""
        elif not (data.get("caller_phone") or "").strip() and "caller_phone" not in self.errors:
            self.add_error("caller_phone", _("请填写联系电话；匿名举报请勾选“匿名举报”。"))
        if data.get("content"):
            data["title"] = " ".join(data["content"].split())[:30]
        return data


class LookupForm(forms.Form):
    ticket_no = forms.CharField(
        label=gettext_lazy("工单编号"),
        max_length=32,
        help_text=gettext_lazy("如 12345-20261121-000042"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages=_required(gettext_lazy("工单编号")),
    )
    phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        max_length=20,
        help_text=gettext_lazy("提交诉求时留下的电话号码"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages=_required(gettext_lazy("联系电话")),
    )


# ---------------------------------------------------------------- start page


@rule("public")
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    mine = []
    if request.user.is_authenticated:
        mine = list(selectors.tickets_of_caller(request.user)[:20])
    return render(request, "hotline/portal_start.html", {"mine": mine, "lookup": LookupForm()})


# ---------------------------------------------------------------- submit a request


@rule("public")
@require_http_methods(["GET", "POST"])
@rate_limit("ticket_submit")
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        initial = {"idempotency_key": secrets.token_urlsafe(16)}
        person = core_selectors.person_of(request.user)
        if person is not None:
            initial.update(caller_name=person.name, caller_phone=person.phone or "")
        if request.GET.get("type") in TicketType.values:
            initial["ticket_type"] = request.GET["type"]
        form = SubmitForm(initial=initial)
        return render(request, "hotline/portal_submit.html", {"form": form, "errors": []})

    form = SubmitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        user = request.user if request.user.is_authenticated else None
        try:
            ticket = services.ticket_create(
                actor=user,
                source=Source.WEB,
                ticket_type=data["ticket_type"],
                title=data["title"],
                content=data["content"],
                caller_name=data["caller_name"],
                caller_phone=data["caller_phone"],
                anonymous=data["anonymous"],
                confidential=data["confidential"],
                address=data["address"],
                idempotency_key=data["idempotency_key"] if user else "",
                caller_user=user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session[SESSION_SUBMITTED] = ticket.ticket_no
            _unlock(request, ticket.ticket_no)
            return HttpResponseRedirect(reverse("hotline:submitted"))
    context = {"form": form, "errors": error_list(form)}
    return render(request, "hotline/portal_submit.html", context, status=400)


@rule("public")
@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    ticket_no = request.session.get(SESSION_SUBMITTED)
    if not ticket_no:
        return HttpResponseRedirect(reverse("hotline:start"))
    ticket = _unlocked_ticket(request, ticket_no)
    return render(request, "hotline/portal_submitted.html", {"ticket": ticket})


# ---------------------------------------------------------------- look a ticket up


def _unlock(request: HttpRequest, ticket_no: str) -> None:
    unlocked = [n for n in request.session.get(SESSION_UNLOCKED, []) if n != ticket_no]
    request.session[SESSION_UNLOCKED] = ([ticket_no, *unlocked])[:MAX_UNLOCKED]


def _unlocked_ticket(request: HttpRequest, ticket_no: str):
    """The ticket if this browser looked it up (or submitted it), or it is the user's own."""
    ticket_no = ticket_no[:32]
    if ticket_no in request.session.get(SESSION_UNLOCKED, []):
        try:
            return selectors.ticket_public(ticket_no=ticket_no)
        except NotFound:
            raise Http404 from None
    if request.user.is_authenticated:
        for ticket in selectors.tickets_of_caller(request.user).filter(ticket_no=ticket_no):
            return ticket
    raise Http404


@rule("public")
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "hotline/portal_lookup.html", {"form": LookupForm(), "errors": []})
    form = LookupForm(request.POST)
    if form.is_valid():
        ticket_no = form.cleaned_data["ticket_no"].strip().upper()
        try:
            ticket = selectors.ticket_lookup(ticket_no=ticket_no, phone=form.cleaned_data["phone"])
        except (NotFound, DomainError):
            form.add_error(
                "ticket_no",
                _("没有找到与这个电话号码对应的工单，请核对工单编号和电话号码。"),
            )
        else:
            _unlock(request, ticket.ticket_no)
            return HttpResponseRedirect(reverse("hotline:ticket", args=[ticket.ticket_no]))
    context = {"form": form, "errors": error_list(form)}
    return render(request, "hotline/portal_lookup.html", context, status=400)


# The big stages a citizen sees, and what each status means in plain words.
STAGES = [
    ("received", gettext_lazy("已登记")),
    ("dispatched", gettext_lazy("已转办")),
    ("handling", gettext_lazy("办理中")),
    ("replied", gettext_lazy("已答复")),
    ("closed", gettext_lazy("已办结")),
]
STAGE_OF = {
    TicketStatus.RECEIVED: 0,
    TicketStatus.DISPATCHED: 1,
    TicketStatus.RETURN_REQUESTED: 1,
    TicketStatus.HANDLING: 2,
    TicketStatus.REPLIED: 3,
    TicketStatus.CLOSED: 4,
    TicketStatus.MERGED: 4,
}


def plain_progress(ticket) -> str:
    unit = ticket.department.name if ticket.department else _("承办单位")
    status = ticket.status
    if status == TicketStatus.RECEIVED:
        return _("热线已登记您的诉求，正在确定承办单位。")
    if status == TicketStatus.DISPATCHED:
        return _("已转交%(unit)s办理，等待承办单位签收。") % {"unit": unit}
    if status == TicketStatus.RETURN_REQUESTED:
        return _("承办单位正在核实职责，热线中心会尽快确定由哪个单位办理。")
    if status == TicketStatus.HANDLING:
        if ticket.handle_due:
            return _("%(unit)s正在办理，将在 %(due)s 前答复您。") % {
                "unit": unit,
                "due": timezone.localtime(ticket.handle_due).strftime("%Y-%m-%d"),
            }
        return _("%(unit)s正在办理。") % {"unit": unit}
    if status == TicketStatus.REPLIED:
        return _("%(unit)s已答复，热线中心会回访您，了解问题是否解决、您是否满意。") % {
            "unit": unit
        }
    if status == TicketStatus.MERGED:
        return _("您的诉求与相同事项的工单合并办理。")
    if ticket.triage and ticket.triage != "procedure":
        return _("已办结：%(how)s。") % {"how": ticket.get_triage_display()}
    return _("已办结。感谢您的反映。")


@rule("owner")
@require_GET
def ticket_page(request: HttpRequest, ticket_no: str) -> HttpResponse:
    ticket = _unlocked_ticket(request, ticket_no)
    current = STAGE_OF.get(ticket.status, 0)
    stages = [
        {"label": label, "done": i < current, "current": i == current}
        for i, (_key, label) in enumerate(STAGES)
    ]
    context = {
        "ticket": ticket,
        "stages": stages,
        "progress": plain_progress(ticket),
        "timeline": selectors.ticket_timeline(ticket, None),
    }
    return render(request, "hotline/portal_ticket.html", context)
