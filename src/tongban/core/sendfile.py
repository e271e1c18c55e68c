"""Protected file downloads (materials, e-licence PDFs): the view checks permission, then either
streams the file itself or — with ``TONGBAN_SENDFILE=nginx`` — answers with an empty response
whose ``X-Accel-Redirect`` header names the file under nginx's ``internal`` location
(``TONGBAN_SENDFILE_PREFIX``, an alias of MEDIA_ROOT; deploy/nginx/tongban.conf), so nginx sends
the bytes and no media address is ever public. Files in object storage (S3) are streamed.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def _accel_path(field_file: FieldFile) -> str | None:
    if getattr(settings, "TONGBAN_SENDFILE", "") != "nginx":
        return None
    if not isinstance(field_file.storage, FileSystemStorage):
        return None
    prefix = "/" + settings.TONGBAN_SENDFILE_PREFIX.strip("/") + "/"
    return prefix + quote(field_file.name.lstrip("/"))


def accel_redirect_response(
    field_file: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True
) -> HttpResponse | None:
    """The X-Accel-Redirect response for a stored file when nginx sends the files and the file
    is there; None otherwise (the caller serves the bytes itself)."""
    accel = _accel_path(field_file) if field_file else None
    if accel is None or not field_file.storage.exists(field_file.name):
        return None
    response = HttpResponse(content_type=content_type or "application/octet-stream")
    response["X-Accel-Redirect"] = accel
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def protected_file_response(
    field_file: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True
) -> HttpResponse:
    """The response for a file the caller has already been allowed to read: X-Accel-Redirect
    with TONGBAN_SENDFILE=nginx, else the file streamed by Django."""
    accel = accel_redirect_response(
        field_file, filename=filename, content_type=content_type, as_attachment=as_attachment
    )
    if accel is not None:
        return accel
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=as_attachment,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
