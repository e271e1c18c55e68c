"""Serving a licence's printable PDF (the holder's wallet and the issuing department): the
cached copy in ``Licence.pdf``, rendered on first use."""

from __future__ import annotations

from django.http import HttpResponse

from tongban.core.sendfile import accel_redirect_response

from ..models import Licence
from ..services.documents import licence_pdf


def pdf_response(licence: Licence) -> HttpResponse:
    """The PDF for a holder or department the caller's view has already allowed; with
    TONGBAN_SENDFILE=nginx the cached file is sent by nginx (X-Accel-Redirect)."""
    name = f"licence-{licence.number}-v{licence.version}.pdf".replace('"', "")
    accel = accel_redirect_response(
        licence.pdf, filename=name, content_type="application/pdf", as_attachment=False
    )
    if accel is not None:
        return accel
    response = HttpResponse(licence_pdf(licence=licence), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
