"""Staff pages of the rules app under /console/rules/: rule sets and their editor (with live
compile errors), replay reports (activate from a report), connectors and reference tables, the
connector call log and the policies. Every page needs RULES_EDIT; activation RULES_ACTIVATE."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.access import rule
from tongban.core.errors import DomainError
from tongban.core.permissions import Perm, has_perm, is_staff_member

from .. import selectors, services
from ..engine import compile_rule
from ..errors import RuleError
from ..models import Connector, ReferenceTable, ReplayReport, RuleSetStatus, Severity
from ..services.rulesets import validate_rules
from . import forms as f

LOGIN_URL = reverse_lazy("console:login")


def rules_view(view):
    """Anonymous → console login; not staff or without RULES_EDIT → 403."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_member(request.user):
            return render(request, "console/not_staff.html", status=403)
        if not has_perm(request.user, Perm.RULES_EDIT):
            return render(
                request,
                "rules/console_forbidden.html",
                {"message": _("您没有管理审批规则的权限。")},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


def _form_errors(form) -> list[tuple[str, str]]:
    out = []
    for name, errs in form.errors.items():
        anchor = form[name].auto_id if name in form.fields else ""
        out.extend((anchor, str(e)) for e in errs)
    return out


def _rule_set_or_404(pk: int):
    rule_set = selectors.get_rule_set(pk)
    if rule_set is None:
        raise Http404
    return rule_set


# ---------------------------------------------------------------- rule sets


@require_GET
@rules_view
@rule("perm:rules.edit")
def rule_set_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "rules/console_rule_sets.html",
        {"rule_sets": selectors.rule_sets().select_related("item_version"), "section": "sets"},
    )


def _rule_error(exc: RuleError, rules: list[dict], errors: list, row_errors: dict) -> None:
    """Show a rule's compile error on its row and in the error summary."""
    row = next(
        (r["row"] for i, r in enumerate(rules, 1) if r["name"] == exc.rule or str(i) == exc.rule),
        None,
    )
    if row:
        row_errors[row] = exc.message
    errors.append((f"rule-{row}-expression" if row else "", exc.message))


@require_http_methods(["GET", "POST"])
@rules_view
@rule("perm:rules.edit")
def rule_set_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule_set = _rule_set_or_404(pk) if pk else None
    editable = rule_set is None or rule_set.status == RuleSetStatus.DRAFT
    errors: list[tuple[str, str]] = []
    row_errors: dict[int, str] = {}
    if request.method == "POST" and editable:
        data = request.POST.copy()
        if rule_set is not None:
            data["item_code"] = rule_set.item_code
        form = f.RuleSetForm(data)
        rules = f.rules_from_post(request.POST)
        if form.is_valid():
            try:
                saved = services.rule_set_save(
                    rule_set=rule_set,
                    item_code=form.cleaned_data["item_code"],
                    name=form.cleaned_data["name"],
                    mode=form.cleaned_data["mode"],
                    rules=[
                        {k: r[k] for k in ("name", "expression", "message", "severity")}
                        for r in rules
                    ],
                    actor=request.user,
                )
                return HttpResponseRedirect(reverse("rules-console:rule-set", args=[saved.pk]))
            except RuleError as exc:
                _rule_error(exc, rules, errors, row_errors)
            except DomainError as exc:
                errors.append((f"id_{exc.field}" if exc.field else "", exc.message))
        else:
            errors = _form_errors(form)
            if rules:  # say what is wrong with the rules too, not only with the form
                declared = selectors.declared_fields(item_code=str(data.get("item_code", ""))[:64])
                try:
                    validate_rules(
                        [
                            {k: r[k] for k in ("name", "expression", "message", "severity")}
                            for r in rules
                        ],
                        declared,
                    )
                except RuleError as exc:
                    _rule_error(exc, rules, errors, row_errors)
                except DomainError:
                    pass
        rows = [dict(r, error=row_errors.get(r["row"], "")) for r in f.editor_rows(rules)]
        status = 422
    else:
        if rule_set is not None:
            form = f.RuleSetForm(
                initial={
                    "name": rule_set.name,
                    "item_code": rule_set.item_code,
                    "mode": rule_set.mode,
                }
            )
            rules = list(
                rule_set.rules.order_by("position").values(
                    "name", "expression", "message", "severity", "fields"
                )
            )
        else:
            form = f.RuleSetForm(initial={"item_code": request.GET.get("item", "")[:64]})
            rules = []
        rows = (
            f.editor_rows(rules) if editable else [dict(r, row=i) for i, r in enumerate(rules, 1)]
        )
        status = 200
    if rule_set is not None:
        form.fields["item_code"].disabled = True
    fields = selectors.declared_fields(
        item_code=rule_set.item_code
        if rule_set
        else (request.POST.get("item_code") or request.GET.get("item") or "")[:64],
        item_version_id=rule_set.item_version_id if rule_set else None,
    )
    return render(
        request,
        "rules/console_rule_set.html",
        {
            "rule_set": rule_set,
            "form": form,
            "rows": rows,
            "editable": editable,
            "errors": errors,
            "severities": Severity.choices,
            "declared": sorted(fields.items()),
            "reports": selectors.replay_reports(rule_set)[:10] if rule_set else [],
            "history": selectors.rule_set_history(rule_set) if rule_set else [],
            "replay_form": f.ReplayForm(),
            "can_activate": has_perm(request.user, Perm.RULES_ACTIVATE),
            "section": "sets",
        },
        status=status,
    )


