"""The staff's case pages (工作台): the work queue, the case page and its actions, the files of
a case's materials, and bulk claim/release. The counter (一窗受理) is in ``console_counter``.

Views stay thin: they check who is asking, validate the form, call one service and redirect;
services decide, and their domain errors come back as messages on the page.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongban.catalog import selectors as catalog_selectors
from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.core.errors import CalendarNotCovered, DomainError, NotFound, PermissionDenied
from tongban.core.permissions import Perm, has_perm, is_staff_member
from tongban.core.sendfile import protected_file_response

from .. import queue as work_queue
from .. import selectors, services
from ..models import Channel
from ..services import instant
from ..services.common import StaleCase
from ..states import CaseStatus, TransitionRefused
from . import console_approvals
from . import console_forms as f
from .console_display import action_form, case_context, error_list

LOGIN_URL = reverse_lazy("console:login")


def staff_view(view):
    """Anonymous → the console login; a signed-in non-staff account → 403."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_member(request.user):
            return render(request, "console/not_staff.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def forbidden(request: HttpRequest, message) -> HttpResponse:
    return render(request, "cases/console_forbidden.html", {"message": message}, status=403)


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target.startswith("/console/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _get_case(request: HttpRequest, case_no: str):
    try:
        return selectors.get_case_for_user(user=request.user, case_no=case_no[:32])
    except NotFound:
        raise Http404 from None


# ---------------------------------------------------------------- the work queue


@rule("staff")
@require_GET
@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    filters = work_queue.QueueFilters.from_query(request.GET)
    try:
        page = work_queue.queue_page(request.user, filters)
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    except CalendarNotCovered as exc:
        return render(request, "cases/console_queue.html", {"calendar_error": exc.message})
    filters = page.filters
    items = catalog_selectors.published_versions()
    if not page.all_departments:
        items = items.filter(item__department_id=page.department_id)
    context = {
        "page": page,
        "filters": filters,
        "staff": page.staff,
        "items": items.values_list("item__implementation_code", "name").order_by("name"),
        "departments": core_selectors.departments_list() if page.all_departments else [],
        "channels": Channel.choices,
        "statuses": [(s, CaseStatus(s).label) for s in page.tab.statuses]
        if len(page.tab.statuses) > 1
        else [],
        "cards": work_queue.CARDS if page.tab.due is work_queue.PROMISED else [],
        "groups": [
            {
                "key": key,
                "label": label,
                "count": page.group_counts.get(key, 0),
                "capped": key in page.group_capped,
                "url": "?" + filters.querystring(due="" if filters.due == key else key, page=1),
                "current": filters.due == key,
            }
            for key, label in work_queue.GROUPS
        ]
        if page.group_counts
        else [],
        "tab_links": [
            (t, "?" + filters.querystring(tab=t.key, status="", card="", due="", page=1))
            for t in page.tabs
        ],
        "page_links": _page_links(page),
        "previous_url": "?" + filters.querystring(page=page.number - 1)
        if page.has_previous
        else "",
        "next_url": "?" + filters.querystring(page=page.number + 1) if page.has_next else "",
        "here": request.get_full_path(),
        "count_cap": work_queue.COUNT_CAP,
        "can_bulk": any(row.can_claim or row.can_release for row in page.rows),
        "can_counter": has_perm(request.user, Perm.CASE_ACCEPT),
        "clear_url": "?" + work_queue.QueueFilters(tab=filters.tab).querystring(),
        "filtered": any(
            getattr(filters, name)
            for name in ("q", "item", "status", "card", "due", "channel", "department")
        ),
    }
    return render(request, "cases/console_queue.html", context)


def _page_links(page) -> list[dict]:
    if page.num_pages <= 1:
        return []
    wanted = {1, page.num_pages, page.number - 1, page.number, page.number + 1}
    links, last = [], 0
    for number in sorted(n for n in wanted if 1 <= n <= page.num_pages):
        if number > last + 1:
            links.append({"label": "…", "url": ""})
        links.append(
            {
                "label": str(number),
                "url": "?" + page.filters.querystring(page=number),
                "current": number == page.number,
            }
        )
        last = number
    return links


# ---------------------------------------------------------------- the case page and its actions


@rule("staff")
@require_GET
@staff_view
def case_page(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _get_case(request, case_no)
    context = case_context(request, case, receipt=request.GET.get("receipt") == "1")
    context.update(console_approvals.approval_context(request, case))  # the step page
    return render(request, "cases/console_case.html", context)


def _perform(action: str, user, case, data: dict):
    """Call the one service for ``action``; returns the message to show on success."""
    version = data["expected_version"]
    common = {"actor": user, "case": case, "expected_version": version}
    if action == "human_review_complete":  # 秒批: the row lock stands in for the version
        instant.case_human_review_complete(
            actor=user, case=case, upheld=data["upheld"], opinion=data["opinion"]
        )
        return _("已完成人工复核，结果已告知申请人。")
    if action == "accept":
        services.case_accept(**common)
        return _("已受理，办件已进入实施部门的审查环节。")
    if action == "refuse":
        services.case_refuse(**common, reason=data["reason"])
        return _("已作出不予受理决定。")
    if action == "request_correction":
        services.case_request_correction(**common, missing=data["items"], note=data["note"])
        return _("已一次性告知申请人需要补正的全部内容。")
    if action == "claim":
        services.task_claim(**common)
        return _("已领取该办件的审查任务。")
    if action == "release":
        services.task_release(**common)
        return _("已将审查任务退回任务池。")
    if action == "complete_step":
        services.task_complete(**common, opinion=data["opinion"])
        return _("本环节已办结，办件已转入下一环节。")
    if action in ("approve", "deny"):
        approve = action == "approve"
        reason = data["opinion"] if approve else data["reason"]
        services.case_decide(**common, approve=approve, reason=reason)
        return _("已作出准予许可决定。") if approve else _("已作出不予许可决定。")
    if action == "suspend":
        services.case_suspend(
            **common, kind=data["kind"], reason=data["reason"], expected_days=data["expected_days"]
        )
        return _("办件已进入特别程序，办理期限暂停计算。")
    if action == "resume":
        services.case_resume(**common)
        return _("特别程序已结束，办理期限恢复计算。")
    if action == "extend":
        services.case_extend(**common, reason=data["reason"])
        return _("办理期限已延长 10 个工作日。")
    if action == "issue":
        services.case_issue(**common, result=data["result"])
        return _("已出具办理结果。")
    if action == "deliver":
        services.case_deliver(
            **common,
            method=data["method"],
            carrier=data.get("carrier", ""),
            tracking_no=data.get("tracking_no", ""),
        )
        return _("已登记送达。")
    raise Http404  # pragma: no cover - ACTION_FORMS and this list name the same actions


@rule("staff")
@require_POST
@staff_view
def case_action(request: HttpRequest, case_no: str, action: str) -> HttpResponse:
    case = _get_case(request, case_no)
    if action not in f.ACTION_FORMS:
        raise Http404
    version = catalog_selectors.displayed_version(case.item_version)
    form = action_form(action, case, version, request.POST)
    status = 400
    if form.is_valid():
        try:
            message = _perform(action, request.user, case, form.cleaned_data)
        except (StaleCase, TransitionRefused) as exc:
            # The page was stale: show the case as it is now, with this form bound to the
            # current version, so that a second try is a decision taken on fresh facts.
            data = request.POST.copy()
            data[f"{action}-expected_version"] = str(selectors.current_version(case))
            form = action_form(action, case, version, data)
            form.is_valid()
            form.add_error(None, exc.message)
            status = 409
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
            status = 403
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, message)
            fallback = reverse("cases-console:case", args=[case.case_no])
            return HttpResponseRedirect(safe_next(request, fallback))
    case = _get_case(request, case_no)  # as it is now, for the page around the error
    context = case_context(request, case, failed=(action, form), version=version)
    context.update(console_approvals.approval_context(request, case))
    return render(request, "cases/console_case.html", context, status=status)


@rule("staff")
@require_GET
@staff_view
def material_file(request: HttpRequest, case_no: str, pk: int) -> HttpResponse:
    """A material's file, for staff who may see the case; never a public media address."""
    case = _get_case(request, case_no)
    row = next((m for m in selectors.case_materials(case) if m.pk == pk and m.file), None)
    if row is None:
        raise Http404
    return protected_file_response(
        row.file,
        filename=row.original_name or row.file.name.rsplit("/", 1)[-1],
        content_type=row.content_type,
    )


# ---------------------------------------------------------------- bulk claim / release


@rule("staff")
@require_POST
@staff_view
def bulk(request: HttpRequest) -> HttpResponse:
    """Claim or release several cases' tasks: a confirmation page first, then one service call
    per case; each case that cannot be done is named, the others are done."""
    back = safe_next(request, reverse("cases-console:queue"))
    form = f.BulkForm(request.POST)
    if not form.is_valid():
        for _anchor, text in error_list(form):
            messages.error(request, text)
        return HttpResponseRedirect(back)
    action = form.cleaned_data["action"]
    cases = list(
        selectors.cases_for_user(request.user).filter(case_no__in=form.cleaned_data["cases"])
    )
    if not form.cleaned_data["confirm"]:
        context = {
            "action": action,
            "cases": cases,
            "back": back,
            "action_label": dict(form.fields["action"].choices)[action],
        }
        return render(request, "cases/console_bulk.html", context)
    service = services.task_claim if action == "claim" else services.task_release
    done, failed = [], []
    for case in cases:
        try:
            service(actor=request.user, case=case)
        except DomainError as exc:
            failed.append(f"{case.case_no}：{exc.message}")
        else:
            done.append(case.case_no)
    if done:
        messages.success(
            request,
            _("已处理 %(n)d 件：%(list)s") % {"n": len(done), "list": "、".join(done)},
        )
    for text in failed:
        messages.error(request, text)
    return HttpResponseRedirect(back)
