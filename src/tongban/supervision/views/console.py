"""The supervision pages under /console/supervision/ (电子监察): the open cases and tickets by
remaining time, cards, urges and orders, the dashboard with its data tables and the cases behind
each number, CSV exports, monthly reports and the performance sheet.

Supervisors see every department; a department head sees their own department only; everyone
else is refused (403), anonymous users are sent to the console login."""

from __future__ import annotations

import csv
import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.cases import selectors as case_selectors
from tongban.cases.models import Channel
from tongban.core import workdays
from tongban.core.access import rule
from tongban.core.cached import cache_key, cached
from tongban.core.errors import DomainError, NotFound, PermissionDenied
from tongban.core.models import Department, Region
from tongban.core.models.regions import RegionLevel
from tongban.core.permissions import Perm, has_perm, is_staff_member
from tongban.ratings import kpis as rating_kpis
from tongban.ratings.models import Level, RatingChannel

from .. import kpis, performance, selectors, services
from ..models import Card, CardKind, Colour, MonthlyReport, SubjectKind

LOGIN_URL = reverse_lazy("console:login")


def supervision_view(view):
    """Anonymous → login; staff without SUPERVISION_VIEW (and applicants) → 403."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_member(request.user):
            return render(request, "console/not_staff.html", status=403)
        if not selectors.may_view(request.user):
            return _forbidden(request, _("只有监察督办人员和部门负责人可以查看电子监察。"))
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        except NotFound:
            raise Http404 from None

    return wrapped


def _forbidden(request, message) -> HttpResponse:
    return render(request, "supervision/forbidden.html", {"message": message}, status=403)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _today() -> dt.date:
    return workdays.business_date(timezone.now())


def _filters(request: HttpRequest):
    """The month and department of a dashboard or list; an unknown department or a malformed
    month → a DomainError the page shows (400)."""
    user = request.user
    month_text = request.GET.get("month") or ""
    month = kpis.parse_month(month_text) if month_text else _today().replace(day=1)
    dept = request.GET.get("department") or ""
    allowed = selectors.visible_department_ids(user)
    department_ids: tuple[int, ...] = ()
    if dept:
        if _int(dept) is None:
            raise kpis.ValidationFailed(
                kpis.CoreErrorCode.INVALID_INPUT, _("没有这个部门。"), field="department"
            )
        scope = kpis.Scope.checked(department_ids=[_int(dept)])
        department_ids = scope.department_ids
        if allowed is not None and department_ids[0] not in allowed:
            raise PermissionDenied(_("只能查看本部门的数据。"))
    elif allowed is not None:
        department_ids = tuple(allowed)
    region_ids: tuple[int, ...] = ()
    if street := request.GET.get("street") or "":
        if _int(street) is None:
            raise kpis.ValidationFailed(
                kpis.CoreErrorCode.INVALID_INPUT, _("没有这个街道。"), field="street"
            )
        region_ids = kpis.Scope.checked(region_ids=[_int(street)]).region_ids
    return month, kpis.Scope(department_ids=department_ids, region_ids=region_ids), dept


def _list_period(request: HttpRequest, month: dt.date) -> kpis.Period:
    """The list's period: ``from``/``to`` (inclusive dates, e.g. a week of the weekly trend), or
    the month."""
    start, end = request.GET.get("from") or "", request.GET.get("to") or ""
    if not start and not end:
        return kpis.month_period(month)
    try:
        period = kpis.Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    except ValueError:
        period = None
    if period is None or period.start > period.end:
        raise kpis.ValidationFailed(
            kpis.CoreErrorCode.INVALID_DATE,
            _("日期范围不对，应写成 from=YYYY-MM-DD&to=YYYY-MM-DD，且开始不晚于结束。"),
            field="from",
        )
    return period


# ---------------------------------------------------------------- supervision list


@rule("perm:supervision.view")
@require_GET
@supervision_view
def home(request: HttpRequest) -> HttpResponse:
    tab = "tickets" if request.GET.get("tab") == "tickets" else "cases"
    page = max(_int(request.GET.get("page"), 1), 1)
    dept = _int(request.GET.get("department"))
    if dept is not None and not selectors.in_view(request.user, dept):
        raise PermissionDenied(_("只能查看本部门的数据。"))
    if tab == "cases":
        rows, total = selectors.supervision_cases(request.user, department_id=dept, page=page)
    else:
        rows, total = selectors.supervision_tickets(request.user, department_id=dept, page=page)
    return render(
        request,
        "supervision/home.html",
        {
            "tab": tab,
            "rows": rows,
            "total": total,
            "page": page,
            "has_next": page * selectors.PAGE_SIZE < total,
            "departments": selectors.departments_for(request.user),
            "department": dept,
            "open_cards": selectors.cards_for(request.user, open_only=True)[:20],
            "open_orders": selectors.orders_for(request.user, open_only=True)[:20],
            "can_urge": has_perm(request.user, Perm.SUPERVISION_URGE),
            # [B] 容缺: supplements past their deadline (b1)
            "overdue_supplements": _overdue_supplements(request.user, dept),
        },
    )


def _overdue_supplements(user, dept: int | None) -> list:
    qs = case_selectors.overdue_supplements(department_id=dept)
    ids = selectors.visible_department_ids(user)
    if ids is not None:
        qs = qs.filter(case__department_id__in=ids)
    return list(qs[:20])


@rule("perm:supervision.view")
@require_http_methods(["GET", "POST"])
@supervision_view
def subject(request: HttpRequest, kind: str, ref: str) -> HttpResponse:
    """One case, ticket or rectification: its cards, urges and orders; urge or order it."""
    if kind not in SubjectKind.values:
        raise Http404
    try:
        found = services.subject_find(kind=kind, ref=ref)
    except DomainError:
        raise Http404 from None
    if not selectors.in_view(request.user, found.department_id):
        raise Http404
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "urge":
                services.supervision_urge(
                    actor=request.user, kind=kind, ref=ref, message=request.POST.get("message", "")
                )
                messages.success(request, _("已催办，并通知了承办人和部门负责人。"))
            else:
                due = request.POST.get("due") or ""
                try:
                    due_day = dt.date.fromisoformat(due) if due else None
                except ValueError:
                    due_day = dt.date.min
                services.supervision_order_open(
                    actor=request.user,
                    kind=kind,
                    ref=ref,
                    requirement=request.POST.get("requirement", ""),
                    due=due_day,
                )
                messages.success(request, _("已发出督办单。"))
            return HttpResponseRedirect(request.path)
        except PermissionDenied:
            raise
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
    q = selectors.subject_history(kind=kind, ref=found.ref)
    return render(
        request,
        "supervision/subject.html",
        {
            "subject": found,
            "kind_label": SubjectKind(kind).label,
            "cards": selectors.cards_for(request.user).filter(q),
            "urges": selectors.urges_for(request.user).filter(q),
            "orders": selectors.orders_for(request.user).filter(q),
            "can_urge": has_perm(request.user, Perm.SUPERVISION_URGE),
            "errors": errors,
            "post": request.POST,
            "link": services.cards.subject_link(kind, found.ref),
        },
        status=400 if errors else 200,
    )


@rule("perm:supervision.view")
@require_GET
@supervision_view
def cards(request: HttpRequest) -> HttpResponse:
    qs = selectors.cards_for(request.user, open_only=request.GET.get("open") == "1")
    colour = request.GET.get("colour") or ""
    if colour in Colour.values:
        qs = qs.filter(colour=colour)
    if (department := _int(request.GET.get("department"))) is not None:
        qs = qs.filter(department_id=department)
    if request.GET.get("format") == "csv":
        return _csv(
            "cards.csv",
            [
                _("编号"),
                _("对象"),
                _("责任部门"),
                _("颜色"),
                _("类型"),
                _("说明"),
                _("亮牌时间"),
                _("销牌时间"),
            ],
            (
                [
                    c.subject_ref,
                    c.get_subject_kind_display(),
                    c.department.name,
                    c.get_colour_display(),
                    c.get_kind_display(),
                    c.detail,
                    c.raised_at.isoformat(),
                    c.resolved_at.isoformat() if c.resolved_at else "",
                ]
                for c in qs.iterator()
            ),
        )
    page = max(_int(request.GET.get("page"), 1), 1)
    total = qs.count()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/cards.html",
        {
            "cards": qs[(page - 1) * 100 : page * 100],
            "colour": colour,
            "colours": Colour.choices,
            "department": request.GET.get("department") or "",
            "total": total,
            "page": page,
            "has_next": page * 100 < total,
            "query": query.urlencode(),
        },
    )


@rule("perm:supervision.view")
@require_http_methods(["GET", "POST"])
@supervision_view
def card(request: HttpRequest, pk: int) -> HttpResponse:
    card = selectors.get_card_for_user(user=request.user, pk=pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "resolve":
                services.card_resolve(
                    actor=request.user, card=card, explanation=request.POST.get("explanation", "")
                )
                messages.success(request, _("已审核销牌。"))
            else:
                services.card_explain(
                    actor=request.user, card=card, explanation=request.POST.get("explanation", "")
                )
                messages.success(request, _("情况说明已保存。"))
            return HttpResponseRedirect(request.path)
        except PermissionDenied:
            raise
        except DomainError as exc:
            errors[exc.field or "explanation"] = exc.message
        card = selectors.get_card_for_user(user=request.user, pk=pk)
    return render(
        request,
        "supervision/card.html",
        {
            "card": card,
            "errors": errors,
            "can_resolve": has_perm(request.user, Perm.SUPERVISION_URGE),
            "link": services.cards.subject_link(card.subject_kind, card.subject_ref),
        },
        status=400 if errors else 200,
    )


@rule("perm:supervision.view")
@require_GET
@supervision_view
def orders(request: HttpRequest) -> HttpResponse:
    qs = selectors.orders_for(request.user, open_only=request.GET.get("open") == "1")
    return render(request, "supervision/orders.html", {"orders": qs[:200], "now": timezone.now()})


@rule("perm:supervision.view")
@require_http_methods(["GET", "POST"])
@supervision_view
def order(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_order_for_user(user=request.user, pk=pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "respond":
                services.supervision_order_respond(
                    actor=request.user, order=order, response=request.POST.get("response", "")
                )
                messages.success(request, _("已提交书面答复。"))
            elif action in ("close", "return"):
                services.supervision_order_close(
                    actor=request.user,
                    order=order,
                    accept=action == "close",
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("督办单已更新。"))
            return HttpResponseRedirect(request.path)
        except PermissionDenied:
            raise
        except DomainError as exc:
            errors[exc.field or "response"] = exc.message
        order = selectors.get_order_for_user(user=request.user, pk=pk)
    return render(
        request,
        "supervision/order.html",
        {
            "order": order,
            "errors": errors,
            "can_close": has_perm(request.user, Perm.SUPERVISION_URGE),
            "can_respond": selectors.in_view(request.user, order.department_id),
            "link": services.cards.subject_link(order.subject_kind, order.subject_ref),
        },
        status=400 if errors else 200,
    )


# ---------------------------------------------------------------- dashboard


HEADLINE = (
    "accepted",
    "concluded",
    "on_time_rate",
    "overdue",
    "online_share",
    "good_rate",
    "bad",
    "rectification_rate",
    "compression",
    "fully_online_share",
)


def _list_url(
    count: str, month: dt.date, department: int | str | None = "", **extra: object
) -> str:
    q = f"count={count}&month={month:%Y-%m}"
    if department:
        q += f"&department={department}"
    for key, value in extra.items():
        q += f"&{key.rstrip('_')}={value}"
    return reverse("supervision-console:list") + "?" + q


def kpi_cache_seconds(month: dt.date, today: dt.date) -> int:
    """How long figures of a period are kept: a few minutes once the period is over, a short
    while for the period that holds today (its figures move with every case)."""
    return _seconds(kpis.month_period(month).end, today)


def _seconds(end: dt.date, today: dt.date) -> int:
    if end >= today:
        return settings.TONGBAN_DASHBOARD_CACHE_TODAY_SECONDS
    return settings.TONGBAN_DASHBOARD_CACHE_SECONDS


def _figures(period: kpis.Period, scope: kpis.Scope, today: dt.date, areas: tuple[str, ...]):
    """One period's figures through the cache: a closed month or week of the trends is kept
    for minutes even while the current month's figures are recomputed every few seconds."""
    key = cache_key("supervision-figures", period, scope, today, areas)
    return cached(
        key,
        _seconds(period.end, today),
        lambda: kpis.figures(period, scope, today=today, areas=areas),
    )


