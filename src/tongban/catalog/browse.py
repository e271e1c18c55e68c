"""Browsing the catalogue on the portal and the console: filters, facets, one page of results.

Without a query the list comes from the database (department, then name) and is paginated
there; with a query the search index ranks the published items and bundles and only the page
shown is read from the database. Either way a page costs the same few queries however large the
catalogue is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.core.models import Department

from . import search, selectors
from .models import Bundle, LifeEvent, ServiceItemVersion, Theme
from .models.codes import ApplicantKind, Audience

AUDIENCE_KINDS = {
    Audience.PERSON: [ApplicantKind.PERSON, ApplicantKind.BOTH],
    Audience.ENTERPRISE: [ApplicantKind.ENTERPRISE, ApplicantKind.BOTH],
}
PAGE_SIZE = 20
MAX_BUNDLES = 12
# Why a search hit matched, when it was not its name (SearchHit.field → label).
MATCH_LABELS = {
    "alias": _("别名"),
    "material": _("材料"),
    "summary": _("简介"),
    "conditions": _("受理条件"),
    "items": _("包含事项"),
    "code": _("编码"),
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
            q=" ".join(query.get("q", "").split())[:64],
            audience=audience if audience in Audience.values else "",
            department=query.get("department", "").strip()[:32],
            theme=query.get("theme", "").strip()[:32],
            life_event=query.get("life_event", "").strip()[:32],
        )

    def querystring(self, **changes) -> str:
        values = {**self.__dict__, **changes}
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def active(self) -> bool:
        return any(self.__dict__.values())

    def search_filters(self) -> dict[str, str | None]:
        return {
            "audience": self.audience or None,
            "department": self.department or None,
            "theme": self.theme or None,
            "life_event": self.life_event or None,
        }


@dataclass
class Entry:
    """One item in a list of results, with the reason it matched a query (if not its name)."""

    version: ServiceItemVersion
    match_label: str = ""
    match_text: str = ""


@dataclass
class BrowseResult:
    page: Page
    count: int
    bundles: list[Bundle] = field(default_factory=list)


class _Counted:
    """A sequence of known length whose slices are one page of entries (for ``Paginator``)."""

    def __init__(self, count: int, fetch):
        self._count = count
        self._fetch = fetch

    def __len__(self) -> int:
        return self._count

    def count(self) -> int:
        return self._count

    def __getitem__(self, bounds: slice):
        return self._fetch(bounds.start or 0, (bounds.stop or self._count) - (bounds.start or 0))


def _versions() -> QuerySet[ServiceItemVersion]:
    return selectors.published_versions().annotate(n_materials=Count("materials", distinct=True))


def _filtered(filters: BrowseFilters):
    qs = _versions()
    if filters.audience:
        qs = qs.filter(applicant_kind__in=AUDIENCE_KINDS[filters.audience])
    if filters.department:
        qs = qs.filter(item__department__code=filters.department)
    if filters.theme:
        qs = qs.filter(themes__code=filters.theme)
    if filters.life_event:
        qs = qs.filter(life_events__code=filters.life_event)
    return qs


def _bundles(filters: BrowseFilters) -> list[Bundle]:
    bundles = Bundle.objects.filter(is_published=True)
    if filters.audience:
        bundles = bundles.filter(audience=filters.audience)
    if filters.theme:
        bundles = bundles.filter(themes__code=filters.theme)
    if filters.life_event:
        bundles = bundles.filter(life_events__code=filters.life_event)
    if filters.department:
        bundles = bundles.filter(bundle_items__item__department__code=filters.department)
    return list(bundles.distinct().order_by("code")[:MAX_BUNDLES])


def _entries(hits, versions) -> list[Entry]:
    entries = []
    for hit in hits:
        version = versions.get(hit.pk)
        if version is None:  # retired between indexing and now
            continue
        label = MATCH_LABELS.get(hit.field)
        entries.append(Entry(version, str(label), hit.matched) if label else Entry(version))
    return entries


def _search_page(filters: BrowseFilters, page_number, per_page: int) -> tuple[Page, int]:
    """One page of ranked hits; the index is asked once (twice for a page past the end)."""
    try:
        wanted = max(1, int(page_number))
    except (TypeError, ValueError):
        wanted = 1
    first = search.search(
        filters.q,
        kind="item",
        limit=per_page,
        offset=(wanted - 1) * per_page,
        **filters.search_filters(),
    )

    def fetch(start: int, size: int) -> list[Entry]:
        hits = first.hits
        if start != (wanted - 1) * per_page:
            hits = search.search(
                filters.q, kind="item", limit=size, offset=start, **filters.search_filters()
            ).hits
        versions = _versions().in_bulk([h.pk for h in hits])
        return _entries(hits, versions)

    page = Paginator(_Counted(first.count, fetch), per_page).get_page(wanted)
    return page, first.count


def _search_bundles(filters: BrowseFilters) -> list[Bundle]:
    hits = search.search(
        filters.q, kind="bundle", limit=MAX_BUNDLES, **filters.search_filters()
    ).hits
    found = Bundle.objects.filter(is_published=True).in_bulk([h.pk for h in hits])
    return [found[h.pk] for h in hits if h.pk in found]


def browse(filters: BrowseFilters, page_number=None, *, per_page: int = PAGE_SIZE) -> BrowseResult:
    """One page of matching items, and the matching bundles (一件事) to show above them."""
    if filters.q:
        page, total = _search_page(filters, page_number, per_page)
        bundles = _search_bundles(filters) if page.number == 1 else []
        return BrowseResult(page, total, bundles)
    qs = _filtered(filters).order_by(
        "item__department__region__code", "item__department__code", "name", "pk"
    )
    page = Paginator(qs, per_page).get_page(page_number)
    page.object_list = [Entry(v) for v in page.object_list]
    bundles = _bundles(filters) if page.number == 1 else []
    return BrowseResult(page, page.paginator.count, bundles)


def facets(audience: str) -> dict:
    """The choices of the filter form: themes and life events (of one audience, or all) and
    the departments that have published items, with their number of items. Kept with the
    search index (``search.memo``): recomputed when the published catalogue changes."""
    return search.memo(("facets", audience), lambda: _facets(audience))


def _facets(audience: str) -> dict:
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


def home_overview(*, themes_per_audience: int = 6, bundles: int = 8) -> dict:
    """What the portal home shows of the catalogue: a few themes per audience, and bundles."""
    themes: dict[str, list[Theme]] = {Audience.PERSON: [], Audience.ENTERPRISE: []}
    for theme in Theme.objects.filter(versions__status="published").distinct():
        shown = themes.setdefault(theme.audience, [])
        if len(shown) < themes_per_audience:
            shown.append(theme)
    return {
        "person_themes": themes[Audience.PERSON],
        "enterprise_themes": themes[Audience.ENTERPRISE],
        "bundles": list(
            Bundle.objects.filter(is_published=True).order_by("audience", "code")[:bundles]
        ),
    }


def bundles_with_item(item) -> list[Bundle]:
    """The published bundles (一件事) an item belongs to, for its guide page."""
    return list(Bundle.objects.filter(is_published=True, bundle_items__item=item).order_by("code"))
