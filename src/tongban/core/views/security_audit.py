"""The audit administrator's page: security events filtered by kind, actor and date, and their
CSV export (the export is itself an event). Read only: nothing here changes or deletes."""

from __future__ import annotations

import csv
import datetime as dt
import json
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ..access import rule
from ..permissions import Perm
from ..security import Kind
from ..security_selectors import EVENT_KINDS as SecurityEventKind
from ..security_selectors import security_events
from .security import record_export, staff_page

EXPORT_LIMIT = 100_000


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("事件类型"), required=False, choices=[("", _("全部")), *SecurityEventKind.choices]
    )
    actor = forms.CharField(label=_("操作人账号"), required=False, max_length=150)
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


def filtered_events(data: dict):
    return security_events(
        kind=data.get("kind") or "",
        actor=data.get("actor") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


def _filters(form: AuditFilterForm) -> dict:
    data = form.cleaned_data if form.is_valid() else {}
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in data.items()
        if v not in (None, "")
    }


@rule("perm:audit.view")
@require_GET
@staff_page(Perm.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    events = filtered_events(form.cleaned_data if request.GET and valid else {})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = urlencode(_filters(form)) if request.GET else ""
    return render(
        request,
        "core/security/audit.html",
        {"form": form, "page": page, "query": query},
        status=200 if valid else 422,
    )


class _Echo:
    def write(self, value):
        return value


@rule("perm:audit.view")
@require_GET
@staff_page(Perm.AUDIT_VIEW)
def audit_export(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponse(gettext("筛选条件有误，请返回修改。"), status=422)
    data = form.cleaned_data if request.GET else {}
    events = filtered_events(data)[:EXPORT_LIMIT]
    filters = _filters(form) if request.GET else {}
    record_export(request, kind=Kind.AUDIT_EXPORTED, filters=filters, rows=events.count())
    writer = csv.writer(_Echo())
    header = ["时间", "事件类型", "事件", "成功", "操作人", "IP", "客户端", "对象", "详情"]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(e.at).isoformat(timespec="seconds"),
                    e.kind,
                    SecurityEventKind(e.kind).label,
                    "1" if e.success else "0",
                    e.actor_name,
                    e.ip or "",
                    e.user_agent,
                    e.target,
                    _json(e.detail),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="security-events-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
