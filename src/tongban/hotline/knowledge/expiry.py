"""Articles past their validity, flagged to the departments that own them.

Operators stop finding an article the day after its ``valid_until`` (the search checks the date);
``articles_flag_expired`` — run daily by ``tongban knowledge flag-expired`` — tells the owning
department's editors once per expiry: a work notice (工作提醒) to each editor and one event in the
article's history, which is also what makes a second run the same day (or any later day) a
no-op. An article whose validity is extended and that expires again is flagged again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongban.core.models import AuditEvent, User
from tongban.core.notifications import staff_notify
from tongban.core.permissions import ROLE_PERMISSIONS, Perm
from tongban.core.services.audit import audit
from tongban.core.workdays import business_date

from ..models import Article, ArticleState
from .states import ArticleAction

EDITOR_ROLES = sorted(r for r, perms in ROLE_PERMISSIONS.items() if Perm.KNOWLEDGE_EDIT in perms)
LISTED = 5  # titles named in one notification


@dataclass(frozen=True)
class FlagReport:
    expired: int = 0  # published articles past their validity
    flagged: int = 0  # of which newly flagged by this run
    notified: int = 0  # work notices stored (one per editor of the owning department)

    def __str__(self) -> str:
        return f"expired {self.expired}, newly flagged {self.flagged}, notified {self.notified}"


def _stream(article_id: int) -> str:
    return f"article:{article_id}"


def _already_flagged(articles: list[Article]) -> set[int]:
    """The articles whose current ``valid_until`` has been flagged before."""
    by_stream = {_stream(a.pk): a for a in articles}
    done = set()
    rows = AuditEvent.objects.filter(
        stream__in=list(by_stream), action=ArticleAction.EXPIRY_FLAGGED
    ).values_list("stream", "payload")
    for stream, payload in rows:
        article = by_stream[stream]
        if (payload or {}).get("valid_until") == article.valid_until.isoformat():
            done.add(article.pk)
    return done


def department_editors(department_ids) -> dict[int, list[User]]:
    """Active staff members who may edit articles, by their department."""
    editors: dict[int, list[User]] = defaultdict(list)
    users = (
        User.objects.filter(
            is_active=True,
            staff__department_id__in=list(department_ids),
            groups__name__in=EDITOR_ROLES,
        )
        .select_related("staff")
        .distinct()
    )
    for user in users:
        editors[user.staff.department_id].append(user)
    return editors


def _message(articles: list[Article]) -> tuple[str, str]:
    n = len(articles)
    title = ngettext("%(n)d 条知识条目已过有效期", "%(n)d 条知识条目已过有效期", n) % {"n": n}
    names = "、".join(f"《{a.title}》（{a.valid_until:%Y-%m-%d} 失效）" for a in articles[:LISTED])
    more = _("等") if n > LISTED else ""
    body = _(
        "本单位维护的%(names)s%(more)s已过有效期，话务员已检索不到。"
        "请核实后修改有效期、更新内容或下架。"
    ) % {"names": names, "more": more}
    return title, body


def articles_flag_expired(*, today: dt.date | None = None) -> FlagReport:
    """Flag every published article past its validity that has not been flagged for it yet."""
    today = today or business_date(timezone.now())
    expired = list(
        Article.objects.filter(state=ArticleState.PUBLISHED, valid_until__lt=today).order_by(
            "department_id", "valid_until", "pk"
        )
    )
    done = _already_flagged(expired)
    new = [a for a in expired if a.pk not in done]
    if not new:
        return FlagReport(expired=len(expired))
    by_department: dict[int | None, list[Article]] = defaultdict(list)
    for article in new:
        by_department[article.department_id].append(article)
    editors = department_editors(d for d in by_department if d is not None)
    link = reverse("hotline-console:knowledge:expired")
    notified = 0
    with transaction.atomic():
        for department_id, articles in by_department.items():
            title, body = _message(articles)
            for user in editors.get(department_id, []):
                staff_notify(user=user, title=title, body=body, link=link)
                notified += 1
            for article in articles:
                audit(
                    stream=_stream(article.pk),
                    action=ArticleAction.EXPIRY_FLAGGED,
                    payload={
                        "valid_until": article.valid_until.isoformat(),
                        "department_id": department_id,
                        "editors": len(editors.get(department_id, [])),
                    },
                )
    return FlagReport(len(expired), len(new), notified)
