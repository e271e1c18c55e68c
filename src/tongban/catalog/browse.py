"""Browsing the catalogue on the portal: filters, facets and search results as one list."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q

from tongban.core.models import Department

from . import search, selectors
from .models import Bundle, LifeEvent, ServiceItemVersion, Theme
from .models.codes import ApplicantKind, Audience

AUDIENCE_KINDS = {
    Audience.PERSON: [ApplicantKind.PERSON, ApplicantKind.BOTH],
    Audience.ENTERPRISE: [ApplicantKind.ENTERPRISE, ApplicantKind.BOTH],
}


@dataclass
class BrowseFilters:
    q: str = ""
    audience: str = ""
    department: str = ""
    theme: str = ""
    life_event: str = ""

    @classmethod
    def from_query(cls, query) -> BrowseFilters:
        audience = query.get("audience", "")
        return cls(
            q=query.get("q", "").strip()[:64],
            audience=audience if audience in Audience.values else "",
            department=query.get("department", "")[:32],
            theme=query.get("theme", "")[:32],
            life_event=query.get("life_event", "")[:32],
        )

    def querystring(self, **changes) -> str:
        values = {**self.__dict__, **changes}
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def active(self) -> bool:
        return any(self.__dict__.values())


@dataclass
class BrowseResult:
    entries: list[ServiceItemVersion] = field(default_factory=list)
    bundles: list[Bundle] = field(default_factory=list)


def _filtered(filters: BrowseFilters):
    qs = selectors.published_versions()
    if filters.audience:
        qs = qs.filter(applicant_kind__in=AUDIENCE_KINDS[filters.audience])
    if filters.department:
        qs = qs.filter(item__department__code=filters.department)
    if filters.theme:
        qs = qs.filter(themes__code=filters.theme)
    if filters.life_event:
        qs = qs.filter(life_events__code=filters.life_event)
    return qs.annotate(n_materials=Count("materials", distinct=True))


def browse(filters: BrowseFilters) -> BrowseResult:
    qs = _filtered(filters)
    bundles = Bundle.objects.filter(is_published=True)
    if filters.audience:
        bundles = bundles.filter(audience=filters.audience)
    if filters.theme:
        bundles = bundles.filter(themes__code=filters.theme)
    if filters.life_event:
        bundles = bundles.filter(life_events__code=filters.life_event)
    if filters.department:
        bundles = bundles.filter(bundle_items__item__department__code=filters.department)
    if not filters.q:
        return BrowseResult(
            list(qs.order_by("item__department__code", "name")), list(bundles.distinct())
        )
    hits = search.search(filters.q, limit=200).hits
    by_code = {v.item.implementation_code: v for v in qs}
    entries = [by_code[h.code] for h in hits if h.kind == "item" and h.code in by_code]
    bundle_codes = [h.code for h in hits if h.kind == "bundle"]
    matched = {b.code: b for b in bundles.filter(code__in=bundle_codes)}
    return BrowseResult(entries, [matched[c] for c in bundle_codes if c in matched])


def facets(audience: str) -> dict:
    themes = Theme.objects.all()
    events = LifeEvent.objects.all()
    if audience:
        themes = themes.filter(audience=audience)
        events = events.filter(audience=audience)
    departments = (
        Department.objects.filter(service_items__versions__status="published")
        .annotate(
            n=Count(
                "service_items",
                filter=Q(service_items__versions__status="published"),
                distinct=True,
            )
        )
        .order_by("region__code", "code")
    )
    return {"themes": list(themes), "life_events": list(events), "departments": list(departments)}
