"""Staff pages of the hall: the hall overview (windows, who is signed in, waiting counts), a
window's calling page (sign in, call next, recall, start, skip, transfer, finish, call back a
skipped number) and the day's bookings. Thin views: form → permission → one service."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core.access import rule
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name, mask_phone
from tongban.core.permissions import Perm, has_perm, is_staff_member
from tongban.core.workdays import business_date

from .. import selectors, services
from ..forms import FinishForm, TransferForm
from ..models import Window

LOGIN_URL = reverse_lazy("console:login")


def hall_staff_view(view):
    """Anonymous → the console login; non-staff or staff without hall.call → 403."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_member(request.user):
            return render(request, "console/not_staff.html", status=403)
        if not has_perm(request.user, Perm.HALL_CALL):
            return render(
                request,
                "hall/console_forbidden.html",
                {"message": _("只有大厅窗口工作人员可以使用叫号和预约名单。")},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


@rule("perm:hall.call")
@require_GET
@hall_staff_view
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = []
    for hall in selectors.active_halls():
        rows.append(
            {
                "hall": hall,
                "windows": selectors.windows_overview(hall),
                "summary": services.waiting_summary(hall, now=now),
                "durations": services.serving_durations(hall, business_date(now)),
                "open_now": services.is_open(hall, now),
            }
        )
    return render(
        request,
        "hall/console_home.html",
        {"rows": rows, "my_window": selectors.window_for_clerk(request.user)},
    )


ACTIONS = {
    "sign_in": services.window_sign_in,
    "sign_out": services.window_sign_out,
    "call_next": services.number_call_next,
    "recall": services.number_recall,
    "start": services.number_start,
    "skip": services.number_skip,
}


@rule("perm:hall.call")
@require_http_methods(["GET", "POST"])
@hall_staff_view
def window(request: HttpRequest, pk: int) -> HttpResponse:
    win = (
        Window.objects.filter(pk=pk, is_active=True)
        .select_related("hall", "clerk", "rating_device")
        .first()
    )
    if win is None:
        raise Http404
    groups = selectors.groups_of(win.hall)
    current = services.current_number(win)
    transfer_form = TransferForm(
        request.POST if request.POST.get("action") == "transfer" else None,
        groups=[g for g in groups if current is None or g.pk != current.group_id],
    )
    finish_form = FinishForm(request.POST if request.POST.get("action") == "finish" else None)
    error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ACTIONS:
                done = ACTIONS[action](window=win, actor=request.user)
            elif action == "call_group":
                done = services.number_call_next(
                    window=win, actor=request.user, group_code=request.POST.get("group_code", "")
                )
            elif action == "call_number":
                try:
                    number_id = int(request.POST.get("number_id", ""))
                except ValueError:
                    raise Http404 from None
                done = services.number_call(window=win, actor=request.user, number_id=number_id)
            elif action == "transfer":
                if not transfer_form.is_valid():
                    raise _FormInvalid
                done = services.number_transfer(
                    window=win,
                    actor=request.user,
                    group_code=transfer_form.cleaned_data["group_code"],
                    reason=transfer_form.cleaned_data["reason"],
                )
            elif action == "finish":
                if not finish_form.is_valid():
                    raise _FormInvalid
                done = services.number_finish(
                    window=win, actor=request.user, case_no=finish_form.cleaned_data["case_no"]
                )
            else:
                error, status = _("未知的操作。"), 400
                done = None
        except _FormInvalid:
            status = 422
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            if done is not None:
                messages.success(request, _message(action, done))
                return HttpResponseRedirect(reverse("hall-console:window", args=[win.pk]))
    win.refresh_from_db()
    now = timezone.now()
    context = {
        "win": win,
        "current": services.current_number(win),
        "mine": win.clerk_id == request.user.pk,
        "waiting": selectors.waiting_list(win, now=now),
        "skipped": selectors.skipped_today(win, now=now),
        "summary": [
            row
            for row in services.waiting_summary(win.hall, now=now)
            if row["group_id"] in {g.pk for g in win.groups.all()}
        ],
        "win_groups": list(win.groups.all()),
        "transfer_form": transfer_form,
        "finish_form": finish_form,
        "error": error,
    }
    return render(request, "hall/console_window.html", context, status=status)


class _FormInvalid(Exception):
    pass


def _message(action: str, result) -> str:
    if isinstance(result, Window):
        return _("已在%(w)s签到。") % {"w": result.label} if result.clerk_id else _("已签退。")
    texts = {
        "call_next": _("正在呼叫 %(n)s。"),
        "call_group": _("正在呼叫 %(n)s。"),
        "call_number": _("正在呼叫 %(n)s。"),
        "recall": _("已再次呼叫 %(n)s。"),
        "start": _("%(n)s 开始办理。"),
        "skip": _("%(n)s 已过号。"),
        "transfer": _("%(n)s 已转到 %(g)s 类，排在该类最前。"),
        "finish": _("%(n)s 已办结，评价器已请群众评价。"),
    }
    text = texts.get(action, _("已完成。"))
    if action == "finish" and not result.rating_ref:
        text = _("%(n)s 已办结。")
    return text % {"n": result.number, "g": result.group.code}


@rule("perm:hall.call")
@require_GET
@hall_staff_view
def bookings(request: HttpRequest, code: str) -> HttpResponse:
    hall = selectors.hall_by_code(code)
    if hall is None:
        raise Http404
    today = business_date(timezone.now())
    try:
        day = (
            dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else today
        )
    except ValueError:
        day = today
    full = has_perm(request.user, Perm.IDENTITY_VIEW_FULL)
    rows = [
        {
            "booking": b,
            "name": b.person.name if full else mask_name(b.person.name),
            # masked; 「查看完整信息」 (the person's, logged) for staff who need the number
            "phone": mask_phone(b.person.phone),
        }
        for b in selectors.day_bookings(hall, day)
    ]
    return render(
        request,
        "hall/console_bookings.html",
        {
            "hall": hall,
            "day": day,
            "rows": rows,
            "counts": selectors.day_booking_counts(hall, day),
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "today": today,
        },
    )
