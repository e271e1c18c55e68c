"""The catalogue's service guides as knowledge articles (source ``catalog``).

Every published item version appears as one article: the title is the item's name and
"办事指南", the content the guide in plain text (conditions, materials, time limits, fees, where
and when to go, how to ask), the keywords the item's aliases, the department the item's, the
subject the taxonomy's best match where one is clear. It is valid from the day the version was
published for as long as it stays published; a retired item's article is withdrawn.

``articles_sync_from_catalog()`` is idempotent and may be given the codes that changed; the
catalogue calls it on every publish and retire (``HotlineConfig.ready`` registers it with
``tongban.catalog.services.hooks``), the demo calls it for everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from tongban.catalog import selectors as catalog_selectors
from tongban.core.services.audit import audit
from tongban.core.workdays import business_date

from ..models import (
    Article,
    ArticleSource,
    ArticleState,
    CatalogueStatus,
    DispatchEntry,
    Subject,
)
from . import index
from .index import split_keywords
from .states import ArticleAction

TITLE_SUFFIX = "办事指南"
ENOUGH = 2.0


@dataclass(frozen=True)
class SyncReport:
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, withdrawn {self.withdrawn}, "
            f"unchanged {self.unchanged}"
        )


# ---------------------------------------------------------------- the guide as text
# The text is data stored in the article, not interface text: it is written in the
# platform's default language whatever language the process that runs the sync speaks.


def _numbered(lines: Iterable[str]) -> list[str]:
    return [f"{i}. {line}" for i, line in enumerate(lines, 1)]


def _material_line(material) -> str:
    notes = [str(material.get_necessity_display())]
    if material.condition:
        notes.append(material.condition)
    if material.copies > 1:
        notes.append(f"{material.copies} 份")
    return f"{material.name}（{'，'.join(notes)}）"


def _limits(version) -> list[str]:
    if version.handling_type == "instant":
        text = "即办件，材料齐全的当场办结。"
    else:
        text = (
            f"法定办结时限 {version.legal_limit_days} 个工作日，"
            f"承诺办结时限 {version.promised_limit_days} 个工作日。"
        )
    return [t for t in (text, version.promised_limit_note, version.legal_limit_note) if t]


def _fees(version) -> list[str]:
    fees = list(version.fees.all())
    if not fees and not version.charges_fee:
        return ["不收费。"]
    return [f"{fee.name}：{fee.standard}" if fee.standard else fee.name for fee in fees]


def _where(version) -> list[str]:
    lines = []
    if version.visits == 0:
        lines.append("全程网上办理，不用跑现场。")
    else:
        reason = f"（{version.visits_reason}）" if version.visits_reason else ""
        lines.append(f"最多到现场 {version.visits} 次{reason}。")
    lines.append(f"网上办理深度：{version.get_online_depth_display()}。")
    if version.location:
        lines.append(f"办理地点：{version.location}")
    if version.hours:
        lines.append(f"办理时间：{version.hours}")
    return lines


def guide_text(version) -> str:
    """The guide of a published version (materials, fees and FAQs prefetched) as plain text."""
    department = version.item.department
    sections: list[tuple[str, list[str]]] = [
        ("事项简介", [version.summary] if version.summary else []),
        ("受理条件", [version.conditions] if version.conditions else []),
        ("申请材料", _numbered(_material_line(m) for m in version.materials.all())),
        ("办理时限", _limits(version)),
        ("收费标准", _fees(version)),
        ("办理地点和时间", _where(version)),
        ("办理流程", _numbered(str(s) for s in version.process_steps or [])),
        (
            "咨询和投诉",
            [
                line
                for line in (
                    f"咨询电话：{version.consult_phone}" if version.consult_phone else "",
                    f"监督投诉电话：{version.complaint_phone}" if version.complaint_phone else "",
                )
                if line
            ],
        ),
        ("常见问题", [f"问：{f.question}\n答：{f.answer}" for f in version.faqs.all()]),
    ]
    parts = [
        f"{version.name}（实施主体：{department.name}，事项编码 {version.item.implementation_code}）"
    ]
    for heading, lines in sections:
        if lines:
            parts.append(f"【{heading}】\n" + "\n".join(lines))
    return "\n\n".join(parts)


# ---------------------------------------------------------------- the subject


class SubjectMatcher:
    """The taxonomy's subject for an item where one is clear: the subject's name (3 points) or
    its keywords (1 each) appear in the item's name or aliases, the dispatch catalogue giving
    the subject to the item's department adds 2, a deeper level a little; ``ENOUGH`` points
    are needed (one keyword alone is not)."""

    def __init__(self):
        self.subjects = [
            (pk, name, [k for k in split_keywords(keywords) if len(k) >= 2], level)
            for pk, name, keywords, level in Subject.objects.filter(active=True).values_list(
                "pk", "name", "keywords", "level"
            )
        ]
        self.owners = dict(
            DispatchEntry.objects.filter(
                catalogue__status=CatalogueStatus.PUBLISHED, department__isnull=False
            ).values_list("subject_id", "department_id")
        )

    def __call__(self, text: str, department_id: int) -> int | None:
        best: tuple[float, int] | None = None
        for pk, name, keywords, level in self.subjects:
            score = 3.0 if len(name) >= 2 and name in text else 0.0
            score += sum(1.0 for k in keywords if k in text)
            if not score:
                continue
            if self.owners.get(pk) == department_id:
                score += 2.0
            score += level / 10
            if best is None or score > best[0]:
                best = (score, pk)
        return best[1] if best is not None and best[0] >= ENOUGH else None


# ---------------------------------------------------------------- the sync


def _wanted(version, matcher: SubjectMatcher) -> dict:
    aliases = version.alias_list
    return {
        "title": f"{version.name}{TITLE_SUFFIX}"[:200],
        "content": guide_text(version),
        "keywords": "、".join(aliases)[:256],
        "department_id": version.item.department_id,
        "subject_id": matcher(version.name + " " + " ".join(aliases), version.item.department_id),
        "valid_from": business_date(version.published_at or timezone.now()),
        "valid_until": None,
        "state": ArticleState.PUBLISHED,
    }


def _versions(codes: list[str] | None):
    qs = catalog_selectors.published_versions().prefetch_related("materials", "fees", "faqs")
    if codes is not None:
        qs = qs.filter(item__implementation_code__in=codes)
    return qs.order_by("item__implementation_code")


def _record(article: Article, before: str, item_code: str) -> None:
    audit(
        stream=f"article:{article.pk}",
        action=ArticleAction.SYNC,
        payload={"from": before, "to": article.state, "item_code": item_code},
    )


def articles_sync_from_catalog(*, item_codes: Iterable[str] | None = None) -> SyncReport:
    """Make the catalogue articles match the published catalogue (all of it, or ``item_codes``)."""
    codes = sorted(set(item_codes)) if item_codes is not None else None
    created = updated = withdrawn = unchanged = 0
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        existing: dict[str, Article] = {}
        mirrored = Article.objects.select_for_update().filter(source=ArticleSource.CATALOG)
        if codes is not None:
            mirrored = mirrored.filter(item_code__in=codes)
        duplicates: list[Article] = []
        for article in mirrored.order_by("pk"):
            if article.item_code in existing:
                duplicates.append(article)  # two syncs raced: keep the first
            else:
                existing[article.item_code] = article
        matcher = SubjectMatcher()
        published: set[str] = set()
        for version in _versions(codes):
            code = version.item.implementation_code
            published.add(code)
            wanted = _wanted(version, matcher)
            article = existing.get(code)
            if article is None:
                article = Article.objects.create(
                    **wanted,
                    source=ArticleSource.CATALOG,
                    item_code=code,
                    reviewed_at=version.published_at,
                )
                _record(article, "", code)
                created += 1
                continue
            changed = [k for k, v in wanted.items() if getattr(article, k) != v]
            if not changed:
                unchanged += 1
                continue
            before = article.state
            for key in changed:
                setattr(article, key, wanted[key])
            article.reviewed_at = version.published_at
            article.save()
            _record(article, before, code)
            updated += 1
        gone = [a for code, a in existing.items() if code not in published] + duplicates
        for article in gone:
            if article.state == ArticleState.WITHDRAWN:
                continue
            before = article.state
            article.state = ArticleState.WITHDRAWN
            article.save(update_fields=["state", "updated_at"])
            _record(article, before, article.item_code)
            withdrawn += 1
    if created or updated or withdrawn:
        index.invalidate()  # and the table's fingerprint moved, for the other processes
    return SyncReport(created, updated, withdrawn, unchanged)


def on_catalogue_change(codes: list[str]) -> None:
    """The catalogue's listener (``tongban.catalog.services.hooks``)."""
    articles_sync_from_catalog(item_codes=codes)
