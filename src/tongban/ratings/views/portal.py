"""The applicant's rating pages: the web page (own case or ticket, in the applicant's session),
the SMS link page (signed, single-use, expiring) and the window device's kiosk page.

Plain forms, redirect after a successful post, no JavaScript needed. A staff session is refused
on every one of them: staff can never rate for the applicant.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core.access import rule
from tongban.core.errors import DomainError
from tongban.core.permissions import is_staff_member
from tongban.core.ratelimit import rate_limit

from .. import selectors, service_events, services
from ..errors import RatingErrorCode
from ..models import Level, ServiceKind
from ..services.ratings import question_set_for, scope_of_event
from .forms import DeviceRatingForm, RatingForm

DEVICE_COOKIE = "tongban_rating_device"
DEVICE_COOKIE_DAYS = 365
WEB_KINDS = (ServiceKind.CASE, ServiceKind.TICKET)


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _staff_refused(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ratings/portal_refused.html",
        {
            "title": _("工作人员不能评价"),
            "message": _(
                "工作人员账号不能评价：评价只能由办事群众本人作出。"
                "请退出工作人员账号后，由申请人本人登录或使用短信评价链接。"
            ),
        },
        status=403,
    )


def _errors(form) -> list[tuple[str, str]]:
    out = []
    for bound in form:
        for error in bound.errors:
            radio = bound.name == "level" or bound.name.startswith("q_")
            anchor = f"{bound.auto_id}_0" if radio else bound.auto_id
            out.append((f"#{anchor}", f"{bound.label}：{error}"))
    for error in form.non_field_errors():
        out.append(("#id_level_0", str(error)))
    return out


def _add_domain_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else "level"
    if exc.field and exc.field.startswith("q_") and exc.field in form.fields:
        field = exc.field
    form.add_error(field if exc.field else None, exc.message)


def _form_page(request, *, template: str, form, context: dict, status: int = 200):
    errors = _errors(form) if form.is_bound else []
    return render(
        request,
        template,
        {"form": form, "errors": errors, "levels": Level.choices, **context},
        status=422 if errors else status,
    )


# ---------------------------------------------------------------- web (the applicant's session)


@rule("owner")
@require_http_methods(["GET", "POST"])
@rate_limit("rating")
def rate(request: HttpRequest, kind: str, ref: str) -> HttpResponse:
    """评价 (or 追评) one concluded service of the signed-in applicant."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if is_staff_member(request.user):
        return _staff_refused(request)
    if kind not in WEB_KINDS:
        raise Http404
    event = service_events.resolve(kind, ref)
    if event is None or request.user.pk not in event.applicant_user_ids:
        raise Http404
    existing = selectors.ratings_of_service(service_kind=kind, service_ref=event.ref)
    context = {"event": event, "existing": existing, "kind_label": ServiceKind(kind).label}
    if not event.concluded:
        return render(request, "ratings/portal_not_yet.html", context, status=409)
    if len(existing) >= 2:
        return render(request, "ratings/portal_done.html", context)
    question_set = question_set_for(scope_of_event(event, "web"))
    form = RatingForm(request.POST or None, question_set=question_set)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_submit_web(
                user=request.user,
                kind=kind,
                ref=event.ref,
                level=form.cleaned_data["level"],
                answers=form.answers(),
                reasons=form.cleaned_data["reasons"],
                comment=form.cleaned_data["comment"],
                address=client_address(request),
            )
        except DomainError as exc:
            if exc.code in (RatingErrorCode.ALREADY_RATED, RatingErrorCode.FOLLOW_UP_EXISTS):
                return render(
                    request, "ratings/portal_refused.html", {"message": exc.message}, status=409
                )
            _add_domain_error(form, exc)
        else:
            return HttpResponseRedirect(reverse("ratings:thanks"))
    context["follow_up"] = bool(existing)
    return _form_page(request, template="ratings/portal_rate.html", form=form, context=context)


@rule("public")
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "ratings/portal_thanks.html")


# ---------------------------------------------------------------- SMS link


@rule("token")
@require_http_methods(["GET", "POST"])
@rate_limit("rating")
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The page an SMS rating link opens; no login needed, the signed link is the key."""
    if is_staff_member(request.user):
        return _staff_refused(request)
    try:
        _link, event = services.link_open(token=token)
    except DomainError as exc:
        return render(
            request,
            "ratings/portal_refused.html",
            {"title": _("无法评价"), "message": exc.message},
            status=404 if exc.code == RatingErrorCode.LINK_INVALID else 410,
        )
    question_set = question_set_for(scope_of_event(event, "sms"))
    form = RatingForm(request.POST or None, question_set=question_set)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_submit_link(
                token=token,
                user=request.user,
                level=form.cleaned_data["level"],
                answers=form.answers(),
                reasons=form.cleaned_data["reasons"],
                comment=form.cleaned_data["comment"],
                address=client_address(request),
            )
        except DomainError as exc:
            if exc.field is None:
                return render(
                    request, "ratings/portal_refused.html", {"message": exc.message}, status=409
                )
            _add_domain_error(form, exc)
        else:
            return HttpResponseRedirect(reverse("ratings:thanks"))
    context = {"event": event, "existing": [], "kind_label": ServiceKind(event.kind).label}
    return _form_page(request, template="ratings/portal_rate.html", form=form, context=context)


# ---------------------------------------------------------------- window device (kiosk)


@rule("token|staff")
@require_GET
def device_pair(request: HttpRequest, token: str) -> HttpResponse:
    """Pair this browser with a registered device: the token goes into a cookie, then the
    kiosk page."""
    try:
        services.device_by_token(token)
    except DomainError as exc:
        return render(request, "ratings/portal_refused.html", {"message": exc.message}, status=403)
    response = HttpResponseRedirect(reverse("ratings:device"))
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure(),
    )
    return response


@rule("device")
@require_http_methods(["GET", "POST"])
def device(request: HttpRequest) -> HttpResponse:
    """The kiosk page on the window's device: five big buttons when a service waits for its
    rating, a welcome screen (refreshing itself) otherwise."""
    if is_staff_member(request.user):
        return _staff_refused(request)
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        dev = services.device_by_token(token)
    except DomainError as exc:
        return render(request, "ratings/portal_refused.html", {"message": exc.message}, status=403)
    message = ""
    status = 200
    if request.method == "POST":
        form = DeviceRatingForm(request.POST)
        if form.is_valid():
            try:
                services.rating_submit_device(
                    device_token=token,
                    user=request.user,
                    level=form.cleaned_data["level"],
                    address=client_address(request),
                )
            except DomainError as exc:
                message, status = exc.message, exc.status_code
            else:
                return HttpResponseRedirect(reverse("ratings:device") + "?done=1")
        else:
            message, status = _("请选择满意程度。"), 422
    pending = services.pending_request(dev) if dev.mode == "applicant" else None
    return render(
        request,
        "ratings/portal_device.html",
        {
            "device": dev,
            "pending": pending,
            "levels": Level.choices,
            "message": message,
            "done": request.GET.get("done") == "1" and pending is None,
            "staff_mode": dev.mode != "applicant",
        },
        status=status,
    )
