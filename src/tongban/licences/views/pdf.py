"""Serving a licence's printable PDF (the holder's wallet and the issuing department): the
cached copy in ``Licence.pdf``, rendered on first use."""

from __future__ import annotations

from django.http import HttpResponse

from ..models import Licence
from ..services.documents import licence_pdf


def pdf_response(licence: Licence) -> HttpResponse:
    response = HttpResponse(licence_pdf(licence=licence), content_type="application/pdf")
    name = f"licence-{licence.number}-v{licence.version}.pdf".replace('"', "")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
