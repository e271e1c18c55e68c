"""The monthly report (月度报告): figures from ``kpis``, an Excel workbook (summary, one sheet per
department, the cases behind each figure) and a PDF (summary paragraph and charts, ReportLab with
its CID font). Both are made from the same ``kpis.figures`` as the dashboard."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from tongban.core.models import Department

from . import kpis

FONT = "STSong-Light"
# The figures behind which a list of cases goes into the workbook.
LISTED = ("accepted", "concluded", "concluded_on_time", "overdue", "not_accepted")
CASE_COLUMNS = (
    "case_no",
    "department__name",
    "item_version__name",
    "channel",
    "status",
    "accepted_on",
    "decided_day",
    "promised_due",
)


def fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value}%"
    return str(value)


def summary_text(month: dt.date, f: kpis.Figures) -> str:
    """The paragraph in the bureau's style, every number from ``f``."""
    return _(
        "%(m)s月，全区受理办件 %(accepted)s 件，办结 %(concluded)s 件，按时办结率 %(on_time)s，"
        "好评率 %(good)s，差评 %(bad)s 件，整改率 %(rect)s。"
    ) % {
        "m": month.month,
        "accepted": f.value("accepted"),
        "concluded": f.value("concluded"),
        "on_time": fmt(f.value("on_time_rate")),
        "good": fmt(f.value("good_rate")),
        "bad": f.value("bad"),
        "rect": fmt(f.value("rectification_rate")),
    }


def _kpi_row(k: kpis.Kpi, f: kpis.Figures) -> list:
    value = k.value(f.counts)
    return [
        str(k.label),
        float(value) if isinstance(value, Decimal) else value,
        f.counts.get(k.numerator, 0),
        f.counts.get(k.denominator, "") if k.denominator else "",
    ]


def workbook(
    month: dt.date,
    total: kpis.Figures,
    by_department: dict[int, kpis.Figures],
    *,
    progress: Callable[[str], None] = lambda _step: None,
) -> bytes:
    period = kpis.month_period(month)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("汇总"))
    ws.append([_("%(month)s 月度报告") % {"month": f"{month:%Y-%m}"}])
    ws.append([summary_text(month, total)])
    ws.append([_("指标"), _("数值"), _("分子"), _("分母")])
    for k in kpis.KPIS:
        ws.append(_kpi_row(k, total))
    progress("summary")
    names = dict(Department.objects.filter(pk__in=by_department).values_list("pk", "name"))
    for pk, fig in sorted(by_department.items(), key=lambda kv: names.get(kv[0], "")):
        ws = wb.create_sheet(_sheet_name(names.get(pk, str(pk)), pk))
        ws.append([names.get(pk, str(pk))])
        ws.append([_("指标"), _("数值"), _("分子"), _("分母")])
        for k in kpis.KPIS:
            ws.append(_kpi_row(k, fig))
        progress("department")
    for count in LISTED:
        ws = wb.create_sheet(_sheet_name(_("清单-%(k)s") % {"k": count}, 0))
        ws.append(
            [
                _("办件编号"),
                _("部门"),
                _("事项"),
                _("渠道"),
                _("状态"),
                _("受理日期"),
                _("办结日期"),
                _("承诺期限"),
            ]
        )
        rows = kpis.rows_behind(count, period).order_by("pk").values_list(*CASE_COLUMNS)
        for row in rows.iterator(chunk_size=5000):
            ws.append([v.isoformat() if isinstance(v, dt.date) else v for v in row])
        progress("list")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_name(name: str, pk: int) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, "")
    return f"{name[:24]}-{pk}" if pk else name[:31]


def _font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _bar(title: str, labels: list[str], values: list[float]) -> Drawing:
    d = Drawing(170 * mm, 70 * mm)
    d.add(String(0, 66 * mm, title, fontName=FONT, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 12 * mm, 150 * mm, 48 * mm
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = None
    from reportlab.lib import colors

    chart.bars[0].fillColor = colors.HexColor("#1d5fa8")
    d.add(chart)
    return d


def pdf(month: dt.date, total: kpis.Figures, by_department: dict[int, kpis.Figures]) -> bytes:
    _font()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"{month:%Y-%m}")
    h1 = ParagraphStyle("h1", fontName=FONT, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17)
    names = dict(Department.objects.filter(pk__in=by_department).values_list("pk", "name"))
    story = [
        Paragraph(_("%(month)s 政务服务月度报告") % {"month": f"{month:%Y年%m月}"}, h1),
        Spacer(0, 4 * mm),
        Paragraph(summary_text(month, total), body),
        Spacer(0, 4 * mm),
    ]
    rows = [[_("指标"), _("数值")]] + [
        [str(k.label), fmt(k.value(total.counts))] for k in kpis.KPIS
    ]
    table = Table(rows, colWidths=[80 * mm, 50 * mm])
    table.setStyle(
        [("FONT", (0, 0), (-1, -1), FONT, 9), ("GRID", (0, 0), (-1, -1), 0.3, "#888888")]
    )
    story += [table, Spacer(0, 6 * mm)]
    ranked = sorted(by_department.items(), key=lambda kv: -(kv[1].value("accepted") or 0))[:12]
    story.append(
        _bar(
            _("各部门受理办件数"),
            [names.get(pk, str(pk))[:8] for pk, _f in ranked],
            [float(f.value("accepted") or 0) for _pk, f in ranked],
        )
    )
    story.append(
        _bar(
            _("各部门按时办结率（%）"),
            [names.get(pk, str(pk))[:8] for pk, _f in ranked],
            [float(f.value("on_time_rate") or 0) for _pk, f in ranked],
        )
    )
    doc.build(story)
    return out.getvalue()
