"""The REST API at /api/v1/ (django-ninja, OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tongban.cases.api import router as cases_router
from tongban.catalog.api import router as catalog_router
from tongban.core.api import router as core_router
from tongban.core.api_auth import API_AUTH
from tongban.core.errors import DomainError
from tongban.grid.api import router as grid_router
from tongban.hall.api import router as hall_router
from tongban.hotline.api import router as hotline_router
from tongban.hotline.knowledge.api import router as knowledge_router
from tongban.licences.api import router as licences_router
from tongban.ratings.api import router as ratings_router
from tongban.rules.api import router as rules_router
from tongban.selfservice.api import router as selfservice_router
from tongban.supervision.api import router as supervision_router

# Refusals every operation can answer with, in the one error shape of this API; documented on
# every operation so clients (and the schemathesis suite, tests/fuzz) can rely on them.
_ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "required": ["code", "message"],
}
_COMMON_ERRORS = {
    "400": "请求内容无法解析",
    "401": "未登录或令牌无效",
    "403": "无权执行此操作",
    "404": "未找到，或无权查看",
    "405": "不支持此请求方法",
    "422": "输入不正确",
    "429": "请求过于频繁",
}


class TongbanAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("Error", _ERROR_SCHEMA)
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in _COMMON_ERRORS.items():
                    if status not in responses and int(status) not in responses:
                        responses[status] = {"description": description, **ref}
        return schema


api = TongbanAPI(
    title="tongban API",
    version="1",
    description="通办 · 政务服务平台 API. Authenticate with a session cookie (and CSRF token) "
    "or with `Authorization: Bearer <token>` from `tongban token create`.",
    auth=API_AUTH,
    urls_namespace="api-v1",
)

_PYDANTIC_MESSAGES = {
    "missing": "缺少此参数。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "string_type": "应为文本。",
    "date_from_datetime_parsing": "不是有效的日期，应为 YYYY-MM-DD。",
    "date_parsing": "不是有效的日期，应为 YYYY-MM-DD。",
    "json_invalid": "请求内容不是有效的 JSON。",
    "greater_than_equal": "应不小于 %(ge)s。",
    "less_than_equal": "应不大于 %(le)s。",
}

_HTTP_MESSAGES = {
    403: ("forbidden", "您没有执行此操作的权限。"),
    404: ("not_found", "未找到该记录。"),
    405: ("method_not_allowed", "不支持此请求方法。"),
    429: ("throttled", "请求过于频繁，请稍后再试。"),
}


def _field_of(loc) -> str:
    parts = [str(p) for p in loc if p not in ("query", "body", "path", "form", "payload")]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    errors = []
    for err in exc.errors:
        field = _field_of(err.get("loc", ()))
        problem = _(_PYDANTIC_MESSAGES.get(err.get("type", ""), "取值不正确。"))
        if "%(" in problem:
            try:
                problem = problem % dict(err.get("ctx") or {})
            except (KeyError, TypeError, ValueError):
                problem = _("取值不正确。")
        errors.append(
            {
                "field": field,
                "code": err.get("type", "invalid"),
                "message": _("%(field)s：%(problem)s") % {"field": field, "problem": problem},
            }
        )
    return api.create_response(
        request,
        {
            "code": "invalid_input",
            "message": errors[0]["message"] if errors else "",
            "errors": errors,
        },
        status=422,
    )


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request,
        {"code": "unauthenticated", "message": _("请先登录，或提供有效的接口令牌。")},
        status=401,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    """ninja's own refusals (the session's CSRF check, throttling …) in the same JSON shape."""
    if exc.status_code == 403 and "CSRF" in str(exc.message):
        body = {
            "code": "csrf_failed",
            "message": _("CSRF 校验失败：请刷新页面后重试，脚本请改用接口令牌。"),
        }
    elif exc.status_code == 400 and "parse request body" in str(exc.message):
        body = {"code": "invalid_json", "message": _("请求内容不是有效的 JSON。")}
    else:
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求未能处理。"))
        body = {"code": code, "message": _(message)}
    return api.create_response(request, body, status=exc.status_code)


api.add_router("/", core_router)
api.add_router("/", catalog_router)
api.add_router("/", cases_router)
api.add_router("/", hotline_router)
api.add_router("/", knowledge_router)
api.add_router("/", licences_router)
api.add_router("/", rules_router)
api.add_router("/", ratings_router)
api.add_router("/", supervision_router)
api.add_router("/", grid_router)
api.add_router("/", hall_router)
api.add_router("/", selfservice_router)
