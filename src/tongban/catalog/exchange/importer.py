"""Importing a workbook (``tongban catalog import in.xlsx``): read and check every row first,
then write everything through the services in one transaction, or nothing at all."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from tongban.core.errors import DomainError

from ..models import Bundle, ServiceItem, ServiceItemVersion
from ..models.codes import VersionStatus
from ..services import (
    bundle_publish,
    bundle_save,
    item_publish,
    item_retire,
    item_save_spec,
    tags_save,
)
from ..services.items import SpecInvalid
from ..spec import spec_from_version
from .reader import ImportProblem, Problems, read_workbook
from .specs import normalised_bundle_spec, normalised_item_spec, spec_from_bundle
from .validate import BundleEntry, CatalogueValidator, ItemEntry, ParsedCatalogue


@dataclass
class ImportReport:
    items_created: int = 0
    items_revised: int = 0
    items_published: int = 0
    items_retired: int = 0
    items_unchanged: int = 0
    bundles_saved: int = 0
    bundles_unchanged: int = 0
    themes_saved: int = 0
    life_events_saved: int = 0
    dry_run: bool = False
    warnings: list[ImportProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return _(
            "事项：新建 %(c)d，新版本 %(r)d，发布草稿 %(p)d，停用 %(t)d，未变 %(u)d；"
            "一件事：保存 %(bs)d，未变 %(bu)d；主题保存 %(th)d，人生事件保存 %(le)d。"
        ) % {
            "c": self.items_created,
            "r": self.items_revised,
            "p": self.items_published,
            "t": self.items_retired,
            "u": self.items_unchanged,
            "bs": self.bundles_saved,
            "bu": self.bundles_unchanged,
            "th": self.themes_saved,
            "le": self.life_events_saved,
        }


def catalogue_check(source) -> ParsedCatalogue:
    """Read and check a workbook; raises ``ImportInvalid`` listing every problem."""
    problems = Problems()
    sheets = read_workbook(source, problems)
    parsed = CatalogueValidator(sheets, problems).run()
    problems.raise_if_any()
    return parsed


def catalogue_import(
    source,
    *,
    actor=None,
    dry_run: bool = False,
    progress: bool | None = False,
    progress_file=None,
) -> ImportReport:
    """Import a catalogue workbook: every row is checked first; if any is invalid nothing is
    written and ``ImportInvalid`` lists every problem with its sheet, row and column.

    Items are written through ``item_save_spec`` (a new draft only when the elements changed),
    published when their status says 已发布 and retired when it says 已停用; bundles through
    ``bundle_save``. Items and bundles missing from the workbook are left as they are.
    """
    parsed = catalogue_check(source)
    report = ImportReport(dry_run=dry_run, warnings=parsed.warnings)
    if dry_run:
        return report
    problems = Problems()
    with transaction.atomic():
        report.themes_saved = tags_save(actor=actor, kind="theme", rows=parsed.themes)
        report.life_events_saved = tags_save(
            actor=actor, kind="life_event", rows=parsed.life_events
        )
        bar = tqdm(
            parsed.items,
            desc=_("导入事项"),
            unit=_("项"),
            file=progress_file or sys.stderr,
            disable=None if progress is None else not progress,
        )
        for entry in bar:
            try:
                with transaction.atomic():
                    outcome = _write_item(entry, actor)
            except SpecInvalid as exc:
                for error in exc.errors:
                    problems.add(entry.row, "implementation_code", str(error))
                continue
            except DomainError as exc:
                problems.add(entry.row, "status", exc.message)
                continue
            setattr(report, f"items_{outcome}", getattr(report, f"items_{outcome}") + 1)
        for entry in parsed.bundles:
            try:
                with transaction.atomic():
                    saved = _write_bundle(entry, actor)
            except DomainError as exc:
                problems.add(entry.row, "code", exc.message)
                continue
            if saved:
                report.bundles_saved += 1
            else:
                report.bundles_unchanged += 1
        problems.raise_if_any()  # rolls the whole import back
    return report


def _same(version: ServiceItemVersion | None, spec: dict[str, Any]) -> bool:
    return version is not None and normalised_item_spec(
        spec_from_version(version)
    ) == normalised_item_spec(spec)


def _write_item(entry: ItemEntry, actor) -> str:
    """Bring one item to the workbook's elements and status; returns what was done."""
    spec, status = entry.spec, entry.status
    item = ServiceItem.objects.filter(implementation_code=spec["implementation_code"]).first()
    versions = list(item.versions.order_by("-version")) if item else []
    by_status = {}
    for v in versions:
        by_status.setdefault(v.status, v)  # the newest of each status
    published = by_status.get(VersionStatus.PUBLISHED)
    draft = by_status.get(VersionStatus.DRAFT)
    retired = by_status.get(VersionStatus.RETIRED)
    outcome = "revised" if item else "created"
    if status == VersionStatus.PUBLISHED:
        if _same(published, spec):
            return "unchanged"
        if _same(draft, spec):
            item_publish(actor=actor, version=draft)
            return "published"
        item_save_spec(actor=actor, spec=spec, publish=True)
        return outcome
    if status == VersionStatus.DRAFT:
        if _same(published, spec) or _same(draft, spec):
            return "unchanged"
        item_save_spec(actor=actor, spec=spec)
        return outcome
    # 已停用
    if published is None and draft is None and _same(retired, spec):
        return "unchanged"
    if not _same(published, spec):
        item_save_spec(actor=actor, spec=spec, publish=True)
        item = ServiceItem.objects.get(implementation_code=spec["implementation_code"])
    item_retire(actor=actor, item=item)
    return "retired" if outcome == "revised" else outcome


def _write_bundle(entry: BundleEntry, actor) -> bool:
    spec = entry.spec
    bundle = Bundle.objects.filter(code=spec["code"]).first()
    if bundle is not None and normalised_bundle_spec(
        spec_from_bundle(bundle)
    ) == normalised_bundle_spec(spec):
        return False
    saved = bundle_save(actor=actor, spec={**spec, "publish": spec["is_published"]})
    if saved.is_published and not spec["is_published"]:
        bundle_publish(actor=actor, bundle=saved, published=False)
    return True
