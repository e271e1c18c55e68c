"""Staff pages of the ratings app: the rectification work list and page (the department's
handlers verify, respond and appeal; supervisors review and re-check appeals), the flagged
ratings review list, window devices (registration, mode) and the counter's "please rate"
push. The rater's identity is never shown here except through the logged contact view."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound
from tongban.core.masking import mask_phone
from tongban.core.models import AccessPurpose, AccessSubject
from tongban.core.permissions import Perm, has_perm, is_staff_member
from tongban.core.personal_data import Subject, person_subject, personal_data_access_record
from tongban.core.ratelimit import client_address

from .. import selectors, services
from ..models import RectificationStatus, ServiceKind
from ..states import RectificationAction, allowed_actions
from . import forms as f

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
    return render(request, "ratings/console_forbidden.html", {"message": message}, status=403)


def _may_see_rectifications(user) -> bool:
    return has_perm(user, Perm.RECTIFICATION_HANDLE) or has_perm(user, Perm.RECTIFICATION_REVIEW)


def _errors(*forms_) -> list[tuple[str, str]]:
    out = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for bound in form:
            for error in bound.errors:
                out.append((f"#{bound.auto_id}", f"{bound.label}：{error}"))
        for error in form.non_field_errors():
            out.append(("#main", str(error)))
    return out


# ---------------------------------------------------------------- rectifications


@rule("perm:rectification.handle|perm:rectification.review")
@require_GET
@staff_view
def rectifications(request: HttpRequest) -> HttpResponse:
    if not _may_see_rectifications(request.user):
        return forbidden(request, _("只有差评整改经办人员和监察督办人员可以查看差评整改。"))
    status = request.GET.get("status", "")
    if status and status not in RectificationStatus.values:
        status = ""
    rows = list(selectors.rectification_work_list(user=request.user, status=status)[:200])
    overdue = {r.pk for r in selectors.overdue_rectifications().filter(pk__in=[r.pk for r in rows])}
    tabs = [("", _("全部")), *list(RectificationStatus.choices)]
    return render(
        request,
        "ratings/console_rectifications.html",
        {
            "rows": rows,
            "overdue": overdue,
            "tabs": tabs,
            "status": status,
            "staff": core_selectors.staff_profile_of(request.user),
        },
    )


def _get(request: HttpRequest, pk: int):
    try:
        return selectors.get_rectification_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _events(r) -> list:
    """The rectification's history, each event with its action's label."""
    events = list(r.events.order_by("seq"))
    labels = dict(RectificationAction.choices)
    for event in events:
        event.action_label = labels.get(event.action, event.action)
    return events


def _page(request: HttpRequest, r, *, forms_: dict | None = None, contact=None, status=200):
    forms_ = forms_ or {}
    can_handle = selectors.can_handle(request.user, r)
    can_review = selectors.can_review(request.user)
    actions = set(allowed_actions(r.status))
    initial = {"version": r.version}
    context = {
        "r": r,
        "rating": r.rating,
        "events": _events(r),
        "can_handle": can_handle,
        "can_review": can_review,
        "verify_form": forms_.get("verify") or f.VerifyForm(initial=initial),
        "respond_form": forms_.get("respond") or f.RespondForm(initial=initial),
        "review_form": forms_.get("review") or f.ReviewForm(initial=initial),
        "appeal_form": forms_.get("appeal") or f.AppealForm(initial=initial),
        "decide_form": forms_.get("decide") or f.AppealDecideForm(initial=initial),
        "show_verify": can_handle and "verify" in actions,
        "show_respond": can_handle and "respond" in actions,
        "show_review": can_review and "approve" in actions,
        "show_appeal": can_handle and "appeal" in actions and not r.appeal_status,
        "show_decide": can_review and r.appeal_status == "pending",
        "contact": contact,
        "errors": _errors(*forms_.values()),
        "kind_label": ServiceKind(r.rating.service_kind).label,
    }
    return render(request, "ratings/console_rectification.html", context, status=status)


@rule("perm:rectification.handle|perm:rectification.review")
@require_GET
@staff_view
def rectification(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _get(request, pk))


ACTIONS = {
    "verify": (f.VerifyForm, services.rectification_verify),
    "respond": (f.RespondForm, services.rectification_respond),
    "review": (f.ReviewForm, services.rectification_review),
    "appeal": (f.AppealForm, services.rectification_appeal),
    "decide": (f.AppealDecideForm, services.rectification_appeal_decide),
}


def _call(action: str, user, pk: int, data: dict):
    common = {"actor": user, "pk": pk, "expected_version": data.pop("version")}
    if action == "verify":
        return services.rectification_verify(note=data["note"], **common)
    if action == "respond":
        return services.rectification_respond(
            outcome=data["outcome"], reply=data["reply"], fix_by=data.get("fix_by"), **common
        )
    if action == "review":
        return services.rectification_review(
            approve=data["decision"] == "approve", note=data.get("note", ""), **common
        )
    if action == "appeal":
        return services.rectification_appeal(reason=data["reason"], **common)
    return services.rectification_appeal_decide(result=data["result"], note=data["note"], **common)


DONE = {
    "verify": _("已记录回访核实情况。"),
    "respond": _("整改答复已提交，等待监察人员审核。"),
    "review": _("审核结果已保存。"),
    "appeal": _("申诉已提交，将由另一名监察人员复核。"),
    "decide": _("复核结论已保存。"),
}


@rule("perm:rectification.handle|perm:rectification.review")
@require_POST
@staff_view
def rectification_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    r = _get(request, pk)
    form = ACTIONS[action][0](request.POST)
    if form.is_valid():
        try:
            _call(action, request.user, r.pk, dict(form.cleaned_data))
        except DomainError as exc:
            if exc.status_code == 403:
                return forbidden(request, exc.message)
            target = exc.field if exc.field in form.fields else None
            form.add_error(target, exc.message)
        else:
            messages.success(request, DONE[action])
            return HttpResponseRedirect(reverse("ratings-console:rectification", args=[r.pk]))
    return _page(request, _get(request, pk), forms_={action: form}, status=422)


@rule("perm:rectification.handle|perm:rectification.review")
@require_POST
@staff_view
def rectification_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Reveal the rater's contact details (logged) — handlers of the department only."""
    r = _get(request, pk)
    try:
        with transaction.atomic():
            contact = services.rectification_contact(actor=request.user, pk=r.pk)
            _contact_access(request, r, contact)
    except DomainError as exc:
        return forbidden(request, exc.message)
    response = _page(request, _get(request, pk), contact=contact)
    response["Cache-Control"] = "no-store"
    return response


