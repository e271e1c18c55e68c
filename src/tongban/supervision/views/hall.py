"""大厅运行统计: the service hall's figures in the supervision dashboards (hall.statistics)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongban.core import workdays
from tongban.core.access import rule
from tongban.hall import statistics

from .console import supervision_view

MAX_DAYS = 366


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, list[tuple[str, str]]]:
    today = workdays.business_date(timezone.now())
    errors: list[tuple[str, str]] = []
    values = {}
    for name, default in (("start", today - dt.timedelta(days=29)), ("end", today)):
        text = (request.GET.get(name) or "").strip()
        if not text:
            values[name] = default
            continue
        try:
            values[name] = dt.date.fromisoformat(text)
        except ValueError:
            label = _("开始日期") if name == "start" else _("结束日期")
            errors.append((f"f-{name}", _("%(f)s：请按 年-月-日 填写日期。") % {"f": label}))
            values[name] = default
    start, end = values["start"], values["end"]
    if not errors and end < start:
        errors.append(("f-end", _("结束日期：不能早于开始日期。")))
    elif not errors and (end - start).days >= MAX_DAYS:
        errors.append(("f-end", _("结束日期：统计区间最长 %(n)s 天。") % {"n": MAX_DAYS}))
    return start, end, errors


def _chart(cid: str, title: str, kind: str, columns: list[str], rows: list[list]) -> dict:
    return {"id": cid, "title": title, "type": kind, "columns": columns, "rows": rows, "links": []}


@rule("perm:supervision.view")
@supervision_view
@require_GET
def hall_statistics(request: HttpRequest) -> HttpResponse:
    halls = statistics.halls()
    chosen = next((h for h in halls if h.code == request.GET.get("hall")), None)
    start, end, errors = _period(request)
    context = {
        "halls": halls,
        "hall": chosen,
        "start": start,
        "end": end,
        "errors": errors,
    }
    if errors:
        return render(request, "supervision/hall.html", context, status=400)
    figures = statistics.hall_statistics(start=start, end=end, hall=chosen)
    minutes = [_("分组"), _("人次"), _("p50（分钟）"), _("p90（分钟）")]
    charts = [
        _chart(
            "hall-days",
            _("每日来访人次"),
            "bar",
            [_("日期"), _("人次")],
            [[d.isoformat(), n] for d, n in figures.by_day],
        ),
        _chart(
            "hall-hours",
            _("各时段取号人次"),
            "bar",
            [_("时段"), _("人次")],
            [[f"{h:02d}:00", n] for h, n in figures.by_hour],
        ),
        _chart(
            "hall-wait",
            _("等候时长（按窗口分组）"),
            "bar",
            minutes,
            [[r.label, r.count, r.p50, r.p90] for r in figures.waiting_by_group],
        ),
        _chart(
            "hall-serve",
            _("办理时长（按窗口分组）"),
            "bar",
            minutes,
            [[r.label, r.count, r.p50, r.p90] for r in figures.serving_by_group],
        ),
    ]
    item_columns = [_("事项"), _("人次"), _("p50（分钟）"), _("p90（分钟）")]
    for chart in charts[2:]:
        chart["plot_columns"] = [0, 2, 3]
    item_tables = [
        (
            _("等候时长（按事项）"),
            [[r.label, r.count, r.p50, r.p90] for r in figures.waiting_by_item],
        ),
        (
            _("办理时长（按事项）"),
            [[r.label, r.count, r.p50, r.p90] for r in figures.serving_by_item],
        ),
    ]
    return render(
        request,
        "supervision/hall.html",
        {
            **context,
            "figures": figures,
            "charts": charts,
            "chart_data": {
                c["id"]: {
                    "type": c["type"],
                    "title": c["title"],
                    "columns": [c["columns"][i] for i in c.get("plot_columns", range(2))],
                    "rows": [[r[i] for i in c.get("plot_columns", range(2))] for r in c["rows"]],
                    "links": [],
                }
                for c in charts
            },
            "item_columns": item_columns,
            "item_tables": item_tables,
        },
    )
