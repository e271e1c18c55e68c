"""Missed calls for call-back (漏接回拨, 国办函〔2025〕66号 (四)): the calls nobody answered,
oldest first; the operator calls back and records the outcome, or opens the intake page with
the number filled in to record the call as a ticket.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound
from tongban.core.permissions import Perm

from .. import selectors, services
from ..models import MissedCallStatus
from .console import add_domain_error, error_list, require
from .console_forms import MissedCallForm

OPEN = "open"  # pending, or tried and not reached yet
TABS = [
    (OPEN, gettext_lazy("待回拨")),
    (MissedCallStatus.CALLED_BACK, gettext_lazy("已回拨")),
]


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _render(request: HttpRequest, *, status_filter: str, failed=None, code: int = 200):
    page = selectors.missed_calls(status=status_filter, page=_page_number(request))
    rows = []
    for call in page.items:
        if failed and failed[0] == call.pk:
            rows.append({"call": call, "form": failed[1], "failed": True})
        else:
            rows.append({"call": call, "form": MissedCallForm(prefix=f"call{call.pk}")})
    context = {
        "page": page,
        "rows": rows,
        "status": status_filter,
        "tabs": [
            {"key": key, "label": label, "current": key == status_filter} for key, label in TABS
        ],
        "failed": failed,
        "errors": error_list(failed[1]) if failed else [],
    }
    return render(request, "hotline/console_missed_calls.html", context, status=code)


@rule("perm:ticket.create")
@require_GET
@require(Perm.TICKET_CREATE)
def missed_calls(request: HttpRequest) -> HttpResponse:
    status_filter = request.GET.get("status", OPEN)
    if status_filter not in dict(TABS):
        status_filter = OPEN
    return _render(request, status_filter=status_filter)


@rule("perm:ticket.create")
@require_POST
@require(Perm.TICKET_CREATE)
def missed_call_resolve(request: HttpRequest, call_id: int) -> HttpResponse:
    form = MissedCallForm(request.POST, prefix=f"call{call_id}")
    code = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.missed_call_resolve(
                call_id,
                actor=request.user,
                outcome=data["outcome"],
                ticket_no=data["ticket_no"].strip() or None,
                note=data["note"],
            )
        except NotFound as exc:
            form.add_error(None, exc.message)
            code = 404
        except DomainError as exc:
            add_domain_error(form, exc)
            code = exc.status_code if exc.status_code in (403, 409) else 400
        else:
            messages.success(request, _("回拨结果已记录。"))
            return HttpResponseRedirect(reverse("hotline-console:missed-calls"))
    return _render(request, status_filter=OPEN, failed=(call_id, form), code=code)
