"""The applicant's catalogue pages: browse, guide (办事指南), situation wizard (情形导办)."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.permissions import Perm, has_perm

from .. import browse, selectors
from ..situations import walk

SESSION_KEY = "catalog:answers:{kind}:{code}"


def _answers(request: HttpRequest, kind: str, code: str) -> dict[str, str]:
    return dict(request.session.get(SESSION_KEY.format(kind=kind, code=code), {}))


def _store(request: HttpRequest, kind: str, code: str, answers: dict[str, str]) -> None:
    request.session[SESSION_KEY.format(kind=kind, code=code)] = answers


def catalogue(request: HttpRequest) -> HttpResponse:
    """Browse and search: for persons / enterprises, by department, theme and life event."""
    filters = browse.BrowseFilters.from_query(request.GET)
    results = browse.browse(filters)
    page = Paginator(results.entries, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/catalogue.html",
        {
            "filters": filters,
            "page": page,
            "count": len(results.entries),
            "facets": browse.facets(filters.audience),
            "bundles": results.bundles,
            "query_without_page": filters.querystring(),
        },
    )


def _version_for_request(request: HttpRequest, code: str):
    preview = request.GET.get("preview")
    if preview and has_perm(request.user, Perm.CONFIG_MANAGE):
        try:
            version = selectors.version_for_display(int(preview))
        except (ValueError, NotFound):
            raise Http404 from None
        if version.item.implementation_code != code:
            raise Http404
        return version
    try:
        return selectors.get_published_item(code)
    except NotFound:
        raise Http404 from None


def guide(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_for_request(request, code)
    base = selectors.materials_for(version, {}) if not version.questions.all() else None
    return render(
        request,
        "catalog/guide.html",
        {
            "version": version,
            "item": version.item,
            "base_result": base,
            "is_preview": version.status != "published",
            "has_questions": bool(version.questions.all()),
        },
    )


class AnswerForm(forms.Form):
    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["answer"] = forms.ChoiceField(
            label=question.text,
            help_text=question.help_text,
            choices=[(o.code, o.label) for o in question.options.all()],
            widget=forms.RadioSelect,
            error_messages={
                "required": _("请选择一项。"),
                "invalid_choice": _("请选择列出的选项之一。"),
            },
        )


def _wizard_context(kind: str, subject) -> dict:
    if kind == "item":
        return {
            "kind": kind,
            "subject": subject,
            "code": subject.item.implementation_code,
            "name": subject.name,
            "guide_url": reverse("catalog:guide", args=[subject.item.implementation_code]),
        }
    return {
        "kind": kind,
        "subject": subject,
        "code": subject.code,
        "name": subject.name,
        "guide_url": reverse("catalog:bundle", args=[subject.code]),
    }


def _load(kind: str, code: str):
    try:
        if kind == "item":
            return selectors.get_published_item(code)
        return selectors.get_published_bundle(code)
    except NotFound:
        raise Http404 from None


def _walk(kind: str, subject, answers: dict[str, str]):
    """(path, next question, all questions that currently apply) for partial answers."""
    if kind == "item":
        result = walk(subject.questions.all(), answers, partial=True)
        return result.path, result.next_question
    path, nxt, *_rest = selectors.bundle_walk(subject, answers, partial=True)
    return path, nxt


def _url(kind: str, name: str, code: str, *args) -> str:
    prefix = "catalog:item-" if kind == "item" else "catalog:bundle-"
    return reverse(prefix + name, args=[code, *args])


def wizard_start(request: HttpRequest, kind: str, code: str) -> HttpResponseRedirect:
    subject = _load(kind, code)
    answers = _answers(request, kind, code) if request.GET.get("restart") is None else {}
    answers = _prune(kind, subject, answers)
    _store(request, kind, code, answers)
    _path, nxt = _walk(kind, subject, answers)
    if nxt is None:
        return HttpResponseRedirect(_url(kind, "summary", code))
    return HttpResponseRedirect(_url(kind, "question", code, nxt.code))


@require_http_methods(["GET", "POST"])
def wizard_question(request: HttpRequest, kind: str, code: str, question: str) -> HttpResponse:
    """One question per page; the answers so far decide whether this question applies."""
    subject = _load(kind, code)
    answers = _answers(request, kind, code)
    try:
        path, current = _walk(kind, subject, {k: v for k, v in answers.items() if k != question})
    except ValidationFailed:
        _store(request, kind, code, {})
        return HttpResponseRedirect(_url(kind, "start", code))
    if current is None or current.code != question:
        return HttpResponseRedirect(_url(kind, "start", code))
    form = AnswerForm(
        request.POST or None, question=current, initial={"answer": answers.get(question)}
    )
    if request.method == "POST" and form.is_valid():
        answers[question] = form.cleaned_data["answer"]
        _store(request, kind, code, _prune(kind, subject, answers))
        return HttpResponseRedirect(_url(kind, "start", code))
    back = (
        _url(kind, "question", code, path[-1][0].code)
        if path
        else _wizard_context(kind, subject)["guide_url"]
    )
    return render(
        request,
        "catalog/question.html",
        {
            **_wizard_context(kind, subject),
            "form": form,
            "question": current,
            "back_url": back,
            "step": len(path) + 1,
        },
        status=400 if request.method == "POST" else 200,
    )


def _prune(kind: str, subject, answers: dict[str, str]) -> dict[str, str]:
    """Keep the answers of the questions that still apply, in order; drop the rest."""
    kept: dict[str, str] = {}
    while True:
        try:
            path, nxt = _walk(kind, subject, kept)
        except ValidationFailed:
            kept.popitem()
            return kept
        kept = {q.code: o.code for q, o in path}
        if nxt is None or nxt.code not in answers:
            return kept
        kept[nxt.code] = answers[nxt.code]


def wizard_summary(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    subject = _load(kind, code)
    answers = _answers(request, kind, code)
    try:
        if kind == "item":
            result = selectors.materials_for(subject, answers)
        else:
            result = selectors.bundle_materials_for(subject, answers)
    except ValidationFailed:
        return HttpResponseRedirect(_url(kind, "start", code))
    return render(
        request,
        "catalog/summary.html",
        {
            **_wizard_context(kind, subject),
            "result": result,
            "change_urls": {q.code: _url(kind, "question", code, q.code) for q, _o in result.path},
        },
    )


def bundle(request: HttpRequest, code: str) -> HttpResponse:
    subject = _load("bundle", code)
    pairs = selectors.bundle_versions(subject)
    return render(
        request,
        "catalog/bundle.html",
        {
            "bundle": subject,
            "pairs": pairs,
            "overview": selectors.bundle_overview(subject),
            "has_questions": bool(subject.questions.all())
            or any(v.questions.all() for _bi, v in pairs),
        },
    )
