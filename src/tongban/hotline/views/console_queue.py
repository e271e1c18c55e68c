"""The hotline work basket (工单队列): tabs by state for the person's role (operators: 待派单,
退单审核, 延期审核, 待回访, 已超期 …; handlers: 待签收, 办理中, 已超期 …; supervisors: 已超期,
提级督办 …), filters, and each ticket's clock with its card in words as well as colour. Work
tabs are grouped by due (已超期 / 今日到期 / 即将到期 / 其他), the overdue list first.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tongban.core.access import rule
from tongban.core.permissions import Perm, has_perm

from .. import access, dispatch_quality, selectors
from ..models import Source, TicketType, Urgency
from .console import forbidden, staff_view, works_with_tickets

FILTERS = ("q", "type", "urgency", "source", "department")
GROUPS = [
    ("overdue", _("已超期")),
    ("today", _("今日到期")),
    ("soon", _("即将到期")),
    ("other", _("其他")),
]
GROUPED_TABS = frozenset({"sign", "handling", "returns", "overdue", "extensions", "escalated"})


def _filters(request: HttpRequest, *, all_units: bool) -> dict[str, str]:
    out = {}
    for name in FILTERS:
        value = request.GET.get(name, "").strip()[:64]
        if name == "department" and not all_units:
            value = ""
        if value:
            out[name] = value
    return out


def _query(tab: str, filters: dict[str, str], **changes) -> str:
    params = {"tab": tab, **filters, **changes}
    return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None, 1)})


@rule("staff")
@require_GET
@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not works_with_tickets(user):
        return forbidden(request)
    all_units = access.sees_all(user)
    filters = _filters(request, all_units=all_units)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = selectors.ticket_queue(
        user, tab=request.GET.get("tab", ""), filters=filters, page=number
    )
    now = timezone.now()
    rows = [
        {
            "ticket": t,
            "clock": selectors.ticket_clock(t, now=now),
            "group": selectors.due_group(t, now=now),
        }
        for t in page.items
    ]
    groups = []
    if page.tab in GROUPED_TABS:
        for key, label in GROUPS:
            members = [r for r in rows if r["group"] == key]
            if members:
                groups.append({"key": key, "label": label, "rows": members})
    else:
        label = next((t.label for t in page.tabs if t.slug == page.tab), "")
        groups.append({"key": "all", "label": label, "rows": rows})
    context = {
        "page": page,
        "groups": groups,
        "grouped": page.tab in GROUPED_TABS,
        "filters": filters,
        "filtered": bool(filters),
        "tab_links": [
            {"tab": t, "url": _query(t.slug, filters), "current": t.slug == page.tab}
            for t in page.tabs
        ],
        "previous_url": _query(page.tab, filters, page=page.page - 1) if page.has_previous else "",
        "next_url": _query(page.tab, filters, page=page.page + 1) if page.has_next else "",
        "clear_url": _query(page.tab, {}),
        "types": TicketType.choices,
        "urgencies": Urgency.choices,
        "sources": Source.choices,
        "units": selectors.dispatch_units() if all_units else [],
        "can_intake": has_perm(user, Perm.TICKET_CREATE),
        "here": request.get_full_path(),
        # the 派单质量 tile ([D]): for those who may open that page
        "dispatch_quality": (
            dispatch_quality.tile()
            if has_perm(user, Perm.TICKET_DISPATCH) or has_perm(user, Perm.SUPERVISION_VIEW)
            else None
        ),
    }
    return render(request, "hotline/console_queue.html", context)
