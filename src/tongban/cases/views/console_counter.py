"""Counter acceptance (一窗受理): a window clerk finds or registers the applicant, picks the item,
answers the situation questions, ticks the materials received and accepts — one page that
grows step by step, and works without JavaScript.

Steps live in the address (``?person=…&item=…&ans_<question>=<option>``); the ID number is
only ever posted, never put in an address. The last step creates, submits and accepts the case
in one transaction and lands on the case page with the acceptance receipt.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tongban.catalog import search as catalog_search
from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.situations import walk
from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound, ValidationFailed
from tongban.core.masking import mask_id_number
from tongban.core.permissions import Perm, has_perm
from tongban.core.services import person_register

from .. import application_form, selectors, services
from ..models import Channel, MaterialStatus
from ..services import commitments, deferrals, licensing
from ..states import CaseStatus
from ..uploads import check_upload, undo_on_failure
from . import console_forms as f
from .console import forbidden, staff_view
from .console_display import error_list

ANSWER_PREFIX = "ans_"
METHODS = {
    "paper": (MaterialStatus.PAPER, _("窗口收取纸质件")),
    "upload": (MaterialStatus.PROVIDED, _("上传扫描件")),
    "licence": (MaterialStatus.LICENCE, _("电子证照")),
    "deferred": (MaterialStatus.DEFERRED, _("容缺后补")),
    "commitment": (MaterialStatus.COMMITMENT, _("告知承诺替代")),
    "none": ("", _("未提供")),
}


class MaterialsForm(forms.Form):
    """How each material was received, the scans, and the application form's open fields."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    credit_code = forms.CharField(
        label=_("申请单位统一社会信用代码"), required=False, max_length=32
    )

    # [B] 告知承诺: the applicant signs the item's commitment text at the window
    sign = forms.BooleanField(
        label=_("申请人已阅读告知承诺书并当场签署"),
        required=False,
    )

    def __init__(self, *args, needs, fields, enterprise_kind: str, barred=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs, self.form_fields = needs, fields
        if enterprise_kind == "person":
            del self.fields["credit_code"]
        elif enterprise_kind == "enterprise":
            self.fields["credit_code"].required = True
            self.fields["credit_code"].error_messages["required"] = _(
                "本事项由单位申请，请填写申请单位的统一社会信用代码。"
            )
        for need in needs:
            m = need.material
            choices = ["paper", "upload"]
            if m.licence_type:
                choices.insert(0, "licence")
            if m.deferrable:
                choices.append("deferred")
            if m.commitment_replaceable and not barred:
                choices.append("commitment")
            if not need.required:
                choices.append("none")
            self.fields[f"m_{m.seq}"] = forms.ChoiceField(
                label=m.name,
                choices=[(c, METHODS[c][1]) for c in choices],
                initial=choices[0] if need.required else "none",
                widget=forms.RadioSelect,
                error_messages={"required": _("请选择收取方式。")},
            )
            self.fields[f"f_{m.seq}"] = forms.FileField(
                label=_("%(m)s 扫描件") % {"m": m.name}, required=False
            )
        for spec in fields:
            self.fields[f"fd_{spec.code}"] = forms.CharField(
                label=spec.label,
                required=spec.required,
                max_length=2000,
                help_text=spec.help_text,
                widget=forms.Textarea(attrs={"rows": 3})
                if spec.type == "textarea"
                else forms.TextInput(attrs={"type": "date"} if spec.type == "date" else {}),
                error_messages=f.required(spec.label),
            )

    def clean(self):
        data = super().clean()
        data["uploads"] = {}
        for need in self.needs:
            seq = need.material.seq
            if data.get(f"m_{seq}") != "upload":
                continue
            upload = data.get(f"f_{seq}")
            if not upload:
                self.add_error(f"f_{seq}", _("选择了上传扫描件，请选择文件。"))
                continue
            content = upload.read()
            try:
                check_upload(upload.name, content)
            except ValidationFailed as exc:
                self.add_error(f"f_{seq}", exc.message)
            else:
                data["uploads"][seq] = (upload.name, content)
        committed = any(data.get(f"m_{n.material.seq}") == "commitment" for n in self.needs)
        if committed and not data.get("sign"):
            self.add_error("sign", _("选择告知承诺替代的，须申请人阅读并签署告知承诺书后勾选。"))
        data["form_data"] = {}
        for spec in self.form_fields:
            name = f"fd_{spec.code}"
            try:
                value = application_form.clean_value(spec, data.get(name, ""))
            except ValidationFailed as exc:
                self.add_error(name, exc.message)
            else:
                if value:
                    data["form_data"][spec.code] = value
        return data


@dataclass
class Step:
    """Where the clerk is: the applicant, the item, the answers and what is still to do."""

    person: object | None = None
    version: object | None = None
    answers: dict | None = None
    path: list | None = None
    next_question: object | None = None
    needs: list | None = None
    error: str = ""


def _answers(data) -> dict[str, str]:
    return {
        k[len(ANSWER_PREFIX) :][:40]: str(v)[:40]
        for k, v in data.items()
        if k.startswith(ANSWER_PREFIX) and v
    }


def _step(request: HttpRequest, data) -> Step:
    step = Step()
    try:
        pk = int(data.get("person", ""))
        step.person = core_selectors.get_person_for_user(user=request.user, pk=pk)
    except (TypeError, ValueError, NotFound):
        return step
    code = str(data.get("item", ""))[:40]
    if not code:
        return step
    try:
        step.version = catalog_selectors.get_published_item(code)
    except NotFound as exc:
        step.error = exc.message
        return step
    answers = _answers(data)
    try:
        result = walk(step.version.questions.all(), answers, partial=True)
    except ValidationFailed as exc:
        step.error = exc.message
        result = walk(step.version.questions.all(), {}, partial=True)
    step.path, step.next_question = result.path, result.next_question
    step.answers = {q.code: o.code for q, o in result.path}  # answers that no longer apply go
    if step.next_question is None:
        step.needs = catalog_selectors.materials_for(step.version, step.answers).materials
    return step


def _url(step: Step, **extra) -> str:
    query = {"person": step.person.pk} if step.person else {}
    if step.version is not None:
        query["item"] = step.version.item.implementation_code
    for code, option in (step.answers or {}).items():
        query[ANSWER_PREFIX + code] = option
    query.update(extra)
    return reverse("cases-console:counter") + "?" + urlencode(query)


def _context(request: HttpRequest, step: Step, **extra) -> dict:
    context = {"step": step, "error": step.error, **extra}
    if step.person is not None:
        context["person_id"] = mask_id_number(step.person.id_number)  # on a screen at the counter
        context["person_phone"] = core_selectors.shown_phone(step.person.phone, request.user)
        context["restart_url"] = reverse("cases-console:counter")
    if step.person is not None and step.version is None:
        q = request.GET.get("q", "").strip()[:64]
        context["q"] = q
        hits = catalog_search.search(q, kind="item", limit=10).hits if q else []
        context["hits"] = [(hit, _url(step, item=hit.code)) for hit in hits]
        context["item_url"] = _url(step)
    if step.version is not None:
        context["change_item_url"] = (
            reverse("cases-console:counter") + "?" + urlencode({"person": step.person.pk})
        )
    return context


def _fields_for(step: Step, enterprise=None):
    fields = application_form.fields_of(step.version)
    return application_form.asked_fields(fields, person=step.person, enterprise=enterprise)


def _render(request, context, status=200) -> HttpResponse:
    return render(request, "cases/console_counter.html", context, status=status)


@rule("perm:case.accept")
@staff_view
def counter(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, Perm.CASE_ACCEPT):
        return forbidden(request, _("只有综合窗口人员可以在窗口收件受理。"))
    if request.method == "POST":
        return _post(request)
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    step = _step(request, request.GET)
    if step.person is None:
        return _render(request, _context(request, step, find=f.FindApplicantForm()))
    return _render(request, _context(request, step, **_materials_form(step)))


def _materials_form(step: Step, data=None, files=None) -> dict:
    if step.needs is None:
        return {}
    kind = step.version.applicant_kind
    barred = commitments.commitment_bar_of(step.person, None)
    form = MaterialsForm(
        data,
        files,
        needs=step.needs,
        fields=_fields_for(step),
        enterprise_kind=kind,
        barred=barred is not None,
        initial={
            "token": secrets.token_urlsafe(16),
            **{
                f"fd_{k}": v
                for k, v in application_form.prefill(
                    application_form.fields_of(step.version), person=step.person
                ).items()
            },
        },
    )
    held = licensing.holder_licences(step.needs, person=step.person)  # 免证办
    rows = [
        {
            "need": need,
            "method": form[f"m_{need.material.seq}"],
            "file": form[f"f_{need.material.seq}"],
            "licence": held.get(need.material.seq),
        }
        for need in step.needs
    ]
    return {
        "materials_form": form,
        "material_rows": rows,
        "form_fields": [form[f"fd_{spec.code}"] for spec in form.form_fields],
        "accept_url": _url(step),
        **_acceptance_terms(step, barred),
    }


def _acceptance_terms(step: Step, barred) -> dict:
    """[B] What the clerk tells the applicant: the 容缺 deadline and the commitment text."""
    replaceable = [n.material for n in step.needs if n.material.commitment_replaceable]
    deferrable = any(n.material.deferrable for n in step.needs)
    policy = deferrals.policy_for(step.version.item_id)
    text, text_version = commitments.commitment_terms(step.version, replaceable)
    return {
        "commitment_bar": barred,
        "commitment_text": text if replaceable and barred is None else "",
        "commitment_version": text_version,
        "supplement_days": policy.supplement_days if deferrable else None,
    }


def _post(request: HttpRequest) -> HttpResponse:
    what = request.POST.get("step")
    if what == "find":
        form = f.FindApplicantForm(request.POST)
        if not form.is_valid():
            context = _context(request, Step(), find=form, errors=error_list(form))
            return _render(request, context, status=400)
        id_number = form.cleaned_data["id_number"]
        person = selectors.registered_person(id_number=id_number)
        if person is not None:
            return HttpResponseRedirect(_url(Step(person=person)))
        register = f.RegisterPersonForm(initial={"id_number": id_number})
        context = _context(request, Step(), register=register, new_id=mask_id_number(id_number))
        return _render(request, context)
    if what == "register":
        return _register(request)
    if what == "accept":
        return _accept(request)
    return HttpResponseRedirect(reverse("cases-console:counter"))


def _register(request: HttpRequest) -> HttpResponse:
    form = f.RegisterPersonForm(request.POST)
    if form.is_valid():
        try:
            person = person_register(
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                phone=form.cleaned_data["phone"],
                address=form.cleaned_data["address"],
            )
        except ValidationFailed as exc:
            form.add_error(
                exc.field if exc.field in ("name", "phone", "address") else None, exc.message
            )
        else:
            messages.success(request, _("已登记申请人 %(name)s。") % {"name": person.name})
            return HttpResponseRedirect(_url(Step(person=person)))
    context = _context(
        request,
        Step(),
        register=form,
        new_id=mask_id_number(form.data.get("id_number", "")),
        errors=error_list(form),
    )
    return _render(request, context, status=400)


def _accept(request: HttpRequest) -> HttpResponse:
    step = _step(request, request.POST)
    if step.person is None or step.needs is None or step.error:
        messages.error(request, step.error or _("收件信息不完整，请重新开始。"))
        return HttpResponseRedirect(_url(step) if step.person else reverse("cases-console:counter"))
    bits = _materials_form(step, request.POST, request.FILES)
    form = bits["materials_form"]
    enterprise = None
    if form.is_valid() and form.cleaned_data.get("credit_code"):
        enterprise = selectors.enterprise_by_credit_code(
            form.cleaned_data["credit_code"].strip().upper()
        )
        if enterprise is None:
            form.add_error(
                "credit_code", _("该统一社会信用代码尚未登记，请先办理企业登记信息核验。")
            )
        elif not selectors.person_represents(step.person, enterprise):
            form.add_error("credit_code", _("申请人不是该单位的法定代表人或经授权的经办人。"))
    if not form.is_valid():
        context = _context(request, step, **bits, errors=error_list(form))
        return _render(request, context, status=400)
    try:
        case = _create_and_accept(request.user, step, form.cleaned_data, enterprise)
    except DomainError as exc:
        form.add_error(None, exc.message)
        context = _context(request, step, **bits, errors=error_list(form))
        return _render(request, context, status=409 if exc.status_code == 409 else 400)
    messages.success(
        request, _("已收件并受理，办件编号 %(no)s。请打印受理回执交申请人。") % {"no": case.case_no}
    )
    return HttpResponseRedirect(reverse("cases-console:case", args=[case.case_no]) + "?receipt=1")


def _create_and_accept(user, step: Step, data: dict, enterprise):
    """Create, add the materials, submit and accept — all or nothing, the stored scans too: a
    step that fails after they were stored takes them away again. A repeated post of the same
    form (its token) lands on the case the first one made, never a second case."""
    with undo_on_failure(), transaction.atomic():
        case = services.case_create(
            actor=user,
            item_code=step.version.item.implementation_code,
            applicant=step.person,
            enterprise=enterprise,
            channel=Channel.WINDOW,
            answers=step.answers,
            form_data=data["form_data"],
            idempotency_key=f"counter:{data['token']}",
        )
        if case.status != CaseStatus.DRAFT:
            return case
        attached = set(case.materials.values_list("material__seq", flat=True))  # 免证办
        for need in step.needs:
            seq = need.material.seq
            status = METHODS[data[f"m_{seq}"]][0]
            if not status or seq in attached:
                continue
            name, content = data["uploads"].get(seq, ("", None))
            services.case_material_add(
                actor=user, case=case, seq=seq, status=status, name=name, data=content
            )
        case = services.case_submit(actor=user, case=case)
        return services.case_accept(actor=user, case=case)
