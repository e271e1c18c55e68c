"""The REST API at /api/v1/ (django-ninja, OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from tongban.core.api import router as core_router
from tongban.core.api_auth import API_AUTH
from tongban.core.errors import DomainError

api = NinjaAPI(
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


api.add_router("/", core_router)
