"""Grid management (网格管理, ``grid.manage``): the list of grids, creating a grid, editing one
(name, communities, boundary, in use) and assigning or taking off its grid workers, with the
grid's change history. Plain forms; a refusal shows the form again with an error summary and
the message beside the field, and changes nothing."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound
from tongban.core.permissions import Perm, has_perm, is_staff_member
from tongban.hotline.views.error_summary import add_domain_error, error_list

from .. import selectors, services
from .forms import GridForm, WorkerForm, boundary_text

LOGIN_URL = reverse_lazy("console:login")


def manager_view(view):
    """Staff with ``grid.manage`` only; others get a clear 403 page."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_member(request.user):
            return render(request, "console/not_staff.html", status=403)
        if not has_perm(request.user, Perm.GRID_MANAGE):
            return render(request, "grid/console_forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


@rule("perm:grid.manage")
@manager_view
def grid_list(request: HttpRequest) -> HttpResponse:
    return render(request, "grid/manage_list.html", {"grids": selectors.grids_for_management()})


def _grid_form(data=None, *, initial=None, street_code: str | None = None, editing=False):
    return GridForm(
        data,
        initial=initial,
        streets=selectors.street_choices(),
        communities=selectors.community_choices(street_code),
        editing=editing,
    )


@rule("perm:grid.manage")
@require_http_methods(["GET", "POST"])
@manager_view
def grid_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = _grid_form(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            street = next(iter(selectors.regions_by_code([d["street"]])), None)
            try:
                grid = services.grid_create(
                    actor=request.user,
                    code=d["code"],
                    name=d["name"],
                    street=street,
                    communities=selectors.regions_by_code(d["communities"]),
                    boundary=d["boundary"],
                )
                if not d["is_active"]:
                    grid = services.grid_update(
                        actor=request.user,
                        code=grid.code,
                        name=grid.name,
                        communities=selectors.regions_by_code(d["communities"]),
                        boundary=grid.boundary,
                        is_active=False,
                    )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("网格已创建，请为它分配网格员。"))
                return redirect("grid-console:manage-grid", code=grid.code)
    else:
        form = _grid_form(initial={"is_active": True})
    errors = error_list(form)
    return render(
        request,
        "grid/manage_form.html",
        {"form": form, "errors": errors, "grid": None},
        status=400 if errors else 200,
    )


def _worker_choices(grid) -> list[tuple[str, str]]:
    assigned = {a.worker_id for a in grid.assignments.all()}
    return [
        (str(u.pk), f"{u.display_name or u.username}（{u.username}）")
        for u in selectors.grid_workers()
        if u.pk not in assigned
    ]


def _grid_page(request, grid, *, form=None, worker_form=None, status=200):
    form = form or _grid_form(
        initial={
            "name": grid.name,
            "communities": [c.code for c in grid.communities.all()],
            "boundary": boundary_text(grid.boundary),
            "is_active": grid.is_active,
        },
        street_code=grid.street.code,
        editing=True,
    )
    worker_form = worker_form or WorkerForm(workers=_worker_choices(grid))
    errors = error_list(form, worker_form)
    return render(
        request,
        "grid/manage_form.html",
        {
            "grid": grid,
            "form": form,
            "worker_form": worker_form,
            "errors": errors,
            "changes": selectors.grid_changes(grid),
        },
        status=status,
    )


def _get(code: str):
    try:
        return selectors.grid_for_management(code[:32])
    except NotFound:
        raise Http404 from None


@rule("perm:grid.manage")
@require_http_methods(["GET", "POST"])
@manager_view
def grid_edit(request: HttpRequest, code: str) -> HttpResponse:
    grid = _get(code)
    if request.method == "GET":
        return _grid_page(request, grid)
    form = _grid_form(request.POST, street_code=grid.street.code, editing=True)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.grid_update(
                actor=request.user,
                code=grid.code,
                name=d["name"],
                communities=selectors.regions_by_code(d["communities"]),
                boundary=d["boundary"],
                is_active=d["is_active"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("网格已保存。"))
            return redirect("grid-console:manage-grid", code=grid.code)
    return _grid_page(request, grid, form=form, status=400)


@rule("perm:grid.manage")
@require_POST
@manager_view
def worker_assign(request: HttpRequest, code: str) -> HttpResponse:
    grid = _get(code)
    form = WorkerForm(request.POST, workers=_worker_choices(grid))
    if form.is_valid():
        worker = selectors.staff_user(int(form.cleaned_data["worker"]))
        try:
            services.grid_worker_assign(grid=grid, worker=worker, actor=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已将 %(name)s 分配到此网格。") % {"name": worker})
            return redirect("grid-console:manage-grid", code=grid.code)
    return _grid_page(request, grid, worker_form=form, status=400)


@rule("perm:grid.manage")
@require_POST
@manager_view
def worker_unassign(request: HttpRequest, code: str, worker_id: int) -> HttpResponse:
    grid = _get(code)
    worker = selectors.staff_user(worker_id)
    if worker is None:
        raise Http404
    try:
        services.grid_worker_unassign(grid=grid, worker=worker, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已将 %(name)s 移出此网格。") % {"name": worker})
    return redirect("grid-console:manage-grid", code=grid.code)
