"""一证一码: the one QR code of a licence, encoding its verification URL.

``{TONGBAN_PUBLIC_URL}/verify/{licence number}?c={check value}``: the number finds the licence,
the check value (8 characters derived from its signature) shows the code was printed from this
very licence version and not typed from a number.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import segno
from django.conf import settings

from .models import Licence


def verification_path(licence: Licence) -> str:
    return f"/verify/{quote(licence.number, safe='')}?c={licence.check_value}"


def verification_url(licence: Licence) -> str:
    return settings.TONGBAN_PUBLIC_URL + verification_path(licence)


def qr_code(licence: Licence) -> segno.QRCode:
    return segno.make_qr(verification_url(licence), error="m")


def qr_png(licence: Licence, *, scale: int = 8, border: int = 4) -> bytes:
    out = io.BytesIO()
    qr_code(licence).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def qr_svg(licence: Licence, *, scale: int = 6, title: str = "") -> str:
    out = io.BytesIO()
    qr_code(licence).save(
        out, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, title=title or None
    )
    return out.getvalue().decode()
