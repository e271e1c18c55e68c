"""Open311 GeoReport v2 endpoints (plain Django views; no session or CSRF token needed).

Each path answers ``.json`` and ``.xml``; without a suffix the ``Accept`` header chooses (JSON
unless only XML is asked for). Errors are the spec's: an array of ``{code, description}`` with
HTTP 400, 403 (api_key), 404 (no such thing), 405 (method) or 429 (too many POSTs for a key).
Descriptions follow the language cookie or ``Accept-Language`` (Chinese by default).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, get_language_from_request, override
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tongban.core.access import rule
from tongban.core.errors import DomainError

from . import mapping
from .errors import Open311Error, from_domain
from .intake import request_create
from .keys import open311_key_verify
from .render import respond, respond_errors
from .throttle import post_allowed, posts_per_minute

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
STATUSES = ("open", "closed")
_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$")


def _format(request: HttpRequest, fmt: str | None) -> str:
    if fmt in ("json", "xml"):
        return fmt
    accept = request.headers.get("Accept", "")
    return "xml" if "xml" in accept and "json" not in accept else "json"


def _param(request: HttpRequest, name: str) -> str:
    value = request.POST.get(name) if request.method == "POST" else None
    return (value or request.GET.get(name) or "").strip()


def _check_jurisdiction(request: HttpRequest) -> None:
    """Only one jurisdiction is served: any jurisdiction_id is accepted unless
    ``TONGBAN_OPEN311_JURISDICTION_ID`` names it, and then a different one is not found."""
    ours = getattr(settings, "TONGBAN_OPEN311_JURISDICTION_ID", "")
    given = _param(request, "jurisdiction_id")
    if ours and given and given != ours:
        raise Open311Error.one(
            404, _("jurisdiction_id：本接口不服务于 %(j)s。") % {"j": given[:64]}
        )


def endpoint(*methods: str) -> Callable:
    """Format, language, method and jurisdiction checks, and Open311 errors, for one view."""
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def wrap(view):
        @functools.wraps(view)
        def run(request: HttpRequest, *args, fmt: str | None = None, **kwargs) -> HttpResponse:
            fmt = _format(request, fmt)
            with override(get_language_from_request(request)):
                try:
                    if request.method not in allowed:
                        raise Open311Error.one(
                            405,
                            _("不支持 %(m)s 请求。") % {"m": request.method},
                            headers={"Allow": ", ".join(sorted(allowed))},
                        )
                    _check_jurisdiction(request)
                    response = view(request, *args, fmt=fmt, **kwargs)
                except (RequestDataTooBig, TooManyFieldsSent):
                    response = respond_errors([(400, _("请求内容过大。"))], fmt=fmt, status=400)
                except DomainError as exc:
                    error = from_domain(exc)
                    response = respond_errors(error.errors, fmt=fmt, status=error.status)
                except Open311Error as error:
                    response = respond_errors(
                        error.errors, fmt=fmt, status=error.status, headers=error.headers
                    )
                response["Content-Language"] = get_language()
            patch_vary_headers(response, ("Accept", "Accept-Language", "Cookie"))
            return response

        return csrf_exempt(run)

    return wrap


# --- discovery and services ----------------------------------------------------------------


@rule("open311")
@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    changeset = mapping.changeset()
    root = request.build_absolute_uri(reverse("open311:root")).rstrip("/")
    data = {
        "changeset": changeset,
        "contact": str(
            getattr(settings, "TONGBAN_OPEN311_CONTACT", "")
            or _("12345 政务服务便民热线中心（拨打 12345）")
        ),
        "key_service": str(
            getattr(settings, "TONGBAN_OPEN311_KEY_SERVICE", "")
            or _(
                "api_key 由平台管理员签发（tongban open311 key create 应用名称），请向 12345 热线中心申请。"
            )
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": root,
                "changeset": changeset,
                "type": getattr(settings, "TONGBAN_OPEN311_ENDPOINT_TYPE", "production"),
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(data, fmt=fmt, root="discovery")


@rule("open311")
@endpoint("GET")
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data = [service.as_dict() for service in mapping.services()]
    return respond(data, fmt=fmt, root="services")


@rule("open311")
@endpoint("GET")
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    service = mapping.service_for(code)
    if service is None:
        raise Open311Error.one(
            404, _("service_code：没有编码为 %(code)s 的服务。") % {"code": code[:32]}
        )
    return respond(mapping.service_definition(service), fmt=fmt, root="service_definition")


# --- service requests ----------------------------------------------------------------------


def _listed(request: HttpRequest, name: str) -> list[str]:
    """A parameter that may be comma delimited and declared several times."""
    values = []
    for raw in request.GET.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def parse_w3c(raw: str, name: str, *, end: bool = False) -> dt.datetime:
    """A W3C date-time with its offset (``2026-01-01T00:00:00+08:00`` or ``…Z``), or a plain
    date, taken as that day in Asia/Shanghai (as its last moment for ``end_date``)."""
    raw = re.sub(r" (\d{2}:\d{2})$", r"+\1", raw.strip())  # an unencoded "+" arrives as " "
    problem = _("%(name)s：不是 W3C 日期时间格式，例如 2026-01-01T00:00:00+08:00。") % {
        "name": name
    }
    match = _W3C.match(raw)
    if not match:
        raise Open311Error.one(400, problem)
    if match.group(1) and not match.group(4):
        raise Open311Error.one(
            400, _("%(name)s：需带时区，例如 2026-01-01T00:00:00+08:00 或 …Z。") % {"name": name}
        )
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error.one(400, problem) from None
    if match.group(1):
        return value
    day = timezone.make_aware(value)
    return day + dt.timedelta(days=1, microseconds=-1) if end else day


def _date_range(request: HttpRequest) -> tuple[dt.datetime, dt.datetime]:
    start_raw, end_raw = request.GET.get("start_date", ""), request.GET.get("end_date", "")
    errors = []
    start = end = None
    for raw, name in ((start_raw, "start_date"), (end_raw, "end_date")):
        if raw.strip():
            try:
                value = parse_w3c(raw, name, end=name == "end_date")
            except Open311Error as error:
                errors.extend(error.errors)
                continue
            if name == "start_date":
                start = value
            else:
                end = value
    if errors:
        raise Open311Error(errors)
    span = mapping.DEFAULT_SPAN
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - span
    if end is None:
        end = start + span
    if start > end:
        raise Open311Error.one(400, _("start_date 不能晚于 end_date。"))
    # A plain end_date includes its whole day, which is not counted against the 90 days.
    whole_day = (
        dt.timedelta(days=1, microseconds=-1)
        if end_raw.strip() and "T" not in end_raw
        else dt.timedelta(0)
    )
    if end - whole_day - start > span:
        raise Open311Error.one(400, _("start_date 到 end_date 的区间不能超过 90 天。"))
    return start, end


def _requests_get(request: HttpRequest, fmt: str) -> HttpResponse:
    ids = _listed(request, "service_request_id")
    if ids:
        tickets = mapping.requests_matching(ids=ids)
    else:
        statuses = _listed(request, "status")
        wrong = [s for s in statuses if s not in STATUSES]
        if wrong:
            raise Open311Error.one(
                400,
                _("status：取值应为 open 或 closed，收到 %(s)s。") % {"s": ", ".join(wrong)[:64]},
            )
        start, end = _date_range(request)
        tickets = mapping.requests_matching(
            service_codes=_listed(request, "service_code"),
            start=start,
            end=end,
            statuses=statuses,
        )
    data = [mapping.request_record(ticket) for ticket in tickets]
    return respond(data, fmt=fmt, root="service_requests")


def _requests_post(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Error.one(
            400,
            _("请求格式：请以 application/x-www-form-urlencoded 表单提交（GeoReport v2）。"),
        )
    plain = _param(request, "api_key")
    if not plain:
        raise Open311Error.one(403, _("api_key：提交诉求需要 api_key。"))
    key = open311_key_verify(plain)
    if key is None:
        raise Open311Error.one(403, _("api_key：无效或已吊销。"))
    allowed, retry_after = post_allowed(key.prefix)
    if not allowed:
        raise Open311Error.one(
            429,
            _("提交过于频繁：每个 api_key 每分钟最多 %(n)s 件，请 %(s)s 秒后再试。")
            % {"n": posts_per_minute(), "s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
    ticket = request_create(
        data=request.POST,
        key_prefix=key.prefix,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    notice = _("您的诉求已登记，工单编号 %(no)s。") % {"no": ticket.ticket_no}
    next_step = mapping.service_notice(ticket)
    if next_step:
        # Two sentences: no space between them in Chinese, one in English.
        notice = _("%(registered)s%(next)s") % {"registered": notice, "next": next_step}
    if mapping.request_type() == "batch":
        record = {"token": ticket.open311_token}
    else:
        record = {"service_request_id": ticket.ticket_no}
    record.update(service_notice=notice, account_id=None)
    return respond([record], fmt=fmt, root="service_requests", status=201)


@rule("open311")
@endpoint("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _requests_post(request, fmt)
    return _requests_get(request, fmt)


@rule("open311")
@endpoint("GET")
def request_detail(request: HttpRequest, request_id: str, *, fmt: str) -> HttpResponse:
    ticket = mapping.public_ticket(request_id)
    if ticket is None:
        raise Open311Error.one(
            404, _("service_request_id：没有编号为 %(id)s 的诉求。") % {"id": request_id[:40]}
        )
    return respond([mapping.request_record(ticket)], fmt=fmt, root="service_requests")


@rule("open311")
@endpoint("GET")
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    ticket_no = mapping.ticket_no_for_token(token)
    if ticket_no is None:
        raise Open311Error.one(404, _("token：没有这个令牌。"))
    data = [{"service_request_id": ticket_no, "token": token}]
    return respond(data, fmt=fmt, root="service_requests")


@rule("open311")
@endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(request: HttpRequest, rest: str = "", *, fmt: str) -> HttpResponse:
    fmt = "xml" if rest.endswith(".xml") else fmt
    return respond_errors(
        [(404, _("没有这个 Open311 接口。请查看 discovery.json。"))], fmt=fmt, status=404
    )