def _month_sets(month: dt.date, scope: kpis.Scope, today: dt.date) -> dict:
    """The month's figures, rankings and distributions (computed once per cache lifetime); the
    total, the departments' and the streets' rows from one grouped query per source."""
    period = kpis.month_period(month)
    rfilters = {"department_ids": list(scope.department_ids) or None}
    total, by_dept, by_street = kpis.figures_with_rankings(
        period, scope, today=today, street_areas=("cases", "tickets")
    )
    return {
        "dept_names": dict(Department.objects.values_list("pk", "name")),
        "total": total,
        "by_dept": by_dept,
        "by_street": by_street,
        "streets": dict(
            Region.objects.filter(pk__in=by_street, level=RegionLevel.STREET).values_list(
                "pk", "name"
            )
        ),
        "dist": rating_kpis.rating_distribution(period=period.ratings_period(), **rfilters),
        "mix": rating_kpis.rating_channel_mix(period=period.ratings_period(), **rfilters),
        "channel_counts": dict(
            kpis.rows_behind("accepted", period, scope)
            .order_by()
            .values_list("channel")
            .annotate(n=kpis.Count("pk"))
        ),
    }


def kpi_sets(month: dt.date, scope: kpis.Scope, today: dt.date) -> dict:
    """The dashboard's KPI sets of one (month, scope), through the cache (keyed on the period,
    the scope and today): the month's total, rankings and distributions, and each month and
    week of the trends on its own."""
    period = kpis.month_period(month)
    # (the sets hold "total" since the one-pass figures: a new key, no entry of the old shape)
    key = cache_key("supervision-month-sets", month, scope, today)
    sets = cached(key, kpi_cache_seconds(month, today), lambda: _month_sets(month, scope, today))
    cases_only = ("cases",)
    weeks = kpis.recent_weeks(8, today=min(period.end, today))
    return {
        **sets,
        "trend": [  # the month itself is in the total already
            (p, sets["total"] if p == period else _figures(p, scope, today, cases_only))
            for p in kpis.recent_months(12, today=month)
        ],
        "weekly": [(p, _figures(p, scope, today, cases_only)) for p in weeks],
    }


