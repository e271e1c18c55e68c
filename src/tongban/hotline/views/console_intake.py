"""The operator's intake page (接听登记): one screen, keyboard first.

The operator types while the caller talks; the page searches the knowledge base, looks for
similar open tickets (possible duplicates) and resolves the address to its street, live (htmx
fragments, each also a plain GET). One save records the call with its triage outcome
(国办函〔2025〕66号): by procedure the ticket goes on to dispatch; every other outcome closes it
at intake in the same transaction.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core.access import rule
from tongban.core.errors import DomainError, PermissionDenied
from tongban.core.permissions import Perm
from tongban.core.ratelimit import client_address

from .. import dispatch, personal_data, selectors, services, suggestions
from ..states import TicketStatus, TriageOutcome
from .console import add_domain_error, error_list, htmx_partial, require
from .console_forms import TRIAGE_HINTS, IntakeForm

SHORTCUTS = [
    ("Alt + 1 … 6", gettext_lazy("选择分办结果（1 按程序办理 … 6 移交公安）")),
    ("Ctrl + Enter", gettext_lazy("保存工单")),
    ("Alt + K", gettext_lazy("检索知识库")),
    ("Alt + L", gettext_lazy("填写事发地址")),
    ("Alt + S", gettext_lazy("选择诉求分类")),
    ("Alt + J", gettext_lazy("跳到智能分类建议（↑ ↓ 切换，Enter 选用）")),
]
SUGGEST_FIELDS = ("title", "content")
# Suggestions start once the title and content hold this many characters.
MIN_SUGGEST_CHARS = 4


def _intake_context(request: HttpRequest, form: IntakeForm) -> dict:
    for name in SUGGEST_FIELDS:  # what the subject suggestions read as the operator types
        form.fields[name].widget.attrs["data-suggest"] = ""
    triage = []
    for n, option in enumerate(form["triage"], start=1):
        triage.append({"option": option, "key": n, "hint": TRIAGE_HINTS.get(option.data["value"])})
    return {
        "form": form,
        "errors": error_list(form),
        "triage": triage,
        "subjects": selectors.subjects_search("", limit=500),
        "shortcuts": SHORTCUTS,
    }


@rule("perm:ticket.create")
@require_http_methods(["GET", "POST"])
@require(Perm.TICKET_CREATE)
def intake(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        initial = {"idempotency_key": secrets.token_urlsafe(16)}
        # The call-back of a missed call: its id travels in the URL, never the number, which
        # is filled in here and the view recorded in the personal-data access log.
        missed = request.GET.get("missed", "")
        if missed.isdigit() and len(missed) < 12:
            call = personal_data.missed_call_for_callback(
                actor=request.user, call_id=int(missed), ip=client_address(request)
            )
            if call is not None:
                initial.update(missed_call=call.pk, caller_phone=call.phone)
        form = IntakeForm(initial=initial)
        response = render(request, "hotline/console_intake.html", _intake_context(request, form))
        if "caller_phone" in initial:
            response["Cache-Control"] = "no-store"  # a full number (logged) in the page
        return response

    form = IntakeForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        outcome = data["triage"]
        try:
            ticket = services.ticket_create(
                actor=request.user,
                source=data["source"],
                ticket_type=data["ticket_type"],
                title=data["title"],
                content=data["content"],
                caller_name="" if data["anonymous"] else data["caller_name"],
                caller_phone="" if data["anonymous"] else data["caller_phone"],
                anonymous=data["anonymous"],
                confidential=data["confidential"],
                address=data["address"],
                urgency=data["urgency"],
                hazard=data["hazard"] or "",
                subject_code=data["subject_code"],
                idempotency_key=data["idempotency_key"] or "",
                triage=outcome,
                triage_note=form.closing_note() if outcome != TriageOutcome.PROCEDURE else "",
                article_id=data.get("article_id"),
            )
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
            status = 403
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if data.get("missed_call"):
                _resolve_missed_call(request, data["missed_call"], ticket)
            return _after_save(request, ticket)
    return render(
        request, "hotline/console_intake.html", _intake_context(request, form), status=status
    )


def _resolve_missed_call(request: HttpRequest, call_id: int, ticket) -> None:
    """The call-back of a missed call became this ticket: mark the call as called back."""
    try:
        services.missed_call_resolve(
            call_id, actor=request.user, outcome="called_back", ticket_no=ticket.ticket_no
        )
    except DomainError as exc:
        messages.warning(
            request, _("工单已登记，但漏接来电未能标记为已回拨：%(e)s") % {"e": exc.message}
        )


def _after_save(request: HttpRequest, ticket) -> HttpResponse:
    page = reverse("hotline-console:ticket", args=[ticket.ticket_no])
    if ticket.status == TicketStatus.CLOSED:
        messages.success(
            request,
            _("工单 %(no)s 已登记并办结（%(outcome)s）。可以接听下一个来电。")
            % {"no": ticket.ticket_no, "outcome": ticket.get_triage_display()},
        )
        return HttpResponseRedirect(reverse("hotline-console:intake"))
    if ticket.auto_dispatched:
        messages.success(
            request,
            _("工单 %(no)s 已登记，并已秒派至%(unit)s。")
            % {"no": ticket.ticket_no, "unit": ticket.department or _("属地街道")},
        )
        return HttpResponseRedirect(reverse("hotline-console:intake"))
    messages.success(request, _("工单 %(no)s 已登记，请确认派单。") % {"no": ticket.ticket_no})
    return HttpResponseRedirect(page + "#panel-dispatch")


# ---------------------------------------------------------------- live fragments (htmx)


@rule("perm:ticket.create|perm:ticket.dispatch")
@require_http_methods(["GET", "POST"])
@require(Perm.TICKET_CREATE, Perm.TICKET_DISPATCH)
def similar(request: HttpRequest) -> HttpResponse:
    """Open tickets like the one being typed: same phone, or similar text and address. The
    intake page posts what is typed; the caller's phone is read from a POST only, so a phone
    number never travels in a URL (browser history, proxies' logs)."""
    data = request.POST if request.method == "POST" else request.GET
    text = " ".join(data.get(k, "")[:2000] for k in ("title", "content")).strip()
    phone = request.POST.get("caller_phone", "")[:20].strip()
    address = data.get("address", "")[:200].strip()
    rows = []
    if len(text) >= 4 or len(phone) >= 7 or len(address) >= 4:
        rows = selectors.similar_open_tickets(text=text, address=address, phone=phone, limit=5)
    response = render(request, "hotline/console_part_similar.html", {"rows": rows})
    return htmx_partial(response)


@rule("perm:ticket.create|perm:ticket.dispatch")
@require_GET
@require(Perm.TICKET_CREATE, Perm.TICKET_DISPATCH)
def subject_suggestions(request: HttpRequest) -> HttpResponse:
    """The classifier's three best subjects for the title and content typed so far, each with
    its confidence and the unit the dispatch catalogue sends it to (属地 with the street the
    address resolves to). Without an active model the panel says so."""
    title = request.GET.get("title", "")[:128].strip()
    content = request.GET.get("content", "")[:5000].strip()
    ticket_type = request.GET.get("ticket_type", "")[:16]
    address = request.GET.get("address", "")[:200].strip()
    region = street = None
    if address:
        region, street = selectors.locality_preview(address)
    scored = None
    typed = len(title) + len(content) >= MIN_SUGGEST_CHARS
    if typed:
        scored = suggestions.score(
            title, content, ticket_type=ticket_type, region=region, street=street
        )
    context = {
        "typed": typed,
        "active": scored is not None or (not typed and suggestions.model_active()),
        "scored": scored,
        "street": street,
        "threshold": dispatch.auto_dispatch_confidence(),
    }
    return htmx_partial(render(request, "hotline/console_part_subject_suggestions.html", context))


@rule("perm:ticket.create|perm:ticket.dispatch")
@require_GET
@require(Perm.TICKET_CREATE, Perm.TICKET_DISPATCH)
def locality(request: HttpRequest) -> HttpResponse:
    """The street and community the address resolves to, or 需人工确认属地."""
    address = request.GET.get("address", "")[:200].strip()
    region = street = None
    if address:
        region, street = selectors.locality_preview(address)
    context = {"address": address, "region": region, "street": street}
    return htmx_partial(render(request, "hotline/console_part_locality.html", context))
