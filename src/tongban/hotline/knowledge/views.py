"""The knowledge base's console pages (/console/hotline/knowledge/): the list with search and
filters, an article, the article form, the review queue, the expired-articles flag list and the
live search the intake page embeds.

Thin views: who is asking → the form → one service → redirect; a refused service comes back as
a message on the form, and nothing is changed.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound, PermissionDenied
from tongban.core.permissions import Perm, has_perm

from ..models import ArticleSource, ArticleState
from ..views.console import error_list, htmx_partial, staff_view
from . import access, selectors, services
from .forms import ACTION_FORMS, ArticleForm
from .search import knowledge_search
from .states import ArticleAction, allowed

SEARCH_LIMIT = 10


def _forbidden(request: HttpRequest, message) -> HttpResponse:
    return render(request, "hotline/knowledge_forbidden.html", {"message": message}, status=403)


def _article(request: HttpRequest, pk: int):
    try:
        return selectors.article_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _nav(request: HttpRequest, here: str) -> dict:
    user = request.user
    counts = selectors.flag_counts(user)
    return {
        "here": here,
        "can_edit": has_perm(user, Perm.KNOWLEDGE_EDIT),
        "can_review": access.may_review(user),
        "counts": counts,
    }


# ---------------------------------------------------------------- list


@rule("staff")
@require_GET
@staff_view
def home(request: HttpRequest) -> HttpResponse:
    filters = selectors.ArticleFilters.from_query(request.GET)
    day = selectors.today()
    page = selectors.articles_list(request.user, filters, day=day)
    rows = [(a, selectors.validity_of(a, day)) for a in page.object_list]
    context = {
        **_nav(request, "home"),
        "filters": filters,
        "page": page,
        "rows": rows,
        "states": ArticleState.choices,
        "validities": selectors.VALIDITY_CHOICES,
        "sources": ArticleSource.choices,
        "subjects": selectors.subjects_for_choice(),
        "departments": [(d.code, d.name) for d in core_selectors.departments_list()]
        if access.edits_everything(request.user) or access.may_review(request.user)
        else [],
        "previous_url": "?" + filters.querystring(page=page.number - 1)
        if page.has_previous()
        else "",
        "next_url": "?" + filters.querystring(page=page.number + 1) if page.has_next() else "",
        "clear_url": reverse("hotline-console:knowledge:home"),
    }
    return render(request, "hotline/knowledge_list.html", context)


# ---------------------------------------------------------------- one article


def _action_forms(request: HttpRequest, article, failed: tuple[str, object] | None = None):
    user = request.user
    may_edit = access.may_edit(user, article) and article.source == ArticleSource.MANUAL
    offered = {
        "submit": may_edit and allowed(ArticleAction.SUBMIT, article.state),
        "review": access.may_review(user) and allowed(ArticleAction.PUBLISH, article.state),
        "withdraw": (
            may_edit or (access.may_review(user) and article.source == ArticleSource.MANUAL)
        )
        and allowed(ArticleAction.WITHDRAW, article.state),
    }
    forms = {name: ACTION_FORMS[name](prefix=name) for name, shown in offered.items() if shown}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return forms, may_edit


@rule("staff")
@require_GET
@staff_view
def article_page(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    return render(request, "hotline/knowledge_article.html", _article_context(request, article))


def _history(article) -> list[dict]:
    rows = []
    for event in selectors.article_history(article):
        payload = event.payload or {}
        label = (
            ArticleAction(event.action).label
            if event.action in ArticleAction.values
            else event.action
        )
        to = payload.get("to") or ""
        moved = to and to != payload.get("from")
        rows.append(
            {
                "label": label,
                "to_label": ArticleState(to).label if moved else "",
                "occurred_at": event.occurred_at,
                "actor": event.actor_label if event.actor_label != "system" else _("系统"),
                "reason": event.reason,
            }
        )
    return rows


def _article_context(request: HttpRequest, article, failed=None) -> dict:
    forms, may_edit = _action_forms(request, article, failed)
    return {
        **_nav(request, "article"),
        "article": article,
        "validity": selectors.validity_of(article),
        "history": _history(article),
        "forms": forms,
        "may_edit": may_edit,
        "errors": error_list(failed[1]) if failed else [],
    }


def _perform(action: str, user, article, data: dict) -> str:
    if action == "submit":
        services.article_submit(article.pk, actor=user)
        return _("已提交审核。审核通过后话务员即可检索到。")
    if action == "review":
        publish = data["decision"] == "publish"
        services.article_review(article.pk, actor=user, publish=publish, note=data["note"])
        return _("已发布，话务员现在可以检索到该条目。") if publish else _("已退回修改。")
    services.article_withdraw(article.pk, actor=user, reason=data["reason"])
    return _("已下架，话务员不再检索到该条目。")


@rule("staff")
@require_POST
@staff_view
def article_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    article = _article(request, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form = ACTION_FORMS[action](request.POST, prefix=action)
    status = 400
    if form.is_valid():
        try:
            message = _perform(action, request.user, article, form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
            status = 403
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status_code if exc.status_code in (409, 422) else 400
        else:
            messages.success(request, message)
            return HttpResponseRedirect(reverse("hotline-console:knowledge:article", args=[pk]))
    article = _article(request, pk)
    context = _article_context(request, article, failed=(action, form))
    return render(request, "hotline/knowledge_article.html", context, status=status)


# ---------------------------------------------------------------- the form


def _service_kwargs(data: dict) -> dict:
    return {
        "title": data["title"],
        "content": data["content"],
        "keywords": data["keywords"],
        "department_code": data["department"] or None,
        "subject_code": data["subject"] or None,
        "valid_from": data["valid_from"],
        "valid_until": data["valid_until"],
    }


def _form_page(request: HttpRequest, form, article=None, status: int = 200) -> HttpResponse:
    context = {
        **_nav(request, "form"),
        "form": form,
        "article": article,
        "errors": error_list(form),
    }
    return render(request, "hotline/knowledge_form.html", context, status=status)


def _save(request: HttpRequest, form, article) -> HttpResponse | None:
    """Call the service for a valid form; None when it refused (the error is on the form)."""
    then_submit = request.POST.get("then") == "submit"
    kwargs = _service_kwargs(form.cleaned_data)
    try:
        if article is None:
            saved = services.article_create(actor=request.user, submit=then_submit, **kwargs)
        else:
            stamp = parse_datetime(form.cleaned_data["expected_updated_at"] or "")
            saved = services.article_update(
                article.pk, actor=request.user, expected_updated_at=stamp, **kwargs
            )
            if then_submit and allowed(ArticleAction.SUBMIT, saved.state):
                saved = services.article_submit(saved.pk, actor=request.user)
    except DomainError as exc:
        field = {"department": "department", "subject": "subject"}.get(exc.field, exc.field)
        form.add_error(field if field in form.fields else None, exc.message)
        form.status = exc.status_code
        return None
    messages.success(
        request,
        _("已保存并提交审核。") if saved.state == "pending" else _("已保存为草稿。"),
    )
    return HttpResponseRedirect(reverse("hotline-console:knowledge:article", args=[saved.pk]))


@rule("perm:knowledge.edit")
@require_http_methods(["GET", "POST"])
@staff_view
def article_create(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, Perm.KNOWLEDGE_EDIT):
        return _forbidden(request, _("您没有编写知识库条目的权限。"))
    if request.method == "POST":
        form = ArticleForm(request.POST, user=request.user)
        if form.is_valid():
            done = _save(request, form, None)
            if done is not None:
                return done
        return _form_page(request, form, status=getattr(form, "status", 400))
    initial = {"valid_from": selectors.today()}
    staff = core_selectors.staff_profile_of(request.user)
    if staff is not None:
        initial["department"] = staff.department.code
    return _form_page(request, ArticleForm(user=request.user, initial=initial))


@rule("staff")
@require_http_methods(["GET", "POST"])
@staff_view
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    if not access.may_edit(request.user, article):
        return _forbidden(request, _("您只能修改本单位的知识条目。"))
    if article.source != ArticleSource.MANUAL:
        return _forbidden(
            request, _("该条目由事项目录的办事指南自动生成，请在事项目录中修改该事项。")
        )
    if request.method == "POST":
        form = ArticleForm(request.POST, user=request.user)
        if form.is_valid():
            done = _save(request, form, article)
            if done is not None:
                return done
        return _form_page(request, form, article, status=getattr(form, "status", 400))
    initial = {
        "title": article.title,
        "content": article.content,
        "keywords": article.keywords,
        "department": article.department.code if article.department else "",
        "subject": article.subject.code if article.subject else "",
        "valid_from": article.valid_from,
        "valid_until": article.valid_until,
        "expected_updated_at": article.updated_at.isoformat(),
    }
    return _form_page(request, ArticleForm(user=request.user, initial=initial), article)


# ---------------------------------------------------------------- queues


@rule("staff")
@require_GET
@staff_view
def review_queue(request: HttpRequest) -> HttpResponse:
    if not access.may_review(request.user):
        return _forbidden(request, _("您没有审核知识库条目的权限。"))
    context = {**_nav(request, "review"), "articles": list(selectors.review_queue(request.user))}
    return render(request, "hotline/knowledge_review.html", context)


@rule("perm:knowledge.edit")
@require_GET
@staff_view
def expired(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (has_perm(user, Perm.KNOWLEDGE_EDIT) or access.may_review(user)):
        return _forbidden(request, _("您没有维护知识库条目的权限。"))
    day = selectors.today()
    context = {
        **_nav(request, "expired"),
        "today": day,
        "expired": list(selectors.expired_articles(user, day=day)),
        "expiring": list(selectors.expiring_articles(user, day=day)),
        "days": selectors.EXPIRING_DAYS,
    }
    return render(request, "hotline/knowledge_expired.html", context)


# ---------------------------------------------------------------- live search


def highlighted(text: str, terms: tuple[str, ...]) -> str:
    """``text`` escaped, with the search words marked."""
    out, i, lowered = [], 0, text.lower()
    words = sorted({t.lower() for t in terms if t}, key=len, reverse=True)
    while i < len(text):
        word = next((w for w in words if lowered.startswith(w, i)), None)
        if word is None:
            out.append(escape(text[i]))
            i += 1
        else:
            out.append(f"<mark>{escape(text[i : i + len(word)])}</mark>")
            i += len(word)
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def _hit_json(hit) -> dict:
    return {
        "id": hit.id,
        "title": hit.title,
        "snippet": hit.snippet,
        "subject": hit.subject,
        "subject_code": hit.subject_code,
        "department": hit.department,
        "department_code": hit.department_code,
        "valid_until": hit.valid_until.isoformat()
        if isinstance(hit.valid_until, dt.date)
        else None,
        "score": hit.score,
        "source": hit.source,
        "url": reverse("hotline-console:knowledge:article", args=[hit.id]),
    }


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


@rule("staff")
@require_GET
@staff_view
def search(request: HttpRequest) -> HttpResponse:
    """``?q=`` → the hits: an HTML fragment for htmx, JSON for ``Accept: application/json``,
    a whole page otherwise (the search works without JavaScript)."""
    q = request.GET.get("q", "")[:200].strip()
    subject = request.GET.get("subject", "")[:16].strip() or None
    try:
        limit = max(1, min(int(request.GET.get("limit") or SEARCH_LIMIT), 20))
    except ValueError:
        limit = SEARCH_LIMIT
    hits = knowledge_search(q, limit=limit, subject_code=subject) if q else []
    if wants_json(request):
        response = JsonResponse({"q": q, "hits": [_hit_json(h) for h in hits]})
        response["Vary"] = "Accept, HX-Request"
        return response
    rows = [(hit, highlighted(hit.snippet, hit.terms)) for hit in hits]
    context = {"q": q, "rows": rows, "pick": request.GET.get("pick") == "1"}
    if request.htmx:
        response = render(request, "hotline/knowledge_part_hits.html", context)
    else:
        response = render(
            request, "hotline/knowledge_search.html", {**_nav(request, "search"), **context}
        )
    response = htmx_partial(response)
    response["Vary"] = "Accept, HX-Request"
    return response
