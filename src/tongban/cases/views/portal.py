"""The applicant's pages (申报 and 我的办件): start an application from the guide or the situation
wizard, the task list, the form, the materials, check your answers, the confirmation; the list of
one's cases and the case page with its progress; withdrawal and resubmission after a correction.

Plain forms, redirect after a successful post, no JavaScript needed. Writes go through the
services, reads through the selectors; the forms decide every 4xx.
"""

from __future__ import annotations

import functools
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.catalog import selectors as catalog_selectors
from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound, ValidationFailed

from .. import application_form, explanation, selectors
from ..models import Case, MaterialStatus
from ..services import (
    case_create,
    case_material_add,
    case_resubmit,
    case_submit,
    case_withdraw,
)
from ..services.common import StaleCase
from ..services.drafts import case_form_save, case_material_remove
from ..states import CaseAction as A
from ..states import CaseStatus as S
from ..states import TransitionRefused
from . import portal_forms, portal_progress
from .portal_application import Application, application, base_context, formats, limit_mb

WIZARD_KEY = "catalog:answers:item:{code}"
FORM_EDITABLE = frozenset({S.DRAFT, S.CORRECTION_REQUESTED})


def applicant_required(view):
    """Logged in (else the login page) and registered as a person (else a page saying so)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        person = core_selectors.person_of(request.user)
        if person is None:
            return render(request, "cases/portal_no_person.html", status=403)
        request.person = person
        return view(request, *args, **kwargs)

    return wrapped


def _own(request: HttpRequest, case_no: str) -> Case:
    try:
        return selectors.get_own_case(user=request.user, case_no=case_no)
    except NotFound:
        raise Http404 from None


def _url(name: str, case: Case, *args) -> str:
    return reverse(f"cases:{name}", args=[case.case_no, *args])


# ---------------------------------------------------------------- start


@rule("applicant")
@require_http_methods(["GET", "POST"])
@applicant_required
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    """Start from the guide or the wizard's summary: the situation answers come with it."""
    try:
        version = catalog_selectors.get_published_item(code)
    except NotFound:
        raise Http404 from None
    context = {
        "version": version,
        "item": version.item,
        "code": code,
        "formats": formats(),
        "limit_mb": limit_mb(),
    }
    if version.online_depth == "offline":
        return render(request, "cases/portal_not_online.html", context)
    answers = request.session.get(WIZARD_KEY.format(code=code), {})
    answers = dict(answers) if isinstance(answers, dict) else {}
    try:
        result = catalog_selectors.materials_for(version, answers)
    except ValidationFailed:
        return HttpResponseRedirect(reverse("catalog:item-start", args=[code]))
    person = request.person
    kind = version.applicant_kind
    enterprises = list(core_selectors.enterprises_for(request.user)) if kind != "person" else []
    if kind == "enterprise" and not enterprises:
        return render(request, "cases/portal_needs_enterprise.html", context)
    allow_self = kind != "enterprise"
    form = portal_forms.StartForm(
        request.POST if request.method == "POST" else None,
        person=person,
        enterprises=enterprises,
        allow_self=allow_self,
        initial={"key": uuid.uuid4().hex},
    )
    errors: list[tuple[str, str]] = []
    if form.is_valid():
        enterprise = form.enterprise()
        fields = application_form.fields_of(version)
        try:
            case = case_create(
                actor=request.user,
                item_code=code,
                applicant=person,
                enterprise=enterprise,
                channel="web",
                answers=answers,
                form_data=application_form.prefill(fields, person=person, enterprise=enterprise),
                idempotency_key=form.cleaned_data["key"] or None,
            )
        except DomainError as exc:
            errors.append(("#start", exc.message))
        else:
            return HttpResponseRedirect(_url("tasks", case))
    elif form.is_bound:
        errors += [("#id_applicant_as_0", e) for e in form.errors.get("applicant_as", [])]
        if form.errors.get("key"):
            errors.append(("#start", str(_("页面已过期，请重新点击“开始申报”。"))))
    drafts = [
        c
        for c in selectors.applicant_cases(request.user, drafts=True)
        if c.item_version.item_id == version.item_id
    ]
    return render(
        request,
        "cases/portal_start.html",
        {
            **context,
            "form": form,
            "errors": errors,
            "result": result,
            "show_choice": len(form.fields["applicant_as"].choices) > 1,
            "only_applicant": enterprises[0].name if not allow_self else person.name,
            "drafts": drafts,
            "wizard_url": reverse("catalog:item-start", args=[code]),
            "has_questions": bool(result.path),
        },
        status=400 if errors else 200,
    )


