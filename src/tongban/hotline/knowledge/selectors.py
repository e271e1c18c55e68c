"""Reads of the knowledge base: the list pages, one article, the review queue and the expired
and expiring articles each department must look after. Lookups answer "not found" for missing
and forbidden articles alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound
from tongban.core.models import AuditEvent
from tongban.core.workdays import business_date

from ..models import Article, ArticleSource, ArticleState, Subject
from . import access

PAGE_SIZE = 20
EXPIRING_DAYS = 30  # "即将到期": valid for at most this many more days

VALIDITY_CHOICES = [
    ("valid", _("在有效期内")),
    ("expiring", _("即将到期（30 天内）")),
    ("expired", _("已过期")),
    ("future", _("尚未生效")),
]


def today() -> dt.date:
    return business_date(timezone.now())


def _base() -> QuerySet[Article]:
    return Article.objects.select_related("subject", "department")


def visible_articles(user) -> QuerySet[Article]:
    condition = access.visible_filter(user)
    if condition is None:
        return Article.objects.none()
    return _base().filter(condition)


def article_for(user, article_id: int) -> Article:
    """The article if ``user`` may open it; NotFound otherwise (missing or not theirs)."""
    article = (
        visible_articles(user)
        .select_related("created_by", "reviewed_by")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise NotFound(_("没有找到该知识条目。"))
    return article


def validity_of(article: Article, day: dt.date | None = None) -> str:
    """valid | expiring | expired | future, for ``day`` (today)."""
    day = day or today()
    if article.valid_from > day:
        return "future"
    if article.valid_until is None:
        return "valid"
    if article.valid_until < day:
        return "expired"
    if article.valid_until <= day + dt.timedelta(days=EXPIRING_DAYS):
        return "expiring"
    return "valid"


def _validity_filter(key: str, day: dt.date) -> Q:
    soon = day + dt.timedelta(days=EXPIRING_DAYS)
    open_ended = Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    return {
        "valid": Q(valid_from__lte=day) & open_ended,
        "expiring": Q(valid_from__lte=day, valid_until__gte=day, valid_until__lte=soon),
        "expired": Q(valid_until__lt=day),
        "future": Q(valid_from__gt=day),
    }[key]


@dataclass(frozen=True)
class ArticleFilters:
    q: str = ""
    state: str = ""
    subject: str = ""
    department: str = ""
    validity: str = ""
    source: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> ArticleFilters:
        def pick(name: str, allowed) -> str:
            value = (data.get(name) or "").strip()
            return value if value in allowed else ""

        try:
            page = max(1, min(int(data.get("page") or 1), 100_000))
        except ValueError:
            page = 1
        return cls(
            q=(data.get("q") or "").strip()[:100],
            state=pick("state", ArticleState.values),
            subject=(data.get("subject") or "").strip()[:16],
            department=(data.get("department") or "").strip()[:32],
            validity=pick("validity", dict(VALIDITY_CHOICES)),
            source=pick("source", ArticleSource.values),
            page=page,
        )

    def querystring(self, **changes) -> str:
        values = replace(self, **changes)
        pairs = [(f.name, getattr(values, f.name)) for f in fields(values)]
        return urlencode([(k, v) for k, v in pairs if v and not (k == "page" and v == 1)])

    @property
    def active(self) -> bool:
        return any((self.q, self.state, self.subject, self.department, self.validity, self.source))


def articles_list(user, filters: ArticleFilters, *, day: dt.date | None = None) -> Page:
    """One page of the articles ``user`` may see, newest change first."""
    day = day or today()
    qs = visible_articles(user)
    if filters.q:
        by_text = Q(title__icontains=filters.q) | Q(keywords__icontains=filters.q)
        if filters.q.isdigit():
            by_text |= Q(pk=int(filters.q)) | Q(item_code=filters.q)
        qs = qs.filter(by_text)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.subject:
        qs = qs.filter(
            Q(subject__code=filters.subject) | Q(subject__code__startswith=f"{filters.subject}.")
        )
    if filters.department:
        qs = qs.filter(department__code=filters.department)
    if filters.validity:
        qs = qs.filter(_validity_filter(filters.validity, day))
    if filters.source:
        qs = qs.filter(source=filters.source)
    paginator = Paginator(qs.order_by("-updated_at", "-pk"), PAGE_SIZE)
    return paginator.get_page(filters.page)


def state_counts(user) -> dict[str, int]:
    rows = visible_articles(user).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def review_queue(user) -> QuerySet[Article]:
    """Articles waiting for review, oldest first (reviewers only)."""
    if not access.may_review(user):
        return Article.objects.none()
    return (
        _base()
        .select_related("created_by")
        .filter(state=ArticleState.PENDING)
        .order_by("updated_at", "pk")
    )


def _looked_after(user) -> QuerySet[Article]:
    """The published articles ``user`` must look after: their department's (everything for
    reviewers and editors of every department)."""
    qs = _base().filter(state=ArticleState.PUBLISHED)
    if access.may_review(user) or access.edits_everything(user):
        return qs
    department = access.own_department_id(user)
    if department is None or not access.may_edit_for(user, department):
        return Article.objects.none()
    return qs.filter(department_id=department)


def expired_articles(user, *, day: dt.date | None = None) -> QuerySet[Article]:
    """Published articles past their validity: hidden from operators, to be renewed or
    withdrawn by their owners (oldest expiry first)."""
    day = day or today()
    return _looked_after(user).filter(valid_until__lt=day).order_by("valid_until", "pk")


def expiring_articles(user, *, day: dt.date | None = None) -> QuerySet[Article]:
    """Published articles that expire within ``EXPIRING_DAYS``."""
    day = day or today()
    return (
        _looked_after(user).filter(_validity_filter("expiring", day)).order_by("valid_until", "pk")
    )


def flag_counts(user, *, day: dt.date | None = None) -> dict[str, int]:
    """How many articles wait for this user: in review, expired, expiring."""
    day = day or today()
    return {
        "pending": review_queue(user).count(),
        "expired": expired_articles(user, day=day).count(),
        "expiring": expiring_articles(user, day=day).count(),
    }


def article_history(article: Article) -> list[AuditEvent]:
    """The article's events (created, edited, reviewed, withdrawn, synced, flagged), oldest
    first."""
    return list(
        AuditEvent.objects.filter(stream=f"article:{article.pk}")
        .select_related("actor")
        .order_by("seq")
    )


def subjects_for_choice() -> list[tuple[str, str]]:
    """Active subjects as (code, "城乡建设 > 市政设施 > 道路积水"), in code order."""
    rows = list(Subject.objects.filter(active=True).values_list("pk", "code", "name", "parent_id"))
    by_pk = {pk: (code, name, parent) for pk, code, name, parent in rows}

    def path(pk: int) -> str:
        names, seen = [], set()
        while pk in by_pk and pk not in seen:
            seen.add(pk)
            _code, name, parent = by_pk[pk]
            names.append(name)
            pk = parent
        return " > ".join(reversed(names))

    return sorted(((code, path(pk)) for pk, (code, _n, _p) in by_pk.items()), key=lambda r: r[0])
