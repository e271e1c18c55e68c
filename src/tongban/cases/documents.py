"""Written notices of a case (书面凭证): acceptance, refusal, correction, approval and denial.

Each is a PDF with the department's name, the date, the case number and the content the law
asks for (行政许可法 第三十二、三十八条), built from the case's events so it always says what
happened. ReportLab's built-in CID font renders Chinese without system fonts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from tongban.core import workdays

from .models import Case, CaseEvent
from .states import CaseAction as A

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass(frozen=True)
class NoticeKind:
    slug: str
    action: str
    title: str


NOTICES = {
    "acceptance": NoticeKind("acceptance", A.ACCEPT, "受理通知书"),
    "refusal": NoticeKind("refusal", A.REFUSE, "不予受理决定书"),
    "correction": NoticeKind("correction", A.REQUEST_CORRECTION, "补正材料通知书"),
    "approval": NoticeKind("approval", A.APPROVE, "准予行政许可决定书"),
    "denial": NoticeKind("denial", A.DENY, "不予行政许可决定书"),
}


def available(case: Case) -> list[NoticeKind]:
    done = set(case.events.values_list("action", flat=True))
    return [kind for kind in NOTICES.values() if kind.action in done]


def _body(case: Case, kind: NoticeKind, event: CaseEvent) -> list[str]:
    item = case.item_version.name
    day = workdays.business_date(event.occurred_at)
    applicant = case.enterprise.name if case.enterprise else case.applicant.name
    lines = [f"{applicant}："]
    if kind.slug == "acceptance":
        accepted = event.payload.get("accepted_on", day.isoformat())
        lines.append(
            f"你（单位）于 {case.received_at:%Y年%m月%d日} 提出的“{item}”申请，"
            f"材料齐全、符合法定形式，本机关决定予以受理（受理日期 {accepted}）。"
        )
        if event.payload.get("deemed"):
            lines.append(
                "本机关未在收到申请材料之日起五个工作日内一次告知补正，"
                "依法自收到申请材料之日起即为受理。"
            )
        version = case.item_version
        lines.append(
            f"法定办结时限为 {version.legal_limit_days} 个工作日，"
            f"承诺办结时限为 {version.promised_limit_days} 个工作日。"
        )
    elif kind.slug == "refusal":
        lines.append(f"你（单位）提出的“{item}”申请，本机关决定不予受理。理由：{event.reason}")
        lines.append("如不服本决定，可依法申请行政复议或者提起行政诉讼。")
    elif kind.slug == "correction":
        lines.append(
            f"你（单位）提出的“{item}”申请，材料不齐全或者不符合法定形式。"
            "现一次性告知需要补正的全部内容："
        )
        lines += [f"{i}. {m}" for i, m in enumerate(event.payload.get("missing", []), start=1)]
        if event.reason:
            lines.append(f"说明：{event.reason}")
        lines.append("请补正后重新提交。")
    elif kind.slug == "approval":
        lines.append(
            f"你（单位）提出的“{item}”申请，经审查，符合法定条件、标准，本机关决定准予行政许可。"
        )
    else:
        lines.append(
            f"你（单位）提出的“{item}”申请，经审查，本机关决定不予行政许可。理由：{event.reason}"
        )
        lines.append(event.payload.get("appeal_rights", ""))
    return lines


def notice_pdf(case: Case, slug: str) -> bytes:
    """The notice as a PDF (the newest event of its kind); KeyError for an unknown slug."""
    kind = NOTICES[slug]
    event = case.events.filter(action=kind.action).order_by("-seq").first()
    if event is None:
        raise LookupError(slug)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{kind.title} {case.case_no}")
    width, height = A4
    y = height - 30 * mm
    pdf.setFont(FONT, 20)
    pdf.drawCentredString(width / 2, y, kind.title)
    y -= 10 * mm
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(width / 2, y, _("办件编号：%(no)s") % {"no": case.case_no})
    y -= 14 * mm
    pdf.setFont(FONT, 12)
    for line in _body(case, kind, event):
        for chunk in _wrap(line, 38):
            pdf.drawString(25 * mm, y, chunk)
            y -= 8 * mm
    y -= 10 * mm
    day = workdays.business_date(event.occurred_at)
    pdf.drawRightString(width - 25 * mm, y, case.department.name + "（专用章）")
    pdf.drawRightString(width - 25 * mm, y - 8 * mm, f"{day:%Y年%m月%d日}")
    pdf.setFont(FONT, 8)
    pdf.drawString(25 * mm, 15 * mm, f"{case.case_no} / {event.hash[:16]}")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]
