"""The self-service terminal (自助终端): a kiosk-mode portal under /kiosk/<terminal>/.

No free browsing: every link and form stays inside the kiosk tree. The visitor identifies with
an ID number and an SMS code; who they are lives in the session only, never as a login, and is
dropped after ``TONGBAN_KIOSK_IDLE_SECONDS`` without a request (a small script also returns an
idle screen to the start page). Elderly mode (长辈版) is the default here.
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tongban.cases.documents import available as notices_available
from tongban.cases.documents import notice_pdf
from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound
from tongban.core.middleware import DISPLAY_MODE_COOKIE

from .. import selectors, services
from . import forms
from .numbers import number_context, take_number

SESSION_KEY = "kiosk_visitor"


def _url(name: str, kiosk, *args) -> str:
    return reverse(f"selfservice:{name}", args=[kiosk.code, *args])


def visitor(request: HttpRequest, kiosk):
    """The identified person at this kiosk, or None (also after the idle limit passed)."""
    data = request.session.get(SESSION_KEY)
    if not data or data.get("kiosk") != kiosk.code:
        return None
    if time.time() - data.get("seen", 0) > settings.TONGBAN_KIOSK_IDLE_SECONDS:
        request.session.pop(SESSION_KEY, None)
        request.kiosk_timed_out = True
        return None
    data["seen"] = time.time()
    request.session[SESSION_KEY] = data
    return selectors.person_by_id(data.get("person"))


def kiosk_view(*, identified: bool = False):
    """Load the terminal (404 when unknown or disabled), default to elderly mode, apply the idle
    limit and, for ``identified`` pages, send an unidentified visitor to identification."""

    def decorate(view):
        @wraps(view)
        def wrapped(request: HttpRequest, kiosk: str, *args, **kwargs) -> HttpResponse:
            try:
                terminal = selectors.kiosk_by_code(kiosk)
            except NotFound:
                raise Http404 from None
            if DISPLAY_MODE_COOKIE not in request.COOKIES:
                request.display_mode = "care"
            request.kiosk = terminal
            request.visitor = visitor(request, terminal)
            if getattr(request, "kiosk_timed_out", False):
                messages.info(request, _("您已长时间未操作，为保护您的信息已自动退出。"))
                return HttpResponseRedirect(_url("kiosk-start", terminal))
            if identified and request.visitor is None:
                target = _url("kiosk-identify", terminal) + "?next=" + request.path
                return HttpResponseRedirect(target)
            response = view(request, terminal, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            return response

        return wrapped

    return decorate


def _render(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    base = {
        "kiosk": request.kiosk,
        "visitor": request.visitor,
        "idle_seconds": settings.TONGBAN_KIOSK_IDLE_SECONDS,
    }
    return render(request, template, {**base, **context}, status=status)


def _safe_next(request: HttpRequest, kiosk) -> str:
    """Only a path inside this kiosk's tree (no free browsing, no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    prefix = _url("kiosk-start", kiosk)
    if target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return _url("kiosk-home", kiosk)


@rule("kiosk")
@kiosk_view()
def start(request: HttpRequest, kiosk) -> HttpResponse:
    return _render(request, "selfservice/kiosk_start.html", {})


@rule("kiosk")
@kiosk_view(identified=True)
def home(request: HttpRequest, kiosk) -> HttpResponse:
    return _render(request, "selfservice/kiosk_start.html", {})


@rule("kiosk")
@kiosk_view()
@require_http_methods(["GET", "POST"])
def identify(request: HttpRequest, kiosk) -> HttpResponse:
    """Step 1: the ID number, a code sent by SMS; step 2: the code."""
    next_url = _safe_next(request, kiosk)
    id_form = forms.IdentifyForm(request.POST if request.method == "POST" else None)
    code_form = forms.CodeForm()
    step = "id"
    sent_to = ""
    if request.method == "POST" and id_form.is_valid():
        id_number = id_form.cleaned_data["id_number"].upper()
        if request.POST.get("action") == "verify":
            step = "code"
            code_form = forms.CodeForm(request.POST)
            if code_form.is_valid():
                try:
                    person = services.kiosk_code_verify(
                        kiosk=kiosk, id_number=id_number, code=code_form.cleaned_data["code"]
                    )
                except DomainError as exc:
                    code_form.add_error("code", exc.message)
                else:
                    request.session.cycle_key()
                    request.session[SESSION_KEY] = {
                        "kiosk": kiosk.code,
                        "person": person.pk,
                        "seen": time.time(),
                    }
                    return HttpResponseRedirect(next_url)
        else:
            try:
                row = services.kiosk_code_send(kiosk=kiosk, id_number=id_number)
            except DomainError as exc:
                id_form.add_error("id_number", exc.message)
            else:
                step = "code"
                sent_to = row.person.masked_phone
    errors = id_form.errors or code_form.errors
    return _render(
        request,
        "selfservice/kiosk_identify.html",
        {
            "id_form": id_form,
            "code_form": code_form,
            "form": code_form if step == "code" else id_form,
            "step": step,
            "sent_to": sent_to,
            "next": next_url,
            "has_errors": bool(errors),
        },
        status=422 if errors else 200,
    )