CONTACT_REASON = gettext_lazy("差评整改回访")


def _contact_access(request: HttpRequest, r, contact: dict[str, str]) -> None:
    """The full phone shown to the handler is also an entry of the personal-data access log
    (who, whose, why, when) that supervisors query, besides the rectification's own record."""
    if not contact.get("phone"):
        return
    rating = r.rating
    if rating.person_id:
        subject = person_subject(rating.person_id)
    else:
        subject = Subject(
            kind=AccessSubject.TICKET,
            ref=rating.service_ref,
            label=f"{rating.service_ref}（{mask_phone(contact['phone'])}）",
            values={"phone": contact["phone"]},
        )
    personal_data_access_record(
        actor=request.user,
        subject=subject,
        fields=["phone"],
        purpose=AccessPurpose.CONTACT,
        reason=f"{CONTACT_REASON} {rating.service_ref}",
        ip=client_address(request),
    )


# ---------------------------------------------------------------- flagged ratings


@rule("perm:rectification.review")
@require_GET
@staff_view
def flagged(request: HttpRequest) -> HttpResponse:
    if not selectors.can_review(request.user):
        return forbidden(request, _("只有监察督办人员可以核查异常评价。"))
    rows = list(selectors.flagged_ratings().select_related("flag_review")[:200])
    return render(
        request, "ratings/console_flagged.html", {"rows": rows, "form": f.FlagReviewForm()}
    )


@rule("perm:rectification.review")
@require_POST
@staff_view
def flagged_review(request: HttpRequest, rating_id: int) -> HttpResponse:
    if not selectors.can_review(request.user):
        return forbidden(request, _("只有监察督办人员可以核查异常评价。"))
    form = f.FlagReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("核查结论：请选择核查结论。"))
        return HttpResponseRedirect(reverse("ratings-console:flagged"))
    try:
        services.rating_flag_review(
            actor=request.user,
            rating_id=rating_id,
            genuine=form.cleaned_data["genuine"] == "yes",
            note=form.cleaned_data["note"],
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("核查结论已保存。"))
    return HttpResponseRedirect(reverse("ratings-console:flagged"))


# ---------------------------------------------------------------- devices and the counter


@rule("perm:config.manage")
@require_http_methods(["GET", "POST"])
@staff_view
def devices(request: HttpRequest) -> HttpResponse:
    """Window devices: registration and mode, for administrators."""
    if not has_perm(request.user, Perm.CONFIG_MANAGE):
        return forbidden(request, _("只有系统管理员可以管理窗口评价器。"))
    departments = list(core_selectors.departments_list())
    form = f.DeviceRegisterForm(request.POST or None, departments=departments)
    pairing = None
    if request.method == "POST" and form.is_valid():
        department = next(d for d in departments if str(d.pk) == form.cleaned_data["department"])
        try:
            device, token = services.device_register(
                code=form.cleaned_data["code"],
                department=department,
                window=form.cleaned_data["window"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            pairing = {"device": device, "url": services.pairing_url(token)}
            form = f.DeviceRegisterForm(departments=departments)
    return render(
        request,
        "ratings/console_devices.html",
        {
            "devices": list(selectors.devices_of()),
            "form": form,
            "errors": _errors(form),
            "pairing": pairing,
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@rule("perm:config.manage")
@require_POST
@staff_view
def device_mode(request: HttpRequest, code: str) -> HttpResponse:
    try:
        services.device_set_mode(actor=request.user, code=code, mode=request.POST.get("mode", ""))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        if exc.status_code == 403:
            return forbidden(request, exc.message)
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("ratings-console:devices"))


@rule("perm:case.accept")
@require_http_methods(["GET", "POST"])
@staff_view
def counter(request: HttpRequest) -> HttpResponse:
    """The clerk's counter screen: "请您评价本次服务" to the window's device after serving."""
    if not has_perm(request.user, Perm.CASE_ACCEPT):
        return forbidden(request, _("只有窗口工作人员可以推送评价请求。"))
    staff = core_selectors.staff_profile_of(request.user)
    mine = list(selectors.devices_of(department_id=staff.department_id if staff else -1))
    form = f.PushForm(request.POST or None, devices=mine)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("cancel"):
                services.device_request_cancel(
                    actor=request.user, device_code=form.cleaned_data["device"]
                )
                messages.success(request, _("已撤回评价请求。"))
            else:
                services.device_request_push(
                    actor=request.user,
                    device_code=form.cleaned_data["device"],
                    case_no=form.cleaned_data["case_no"],
                )
                messages.success(request, _("已推送到评价器，请群众在评价器上评价。"))
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return HttpResponseRedirect(reverse("ratings-console:counter"))
    rows = [(d, services.pending_request(d)) for d in mine]
    return render(
        request,
        "ratings/console_counter.html",
        {"form": form, "devices": mine, "device_rows": rows, "errors": _errors(form)},
        status=422 if form.is_bound and form.errors else 200,
    )
