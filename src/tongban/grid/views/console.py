"""The grid worker's pages (网格员工作台, built for a phone): their grids, reporting an event
with a photo and the position, their events, and the door-side visits (门边办) to make.
Plain forms that work without JavaScript; a small script fills in the position when allowed."""

from __future__ import annotations

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _

from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound
from tongban.core.permissions import Perm, has_perm, is_staff_member
from tongban.hotline.views.error_summary import add_domain_error, error_list

from .. import selectors, services
from ..models import EventResolution, VisitOutcome, VisitStatus
from .forms import EventForm, VisitForm

LOGIN_URL = reverse_lazy("console:login")
PAGE_SIZE = 20


def grid_view(*, report: bool = False):
    """Staff only; grid workers (``report``: only they) or, to read, the hotline centre and
    supervisors. Others get a clear 403 page."""

    def decorate(view):
        @login_required(login_url=LOGIN_URL)
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not is_staff_member(user):
                return render(request, "console/not_staff.html", status=403)
            allowed = has_perm(user, Perm.GRID_REPORT) or (
                not report and selectors.sees_all_grids(user)
            )
            if not allowed:
                if has_perm(user, Perm.GRID_MANAGE) and request.method == "GET":
                    return redirect("grid-console:manage")  # a grid administrator's start
                return render(request, "grid/console_forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


@rule("perm:grid.report|perm:ticket.dispatch|perm:supervision.view")
@grid_view()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    worker = has_perm(user, Perm.GRID_REPORT)
    context = {
        "worker": worker,
        "grids": selectors.grid_summaries(user),
        "open_tasks": selectors.tasks_for_user(user).count(),
        "recent": list(selectors.events_for_user(user)[:5]) if worker else [],
    }
    return render(request, "grid/console_home.html", context)


@rule("perm:grid.report")
@grid_view(report=True)
def event_report(request: HttpRequest) -> HttpResponse:
    grids = selectors.grids_of(request.user)
    if request.method == "POST":
        form = EventForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            photo = d.get("photo")
            try:
                event = services.grid_event_report(
                    actor=request.user,
                    title="",
                    content=d["content"],
                    address=d["address"],
                    ticket_type=d["ticket_type"],
                    latitude=d.get("latitude"),
                    longitude=d.get("longitude"),
                    attachments=[photo] if photo else [],
                    solved_on_spot=d["on_spot"] == "yes",
                    resolution=d.get("resolution") or "",
                    idempotency_key=d.get("key") or "",
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if event.resolution == EventResolution.ON_SPOT:
                    messages.success(request, _("事件已上报并办结（自行处置）。"))
                else:
                    messages.success(request, _("事件已上报，将派给有关单位办理。"))
                return redirect("grid-console:event", ticket_no=event.ticket.ticket_no)
    else:
        form = EventForm(initial={"key": uuid.uuid4().hex})
    errors = error_list(form)
    return render(
        request,
        "grid/console_report.html",
        {"form": form, "errors": errors, "grids": grids},
        status=400 if errors else 200,
    )


@rule("perm:grid.report|perm:ticket.dispatch|perm:supervision.view")
@grid_view()
def event_list(request: HttpRequest) -> HttpResponse:
    grid_code = (request.GET.get("grid") or "")[:32]
    resolution = request.GET.get("resolution") or ""
    if resolution not in EventResolution.values:
        resolution = ""
    qs = selectors.events_for_user(request.user, grid_code=grid_code, resolution=resolution)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "grid/console_events.html",
        {
            "page": page,
            "grids": selectors.visible_grids(request.user).order_by("code"),
            "grid_code": grid_code,
            "resolution": resolution,
            "resolutions": EventResolution.choices,
        },
    )


@rule("perm:grid.report|perm:ticket.dispatch|perm:supervision.view")
@grid_view()
def event_detail(request: HttpRequest, ticket_no: str) -> HttpResponse:
    try:
        event = selectors.get_event_for_user(user=request.user, ticket_no=ticket_no[:32])
    except NotFound:
        raise Http404 from None
    return render(request, "grid/console_event.html", {"event": event, "ticket": event.ticket})


@rule("perm:grid.report|perm:ticket.dispatch|perm:supervision.view")
@grid_view()
def visit_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or VisitStatus.OPEN
    if status not in VisitStatus.values:
        status = VisitStatus.OPEN
    tasks = selectors.tasks_for_user(request.user, status=status)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "grid/console_visits.html",
        {"page": page, "status": status, "statuses": VisitStatus.choices},
    )


@rule("perm:grid.report|perm:ticket.dispatch|perm:supervision.view")
@grid_view()
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        task = selectors.get_task_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    may_record = has_perm(request.user, Perm.GRID_REPORT) and task.status == VisitStatus.OPEN
    if request.method == "POST":
        if not may_record:
            return render(request, "grid/console_forbidden.html", status=403)
        form = VisitForm(request.POST)
        if form.is_valid():
            try:
                services.visit_record(
                    actor=request.user,
                    task_id=task.pk,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data.get("note") or "",
                    expected_version=form.cleaned_data.get("version"),
                )
            except NotFound:
                raise Http404 from None
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if form.cleaned_data["outcome"] == VisitOutcome.SERVED:
                    messages.success(request, _("已记录上门服务，任务完成。"))
                else:
                    messages.success(request, _("已记录本次上门，任务保留待再次上门。"))
                return redirect(reverse("grid-console:visits"))
    else:
        form = VisitForm(initial={"version": task.version})
    errors = error_list(form)
    return render(
        request,
        "grid/console_visit.html",
        {"task": task, "form": form, "errors": errors, "may_record": may_record},
        status=400 if errors else 200,
    )
