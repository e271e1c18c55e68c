"""The applicant's catalogue pages: browse, guide (办事指南), situation wizard (情形导办)."""

from __future__ import annotations

from django import forms
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core.access import rule
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.permissions import Perm, has_perm

from .. import browse, search, selectors
from ..models.codes import Channel, Delivery, OnlineDepth, VersionStatus
from ..situations import walk
from .listing import list_context

SESSION_KEY = "catalog:answers:{kind}:{code}"


def _answers(request: HttpRequest, kind: str, code: str) -> dict[str, str]:
    stored = request.session.get(SESSION_KEY.format(kind=kind, code=code), {})
    return dict(stored) if isinstance(stored, dict) else {}


def _store(request: HttpRequest, kind: str, code: str, answers: dict[str, str]) -> None:
    request.session[SESSION_KEY.format(kind=kind, code=code)] = answers


@rule("public")
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """Browse and search: for persons / enterprises, by department, theme and life event."""
    return render(request, "catalog/catalogue.html", list_context(request))


def _labels(choices, values) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels[v]) for v in values if v in labels]


def _version_for_request(request: HttpRequest, code: str):
    """The published version, or with ``?preview=<version id>`` any version of the item for a
    configuration manager (everyone else gets 404, as for a missing item)."""
    preview = request.GET.get("preview")
    if preview is not None:
        if not has_perm(request.user, Perm.CONFIG_MANAGE):
            raise Http404
        try:
            version = selectors.version_for_display(int(preview))
        except (ValueError, OverflowError, NotFound):
            raise Http404 from None
        if version.item.implementation_code != code:
            raise Http404
        return version
    try:
        return selectors.get_published_item(code)
    except NotFound:
        raise Http404 from None


KEEP_GUIDES = 128  # rendered guides per process (about 10 KB each)


def _guide_body(version, code: str, *, is_preview: bool) -> str:
    """The guide's content: the same for every reader of a version in a language."""
    has_questions = bool(version.questions.all())
    context = {
        "version": version,
        "item": version.item,
        "base_result": None if has_questions else selectors.materials_for(version, {}),
        "is_preview": is_preview,
        "has_questions": has_questions,
        # nothing to ask: the guide itself leads to the online application (cases app)
        "apply_url": reverse("cases:apply", args=[code])
        if not (has_questions or is_preview) and version.online_depth != OnlineDepth.OFFLINE
        else "",
        "channels": _labels(Channel, version.channels),
        "deliveries": _labels(Delivery, version.deliveries),
        "bundles": search.memo(  # bundle changes move the index's revision
            ("bundles_with_item", version.item_id), lambda: browse.bundles_with_item(version.item)
        ),
    }
    return render_to_string("catalog/_guide_body.html", context)


