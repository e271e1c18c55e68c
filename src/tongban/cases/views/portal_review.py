"""The applicant's request for a human review of an automatic decision (个人信息保护法第二十四条):
one click on the case page's explanation. Plain form post, redirect after it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.core.access import rule
from tongban.core.errors import DomainError, PermissionDenied

from ..services.instant import case_human_review_request
from .portal import _own, applicant_required


@rule("owner")
@require_POST
@applicant_required
def human_review(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _own(request, case_no)  # 404 for anyone else's case
    try:
        case_human_review_request(actor=request.user, case=case)
    except PermissionDenied as exc:  # an agent: only the applicant may ask
        raise DjangoPermissionDenied(exc.message) from None
    except DomainError as exc:  # not decided automatically, or asked already
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交人工复核申请，工作人员复核后会通知您结果。"))
    return HttpResponseRedirect(reverse("cases:case", args=[case.case_no]) + "#explanation")