def dashboard_data(user, month: dt.date, scope: kpis.Scope) -> dict:
    """Every chart's data table (the same numbers the charts draw and the CSVs export)."""
    period = kpis.month_period(month)
    today = _today()
    sets = kpi_sets(month, scope, today)
    total, dept_names, by_dept = sets["total"], sets["dept_names"], sets["by_dept"]
    by_street, streets = sets["by_street"], sets["streets"]
    trend, weekly = sets["trend"], sets["weekly"]
    dist, mix, channel_counts = sets["dist"], sets["mix"], sets["channel_counts"]
    cards_qs = selectors.cards_for(user).filter(
        raised_at__gte=period.since, raised_at__lt=period.until
    )
    if scope.department_ids:
        cards_qs = cards_qs.filter(department_id__in=scope.department_ids)
    cards_by: dict[int, dict[str, int]] = {}
    for dept_id, colour in cards_qs.values_list("department_id", "colour"):
        cards_by.setdefault(dept_id, {c: 0 for c in Colour.values})[colour] += 1
    d = lambda pk: {"department": pk}  # noqa: E731
    return {
        "total": total,
        "headline": [
            (
                kpis.KPI[k],
                total.value(k),
                _list_url(kpis.KPI[k].numerator, month, _dep(scope))
                if kpis.KPI[k].numerator in kpis.COUNTS
                and kpis.COUNTS[kpis.KPI[k].numerator].source in kpis.LISTABLE_SOURCES
                else "",
            )
            for k in HEADLINE
        ],
        "charts": [
            {
                "id": "trend",
                "title": _("月度趋势（受理、办结）"),
                "type": "line",
                "columns": [_("月份"), _("受理"), _("办结"), _("按时办结率")],
                "rows": [
                    [
                        p.label,
                        f.value("accepted"),
                        f.value("concluded"),
                        _num(f.value("on_time_rate")),
                    ]
                    for p, f in trend
                ],
                "links": [_list_url("accepted", p.start, _dep(scope)) for p, _f in trend],
            },
            {
                "id": "weekly",
                "title": _("周趋势（受理、办结）"),
                "type": "line",
                "columns": [_("周"), _("受理"), _("办结"), _("按时办结率")],
                "rows": [
                    [
                        p.label,
                        f.value("accepted"),
                        f.value("concluded"),
                        _num(f.value("on_time_rate")),
                    ]
                    for p, f in weekly
                ],
                "links": [
                    _list_url("accepted", p.start, _dep(scope), from_=f"{p.start}", to=f"{p.end}")
                    for p, _f in weekly
                ],
            },
            {
                "id": "departments",
                "title": _("部门排名（按时办结率）"),
                "type": "bar",
                "columns": [_("部门"), _("受理"), _("办结"), _("按时办结率"), _("好评率")],
                "rows": [
                    [
                        dept_names.get(pk, pk),
                        f.value("accepted"),
                        f.value("concluded"),
                        _num(f.value("on_time_rate")),
                        _num(f.value("good_rate")),
                    ]
                    for pk, f in _ranked(by_dept)
                ],
                "links": [_list_url("concluded", month, pk) for pk, _f in _ranked(by_dept)],
            },
            {
                "id": "streets",
                "title": _("街道排名（受理办件、工单按时办结率）"),
                "type": "bar",
                "columns": [_("街道"), _("受理"), _("办结"), _("按时办结率"), _("工单按时办结率")],
                "rows": [
                    [
                        streets[pk],
                        f.value("accepted"),
                        f.value("concluded"),
                        _num(f.value("on_time_rate")),
                        _num(f.value("handle_on_time_rate")),
                    ]
                    for pk, f in _ranked(by_street)
                    if pk in streets
                ],
                "links": [
                    _list_url("accepted", month, _dep(scope), street=pk)
                    for pk, _f in _ranked(by_street)
                    if pk in streets
                ],
            },
            {
                "id": "cards",
                "title": _("各部门亮牌数"),
                "type": "stack",
                "columns": [_("部门"), *[str(label) for _v, label in Colour.choices]],
                "rows": [
                    [dept_names.get(pk, pk), *[c[v] for v in Colour.values]]
                    for pk, c in sorted(cards_by.items(), key=lambda kv: -sum(kv[1].values()))
                ],
                "links": [
                    reverse("supervision-console:cards") + f"?department={pk}"
                    for pk, c in sorted(cards_by.items(), key=lambda kv: -sum(kv[1].values()))
                ],
            },
            {
                "id": "ratings",
                "title": _("评价等级分布"),
                "type": "pie",
                "columns": [_("等级"), _("评价数")],
                "rows": [[str(Level(level).label), n] for level, n in dist.items()],
                "links": [_list_url("rated", month, _dep(scope), level=level) for level in dist],
            },
            {
                "id": "channels",
                "title": _("办件申报渠道"),
                "type": "pie",
                "columns": [_("渠道"), _("受理办件数")],
                "rows": [
                    [str(Channel(c).label) if c in Channel.values else c, n]
                    for c, n in sorted(channel_counts.items())
                ],
                "links": [
                    _list_url("accepted", month, _dep(scope), channel=c)
                    for c in sorted(channel_counts)
                ],
            },
            {
                "id": "rating_channels",
                "title": _("评价渠道"),
                "type": "pie",
                "columns": [_("渠道"), _("评价数")],
                "rows": [
                    [str(RatingChannel(c).label) if c in RatingChannel.values else c, n]
                    for c, n in sorted(mix.items())
                ],
                "links": [
                    _list_url("rated", month, _dep(scope), rating_channel=c) for c in sorted(mix)
                ],
            },
        ],
        "by_department": by_dept,
        "_d": d,
    }


