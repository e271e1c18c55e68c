"""Reads of the catalogue: published items and bundles, materials for answers, statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound

from . import search
from .models import (
    Bundle,
    BundleItem,
    Material,
    Necessity,
    ServiceItem,
    ServiceItemVersion,
    SituationOption,
    SituationQuestion,
)
from .models.codes import HandlingType, OnlineDepth, VersionStatus
from .situations import check_no_extra_answers, walk

_QUESTIONS = Prefetch(
    "questions",
    queryset=SituationQuestion.objects.order_by("order", "id").prefetch_related(
        Prefetch(
            "options",
            queryset=SituationOption.objects.order_by("order", "id").prefetch_related(
                "adds_materials", "removes_materials", "excludes_items"
            ),
        )
    ),
)


def published_versions() -> QuerySet[ServiceItemVersion]:
    return ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "item__department__region"
    )


def version_for_display(version_id: int) -> ServiceItemVersion:
    """A version with every element loaded, read now (ten statements). For a draft (the guide's
    preview) and anyone who changes what they get; others use ``displayed_version``."""
    version = (
        ServiceItemVersion.objects.select_related("item__department__region")
        .prefetch_related(
            "materials",
            "legal_bases",
            "special_procedures",
            "fees",
            "faqs",
            "themes",
            "life_events",
            _QUESTIONS,
        )
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound(_("没有找到该事项。"))
    return version


# ---------------------------------------------------------------- versions kept by the process

KEEP_VERSIONS = 256  # loaded versions per process; the least recently used goes first


def _displayed(pk: int, created_at: dt.datetime, status: str) -> ServiceItemVersion:
    if status == VersionStatus.DRAFT:
        return version_for_display(pk)  # a draft's elements change while it is edited
    # The status and creation time come fresh from the caller's row: a retired version is a new
    # key, and a key never names a row that a rolled-back transaction left for reuse.
    key = (connection.alias, pk, created_at, status)
    kept = search.kept("displayed_versions", KEEP_VERSIONS)
    found = kept.get(key)
    if found is None:
        found = version_for_display(pk)
        if (found.created_at, found.status) == (created_at, status):  # not changed meanwhile
            kept.put(key, found)
    return found


def displayed_version(version: ServiceItemVersion) -> ServiceItemVersion:
    """``version`` (a row just read: a case's item version, the published one of an item) with
    every element loaded, as ``version_for_display`` loads it; for a published or retired
    version, the copy this process keeps.

    A published version never changes (editing an item makes a new draft): only its status
    moves on to retired, and that is part of the key. What it shows from outside — the
    department's and region's names, themes and life events, the item's local codes — is at
    most ``TONGBAN_FACETS_CACHE_SECONDS`` old, and fresh after every publication or retirement
    (the copies are kept with the search index's revision: ``search.memo``). Drafts are read
    every time. Callers must not change what they get: it is shared by the process's requests.
    """
    return _displayed(version.pk, version.created_at, version.status)


def get_published_item(code: str) -> ServiceItemVersion:
    """The published version of the item with this implementation code (or 404), with every
    element loaded (``displayed_version``: callers must not change it)."""
    row = (
        ServiceItemVersion.objects.filter(
            status=VersionStatus.PUBLISHED, item__implementation_code=code
        )
        .values_list("pk", "created_at")
        .first()
    )
    if row is None:
        raise NotFound(_("没有找到实施编码为 %(code)s 的在办事项。") % {"code": code[:40]})
    return _displayed(row[0], row[1], VersionStatus.PUBLISHED)


def get_published_bundle(code: str) -> Bundle:
    bundle = (
        Bundle.objects.filter(code=code, is_published=True)
        .prefetch_related(
            _QUESTIONS,
            "themes",
            "life_events",
            Prefetch("bundle_items", queryset=BundleItem.objects.select_related("item")),
        )
        .first()
    )
    if bundle is None:
        raise NotFound(_("没有找到该一件事。"))
    return bundle


@dataclass
class MaterialNeed:
    material: Material
    required: bool
    by_situation: bool = False
    items: list[ServiceItemVersion] = field(default_factory=list)


@dataclass
class MaterialsResult:
    materials: list[MaterialNeed]
    conditions: list[str]
    path: list[tuple[SituationQuestion, SituationOption]]
    items: list[ServiceItemVersion] = field(default_factory=list)
    undeduplicated_count: int = 0

    @property
    def required_count(self) -> int:
        return sum(1 for m in self.materials if m.required)


def _apply(version: ServiceItemVersion, options: list[SituationOption]) -> list[MaterialNeed]:
    added = {m.pk for o in options for m in o.adds_materials.all()}
    removed = {m.pk for o in options for m in o.removes_materials.all()}
    needs = []
    for material in version.materials.all():
        if material.pk in removed:
            continue
        conditional = material.necessity == Necessity.CONDITIONAL and material.pk not in added
        if conditional and not material.condition:
            continue  # only a situation option brings it in
        # A conditional material with a written condition is listed for the applicant to judge.
        required = material.pk in added or material.necessity == Necessity.REQUIRED
        needs.append(
            MaterialNeed(material, required, by_situation=material.pk in added, items=[version])
        )
    return needs


def materials_for(
    item: ServiceItem | ServiceItemVersion, answers: Mapping[str, str]
) -> MaterialsResult:
    """Exactly the materials for a complete, consistent set of situation answers."""
    version = (
        item
        if isinstance(item, ServiceItemVersion)
        else get_published_item(item.implementation_code)
    )
    if not hasattr(version, "_prefetched_objects_cache"):
        version = displayed_version(version)
    result = walk(version.questions.all(), answers)
    check_no_extra_answers(answers, result.asked_codes)
    conditions = [version.conditions] if version.conditions else []
    conditions += [o.adds_condition for o in result.chosen if o.adds_condition]
    needs = _apply(version, result.chosen)
    return MaterialsResult(
        needs, conditions, result.path, items=[version], undeduplicated_count=len(needs)
    )


def bundle_versions(bundle: Bundle) -> list[tuple[BundleItem, ServiceItemVersion]]:
    """The published version of each member item, in order (remembered on the instance)."""
    cached = getattr(bundle, "_published_pairs", None)
    if cached is not None:
        return cached
    published = {
        v.item_id: v
        for v in ServiceItemVersion.objects.filter(
            status=VersionStatus.PUBLISHED,
            item_id__in=[bi.item_id for bi in bundle.bundle_items.all()],
        )
        .select_related("item__department")
        .prefetch_related("materials", _QUESTIONS)
    }
    bundle._published_pairs = [
        (bi, published[bi.item_id]) for bi in bundle.bundle_items.all() if bi.item_id in published
    ]
    return bundle._published_pairs


def bundle_walk(bundle: Bundle, answers: Mapping[str, str], *, partial: bool = False):
    """Walk the bundle's own questions, then each included item's, sharing answers by code.

    Returns (path, next_question, included [(bundle item, version)], chosen options per item,
    asked question codes).
    """
    head = walk(bundle.questions.all(), answers, partial=partial)
    asked = set(head.asked_codes)
    path = list(head.path)
    if not head.complete:
        return path, head.next_question, [], {}, asked
    excluded = {bi.pk for o in head.chosen for bi in o.excludes_items.all()}
    included = [(bi, v) for bi, v in bundle_versions(bundle) if bi.pk not in excluded]
    per_item: dict[int, list[SituationOption]] = {}
    seen_codes = set(asked)
    for _bi, version in included:
        sub = walk(version.questions.all(), answers, partial=partial)
        asked |= sub.asked_codes
        for question, option in sub.path:
            if question.code not in seen_codes:
                path.append((question, option))
                seen_codes.add(question.code)
        per_item[version.pk] = head.chosen + sub.chosen
        if not sub.complete:
            return path, sub.next_question, included, per_item, asked
    return path, None, included, per_item, asked


def bundle_materials_for(bundle: Bundle, answers: Mapping[str, str]) -> MaterialsResult:
    """The bundle's de-duplicated materials for complete answers: shared materials asked once."""
    path, _next, included, per_item, asked = bundle_walk(bundle, answers)
    check_no_extra_answers(answers, asked)
    merged: dict[tuple[str, str], MaterialNeed] = {}
    total = 0
    conditions: list[str] = []
    for _bi, version in included:
        options = per_item.get(version.pk, [])
        conditions += [o.adds_condition for o in options if o.adds_condition]
        for need in _apply(version, options):
            total += 1
            key = need.material.dedup_key
            if key in merged:
                merged[key].items.append(version)
                merged[key].required = merged[key].required or need.required
            else:
                merged[key] = need
    return MaterialsResult(
        list(merged.values()),
        list(dict.fromkeys(conditions)),
        path,
        items=[v for _bi, v in included],
        undeduplicated_count=total,
    )


@dataclass
class BundleOverview:
    items: int
    materials: int
    materials_without_bundle: int
    departments: int


def bundle_overview(bundle: Bundle) -> BundleOverview:
    """ "N items, M materials instead of K, D departments" for the bundle without situations."""
    pairs = bundle_versions(bundle)
    keys: set[tuple[str, str]] = set()
    total = 0
    for _bi, version in pairs:
        for need in _apply(version, []):
            if need.required:
                total += 1
                keys.add(need.material.dedup_key)
    return BundleOverview(
        items=len(pairs),
        materials=len(keys),
        materials_without_bundle=total,
        departments=len({v.item.department_id for _bi, v in pairs}),
    )


@dataclass
class CatalogueStatistics:
    items: int
    average_materials: float
    compression_ratio: float
    instant_share: float
    fully_online_share: float
    average_visits: float
    zero_visit_share: float


def catalogue_statistics(*, department_id: int | None = None) -> CatalogueStatistics:
    """The catalogue figures the supervision reports quote (over published versions)."""
    qs = published_versions()
    if department_id is not None:
        qs = qs.filter(item__department_id=department_id)
    rows = list(
        qs.annotate(n_materials=Count("materials")).values(
            "n_materials",
            "legal_limit_days",
            "promised_limit_days",
            "handling_type",
            "online_depth",
            "visits",
            "deliveries",
        )
    )
    n = len(rows)
    if not n:
        return CatalogueStatistics(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    ratios = [
        1 - r["promised_limit_days"] / r["legal_limit_days"] for r in rows if r["legal_limit_days"]
    ]
    return CatalogueStatistics(
        items=n,
        average_materials=sum(r["n_materials"] for r in rows) / n,
        compression_ratio=sum(ratios) / len(ratios) if ratios else 0.0,
        instant_share=sum(r["handling_type"] == HandlingType.INSTANT for r in rows) / n,
        fully_online_share=sum(r["online_depth"] == OnlineDepth.FULLY_ONLINE for r in rows) / n,
        average_visits=sum(r["visits"] for r in rows) / n,
        zero_visit_share=sum(r["visits"] == 0 for r in rows) / n,
    )


def items_by_department() -> list[dict]:
    return list(
        published_versions()
        .values("item__department__code", "item__department__name")
        .annotate(n=Count("id"))
        .order_by("item__department__code")
    )
