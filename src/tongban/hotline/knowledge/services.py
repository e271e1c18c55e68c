"""Every change to the knowledge base: write, submit, review, withdraw; the catalogue sync and
the expiry flags are in ``catalog_sync`` and ``expiry`` and re-exported here.

Each change runs in one transaction: lock the article row → check who may do it and that the
state allows it (``states``) → validate → save → one event in the hash-chained audit log
(stream ``article:<id>``). The search index looks at the table again after the commit.
``actor=None`` is the system (the demo, imports, the catalogue sync): no permission checks, and
past validity dates are accepted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.core.models import Department
from tongban.core.permissions import Perm, require_perm
from tongban.core.services.audit import audit
from tongban.core.workdays import business_date

from ..models import Article, ArticleSource, ArticleState, Subject
from . import access, index
from .catalog_sync import SyncReport, articles_sync_from_catalog
from .errors import KnowledgeError, KnowledgeErrorCode, KnowledgeInvalid
from .expiry import FlagReport, articles_flag_expired
from .states import ArticleAction, target_of

__all__ = [
    "FlagReport",
    "SyncReport",
    "article_create",
    "article_review",
    "article_submit",
    "article_update",
    "article_withdraw",
    "articles_flag_expired",
    "articles_sync_from_catalog",
]

MAX_TITLE, MAX_CONTENT, MAX_KEYWORDS, MAX_NOTE = 200, 20_000, 256, 2_000


# ---------------------------------------------------------------- checks


def _text(value: str | None, *, field: str, label, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        code = (
            KnowledgeErrorCode.CONTENT_REQUIRED
            if field == "content"
            else KnowledgeErrorCode.TITLE_REQUIRED
        )
        raise KnowledgeInvalid(code, _("%(label)s：不能为空。"), field=field, label=label)
    if len(text) > limit:
        raise KnowledgeInvalid(
            KnowledgeErrorCode.TOO_LONG,
            _("%(label)s：最多 %(n)d 个字，现有 %(m)d 个。"),
            field=field,
            label=label,
            n=limit,
            m=len(text),
        )
    return text


def _department(actor, code: str | None) -> Department:
    if not code:
        own = access.own_department_id(actor) if actor is not None else None
        if own is None:
            raise KnowledgeInvalid(
                KnowledgeErrorCode.UNKNOWN_DEPARTMENT,
                _("责任单位：请选择负责维护该条目的单位。"),
                field="department",
            )
        return Department.objects.get(pk=own)
    department = Department.objects.filter(code=code, is_active=True).first()
    if department is None:
        raise KnowledgeInvalid(
            KnowledgeErrorCode.UNKNOWN_DEPARTMENT,
            _("责任单位：没有编码为“%(value)s”的在用单位。"),
            field="department",
            value=code[:40],
        )
    return department


def _check_department(actor, department: Department) -> None:
    if actor is not None and not access.may_edit_for(actor, department.pk):
        raise PermissionDenied(_("您只能编写和维护本单位的知识条目。"))


def _subject(code: str | None) -> Subject | None:
    if not code:
        return None
    subject = Subject.objects.filter(code=code, active=True).first()
    if subject is None:
        raise KnowledgeInvalid(
            KnowledgeErrorCode.UNKNOWN_SUBJECT,
            _("诉求分类：没有编码为“%(value)s”的在用分类。"),
            field="subject",
            value=code[:20],
        )
    return subject


def _validity(
    actor, valid_from: dt.date | None, valid_until: dt.date | None
) -> tuple[dt.date, dt.date | None]:
    today = business_date(timezone.now())
    valid_from = valid_from or today
    if valid_until is not None and valid_until < valid_from:
        raise KnowledgeInvalid(
            KnowledgeErrorCode.VALIDITY_ORDER,
            _("失效日期：不能早于生效日期（%(start)s）。"),
            field="valid_until",
            start=valid_from.isoformat(),
        )
    if actor is not None and valid_until is not None and valid_until < today:
        raise KnowledgeInvalid(
            KnowledgeErrorCode.VALIDITY_PAST,
            _("失效日期：%(date)s 已经过去，请填写今天或以后的日期，或不填（长期有效）。"),
            field="valid_until",
            date=valid_until.isoformat(),
        )
    return valid_from, valid_until


def _fields(
    actor,
    *,
    title: str,
    content: str,
    department_code: str | None,
    subject_code: str | None,
    keywords: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
) -> dict[str, Any]:
    """The article's fields from the arguments, every one checked (the first problem raised)."""
    title = _text(title, field="title", label=_("标题"), limit=MAX_TITLE)
    content = _text(content, field="content", label=_("内容"), limit=MAX_CONTENT)
    keywords = _text(
        keywords, field="keywords", label=_("关键词"), limit=MAX_KEYWORDS, required=False
    )
    department = _department(actor, department_code)
    subject = _subject(subject_code)
    valid_from, valid_until = _validity(actor, valid_from, valid_until)
    _check_department(actor, department)
    return {
        "title": title,
        "content": content,
        "keywords": keywords,
        "department": department,
        "subject": subject,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }


def _locked(article_id: int) -> Article:
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("没有找到该知识条目。"))
    return article


def _refuse_state(article: Article, action: str) -> KnowledgeError:
    return KnowledgeError(
        KnowledgeErrorCode.STATE_NOT_ALLOWED,
        _("该条目现为“%(state)s”，不能%(action)s。"),
        state=article.get_state_display(),
        action=ArticleAction(action).label,
    )


def _move(article: Article, action: str) -> str:
    target = target_of(action, article.state)
    if target is None:
        raise _refuse_state(article, action)
    return target


