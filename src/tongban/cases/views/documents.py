from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from tongban.core.access import rule
from tongban.core.errors import NotFound

from .. import documents, selectors


@rule("owner|staff")
def notice(request: HttpRequest, case_no: str, kind: str) -> HttpResponse:
    """A case's written notice, for the applicant and the staff who may see the case."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        case = selectors.get_case_for_user(user=request.user, case_no=case_no)
        data = documents.notice_pdf(case, kind)
    except (NotFound, KeyError, LookupError):
        raise Http404 from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case_no}-{kind}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