def _dep(scope: kpis.Scope):
    return scope.department_ids[0] if len(scope.department_ids) == 1 else ""


def _num(value):
    return float(value) if value is not None else None


def _ranked(by: dict[int, kpis.Figures]):
    return sorted(
        by.items(),
        key=lambda kv: (
            kv[1].value("on_time_rate") is None,
            -(kv[1].value("on_time_rate") or 0),
            -(kv[1].value("accepted") or 0),
        ),
    )


@rule("perm:supervision.view")
@require_GET
@supervision_view
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        month, scope, dept = _filters(request)
    except PermissionDenied:
        raise
    except DomainError as exc:
        return render(
            request,
            "supervision/dashboard.html",
            {"error": exc.message, "departments": selectors.departments_for(request.user)},
            status=400,
        )
    data = dashboard_data(request.user, month, scope)
    export = request.GET.get("export") or ""
    if export:
        chart = next((c for c in data["charts"] if c["id"] == export), None)
        if export == "kpis":
            return _csv(
                f"kpis-{month:%Y-%m}.csv",
                [_("指标"), _("数值"), _("分子"), _("分母")],
                (
                    [
                        str(k.label),
                        _fmt(k.value(data["total"].counts)),
                        data["total"].counts.get(k.numerator, 0),
                        data["total"].counts.get(k.denominator, "") if k.denominator else "",
                    ]
                    for k in kpis.KPIS
                ),
            )
        if chart is None:
            raise Http404
        return _csv(f"{export}-{month:%Y-%m}.csv", chart["columns"], chart["rows"])
    charts = [
        {
            **c,
            "table": list(
                zip(c["rows"], c["links"] + [""] * (len(c["rows"]) - len(c["links"])), strict=False)
            ),
        }
        for c in data["charts"]
    ]
    return render(
        request,
        "supervision/dashboard.html",
        {
            "month": month,
            "month_text": f"{month:%Y-%m}",
            "department": dept,
            "departments": selectors.departments_for(request.user),
            "headline": data["headline"],
            "charts": charts,
            "chart_data": {
                c["id"]: {k: c[k] for k in ("type", "title", "columns", "rows", "links")}
                for c in data["charts"]
            },
            "all_kpis": [(k, data["total"].value(k.key)) for k in kpis.KPIS],
        },
    )


