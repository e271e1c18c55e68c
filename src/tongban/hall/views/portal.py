"""The hall's applicant pages: hall guide, booking (预约), my bookings, reschedule and cancel,
the take-a-number kiosk page (取号) and the ticket page. Plain forms, redirect after post; the
kiosk pages are elderly-friendly (large type) by default."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.cases.selectors import get_own_case
from tongban.core.access import rule
from tongban.core.errors import CalendarNotCovered, DomainError
from tongban.core.workdays import business_date

from .. import selectors, services
from ..errors import SlotUnavailable
from ..forms import BookingForm, RescheduleForm, TakeByCodeForm, TakeByIdForm
from ..models import BookingStatus, Channel
from ..services.hours import last_bookable_day, periods_of, slots_of_day, week_hours
from ..services.numbers import group_by_code, group_for_item

TICKET_SALT = "tongban.hall.ticket"


def _hall_or_404(code: str):
    hall = selectors.hall_by_code(code)
    if hall is None:
        raise Http404
    return hall


def _kiosk(context: dict, request: HttpRequest) -> dict:
    """Kiosk pages use the large elderly mode unless the visitor switched to the standard one."""
    context["display_mode"] = (
        "standard" if request.COOKIES.get("tongban_mode") == "standard" else "care"
    )
    return context


def _days(hall, now: dt.datetime) -> list[tuple[dt.date, str]]:
    out = []
    day = business_date(now)
    while day <= last_bookable_day(hall, now):
        try:
            label = "" if periods_of(hall, day) else _("（不开放）")
        except CalendarNotCovered:
            break
        out.append((day, label))
        day += dt.timedelta(days=1)
    return out


def _group_and_item(hall, what: str):
    kind, _sep, code = (what or "").partition(":")
    if kind == "i":
        return {"item_code": code}
    if kind == "g":
        return {"group_code": code}
    return {}


def _slot_choices(hall, what: str, day: dt.date | None, now: dt.datetime):
    args = _group_and_item(hall, what)
    if not args or day is None:
        return []
    try:
        if "item_code" in args:
            group = group_for_item(hall, args["item_code"])
        else:
            group = group_by_code(hall, args["group_code"])
        slots = slots_of_day(group, day, now=now)
    except (DomainError, CalendarNotCovered):
        return []
    return [
        (
            f"{s.start:%H:%M}",
            _("%(start)s–%(end)s（余 %(free)s 个）")
            % {"start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}", "free": s.free}
            if s.free
            else _("%(start)s–%(end)s（已约满）")
            % {"start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}"},
        )
        for s in slots
    ]


def _errors(form) -> list[tuple[str, str]]:
    out = []
    for bound in form:
        for error in bound.errors:
            anchor = f"{bound.auto_id}_0" if bound.name == "slot" else bound.auto_id
            out.append((f"#{anchor}", f"{bound.label}：{error}"))
    for error in form.non_field_errors():
        out.append(("#main", str(error)))
    return out


# ---------------------------------------------------------------- guide


@rule("public")
@require_GET
def halls(request: HttpRequest) -> HttpResponse:
    rows = []
    now = timezone.now()
    for hall in selectors.active_halls():
        rows.append(
            {
                "hall": hall,
                "hours": week_hours(hall),
                "open_now": services.is_open(hall, now),
                "waiting": services.waiting_summary(hall, now=now),
            }
        )
    return render(request, "hall/portal_halls.html", {"rows": rows})


# ---------------------------------------------------------------- booking


def _person_or_login(request: HttpRequest):
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    person = selectors.person_of(request.user)
    if person is None:
        return None, render(request, "hall/portal_no_person.html", status=403)
    return person, None


@rule("applicant")
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, code: str) -> HttpResponse:
    hall = _hall_or_404(code)
    person, refusal = _person_or_login(request)
    if refusal:
        return refusal
    now = timezone.now()
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "what" in request.GET else None)
    )
    days = _days(hall, now)
    case_no = ((data or {}).get("case") or request.GET.get("case") or "").strip()[:32]
    case = None
    if case_no:  # a case that needs a visit (originals to show, a result to collect)
        try:
            case = get_own_case(user=request.user, case_no=case_no)
        except DomainError:
            raise Http404 from None
    what = (data or {}).get("what", "") or (
        f"i:{case.item_version.item.implementation_code}" if case else ""
    )
    try:
        day = dt.date.fromisoformat((data or {}).get("date", ""))
    except ValueError:
        day = days[0][0] if days else None
    slots = _slot_choices(hall, what, day, now)
    form = BookingForm(
        data,
        what_choices=selectors.bookable_choices(hall),
        days=days,
        slots=slots,
        initial={"what": what},
    )
    next_slots = []
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["slot"] is None:
            form.add_error("slot", _("请选择一个时段。"))
        else:
            try:
                booking = services.booking_create(
                    hall=hall,
                    person=person,
                    user=request.user,
                    date=form.cleaned_data["date"],
                    start=form.cleaned_data["slot"],
                    case_no=case.case_no if case else "",
                    **_group_and_item(hall, form.cleaned_data["what"]),
                )
            except SlotUnavailable as exc:
                form.add_error("slot", exc.message)
                next_slots = exc.next_slots
            except DomainError as exc:
                form.add_error(
                    exc.field if exc.field in ("what", "date", "slot") else None, exc.message
                )
            else:
                return HttpResponseRedirect(reverse("hall:booking", args=[booking.code]) + "?new=1")
    errors = _errors(form) if form.is_bound and request.method == "POST" else []
    return render(
        request,
        "hall/portal_book.html",
        {
            "hall": hall,
            "form": form,
            "errors": errors,
            "show_slots": bool(what and day),
            "case": case,
            "next_slots": next_slots,
            "hours": week_hours(hall),
        },
        status=422 if errors else 200,
    )


@rule("applicant")
@require_GET
def my_bookings(request: HttpRequest) -> HttpResponse:
    person, refusal = _person_or_login(request)
    if refusal:
        return refusal
    rows = list(selectors.bookings_of(person)[:50])
    return render(
        request,
        "hall/portal_bookings.html",
        {"bookings": rows, "no_shows": services.no_show_count(person)},
    )


@rule("owner")
@require_GET
def booking(request: HttpRequest, code: str) -> HttpResponse:
    person, refusal = _person_or_login(request)
    if refusal:
        return refusal
    try:
        item = services.get_booking_for_person(person=person, code=code)
    except DomainError:
        raise Http404 from None
    return render(
        request,
        "hall/portal_booking.html",
        {
            "booking": item,
            "new": request.GET.get("new") == "1",
            "active": item.status == BookingStatus.BOOKED,
        },
    )


@rule("owner")
@require_POST
def booking_cancel(request: HttpRequest, code: str) -> HttpResponse:
    person, refusal = _person_or_login(request)
    if refusal:
        return refusal
    try:
        item = services.get_booking_for_person(person=person, code=code)
    except DomainError:
        raise Http404 from None
    try:
        services.booking_cancel(booking=item, user=request.user)
    except DomainError as exc:
        return render(request, "hall/portal_refused.html", {"message": exc.message}, status=409)
    return HttpResponseRedirect(reverse("hall:booking", args=[item.code]))


@rule("owner")
@require_http_methods(["GET", "POST"])
def booking_reschedule(request: HttpRequest, code: str) -> HttpResponse:
    person, refusal = _person_or_login(request)
    if refusal:
        return refusal
    try:
        item = services.get_booking_for_person(person=person, code=code)
    except DomainError:
        raise Http404 from None
    if item.status != BookingStatus.BOOKED:
        return render(
            request,
            "hall/portal_refused.html",
            {"message": _("该预约%(status)s，不能改约。") % {"status": item.get_status_display()}},
            status=409,
        )
    now = timezone.now()
    hall = item.hall
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "date" in request.GET else None)
    )
    days = _days(hall, now)
    try:
        day = dt.date.fromisoformat((data or {}).get("date", ""))
    except ValueError:
        day = item.date
    slots = _slot_choices(hall, f"g:{item.group.code}", day, now)
    form = RescheduleForm(data, days=days, slots=slots, initial={"date": item.date.isoformat()})
    next_slots = []
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["slot"] is None:
            form.add_error("slot", _("请选择一个时段。"))
        else:
            try:
                services.booking_reschedule(
                    booking=item,
                    date=form.cleaned_data["date"],
                    start=form.cleaned_data["slot"],
                    user=request.user,
                )
            except SlotUnavailable as exc:
                form.add_error("slot", exc.message)
                next_slots = exc.next_slots
            except DomainError as exc:
                form.add_error("slot" if exc.field == "slot" else None, exc.message)
            else:
                return HttpResponseRedirect(reverse("hall:booking", args=[item.code]))
    errors = _errors(form) if request.method == "POST" else []
    return render(
        request,
        "hall/portal_reschedule.html",
        {
            "booking": item,
            "form": form,
            "errors": errors,
            "next_slots": next_slots,
            "show_slots": day is not None,
        },
        status=422 if errors else 200,
    )


# ---------------------------------------------------------------- kiosk: take a number


def ticket_token(number_id: int) -> str:
    return signing.dumps(number_id, salt=TICKET_SALT)


@rule("public")
@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, code: str) -> HttpResponse:
    """The hall's take-a-number kiosk page (取号): by booking code, by ID number, or by item."""
    hall = _hall_or_404(code)
    by_code = TakeByCodeForm(request.POST if request.POST.get("way") == "code" else None)
    by_id = TakeByIdForm(request.POST if request.POST.get("way") == "id" else None)
    message = ""
    status = 200
    if request.method == "POST":
        way = request.POST.get("way")
        args: dict = {}
        form = None
        if way == "code":
            form = by_code
            if form.is_valid():
                args = {"booking_code": form.cleaned_data["booking_code"]}
        elif way == "id":
            form = by_id
            if form.is_valid():
                args = {"id_number": form.cleaned_data["id_number"]}
        elif way == "what":
            args = _group_and_item(hall, request.POST.get("what", ""))
            if not args:
                message, status = _("请选择要办理的业务。"), 422
        else:
            message, status = _("请选择取号方式。"), 422
        if args:
            try:
                number = services.number_take(
                    hall=hall, channel=request.POST.get("channel") or Channel.KIOSK, **args
                )
            except DomainError as exc:
                if form is not None and exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    message = exc.message
                status = exc.status_code if exc.status_code != 400 else 422
            else:
                return HttpResponseRedirect(
                    reverse("hall:ticket", args=[hall.code, ticket_token(number.pk)])
                )
        elif form is not None and not form.is_valid():
            status = 422
    errors = []
    for form in (by_code, by_id):
        if form.is_bound:
            errors += _errors(form)
    if message:
        errors.append(("#take-what", message))
    now = timezone.now()
    context = {
        "hall": hall,
        "by_code": by_code,
        "by_id": by_id,
        "choices": [
            {
                "value": f"g:{row['code']}",
                "label": f"{row['code']} · {row['name']}",
                "waiting": row["waiting"],
                "minutes": row["estimated_wait_minutes"],
            }
            for row in services.waiting_summary(hall, now=now)
        ],
        "errors": errors,
        "message": message,
        "open_now": services.is_open(hall, now),
        "opens_at": services.next_opening(hall, now),
    }
    return render(request, "hall/kiosk_take.html", _kiosk(context, request), status=status)


@rule("token")
@require_GET
def ticket(request: HttpRequest, code: str, token: str) -> HttpResponse:
    hall = _hall_or_404(code)
    try:
        number_id = signing.loads(token, salt=TICKET_SALT, max_age=86400)
    except signing.BadSignature:
        raise Http404 from None
    number = selectors.number_in_hall(hall, number_id)
    if number is None:
        raise Http404
    summary = {row["code"]: row for row in services.waiting_summary(hall)}.get(
        number.group.code, {}
    )
    ahead = services.position_of(number)
    minutes = 0
    if summary:
        per = summary["average_minutes"] / max(summary["windows"], 1)
        minutes = round(ahead * per)
    context = {"hall": hall, "number": number, "ahead": ahead, "minutes": minutes}
    return render(request, "hall/kiosk_ticket.html", _kiosk(context, request))