# ---------------------------------------------------------------- task list


def _draft_or_redirect(request: HttpRequest, case_no: str):
    case = _own(request, case_no)
    if case.status != S.DRAFT:
        return case, HttpResponseRedirect(_url("case", case))
    return case, None


@rule("owner")
@require_GET
@applicant_required
def tasks(request: HttpRequest, case_no: str) -> HttpResponse:
    case, redirect = _draft_or_redirect(request, case_no)
    if redirect:
        return redirect
    app = application(case)
    form_done = not app.missing_fields
    materials_done = not app.missing_materials
    return render(
        request,
        "cases/portal_tasks.html",
        {
            **base_context(app),
            "form_done": form_done,
            "materials_done": materials_done,
            "done_count": int(form_done) + int(materials_done),
            "form_url": _url("form", case),
            "handled": sum(1 for m in app.materials if m.done),
        },
    )


# ---------------------------------------------------------------- the application form


def _next_after(app: Application, code: str | None) -> str:
    case = app.case
    if case.status != S.DRAFT:
        return _url("materials", case)
    if code is not None and app.one_per_page:
        codes = [f.code for f in app.asked]
        following = codes[codes.index(code) + 1 :] if code in codes else []
        if following:
            return _url("form-field", case, following[0])
    return _url("tasks", case)


@rule("owner")
@require_http_methods(["GET", "POST"])
@applicant_required
def form_page(request: HttpRequest, case_no: str, field: str | None = None) -> HttpResponse:
    """The application form: one question per page when it asks few things, else one page."""
    case = _own(request, case_no)
    if case.status not in FORM_EDITABLE:
        return HttpResponseRedirect(_url("case", case))
    app = application(case)
    to_check = request.GET.get("next") == "check" and case.status == S.DRAFT
    if app.one_per_page and field is None:
        if not app.asked:
            return HttpResponseRedirect(_url("tasks", case))
        first = app.missing_fields[0] if app.missing_fields else app.asked[0]
        return HttpResponseRedirect(_url("form-field", case, first.code))
    if not app.one_per_page and field is not None:
        return HttpResponseRedirect(_url("form", case) + f"#id_{field}")
    specs = app.asked
    if field is not None:
        specs = [f for f in app.asked if f.code == field]
        if not specs:
            raise Http404
    form = portal_forms.FieldsForm(
        request.POST if request.method == "POST" else None,
        fields=specs,
        initial={f.code: app.values.get(f.code, "") for f in specs},
    )
    errors: list[tuple[str, str]] = []
    if form.is_valid():
        try:
            case_form_save(
                actor=request.user,
                case=case,
                values={f.code: form.cleaned_data.get(f.code, "") for f in specs},
            )
        except DomainError as exc:
            errors.append((f"#id_{exc.field or specs[0].code}", exc.message))
        else:
            if to_check:
                return HttpResponseRedirect(_url("check", case))
            return HttpResponseRedirect(_next_after(app, field))
    if form.is_bound:
        for spec in specs:
            for error in form.errors.get(spec.code, []):
                anchor = f"#id_{spec.code}" + ("_0" if spec.type == "choice" else "")
                errors.append((anchor, f"{spec.label}：{error}"))
    if field is not None:
        codes = [f.code for f in app.asked]
        index = codes.index(field)
        back = _url("form-field", case, codes[index - 1]) if index else _url("tasks", case)
    else:
        index, back = 0, _url("tasks", case)
    if to_check:
        back = _url("check", case)
    if case.status != S.DRAFT:
        back = _url("materials", case)
    return render(
        request,
        "cases/portal_form.html",
        {
            **base_context(app),
            "form": form,
            "errors": errors,
            "single": specs[0] if field is not None else None,
            "question_no": index + 1,
            "question_count": len(app.asked),
            "back_url": back,
            "to_check": to_check,
        },
        status=400 if errors else 200,
    )