def _fmt(value):
    return "" if value is None else str(value)


@rule("perm:supervision.view")
@require_GET
@supervision_view
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases (or tickets) behind a number of the dashboard; CSV with ?format=csv."""
    try:
        month, scope, dept = _filters(request)
        count = request.GET.get("count") or ""
        period = _list_period(request, month)
        if count == "rated":
            rows = _rated_cases(request, period, scope)
        else:
            rows = kpis.rows_behind(count, period, scope, today=_today())
            if channel := request.GET.get("channel") or "":
                if kpis.is_ticket_count(count) or channel not in Channel.values:
                    raise kpis.ValidationFailed(
                        kpis.CoreErrorCode.INVALID_INPUT, _("没有这个渠道。"), field="channel"
                    )
                rows = rows.filter(channel=channel)
    except PermissionDenied:
        raise
    except DomainError as exc:
        return render(request, "supervision/list.html", {"error": exc.message}, status=400)
    tickets = kpis.is_ticket_count(count)
    if tickets:
        columns = [_("工单编号"), _("标题"), _("承办单位"), _("状态"), _("办理期限")]
        values = rows.order_by("pk").values_list(
            "ticket_no", "title", "department__name", "status", "handle_due"
        )
    else:
        columns = [
            _("办件编号"),
            _("事项"),
            _("部门"),
            _("渠道"),
            _("状态"),
            _("受理日期"),
            _("办结日期"),
            _("承诺期限"),
        ]
        values = rows.order_by("pk").values_list(
            "case_no",
            "item_version__name",
            "department__name",
            "channel",
            "status",
            "accepted_on",
            "decided_day",
            "promised_due",
        )
    if request.GET.get("format") == "csv":
        return _csv(f"{count}-{month:%Y-%m}.csv", columns, values.iterator())
    page = max(_int(request.GET.get("page"), 1), 1)
    total = rows.count()
    return render(
        request,
        "supervision/list.html",
        {
            "count_key": _count_label(count),
            "month_text": period.label,
            "department": dept,
            "columns": columns,
            "rows": list(values[(page - 1) * 100 : page * 100]),
            "total": total,
            "page": page,
            "has_next": page * 100 < total,
            "tickets": tickets,
            "query": request.GET.urlencode(),
        },
    )


def _count_label(count: str) -> str:
    """The name of the KPI a count is the numerator of (or the count's key)."""
    if count == "rated":
        return str(kpis.KPI["ratings"].label)
    return next((str(k.label) for k in kpis.KPIS if k.numerator == count), count)


def _rated_cases(request: HttpRequest, period: kpis.Period, scope: kpis.Scope):
    """The cases behind a rating figure (评价等级分布, 评价渠道): the cases whose counted rating
    in the period has the given level or channel (ratings of visits and tickets are not cases and
    are listed in the ratings console)."""
    ratings = rating_kpis.counted_ratings(
        period=period.ratings_period(),
        department_ids=list(scope.department_ids) or None,
        region_ids=list(scope.region_ids) or None,
        service_kinds=["case"],
    )
    level, channel = request.GET.get("level") or "", request.GET.get("rating_channel") or ""
    if level:
        if _int(level) not in Level.values:
            raise kpis.ValidationFailed(
                kpis.CoreErrorCode.INVALID_INPUT, _("没有这个评价等级。"), field="level"
            )
        ratings = ratings.filter(level=_int(level))
    if channel:
        if channel not in RatingChannel.values:
            raise kpis.ValidationFailed(
                kpis.CoreErrorCode.INVALID_INPUT, _("没有这个渠道。"), field="channel"
            )
        ratings = ratings.filter(channel=channel)
    return kpis.SOURCES["cases"].queryset().filter(case_no__in=ratings.values("service_ref"))


def _csv(name: str, header, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel reads UTF-8 with the BOM
    writer = csv.writer(response)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow(
            ["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v) for v in row]
        )
    return response


# ---------------------------------------------------------------- reports and performance


@rule("perm:supervision.view")
@require_GET
@supervision_view
def report_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "supervision/reports.html", {"reports": MonthlyReport.objects.all()[:36]}
    )


@rule("perm:supervision.view")
@require_GET
@supervision_view
def report_file(request: HttpRequest, month: str, kind: str) -> HttpResponse:
    if selectors.visible_department_ids(request.user) is not None:
        raise PermissionDenied(_("月度报告含各部门数据，只有监察督办人员可以下载。"))
    try:
        first = kpis.parse_month(month)
    except DomainError:
        raise Http404 from None
    report = MonthlyReport.objects.filter(month=first).first()
    field = {"xlsx": "workbook", "pdf": "pdf"}.get(kind)
    if report is None or field is None or not getattr(report, field):
        raise Http404
    return FileResponse(
        getattr(report, field).open("rb"), as_attachment=True, filename=f"report-{month}.{kind}"
    )


@rule("perm:supervision.view")
@require_POST
@supervision_view
def report_generate(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, Perm.SUPERVISION_URGE):
        raise PermissionDenied(_("只有监察督办人员可以生成报告。"))
    from ..services.reporting import monthly_report_generate

    try:
        monthly_report_generate(month=kpis.parse_month(request.POST.get("month", "")))
        messages.success(request, _("报告已生成。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("supervision-console:reports"))


@rule("perm:supervision.view")
@require_GET
@supervision_view
def performance_sheet(request: HttpRequest) -> HttpResponse:
    try:
        month, scope, dept = _filters(request)
    except PermissionDenied:
        raise
    except DomainError as exc:
        return render(request, "supervision/performance.html", {"error": exc.message}, status=400)
    period = kpis.month_period(month)
    ids = list(scope.department_ids) or None
    departments = performance.department_sheet(period, ids)
    staff = performance.staff_sheet(period, ids)
    which = request.GET.get("format")
    if which in ("departments.csv", "staff.csv"):
        lines = departments if which == "departments.csv" else staff
        return _csv(
            f"performance-{month:%Y-%m}-{which}",
            [_("名称"), _("部门"), _("好评率"), _("按时办结率"), _("差评整改率"), _("得分")],
            (
                [
                    ln.name,
                    ln.department,
                    _fmt(ln.values["good_rate"]),
                    _fmt(ln.values["on_time_rate"]),
                    _fmt(ln.values["rectification_rate"]),
                    _fmt(ln.score),
                ]
                for ln in lines
            ),
        )
    return render(
        request,
        "supervision/performance.html",
        {
            "month_text": f"{month:%Y-%m}",
            "department": dept,
            "departments": selectors.departments_for(request.user),
            "department_lines": departments,
            "staff_lines": staff,
            "weights": performance.active_weights(),
        },
    )


__all__ = ["Card", "CardKind"]
