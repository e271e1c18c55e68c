"""What the catalogue list pages of both sites share: filters, tabs, filter chips, page links."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .. import browse


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


def _query(filters: browse.BrowseFilters, **changes) -> str:
    """A link to this list with some conditions changed ("?" alone is this list unfiltered)."""
    query = filters.querystring(**changes)
    return "?" + query if query else "?"


def _name(options, code: str) -> str:
    return next((str(o.name) for o in options if o.code == code), code)


def list_context(request: HttpRequest) -> dict:
    """The context of a catalogue list page: results, facets, tabs, chips and page links."""
    filters = browse.BrowseFilters.from_query(request.GET)
    result = browse.browse(filters, request.GET.get("page"))
    facets = browse.facets(filters.audience)
    tabs = [
        Link(
            str(label),
            _query(filters, audience=value, theme="", life_event=""),
            filters.audience == value,
        )
        for value, label in (
            ("", _("全部")),
            ("person", _("个人办事")),
            ("enterprise", _("法人办事")),
        )
    ]
    chips = []
    if filters.q:
        chips.append(Link(str(_("关键词：%(v)s") % {"v": filters.q}), _query(filters, q="")))
    if filters.theme:
        name = _name(facets["themes"], filters.theme)
        chips.append(Link(str(_("主题：%(v)s") % {"v": name}), _query(filters, theme="")))
    if filters.life_event:
        name = _name(facets["life_events"], filters.life_event)
        chips.append(Link(str(_("人生事件：%(v)s") % {"v": name}), _query(filters, life_event="")))
    if filters.department:
        name = _name(facets["departments"], filters.department)
        chips.append(Link(str(_("部门：%(v)s") % {"v": name}), _query(filters, department="")))
    page = result.page
    page_links = []
    if page.paginator.num_pages > 1:
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
            if number == page.paginator.ELLIPSIS:
                page_links.append(Link("…", ""))
            else:
                page_links.append(
                    Link(str(number), _query(filters, page=number), number == page.number)
                )
    return {
        "filters": filters,
        "page": page,
        "count": result.count,
        "bundles": result.bundles,
        "facets": facets,
        "tabs": tabs,
        "chips": chips,
        "filter_count": len(chips) - (1 if filters.q else 0),
        "clear_url": _query(filters, audience="", department="", theme="", life_event=""),
        "page_links": page_links,
        "previous_url": _query(filters, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": _query(filters, page=page.next_page_number()) if page.has_next() else "",
    }