@rule("public")
@require_GET
def guide(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_for_request(request, code)
    if version.status != VersionStatus.PUBLISHED:  # a preview: rendered every time
        body = _guide_body(version, code, is_preview=True)
    else:
        # A published version never changes; what the guide shows around it (department's
        # name, bundles) is kept as long as the version (selectors.displayed_version).
        kept = search.kept("guide_bodies", KEEP_GUIDES)
        key = (connection.alias, version.pk, version.created_at, get_language())
        body = kept.get(key)
        if body is None:
            body = _guide_body(version, code, is_preview=False)
            kept.put(key, body)
    return render(request, "catalog/guide.html", {"version": version, "guide_body": body})


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
        code = subject.item.implementation_code
        guide_url = reverse("catalog:guide", args=[code])
    else:
        code = subject.code
        guide_url = reverse("catalog:bundle", args=[code])
    return {
        "kind": kind,
        "subject": subject,
        "code": code,
        "name": subject.name,
        "guide_url": guide_url,
        "restart_url": _url(kind, "start", code) + "?restart=1",
    }


def _load(kind: str, code: str):
    try:
        if kind == "item":
            return selectors.get_published_item(code)
        return selectors.get_published_bundle(code)
    except NotFound:
        raise Http404 from None


def _walk(kind: str, subject, answers: dict[str, str]):
    """(path so far, next question) for partial answers."""
    if kind == "item":
        result = walk(subject.questions.all(), answers, partial=True)
        return result.path, result.next_question
    path, nxt, *_rest = selectors.bundle_walk(subject, answers, partial=True)
    return path, nxt


def _url(kind: str, name: str, code: str, *args) -> str:
    prefix = "catalog:item-" if kind == "item" else "catalog:bundle-"
    return reverse(prefix + name, args=[code, *args])


@rule("public")
@require_GET
def wizard_start(request: HttpRequest, kind: str, code: str) -> HttpResponseRedirect:
    """Go to the first question not answered yet, or to the summary when all are."""
    subject = _load(kind, code)
    answers = _answers(request, kind, code) if request.GET.get("restart") is None else {}
    answers = _prune(kind, subject, answers)
    _store(request, kind, code, answers)
    _path, nxt = _walk(kind, subject, answers)
    if nxt is None:
        return HttpResponseRedirect(_url(kind, "summary", code))
    return HttpResponseRedirect(_url(kind, "question", code, nxt.code))


@rule("public")
@require_http_methods(["GET", "POST"])
def wizard_question(request: HttpRequest, kind: str, code: str, question: str) -> HttpResponse:
    """One question per page; the answers so far decide whether this question applies."""
    subject = _load(kind, code)
    answers = _prune(kind, subject, _answers(request, kind, code))
    path, current = _walk(kind, subject, {k: v for k, v in answers.items() if k != question})
    if current is None or current.code != question:
        return HttpResponseRedirect(_url(kind, "start", code))
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        question=current,
        initial={"answer": answers.get(question)},
    )
    if form.is_valid():
        answers[question] = form.cleaned_data["answer"]
        _store(request, kind, code, _prune(kind, subject, answers))
        return HttpResponseRedirect(_url(kind, "start", code))
    context = _wizard_context(kind, subject)
    back = _url(kind, "question", code, path[-1][0].code) if path else context["guide_url"]
    return render(
        request,
        "catalog/question.html",
        {
            **context,
            "form": form,
            "question": current,
            "back_url": back,
            "step": len(path) + 1,
        },
        status=400 if form.is_bound else 200,
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


@rule("public")
@require_GET
def wizard_summary(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """Your situation (with change links) and exactly the materials it needs."""
    subject = _load(kind, code)
    answers = _answers(request, kind, code)
    try:
        if kind == "item":
            result = selectors.materials_for(subject, answers)
        else:
            result = selectors.bundle_materials_for(subject, answers)
    except ValidationFailed:
        return HttpResponseRedirect(_url(kind, "start", code))
    context = _wizard_context(kind, subject)
    return render(
        request,
        "catalog/summary.html",
        {
            **context,
            "result": result,
            "change_urls": [(q, o, _url(kind, "question", code, q.code)) for q, o in result.path],
            "back_url": _url(kind, "question", code, result.path[-1][0].code)
            if result.path
            else context["guide_url"],
            "version": subject if kind == "item" else None,
            # the online application (cases app) takes these answers from the session
            "apply_url": reverse("cases:apply", args=[code])
            if kind == "item" and subject.online_depth != OnlineDepth.OFFLINE
            else reverse("cases:bundle-apply", args=[code])  # [B] one application (b1)
            if kind == "bundle"
            else "",
        },
    )


@rule("public")
@require_GET
def bundle(request: HttpRequest, code: str) -> HttpResponse:
    subject = _load("bundle", code)
    pairs = selectors.bundle_versions(subject)
    has_questions = bool(subject.questions.all()) or any(v.questions.all() for _bi, v in pairs)
    return render(
        request,
        "catalog/bundle.html",
        {
            "bundle": subject,
            "pairs": pairs,
            "overview": selectors.bundle_overview(subject),
            "has_questions": has_questions,
            "base_result": None if has_questions else selectors.bundle_materials_for(subject, {}),
        },
    )
