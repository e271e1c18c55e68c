"""The knowledge base in the REST API: GET /api/v1/knowledge?q= (the operators' search) and
GET /api/v1/knowledge/{id} (one article, for those who may see it). Staff only."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tongban.core.access import rule
from tongban.core.errors import PermissionDenied
from tongban.core.permissions import is_staff_member

from . import selectors
from .search import knowledge_search

router = Router(tags=["knowledge"])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class SearchIn(Schema):
    q: str = Field("", max_length=200, description="What the caller asks, as typed.")
    limit: int = Field(10, ge=1, le=50)
    subject: str | None = Field(
        None, max_length=16, description="Only articles filed under this subject or below it."
    )


class HitOut(Schema):
    id: int
    title: str
    snippet: str
    subject: str
    subject_code: str
    department: str
    department_code: str
    valid_until: dt.date | None
    score: float
    source: str = Field(description="manual, or catalog for a service guide")


class SearchOut(Schema):
    q: str
    hits: list[HitOut]


class ArticleOut(Schema):
    id: int
    title: str
    content: str
    keywords: str
    state: str
    source: str
    item_code: str
    subject: str | None
    department: str | None
    valid_from: dt.date
    valid_until: dt.date | None
    validity: str = Field(description="valid, expiring, expired or future (today)")
    updated_at: dt.datetime


def _staff(request: HttpRequest):
    user = request.auth if hasattr(request.auth, "pk") else request.user
    if not is_staff_member(user):
        raise PermissionDenied()
    return user


@rule("staff")
@router.get(
    "/knowledge",
    response={200: SearchOut, 403: ErrorOut},
    summary="Search the knowledge base (published articles valid today)",
)
def search(request: HttpRequest, params: Query[SearchIn]):
    _staff(request)
    q = params.q.strip()
    hits = knowledge_search(q, limit=params.limit, subject_code=params.subject) if q else []
    return {"q": q, "hits": hits}


@rule("staff")
@router.get(
    "/knowledge/{article_id}",
    response={200: ArticleOut, 403: ErrorOut, 404: ErrorOut},
    summary="One knowledge article",
)
def article(request: HttpRequest, article_id: int):
    found = selectors.article_for(_staff(request), article_id)
    return {
        "id": found.pk,
        "title": found.title,
        "content": found.content,
        "keywords": found.keywords,
        "state": found.state,
        "source": found.source,
        "item_code": found.item_code,
        "subject": found.subject.code if found.subject else None,
        "department": found.department.code if found.department else None,
        "valid_from": found.valid_from,
        "valid_until": found.valid_until,
        "validity": selectors.validity_of(found),
        "updated_at": found.updated_at,
    }
