"""The printable licence (版式文件): ReportLab, CJK text in its built-in CID font (STSong-Light,
nothing embedded, no system fonts), the holder's photo when the type has one, the issuing
department's seal image and the licence's QR code (drawn module by module from segno's matrix).

The licence type's ``layout`` (docs/licences.md) may set ``title``, ``colour`` (#rrggbb),
``fields`` (the order of the face fields) and ``paper`` ("A4" or "A5").
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from . import qr
from .models import HolderKind, Licence, Seal

FONT = "STSong-Light"
_registered = False
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _image(field_file) -> ImageReader | None:
    if not field_file:
        return None
    try:
        with field_file.open("rb") as handle:
            return ImageReader(io.BytesIO(handle.read()))
    except (OSError, ValueError):
        return None


def _seal_of(licence: Licence) -> Seal | None:
    seal = licence.key.seal if licence.key_id and licence.key.seal_id else None
    if seal is None or not seal.image:
        seal = (
            Seal.objects.filter(department_id=licence.issuer_id, is_active=True)
            .exclude(image="")
            .order_by("-id")
            .first()
        )
    return seal


def face_rows(licence: Licence) -> list[tuple[str, str]]:
    """The full (unmasked) face data in the layout's order."""
    specs = {s["name"]: s for s in licence.licence_type.fields or []}
    order = (licence.licence_type.layout or {}).get("fields") or list(specs)
    order = [n for n in order if n in specs] + [n for n in specs if n not in order]
    rows = []
    if licence.holder_kind == HolderKind.PERSON:
        rows += [(_("持证人"), licence.holder_name), (_("证件号码"), licence.holder_id_no)]
    else:
        rows += [(_("名称"), licence.holder_name), (_("统一社会信用代码"), licence.holder_id_no)]
    for name in order:
        if name in licence.data:
            rows.append((str(specs[name].get("label") or name), str(licence.data[name])))
    return rows


def _draw_qr(pdf: canvas.Canvas, licence: Licence, x: float, y: float, size: float) -> None:
    matrix = [list(row) for row in qr.qr_code(licence).matrix]
    count = len(matrix) + 8  # a quiet zone of 4 modules each side
    module = size / count
    pdf.setFillColor(colors.white)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColor(colors.black)
    path = pdf.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(
                    x + (start + 4) * module,
                    y + size - (r + 5) * module,
                    (c - start) * module,
                    module,
                )
            else:
                c += 1
    pdf.drawPath(path, stroke=0, fill=1)


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(line + ch, FONT, size) > width and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line or not lines else lines


def render_pdf(licence: Licence) -> bytes:
    """The licence as a one-page PDF."""
    font = _font()
    layout: dict[str, Any] = licence.licence_type.layout or {}
    paper = landscape(A5) if layout.get("paper") == "A5" else A4
    colour = layout.get("colour") if _HEX.match(str(layout.get("colour", ""))) else "#b22222"
    accent = colors.HexColor(colour)
    width, height = paper
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=paper, pageCompression=0, invariant=0)
    pdf.setTitle(f"{licence.licence_type.name} {licence.number}")
    pdf.setAuthor(licence.issuer.name)
    pdf.setSubject(licence.identifier)
    margin = 15 * mm
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(2)
    pdf.rect(margin / 2, margin / 2, width - margin, height - margin)
    pdf.setLineWidth(0.5)
    pdf.rect(margin / 2 + 3, margin / 2 + 3, width - margin - 6, height - margin - 6)

    title = str(layout.get("title") or licence.licence_type.name)
    pdf.setFillColor(accent)
    pdf.setFont(font, 24)
    pdf.drawCentredString(width / 2, height - margin - 16 * mm, title)
    pdf.setFillColor(colors.black)
    pdf.setFont(font, 10)
    pdf.drawCentredString(
        width / 2, height - margin - 24 * mm, _("编号：%(no)s") % {"no": licence.number}
    )

    top = height - margin - 38 * mm
    photo_w, photo_h = 30 * mm, 40 * mm
    text_right = width - margin - 4 * mm
    if licence.licence_type.has_photo:
        px, py = width - margin - photo_w - 4 * mm, top - photo_h
        image = _image(licence.photo)
        if image is not None:
            pdf.drawImage(image, px, py, photo_w, photo_h, preserveAspectRatio=True, mask="auto")
        else:
            pdf.setStrokeColor(colors.grey)
            pdf.rect(px, py, photo_w, photo_h)
            pdf.setFont(font, 9)
            pdf.drawCentredString(px + photo_w / 2, py + photo_h / 2, _("照片"))
        text_right = px - 6 * mm

    label_x = margin + 6 * mm
    value_x = label_x + 34 * mm
    y = top
    size = 12
    rows = face_rows(licence)
    rows += [
        (_("发证机关"), licence.issuer.name),
        (_("发证日期"), licence.issued_on.isoformat()),
        (
            _("有效期"),
            f"{licence.valid_from.isoformat()} 至 {licence.valid_until.isoformat()}"
            if licence.valid_until
            else _("%(start)s 起长期有效") % {"start": licence.valid_from.isoformat()},
        ),
    ]
    for label, value in rows:
        pdf.setFont(font, size)
        pdf.setFillColor(colors.HexColor("#555555"))
        pdf.drawString(label_x, y, label)
        pdf.setFillColor(colors.black)
        for line in _wrap(value, text_right - value_x, size):
            pdf.drawString(value_x, y, line)
            y -= size * 1.5
        y -= 2

    qr_size = 36 * mm
    qr_x, qr_y = margin + 4 * mm, margin + 8 * mm
    _draw_qr(pdf, licence, qr_x, qr_y, qr_size)
    pdf.setFont(font, 8)
    pdf.drawString(qr_x, qr_y - 4 * mm, _("扫码核验 校验码 %(c)s") % {"c": licence.check_value})

    seal = _seal_of(licence)
    seal_size = 40 * mm
    sx, sy = width - margin - seal_size - 8 * mm, margin + 10 * mm
    pdf.setFont(font, 12)
    pdf.drawCentredString(sx + seal_size / 2, sy + seal_size / 2 + 4, licence.issuer.name)
    pdf.drawCentredString(
        sx + seal_size / 2, sy + seal_size / 2 - 14, licence.issued_on.strftime("%Y年%m月%d日")
    )
    image = _image(seal.image) if seal else None
    if image is not None:
        pdf.drawImage(image, sx, sy, seal_size, seal_size, mask="auto")

    pdf.setFont(font, 7)
    pdf.setFillColor(colors.HexColor("#555555"))
    pdf.drawString(margin, margin / 2 + 6, _("电子证照标识：%(id)s") % {"id": licence.identifier})
    pdf.showPage()
    pdf.save()
    return out.getvalue()
