"""The article review cycle: the one module that says which action leads where.

    draft ─ submit ─► pending ─ publish ─► published ─ withdraw ─► withdrawn
      ▲                 │ │                  │                       │
      └── send back ────┘ └──── withdraw ────┼───────────────────────┤
      ▲                                      │ edit (back to review)  │
      └──────────── edit ────────────────────┼───────────────────────┘
                                  pending ◄──┘

Editing a published article sends it back to review: what operators read is always what a
reviewer approved. Articles mirrored from the catalogue (source ``catalog``) follow the
catalogue and are changed only by the sync.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..models import ArticleState

S = ArticleState


class ArticleAction(models.TextChoices):
    CREATE = "article_create", _("新建")
    EDIT = "article_edit", _("修改")
    SUBMIT = "article_submit", _("提交审核")
    PUBLISH = "article_publish", _("审核发布")
    SEND_BACK = "article_send_back", _("退回修改")
    WITHDRAW = "article_withdraw", _("下架")
    SYNC = "article_sync", _("办事指南同步")
    EXPIRY_FLAGGED = "article_expiry_flagged", _("过期提醒")


A = ArticleAction

TRANSITIONS: dict[str, dict[str, str]] = {
    A.EDIT: {S.DRAFT: S.DRAFT, S.PENDING: S.PENDING, S.PUBLISHED: S.PENDING, S.WITHDRAWN: S.DRAFT},
    A.SUBMIT: {S.DRAFT: S.PENDING, S.WITHDRAWN: S.PENDING},
    A.PUBLISH: {S.PENDING: S.PUBLISHED},
    A.SEND_BACK: {S.PENDING: S.DRAFT},
    A.WITHDRAW: {S.PUBLISHED: S.WITHDRAWN, S.PENDING: S.WITHDRAWN},
}


def target_of(action: str, state: str) -> str | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed."""
    return TRANSITIONS.get(action, {}).get(state)


def allowed(action: str, state: str) -> bool:
    return target_of(action, state) is not None