@rule("kiosk")
@kiosk_view()
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, kiosk) -> HttpResponse:
    """退出: forget the visitor (also the idle script's target, with ?idle=1)."""
    request.session.pop(SESSION_KEY, None)
    request.session.pop("kiosk_numbers", None)
    if request.GET.get("idle"):
        messages.info(request, _("您已长时间未操作，为保护您的信息已自动退出。"))
    return HttpResponseRedirect(_url("kiosk-start", kiosk))


@rule("kiosk")
@kiosk_view(identified=True)
def cases(request: HttpRequest, kiosk) -> HttpResponse:
    rows = list(selectors.kiosk_cases(request.visitor)[:50])
    return _render(request, "selfservice/kiosk_cases.html", {"cases": rows})


def _case_or_404(request, case_no: str):
    try:
        return selectors.kiosk_case(request.visitor, case_no)
    except NotFound:
        raise Http404 from None


@rule("kiosk")
@kiosk_view(identified=True)
def case(request: HttpRequest, kiosk, case_no: str) -> HttpResponse:
    case = _case_or_404(request, case_no)
    return _render(
        request,
        "selfservice/kiosk_case.html",
        {
            "case": case,
            "steps": selectors.kiosk_case_steps(case),
            "notices": notices_available(case),
        },
    )


@rule("kiosk")
@kiosk_view(identified=True)
def receipt(request: HttpRequest, kiosk, case_no: str) -> HttpResponse:
    """A print-friendly receipt (回执) of the case: number, item, dates, status, next step."""
    case = _case_or_404(request, case_no)
    return _render(request, "selfservice/kiosk_receipt.html", {"case": case})


@rule("kiosk")
@kiosk_view(identified=True)
def notice(request: HttpRequest, kiosk, case_no: str, kind: str) -> HttpResponse:
    """The case's existing notice (受理通知书, 决定书 …) as a PDF to print at the terminal."""
    case = _case_or_404(request, case_no)
    try:
        pdf = notice_pdf(case, kind)
    except (KeyError, LookupError):
        raise Http404 from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.case_no}-{kind}.pdf"'
    return response


@rule("kiosk")
@kiosk_view()
@require_http_methods(["GET", "POST"])
def number(request: HttpRequest, kiosk) -> HttpResponse:
    """取号: by window group (walk-in) or by booking code; the identified visitor's ID number
    goes with the number."""
    if request.method == "POST":
        taken, form, error = take_number(request, kiosk)
        if taken is not None:
            numbers = request.session.get("kiosk_numbers", [])
            request.session["kiosk_numbers"] = [*numbers[-9:], taken.pk]
            return HttpResponseRedirect(_url("kiosk-ticket", kiosk, taken.pk))
        return _render(
            request,
            "selfservice/kiosk_number.html",
            {**number_context(kiosk), "booking_form": form, "error": error},
            status=422,
        )
    return _render(
        request,
        "selfservice/kiosk_number.html",
        {**number_context(kiosk), "booking_form": forms.BookingCodeForm(), "error": ""},
    )


@rule("kiosk")
@kiosk_view()
def ticket(request: HttpRequest, kiosk, pk: int) -> HttpResponse:
    """The number just taken, printable; only in the session that took it."""
    if pk not in request.session.get("kiosk_numbers", []):
        raise Http404
    taken = selectors.queue_number(pk)
    if taken is None:
        raise Http404
    return _render(request, "selfservice/kiosk_ticket.html", {"number": taken})


@rule("kiosk")
@kiosk_view()
@require_http_methods(["GET", "POST"])
def pickup(request: HttpRequest, kiosk) -> HttpResponse:
    """自助取件: the pickup code opens the compartment; the case is delivered."""
    form = forms.PickupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            deposit = services.deposit_pickup(code=form.cleaned_data["code"], kiosk_code=kiosk.code)
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            return _render(request, "selfservice/kiosk_pickup_done.html", {"deposit": deposit})
    return _render(
        request,
        "selfservice/kiosk_pickup.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@rule("kiosk")
@kiosk_view(identified=True)
def items(request: HttpRequest, kiosk) -> HttpResponse:
    return _render(request, "selfservice/kiosk_items.html", {"items": selectors.kiosk_items()})


@rule("kiosk")
@kiosk_view(identified=True)
@require_http_methods(["POST"])
def apply(request: HttpRequest, kiosk, item_code: str) -> HttpResponse:
    """自助申办: create and submit the case in one go (materials from e-licences are attached
    automatically, 免证办); when the item still needs something the terminal cannot take,
    nothing is kept and the visitor is sent to a window."""
    allowed = {v.item.implementation_code: v for v in selectors.kiosk_items()}
    version = allowed.get(item_code)
    if version is None:
        raise Http404
    try:
        created = services.kiosk_apply(person=request.visitor, item_code=item_code)
    except DomainError as exc:
        return _render(
            request,
            "selfservice/kiosk_applied.html",
            {"version": version, "error": exc.message},
            status=422,
        )
    return _render(request, "selfservice/kiosk_applied.html", {"version": version, "case": created})
