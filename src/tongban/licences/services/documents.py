"""The licence PDF, rendered on demand and cached in ``Licence.pdf``."""

from __future__ import annotations

from django.core.files.base import ContentFile

from ..models import Licence
from ..pdf import render_pdf


def licence_pdf(*, licence: Licence) -> bytes:
    """The licence's PDF: the cached file when there is one, else rendered and cached."""
    if licence.pdf:
        try:
            with licence.pdf.open("rb") as handle:
                return handle.read()
        except (OSError, FileNotFoundError):
            pass
    content = render_pdf(licence)
    licence.pdf.save(f"{licence.identifier}.pdf", ContentFile(content), save=False)
    Licence.objects.filter(pk=licence.pk).update(pdf=licence.pdf.name)
    return content