# ---------------------------------------------------------------- materials


def _materials_response(request, app: Application, *, errors=None, status=200) -> HttpResponse:
    case = app.case
    correction = None
    if case.status == S.CORRECTION_REQUESTED:
        events = selectors.applicant_timeline(case)
        correction = portal_progress.correction(events)
    return render(
        request,
        "cases/portal_materials.html",
        {
            **base_context(app),
            "errors": errors or [],
            "correction": correction,
            "upload_form": portal_forms.UploadForm(),
            "is_draft": case.status == S.DRAFT,
        },
        status=status,
    )


@rule("owner")
@require_GET
@applicant_required
def materials(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _own(request, case_no)
    app = application(case)
    if case.status != S.DRAFT and not any(m.can_upload for m in app.materials):
        return HttpResponseRedirect(_url("case", case))
    return _materials_response(request, app)


def _read_upload(upload) -> bytes:
    """At most one byte over the limit: a larger file is refused without reading all of it."""
    limit = limit_mb() * 1024 * 1024
    return upload.read(limit + 1)


@rule("owner")
@require_POST
@applicant_required
def material_add(request: HttpRequest, case_no: str, seq: int) -> HttpResponse:
    """One material: upload a file, or give it as an e-licence, 容缺后补 or 告知承诺."""
    case = _own(request, case_no)
    app = application(case)
    row = next((m for m in app.materials if m.material.seq == seq), None)
    if row is None:
        raise Http404
    choosing = "way" in request.POST
    if not (row.can_choose if choosing else row.can_upload):
        messages.error(request, _("“%(m)s”现在不能再修改。") % {"m": row.material.name})
        return HttpResponseRedirect(_url("case", case))
    status, name, data, note = MaterialStatus.PROVIDED, "", None, ""
    if choosing:
        form = portal_forms.MaterialWayForm(request.POST)
        if not form.is_valid():
            row.way_error = next(iter(form.errors.values()))[0]
            return _materials_response(
                request,
                app,
                errors=[(f"#{row.anchor}-ways", _named(row, row.way_error))],
                status=400,
            )
        status = form.cleaned_data["way"]
        if status == MaterialStatus.COMMITMENT:
            note = str(_commitment_text(row.material.name))
    else:
        form = portal_forms.UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            row.error = next(iter(form.errors.values()))[0]
            return _materials_response(
                request, app, errors=[(f"#{row.anchor}-file", _named(row, row.error))], status=400
            )
        upload = form.cleaned_data["file"]
        name, data = upload.name, _read_upload(upload)
    try:
        case_material_add(
            actor=request.user, case=case, seq=seq, status=status, name=name, data=data, note=note
        )
    except DomainError as exc:
        target = f"#{row.anchor}-ways" if choosing else f"#{row.anchor}-file"
        if choosing:
            row.way_error = exc.message
        else:
            row.error = exc.message
        return _materials_response(
            request, app, errors=[(target, _named(row, exc.message))], status=400
        )
    if choosing:
        messages.success(
            request,
            _("“%(m)s”：已选择%(way)s。")
            % {"m": row.material.name, "way": MaterialStatus(status).label},
        )
    else:
        messages.success(request, _("“%(m)s”：文件已上传。") % {"m": row.material.name})
    return HttpResponseRedirect(_url("materials", case) + f"#{row.anchor}")


def _named(row, message) -> str:
    """The error summary names the material: “近期免冠照片：只接受 …” (the service's message
    without its “文件：” prefix, which only makes sense beside the file input)."""
    text = str(message)
    prefix = str(_("文件："))
    if text.startswith(prefix):
        text = text[len(prefix) :]
    name = row.material.name
    return text if name in text else f"{name}：{text}"


def _commitment_text(name: str):
    return _(
        "本人承诺已具备“%(m)s”所证明的条件，所述情况真实；愿意接受事中事后核查，"
        "承诺不实的，依法撤销审批决定并承担相应法律责任。"
    ) % {"m": name}


@rule("owner")
@require_POST
@applicant_required
def material_remove(request: HttpRequest, case_no: str, pk: int) -> HttpResponse:
    case = _own(request, case_no)
    try:
        case_material_remove(actor=request.user, case=case, material_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(_url("case", case))
    messages.success(request, _("已删除。"))
    return HttpResponseRedirect(_url("materials", case))


# ---------------------------------------------------------------- check your answers, submit


@rule("owner")
@require_http_methods(["GET", "POST"])
@applicant_required
def check(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _own(request, case_no)
    if case.status != S.DRAFT:
        # a second click on 提交 lands on the confirmation, never on an error
        target = "confirmation" if case.status == S.SUBMITTED else "case"
        return HttpResponseRedirect(_url(target, case))
    app = application(case)
    form = portal_forms.DeclarationForm(request.POST if request.method == "POST" else None)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        for f in app.missing_fields:
            target = _url("form-field", case, f.code) if app.one_per_page else _url("form", case)
            errors.append((target + "?next=check", f"{f.label}：{portal_forms.REQUIRED}"))
        for m in app.missing_materials:
            errors.append(
                (
                    _url("materials", case) + f"#{m.anchor}",
                    _("还没有提交“%(m)s”。") % {"m": m.material.name},
                )
            )
        if not form.is_valid():
            errors.append(("#id_declaration", form.errors["declaration"][0]))
        if not errors:
            try:
                case_submit(actor=request.user, case=case)
            except DomainError as exc:
                errors.append(("#id_declaration", exc.message))
            else:
                return HttpResponseRedirect(_url("confirmation", case))
    return render(
        request,
        "cases/portal_check.html",
        {**base_context(app), "form": form, "errors": errors},
        status=400 if errors else 200,
    )


@rule("owner")
@require_GET
@applicant_required
def confirmation(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _own(request, case_no)
    if case.status == S.DRAFT:
        return HttpResponseRedirect(_url("tasks", case))
    events = selectors.applicant_timeline(case)
    clock, clock_error = portal_progress.safe_clock(case, events)
    return render(
        request,
        "cases/portal_confirmation.html",
        {
            "case": case,
            "version": case.item_version,
            "clock": clock,
            "clock_error": clock_error,
            # 秒批: decided by the rules in the submitting request
            "automatic": case.status in (S.APPROVED, S.ISSUED, S.DELIVERED)
            and any(e.action == A.APPROVE and e.actor_label == "system" for e in events),
        },
    )


# ---------------------------------------------------------------- 我的办件 and the case page


@rule("applicant")
@require_GET
@applicant_required
def my_cases(request: HttpRequest) -> HttpResponse:
    drafts = list(selectors.applicant_cases(request.user, drafts=True))
    page = Paginator(selectors.applicant_cases(request.user, drafts=False), 20).get_page(
        request.GET.get("page")
    )
    rows = [(c, portal_progress.owes(c, c.materials.all())) for c in page.object_list]
    return render(
        request,
        "cases/portal_my_cases.html",
        {"drafts": drafts, "page": page, "rows": rows},
    )


@rule("owner")
@require_GET
@applicant_required
def case_page(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _own(request, case_no)
    if case.status == S.DRAFT:
        return HttpResponseRedirect(_url("tasks", case))
    events = selectors.applicant_timeline(case)
    clock, clock_error = portal_progress.safe_clock(case, events)
    rows = selectors.case_materials(case)
    names = {m.seq: m.name for m in case.item_version.materials.all()}
    step_names = {s["code"]: s["name"] for s in selectors.review_steps(case)}
    last = {e.action: e for e in events}
    owed_ids = (
        portal_progress.outstanding_deferred(case, rows)
        if case.status in portal_progress.DEFERRED_OPEN
        else set()
    )
    return render(
        request,
        "cases/portal_case.html",
        {
            "case": case,
            "version": case.item_version,
            "steps": portal_progress.steps(case, events, clock=clock),
            "timeline": portal_progress.timeline(
                case, events, viewer=request.user, material_names=names, step_names=step_names
            ),
            "deadlines": portal_progress.deadlines(case, clock, suspension=last.get(A.SUSPEND)),
            "clock_error": clock_error,
            "correction": portal_progress.correction(events)
            if case.status == S.CORRECTION_REQUESTED
            else None,
            "can_resubmit": portal_progress.changed_since_correction(events),
            "owed": [r for r in rows if r.material_id in owed_ids and r.status == "deferred"],
            "rows": rows,
            "decision": last.get(A.DENY) or last.get(A.APPROVE),
            "refusal": last.get(A.REFUSE) if case.status in (S.NOT_ACCEPTED,) else None,
            "delivery": last.get(A.DELIVER),
            "delivery_lines": portal_progress.delivery_lines(last[A.DELIVER].payload)
            if A.DELIVER in last
            else [],
            "can_withdraw": case.status in portal_progress.WITHDRAWABLE,
            "notices": portal_progress.notices(case, events),
            "submitted_on": portal_progress.business_day(case.received_at),
            **explanation.applicant_context(case, events, viewer=request.user),  # 秒批
        },
    )


@rule("owner")
@require_POST
@applicant_required
def resubmit(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _own(request, case_no)
    if case.status != S.CORRECTION_REQUESTED:
        return HttpResponseRedirect(_url("case", case))
    events = selectors.applicant_timeline(case)
    if not portal_progress.changed_since_correction(events):
        messages.error(request, _("请先按补正告知补充材料或修改申请表，再重新提交。"))
        return HttpResponseRedirect(_url("materials", case))
    try:
        case_resubmit(actor=request.user, case=case)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新提交，部门会尽快审查补正的材料。"))
    return HttpResponseRedirect(_url("case", case))


@rule("owner")
@require_http_methods(["GET", "POST"])
@applicant_required
def withdraw(request: HttpRequest, case_no: str) -> HttpResponse:
    """Asks first; withdrawing is final (the applicant may apply again later)."""
    case = _own(request, case_no)
    if case.status not in portal_progress.WITHDRAWABLE:
        return HttpResponseRedirect(_url("case", case))
    form = portal_forms.WithdrawForm(request.POST if request.method == "POST" else None)
    errors: list[tuple[str, str]] = []
    if form.is_valid():
        try:
            case_withdraw(
                actor=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                expected_version=_int(request.POST.get("version")),
            )
        except (StaleCase, TransitionRefused):
            current = _own(request, case_no)
            messages.error(
                request,
                _("办件的状态已经变为“%(s)s”，请查看最新进度后再决定是否撤回。")
                % {"s": current.get_status_display()},
            )
            return HttpResponseRedirect(_url("case", current))
        except DomainError as exc:
            errors.append(("#id_reason", exc.message))
        else:
            messages.success(request, _("申请已撤回。"))
            return HttpResponseRedirect(_url("case", case))
    elif form.is_bound:
        errors += [("#id_reason", e) for e in form.errors.get("reason", [])]
    back = _url("tasks", case) if case.status == S.DRAFT else _url("case", case)
    return render(
        request,
        "cases/portal_withdraw.html",
        {
            "case": case,
            "version": case.item_version,
            "form": form,
            "errors": errors,
            "back_url": back,
        },
        status=400 if errors else 200,
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
