"""The applicant's bundle pages (一件事): one application (the combined form and the
de-duplicated materials, each uploaded once — or deferred, or replaced by a signed commitment,
where every item that needs it allows that), and the bundle's progress: one timeline with a
lane per department, the combined result and, after a denial, the choice to continue with the
approved items. Plain forms; no JavaScript needed."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.catalog import selectors as catalog_selectors
from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound, ValidationFailed

from .. import application_form, bundle_progress
from ..models import MaterialStatus
from ..services.bundles import (
    Supplied,
    bundle_apply,
    bundle_continue_partial,
    combined_fields,
    policy_of,
)
from ..services.commitments import commitment_bar_of, commitment_terms
from ..services.deferrals import policy_for
from .portal import applicant_required
from .portal_application import formats, limit_mb

ANSWERS_KEY = "catalog:answers:bundle:{code}"
WAY_LABELS = {
    MaterialStatus.PROVIDED: _("上传文件"),
    MaterialStatus.DEFERRED: _("容缺后补（受理后补交）"),
    MaterialStatus.COMMITMENT: _("告知承诺（签署承诺书代替）"),
}


def _ways(need) -> list[str]:
    versions = need.items
    ways = [MaterialStatus.PROVIDED]
    same = [_same(v, need.material) for v in versions]
    if all(m.deferrable for m in same):
        ways.append(MaterialStatus.DEFERRED)
    if all(m.commitment_replaceable for m in same):
        ways.append(MaterialStatus.COMMITMENT)
    return ways


def _same(version, material):
    key = material.dedup_key
    return next((m for m in version.materials.all() if m.dedup_key == key), material)


class BundleForm(forms.Form):
    """The combined form, a way and a file per de-duplicated material, and the signature."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    sign = forms.BooleanField(
        label=_("我已阅读告知承诺书，承诺所述内容真实，愿意承担虚假承诺的法律责任"),
        required=False,
    )

    def __init__(self, *args, needs, fields, enterprises, audience, barred, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs, self.form_fields = needs, fields
        if audience == "enterprise":
            self.fields["enterprise"] = forms.ChoiceField(
                label=_("申请单位"),
                choices=[(str(e.pk), e.name) for e in enterprises],
                error_messages={"required": _("请选择申请单位。")},
            )
            self.enterprises = {str(e.pk): e for e in enterprises}
        for spec in fields:
            self.fields[f"fd_{spec.code}"] = forms.CharField(
                label=spec.label,
                required=spec.required,
                max_length=2000,
                help_text=spec.help_text,
                widget=forms.Textarea(attrs={"rows": 3})
                if spec.type == "textarea"
                else forms.TextInput(attrs={"type": "date"} if spec.type == "date" else {}),
                error_messages={"required": _("请填写%(f)s。") % {"f": spec.label}},
            )
        for need in needs:
            pk = need.material.pk
            ways = [w for w in _ways(need) if not (barred and w == MaterialStatus.COMMITMENT)]
            if len(ways) > 1:
                self.fields[f"way_{pk}"] = forms.ChoiceField(
                    label=_("提交方式：%(m)s") % {"m": need.material.name},
                    choices=[(w, WAY_LABELS[w]) for w in ways],
                    initial=MaterialStatus.PROVIDED,
                    widget=forms.RadioSelect,
                    required=False,
                )
            self.fields[f"file_{pk}"] = forms.FileField(label=need.material.name, required=False)

    def clean(self):
        data = super().clean()
        data["supplied"], data["form_data"], committed = {}, {}, False
        for need in self.needs:
            pk = need.material.pk
            way = data.get(f"way_{pk}") or MaterialStatus.PROVIDED
            if way == MaterialStatus.PROVIDED:
                upload = data.get(f"file_{pk}")
                if upload:
                    data["supplied"][pk] = Supplied(way=way, name=upload.name, data=upload.read())
                elif need.required:
                    self.add_error(f"file_{pk}", _("请上传“%(m)s”。") % {"m": need.material.name})
            else:
                committed = committed or way == MaterialStatus.COMMITMENT
                data["supplied"][pk] = Supplied(way=way)
        if committed and not data.get("sign"):
            self.add_error("sign", _("选择告知承诺的，请阅读并勾选签署告知承诺书。"))
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


def _bundle(code: str):
    try:
        return catalog_selectors.get_published_bundle(code)
    except NotFound:
        raise Http404 from None


@rule("applicant")
@require_http_methods(["GET", "POST"])
@applicant_required
def bundle_apply_page(request: HttpRequest, code: str) -> HttpResponse:
    bundle = _bundle(code)
    answers = request.session.get(ANSWERS_KEY.format(code=code), {})
    answers = dict(answers) if isinstance(answers, dict) else {}
    try:
        result = catalog_selectors.bundle_materials_for(bundle, answers)
    except ValidationFailed:
        return HttpResponseRedirect(reverse("catalog:bundle-start", args=[code]))
    person = request.person
    enterprises = (
        list(core_selectors.enterprises_for(request.user))
        if bundle.audience == "enterprise"
        else []
    )
    if bundle.audience == "enterprise" and not enterprises:
        return render(request, "cases/portal_needs_enterprise.html", {"item": bundle}, status=403)
    # what the platform already holds (name, ID number, phone, address) is not asked again
    fields = application_form.asked_fields(combined_fields(bundle, result.items), person=person)
    barred = commitment_bar_of(person, None)
    prefill = application_form.prefill(fields, person=person)
    form = BundleForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        needs=result.materials,
        fields=fields,
        enterprises=enterprises,
        audience=bundle.audience,
        barred=barred is not None,
        initial={"key": uuid.uuid4().hex, **{f"fd_{k}": v for k, v in prefill.items()}},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            enterprise = (
                form.enterprises.get(form.cleaned_data["enterprise"])
                if "enterprise" in form.fields
                else None
            )
            try:
                bc = bundle_apply(
                    actor=request.user,
                    bundle=bundle,
                    applicant=person,
                    enterprise=enterprise,
                    answers=answers,
                    form_data=form.cleaned_data["form_data"],
                    supplied=form.cleaned_data["supplied"],
                    idempotency_key=f"web:{form.cleaned_data['key']}",
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 409 if exc.status_code == 409 else 400
            else:
                messages.success(
                    request,
                    _("一件事申请已提交，编号 %(no)s。窗口受理后，各部门同时办理。")
                    % {"no": bc.bundle_no},
                )
                return HttpResponseRedirect(reverse("cases:bundle", args=[bc.bundle_no]))
        else:
            status = 400
    rows = []
    for need in result.materials:
        pk = need.material.pk
        committable = MaterialStatus.COMMITMENT in _ways(need)
        rows.append(
            {
                "need": need,
                "way": form[f"way_{pk}"] if f"way_{pk}" in form.fields else None,
                "file": form[f"file_{pk}"],
                "shared": len(need.items) > 1,
                "deferral_days": policy_for(need.items[0].item_id).supplement_days
                if MaterialStatus.DEFERRED in _ways(need)
                else None,
                "committable": committable,
            }
        )
    terms = [
        (v, commitment_terms(v, [m for m in v.materials.all() if m.commitment_replaceable])[0])
        for v in result.items
        if any(r["committable"] for r in rows if v in r["need"].items)
    ]
    return render(
        request,
        "cases/portal_bundle_apply.html",
        {
            "bundle": bundle,
            "result": result,
            "form": form,
            "rows": rows,
            "fields": [form[f"fd_{f.code}"] for f in fields],
            "terms": terms,
            "barred": barred,
            "formats": formats(),
            "limit_mb": limit_mb(),
            "has_errors": bool(form.errors),
        },
        status=status,
    )


def _own(request, bundle_no):
    try:
        return bundle_progress.get_own_bundle(user=request.user, bundle_no=bundle_no)
    except NotFound:
        raise Http404 from None


@rule("owner")
@require_GET
@applicant_required
def bundle_page(request: HttpRequest, bundle_no: str) -> HttpResponse:
    bc = _own(request, bundle_no)
    p = bundle_progress.progress(bc, for_applicant=True)
    return render(
        request,
        "cases/portal_bundle.html",
        {
            "bc": bc,
            "p": p,
            "can_continue": bc.status == "in_progress"
            and p.denied
            and p.granted
            and not bc.partial_confirmed
            and policy_of(bc.bundle).partial_allowed,
            "partial_allowed": policy_of(bc.bundle).partial_allowed,
        },
    )


@rule("applicant")
@require_GET
@applicant_required
def my_bundles(request: HttpRequest) -> HttpResponse:
    rows = list(bundle_progress.bundles_of_applicant(request.user)[:100])
    return render(request, "cases/portal_bundles.html", {"rows": rows})


@rule("owner")
@require_POST
@applicant_required
def bundle_continue(request: HttpRequest, bundle_no: str) -> HttpResponse:
    bc = _own(request, bundle_no)
    try:
        bundle_continue_partial(actor=request.user, bc=bc)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认继续办理已准予的事项，将统一出件。"))
    return HttpResponseRedirect(reverse("cases:bundle", args=[bc.bundle_no]))