@require_POST
@rules_view
@rule("perm:rules.edit")
def rule_check(request: HttpRequest) -> HttpResponse:
    """Live compile check of one expression (htmx partial; a plain post gets the same text)."""
    expression = request.POST.get("expression") or next(
        (v for k, v in request.POST.items() if k.endswith("-expression")), ""
    )
    expression = expression[:2000]
    item_code = request.POST.get("item_code", "")[:64]
    declared = selectors.declared_fields(item_code=item_code)
    try:
        compiled = compile_rule(expression, declared=declared)
        context = {"ok": True, "fields": sorted(compiled.fields)}
    except RuleError as exc:
        context = {"ok": False, "message": exc.message, "position": exc.position + 1}
    response = render(request, "rules/console_part_check.html", context)
    response["Vary"] = "HX-Request"
    return response


@require_POST
@rules_view
@rule("perm:rules.edit")
def rule_set_copy(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = _rule_set_or_404(pk)
    copy = services.rule_set_copy(rule_set=rule_set, actor=request.user)
    return HttpResponseRedirect(reverse("rules-console:rule-set", args=[copy.pk]))


@require_POST
@rules_view
@rule("perm:rules.edit")
def rule_set_replay(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = _rule_set_or_404(pk)
    form = f.ReplayForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "rules/console_forbidden.html",
            {"message": "；".join(t for _a, t in _form_errors(form)), "title": _("无法回放")},
            status=422,
        )
    try:
        report = services.replay(
            rule_set=rule_set,
            since=form.cleaned_data["since"],
            until=form.cleaned_data["until"],
            actor=request.user,
        )
    except DomainError as exc:
        return render(
            request,
            "rules/console_forbidden.html",
            {"message": exc.message, "title": _("无法回放")},
            status=exc.status_code,
        )
    return HttpResponseRedirect(reverse("rules-console:report", args=[report.pk]))


@require_GET
@rules_view
@rule("perm:rules.edit")
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    report = ReplayReport.objects.select_related("rule_set", "created_by").filter(pk=pk).first()
    if report is None:
        raise Http404
    m = report.matrix or {}
    return render(
        request,
        "rules/console_report.html",
        {
            "report": report,
            "rule_set": report.rule_set,
            "matrix": m,
            "can_activate": has_perm(request.user, Perm.RULES_ACTIVATE)
            and report.rule_set.status == RuleSetStatus.DRAFT,
            "section": "sets",
        },
    )


@require_POST
@rules_view
@rule("perm:rules.edit")
def report_activate(request: HttpRequest, pk: int) -> HttpResponse:
    report = ReplayReport.objects.select_related("rule_set").filter(pk=pk).first()
    if report is None:
        raise Http404
    if not has_perm(request.user, Perm.RULES_ACTIVATE):
        return render(
            request,
            "rules/console_forbidden.html",
            {"message": _("只有管理员可以启用规则集。")},
            status=403,
        )
    try:
        services.rule_set_activate(rule_set=report.rule_set, report=report, actor=request.user)
    except DomainError as exc:
        return render(
            request,
            "rules/console_forbidden.html",
            {"message": exc.message, "title": _("无法启用")},
            status=exc.status_code,
        )
    return HttpResponseRedirect(reverse("rules-console:rule-set", args=[report.rule_set_id]))


# ---------------------------------------------------------------- connectors and tables


@require_http_methods(["GET", "POST"])
@rules_view
@rule("perm:rules.edit")
def connector_list(request: HttpRequest) -> HttpResponse:
    connector_form, table_form = f.ConnectorForm(prefix="c"), f.TableUploadForm(prefix="t")
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        if request.POST.get("what") == "table":
            table_form = f.TableUploadForm(request.POST, request.FILES, prefix="t")
            if table_form.is_valid():
                upload = table_form.cleaned_data["file"]
                try:
                    services.reference_table_upload(
                        table=ReferenceTable.objects.filter(
                            pk=request.POST.get("table") or 0
                        ).first(),
                        name=table_form.cleaned_data["name"],
                        key_column=table_form.cleaned_data["key_column"],
                        file_name=upload.name,
                        content=upload.read(20 * 1024 * 1024 + 1),
                        actor=request.user,
                    )
                    return HttpResponseRedirect(reverse("rules-console:connectors"))
                except DomainError as exc:
                    errors.append(("id_t-file", exc.message))
            else:
                errors = _form_errors(table_form)
        else:
            connector_form = f.ConnectorForm(request.POST, prefix="c")
            if connector_form.is_valid():
                d = connector_form.cleaned_data
                try:
                    services.connector_save(
                        connector=Connector.objects.filter(code=d["code"]).first(),
                        code=d["code"],
                        name=d["name"],
                        kind=d["kind"],
                        fields=d["fields_text"],
                        config=d["config_text"],
                        actor=request.user,
                    )
                    return HttpResponseRedirect(reverse("rules-console:connectors"))
                except DomainError as exc:
                    errors.append((f"id_c-{exc.field}" if exc.field else "", exc.message))
            else:
                errors = _form_errors(connector_form)
        status = 422
    return render(
        request,
        "rules/console_connectors.html",
        {
            "connectors": selectors.connectors(),
            "tables": selectors.reference_tables(),
            "connector_form": connector_form,
            "table_form": table_form,
            "errors": errors,
            "section": "connectors",
        },
        status=status,
    )


@require_GET
@rules_view
@rule("perm:rules.edit")
def call_log(request: HttpRequest) -> HttpResponse:
    form = f.CallFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    calls = selectors.connector_calls(
        connector_id=data.get("connector"), case_no=(data.get("case_no") or "").strip()
    )
    page = Paginator(calls, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "rules/console_calls.html",
        {
            "form": form,
            "page": page,
            "connectors": Connector.objects.all(),
            "section": "calls",
        },
    )


@require_GET
@rules_view
@rule("perm:rules.edit")
def policy_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "rules/console_policies.html",
        {"policies": selectors.policies(), "section": "policies"},
    )
