"""/console/personal-data/: 'show in full' with a reason (查看完整信息), and the supervisors'
access log with its CSV export (docs/personal-data.md)."""

from __future__ import annotations

import csv
import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from tongban.core.access import rule

from ..errors import DomainError, NotFound
from ..permissions import Perm, has_perm
from ..personal_data import (
    REASON_MAX,
    AccessPurpose,
    access_log,
    masked_values,
    personal_data_reveal,
    subject_resolve,
)
from ..ratelimit import client_address

console_login = login_required(login_url=reverse_lazy("console:login"))
EXPORT_LIMIT = 100_000


class RevealForm(forms.Form):
    fields_ = forms.MultipleChoiceField(
        label=_("查看哪些信息"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    purpose = forms.ChoiceField(
        label=_("查看事由"), choices=[("", _("请选择")), *AccessPurpose.choices]
    )
    reason = forms.CharField(
        label=_("说明"),
        max_length=REASON_MAX,
        help_text=_("写明办件编号、工单编号或其他依据。查看记录保存备查，由监察人员定期抽查。"),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields_"].choices = choices
        self.fields["fields_"].initial = [c[0] for c in choices]

    def add_prefix(self, field_name):
        return "fields" if field_name == "fields_" else super().add_prefix(field_name)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if ok else ""


@rule("staff")
@console_login
@never_cache
def reveal(request: HttpRequest, kind: str, ref: str) -> HttpResponse:
    try:
        subject = subject_resolve(user=request.user, kind=kind, ref=ref)
    except NotFound:
        raise Http404 from None
    choices = [(f, subject.field_label(f)) for f, v in subject.values.items() if v]
    form = RevealForm(request.POST or None, choices=choices)
    shown: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _subject, shown = personal_data_reveal(
                    actor=request.user,
                    kind=kind,
                    ref=ref,
                    fields=form.cleaned_data["fields_"],
                    purpose=form.cleaned_data["purpose"],
                    reason=form.cleaned_data["reason"],
                    ip=client_address(request),
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        if form.errors:
            status = 422
    masked = masked_values(subject)
    rows = [
        (subject.field_label(f), shown.get(f) or masked[f], f in shown)
        for f, v in subject.values.items()
        if v
    ]
    response = render(
        request,
        "core/personal_data/reveal.html",
        {
            "subject": subject,
            "form": form,
            "rows": rows,
            "shown": bool(shown),
            "next": _safe_next(request),
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


class AccessFilterForm(forms.Form):
    actor = forms.CharField(label=_("工作人员账号"), required=False, max_length=150)
    id_number = forms.CharField(label=_("当事人身份证号码"), required=False, max_length=18)
    subject_ref = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    purpose = forms.ChoiceField(
        label=_("查看事由"), required=False, choices=[("", _("全部")), *AccessPurpose.choices]
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data


def _audit_page(view):
    @console_login
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not has_perm(request.user, Perm.PERSONAL_DATA_AUDIT):
            return render(request, "core/personal_data/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _query(form: AccessFilterForm) -> dict:
    data = form.cleaned_data
    return dict(
        actor=data.get("actor") or "",
        person_id_number=data.get("id_number") or "",
        subject_ref=data.get("subject_ref") or "",
        purpose=data.get("purpose") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


def _querystring(form: AccessFilterForm) -> str:
    return urlencode(
        {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in form.cleaned_data.items()
            if v not in (None, "")
        }
    )


@rule("perm:personal_data.audit")
@_audit_page
def access_log_page(request: HttpRequest) -> HttpResponse:
    form = AccessFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    rows = access_log(**_query(form)) if request.GET and valid else access_log()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/personal_data/access_log.html",
        {"form": form, "page": page, "query": _querystring(form) if request.GET and valid else ""},
        status=200 if valid else 422,
    )


class _Echo:
    def write(self, value):
        return value


@rule("perm:personal_data.audit")
@_audit_page
def access_log_export(request: HttpRequest) -> HttpResponse:
    form = AccessFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponse(gettext("筛选条件有误，请返回修改。"), status=422)
    rows = (access_log(**_query(form)) if request.GET else access_log())[:EXPORT_LIMIT]
    writer = csv.writer(_Echo())
    header = [
        "时间",
        "工作人员账号",
        "工作人员",
        "对象类型",
        "对象编号",
        "对象（脱敏）",
        "查看字段",
        "查看事由",
        "说明",
        "IP",
        "摘要",
    ]

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for r in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(r.at).isoformat(timespec="seconds"),
                    r.actor.get_username() if r.actor else "",
                    r.actor_label,
                    r.subject_kind,
                    r.subject_ref,
                    r.subject_label,
                    " ".join(r.fields),
                    r.purpose,
                    r.reason,
                    r.ip or "",
                    r.hash,
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="personal-data-access-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