def _refuse_catalogue(article: Article) -> None:
    if article.source == ArticleSource.CATALOG:
        raise KnowledgeError(
            KnowledgeErrorCode.CATALOGUE_ARTICLE,
            _("该条目由事项目录的办事指南自动生成，请在事项目录中修改该事项，发布后会自动同步。"),
        )


def _record(article: Article, action: str, actor, *, before: str, note: str = "", **payload):
    audit(
        stream=f"article:{article.pk}",
        action=action,
        actor=actor,
        reason=note,
        payload={"from": before, "to": article.state, **payload},
    )
    transaction.on_commit(index.invalidate)


def _may_edit(actor, article: Article) -> None:
    if actor is None:
        return
    require_perm(actor, Perm.KNOWLEDGE_EDIT)
    if not access.may_edit(actor, article):
        raise PermissionDenied(_("您只能编写和维护本单位的知识条目。"))


# ---------------------------------------------------------------- the services


def article_create(
    *,
    actor,
    title: str,
    content: str,
    department_code: str | None = None,
    subject_code: str | None = None,
    keywords: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    submit: bool = False,
) -> Article:
    """A new article, as a draft (or straight into review with ``submit``)."""
    if actor is not None:
        require_perm(actor, Perm.KNOWLEDGE_EDIT)
    fields = _fields(
        actor,
        title=title,
        content=content,
        department_code=department_code,
        subject_code=subject_code,
        keywords=keywords,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    with transaction.atomic():
        article = Article.objects.create(
            **fields,
            state=ArticleState.PENDING if submit else ArticleState.DRAFT,
            source=ArticleSource.MANUAL,
            created_by=actor,
        )
        _record(article, ArticleAction.CREATE, actor, before="", title=article.title)
    return article


def article_update(
    article_id: int,
    *,
    actor,
    title: str,
    content: str,
    department_code: str | None = None,
    subject_code: str | None = None,
    keywords: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    expected_updated_at: dt.datetime | None = None,
) -> Article:
    """Change an article; a published one goes back to review (``states``).

    ``expected_updated_at`` is the ``updated_at`` the editor's form was rendered with: a change
    made meanwhile by someone else is not overwritten.
    """
    if actor is not None:
        require_perm(actor, Perm.KNOWLEDGE_EDIT)
    fields = _fields(
        actor,
        title=title,
        content=content,
        department_code=department_code,
        subject_code=subject_code,
        keywords=keywords,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    with transaction.atomic():
        article = _locked(article_id)
        _may_edit(actor, article)  # the department it has now, and the one it gets (_fields)
        _refuse_catalogue(article)
        if expected_updated_at is not None and article.updated_at != expected_updated_at:
            raise KnowledgeError(
                KnowledgeErrorCode.STALE,
                _("该条目在您编辑期间已被其他人修改，请重新打开后再修改。"),
            )
        before = article.state
        changed = sorted(k for k, v in fields.items() if getattr(article, k) != v)
        article.state = _move(article, ArticleAction.EDIT)
        for key, value in fields.items():
            setattr(article, key, value)
        article.save()
        _record(article, ArticleAction.EDIT, actor, before=before, changed=changed)
    return article


def article_submit(article_id: int, *, actor) -> Article:
    """Send a draft (or a withdrawn article) to review."""
    with transaction.atomic():
        article = _locked(article_id)
        _may_edit(actor, article)
        _refuse_catalogue(article)
        before = article.state
        article.state = _move(article, ArticleAction.SUBMIT)
        article.save(update_fields=["state", "updated_at"])
        _record(article, ArticleAction.SUBMIT, actor, before=before)
    return article


def article_review(article_id: int, *, actor, publish: bool, note: str = "") -> Article:
    """Publish an article in review, or send it back to its editors with a note saying why."""
    if actor is not None:
        require_perm(actor, Perm.KNOWLEDGE_REVIEW)
    note = (note or "").strip()[:MAX_NOTE]
    if not publish and not note:
        raise KnowledgeInvalid(
            KnowledgeErrorCode.NOTE_REQUIRED,
            _("审核意见：退回修改时请写明需要修改什么。"),
            field="note",
        )
    with transaction.atomic():
        article = _locked(article_id)
        before = article.state
        action = ArticleAction.PUBLISH if publish else ArticleAction.SEND_BACK
        target = _move(article, action)
        today = business_date(timezone.now())
        expired = article.valid_until is not None and article.valid_until < today
        if publish and expired and actor is not None:  # the system may record history
            raise KnowledgeError(
                KnowledgeErrorCode.VALIDITY_PAST,
                _("该条目已于 %(date)s 失效，不能发布；请先修改失效日期。"),
                date=article.valid_until.isoformat(),
            )
        article.state = target
        article.reviewed_at = timezone.now()
        article.reviewed_by = actor
        article.review_note = note
        article.save(
            update_fields=["state", "reviewed_at", "reviewed_by", "review_note", "updated_at"]
        )
        _record(article, action, actor, before=before, note=note)
    return article


def article_withdraw(article_id: int, *, actor, reason: str) -> Article:
    """Take an article out of use (published or in review); it stays on record."""
    reason = (reason or "").strip()[:MAX_NOTE]
    if not reason:
        raise KnowledgeInvalid(
            KnowledgeErrorCode.REASON_REQUIRED,
            _("下架原因：请写明为什么下架（例如政策已废止）。"),
            field="reason",
        )
    with transaction.atomic():
        article = _locked(article_id)
        if actor is not None and not access.may_review(actor):
            _may_edit(actor, article)
        _refuse_catalogue(article)
        before = article.state
        article.state = _move(article, ArticleAction.WITHDRAW)
        article.save(update_fields=["state", "updated_at"])
        _record(article, ArticleAction.WITHDRAW, actor, before=before, note=reason)
    return article
