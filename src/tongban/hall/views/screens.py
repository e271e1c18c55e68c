"""Hall screens: the waiting-area screen (numbers being called and where, waiting counts) and
the per-window screen (clerk's name and photo, the current number). They update live by htmx
polling of a small partial every second (no inline script: CSP-safe); without JavaScript the
page refreshes itself every 10 seconds. The rating device page for the window's tablet is
here too: it shows the five levels for exactly the service just finished."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core.access import rule
from tongban.core.errors import DomainError
from tongban.core.permissions import is_staff_member
from tongban.ratings.models import Level
from tongban.ratings.services import device_by_token, pending_request, rating_submit_device
from tongban.ratings.views.portal import DEVICE_COOKIE

from .. import selectors, services
from ..models import Window

POLL_SECONDS = 1


def _hall_or_404(code: str):
    hall = selectors.hall_by_code(code)
    if hall is None:
        raise Http404
    return hall


def _screen_context(hall) -> dict:
    now = timezone.now()
    calls = selectors.recent_calls(hall, limit=9)
    return {
        "hall": hall,
        "latest": calls[0] if calls else None,
        "calls": calls[1:],
        "summary": services.waiting_summary(hall, now=now),
        "now": now,
        "open_now": services.is_open(hall, now),
        "poll": POLL_SECONDS,
    }


def _partial(response: HttpResponse) -> HttpResponse:
    response["Vary"] = "HX-Request"
    response["Cache-Control"] = "no-store"
    return response


@rule("public")
@require_GET
def hall_screen(request: HttpRequest, code: str) -> HttpResponse:
    hall = _hall_or_404(code)
    return render(request, "hall/screen_hall.html", _screen_context(hall))


@rule("public")
@require_GET
def hall_screen_live(request: HttpRequest, code: str) -> HttpResponse:
    hall = _hall_or_404(code)
    return _partial(render(request, "hall/screen_hall_live.html", _screen_context(hall)))


def _window_or_404(hall, number: int) -> Window:
    window = (
        Window.objects.filter(hall=hall, number=number, is_active=True)
        .select_related("clerk")
        .first()
    )
    if window is None:
        raise Http404
    return window


@rule("public")
@require_GET
def window_screen(request: HttpRequest, code: str, number: int) -> HttpResponse:
    hall = _hall_or_404(code)
    context = selectors.window_screen(_window_or_404(hall, number))
    context.update(hall=hall, poll=POLL_SECONDS)
    return render(request, "hall/screen_window.html", context)


@rule("public")
@require_GET
def window_screen_live(request: HttpRequest, code: str, number: int) -> HttpResponse:
    hall = _hall_or_404(code)
    context = selectors.window_screen(_window_or_404(hall, number))
    context.update(hall=hall, poll=POLL_SECONDS)
    return _partial(render(request, "hall/screen_window_live.html", context))


@rule("public")
@require_GET
def clerk_photo(request: HttpRequest, user_id: int) -> HttpResponse:
    """The photo of a clerk signed in at a window (shown on the window screen: 亮证上岗)."""
    photo = selectors.clerk_photo(user_id)
    if photo is None:
        raise Http404
    content_type = "image/svg+xml" if photo.photo.name.endswith(".svg") else None
    response = FileResponse(photo.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=300"
    return response


# ---------------------------------------------------------------- window rating device


@rule("device")
@require_http_methods(["GET", "POST"])
def device(request: HttpRequest) -> HttpResponse:
    """评价器: the tablet at the window (paired through the ratings app's device pairing link).
    After the clerk finishes a number it shows the number, the window and the clerk, and the
    five levels; one tap rates that one service. A staff session can never rate."""
    if is_staff_member(request.user):
        return render(
            request,
            "hall/portal_refused.html",
            {"message": _("工作人员账号不能评价：评价只能由办事群众本人作出。")},
            status=403,
        )
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        dev = device_by_token(token)
    except DomainError as exc:
        return render(request, "hall/portal_refused.html", {"message": exc.message}, status=403)
    message, status = "", 200
    if request.method == "POST":
        level = request.POST.get("level", "")
        try:
            rating_submit_device(
                device_token=token,
                user=request.user,
                level=level,
                address=request.META.get("REMOTE_ADDR", ""),
            )
        except DomainError as exc:
            message, status = exc.message, exc.status_code
        else:
            return HttpResponseRedirect(reverse("hall:device") + "?done=1")
    pending = pending_request(dev) if dev.mode == "applicant" else None
    number = selectors.number_for_rating_ref(pending.service_ref) if pending else None
    context = {
        "device": dev,
        "pending": pending,
        "number": number,
        "clerk_name": (number.clerk.display_name or number.clerk.username)
        if number and number.clerk
        else "",
        "levels": Level.choices,
        "message": message,
        "done": request.GET.get("done") == "1" and pending is None,
        "staff_mode": dev.mode != "applicant",
        "display_mode": "care",
    }
    return render(request, "hall/device.html", context, status=status)
