"""The OpenAPI 3.0 description of the Open311 GeoReport v2 interface (JSON format), served at
/open311/v2/openapi.json. It documents what docs/open311.md describes; the schemathesis suite
(tests/fuzz/test_open311_fuzz.py) checks every answer against it."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from tongban.core.access import rule

_NULLABLE_STRING = {"type": "string", "nullable": True}
_W3C = {"type": "string", "description": "W3C date-time with offset, Asia/Shanghai"}

_ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERRORS}}}


_COMMON = {
    "400": _error("Invalid parameters; every problem listed"),
    "404": _error("No such resource (or jurisdiction)"),
    "405": _error("Method not allowed"),
}

_SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": {"type": "string"},
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": {"type": "string"},
        "group": {"type": "string"},
    },
}

_ATTRIBUTE = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "order", "description"],
    "properties": {
        "variable": {"type": "boolean"},
        "code": {"type": "string"},
        "datatype": {
            "type": "string",
            "enum": [
                "string",
                "number",
                "datetime",
                "text",
                "singlevaluelist",
                "multivaluelist",
            ],
        },
        "required": {"type": "boolean"},
        "datatype_description": _NULLABLE_STRING,
        "order": {"type": "integer"},
        "description": {"type": "string"},
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
        },
    },
}

_REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": _NULLABLE_STRING,
        "service_name": _NULLABLE_STRING,
        "service_code": _NULLABLE_STRING,
        "description": _NULLABLE_STRING,
        "agency_responsible": _NULLABLE_STRING,
        "service_notice": _NULLABLE_STRING,
        "requested_datetime": _W3C,
        "updated_datetime": {**_W3C, "nullable": True},
        "expected_datetime": {**_W3C, "nullable": True},
        "address": _NULLABLE_STRING,
        "address_id": _NULLABLE_STRING,
        "zipcode": _NULLABLE_STRING,
        "lat": {"type": "number", "nullable": True},
        "long": {"type": "number", "nullable": True},
        "media_url": _NULLABLE_STRING,
    },
}

_CREATED = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_notice"],
        "properties": {
            "service_request_id": {"type": "string"},
            "token": {"type": "string"},
            "service_notice": {"type": "string"},
            "account_id": _NULLABLE_STRING,
        },
    },
}

_JURISDICTION = {
    "name": "jurisdiction_id",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _path(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1},
    }


_POST_FIELDS = {
    "api_key": {"type": "string"},
    "service_code": {"type": "string"},
    "description": {"type": "string", "maxLength": 4000},
    "lat": {"type": "string"},
    "long": {"type": "string"},
    "address_string": {"type": "string", "maxLength": 200},
    "address_id": {"type": "string"},
    "first_name": {"type": "string"},
    "last_name": {"type": "string"},
    "phone": {"type": "string"},
    "email": {"type": "string"},
    "device_id": {"type": "string"},
    "account_id": {"type": "string"},
    "media_url": {"type": "string", "maxLength": 500},
    "jurisdiction_id": {"type": "string"},
}

SCHEMA = {
    "openapi": "3.0.3",
    "info": {
        "title": "tongban 12345 hotline — Open311 GeoReport v2",
        "version": "v2",
        "description": "See docs/open311.md. Every resource also answers .xml; this document "
        "describes the JSON format.",
    },
    "servers": [{"url": "/open311/v2"}],
    "paths": {
        "/discovery.json": {
            "get": {
                "operationId": "discovery",
                "summary": "Service discovery",
                "parameters": [_JURISDICTION],
                "responses": {
                    "200": _ok(
                        "Discovery",
                        {
                            "type": "object",
                            "required": ["changeset", "contact", "key_service", "endpoints"],
                            "properties": {
                                "changeset": {"type": "string"},
                                "contact": {"type": "string"},
                                "key_service": {"type": "string"},
                                "endpoints": {"type": "array", "items": {"type": "object"}},
                            },
                        },
                    ),
                    **_COMMON,
                },
            }
        },
        "/services.json": {
            "get": {
                "operationId": "services",
                "summary": "Service list",
                "parameters": [_JURISDICTION],
                "responses": {
                    "200": _ok("Services", {"type": "array", "items": _SERVICE}),
                    **_COMMON,
                },
            }
        },
        "/services/{service_code}.json": {
            "get": {
                "operationId": "service_definition",
                "summary": "Service definition",
                "parameters": [_path("service_code", "a code from services.json"), _JURISDICTION],
                "responses": {
                    "200": _ok(
                        "Definition",
                        {
                            "type": "object",
                            "required": ["service_code", "attributes"],
                            "properties": {
                                "service_code": {"type": "string"},
                                "attributes": {"type": "array", "items": _ATTRIBUTE},
                            },
                        },
                    ),
                    **_COMMON,
                },
            }
        },
        "/requests.json": {
            "get": {
                "operationId": "requests_list",
                "summary": "Service requests",
                "parameters": [
                    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
                    for name in (
                        "service_request_id",
                        "service_code",
                        "status",
                        "start_date",
                        "end_date",
                    )
                ]
                + [_JURISDICTION],
                "responses": {
                    "200": _ok("Requests, newest first", {"type": "array", "items": _REQUEST}),
                    **_COMMON,
                },
            },
            "post": {
                "operationId": "request_create",
                "summary": "File a service request (api_key required)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["api_key", "service_code", "description"],
                                "properties": _POST_FIELDS,
                            }
                        }
                    },
                },
                "responses": {
                    "201": _ok("Filed", _CREATED),
                    "403": _error("api_key missing, invalid or revoked"),
                    "429": _error("Too many requests for this api_key"),
                    **_COMMON,
                },
            },
        },
        "/requests/{service_request_id}.json": {
            "get": {
                "operationId": "request_detail",
                "summary": "One service request",
                "parameters": [_path("service_request_id", "a ticket number"), _JURISDICTION],
                "responses": {
                    "200": _ok("The request", {"type": "array", "items": _REQUEST}),
                    **_COMMON,
                },
            }
        },
        "/tokens/{token}.json": {
            "get": {
                "operationId": "token",
                "summary": "The request a token stands for",
                "parameters": [_path("token", "a token from POST requests.json"), _JURISDICTION],
                "responses": {
                    "200": _ok(
                        "The request number",
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["service_request_id", "token"],
                                "properties": {
                                    "service_request_id": {"type": "string"},
                                    "token": {"type": "string"},
                                },
                            },
                        },
                    ),
                    **_COMMON,
                },
            }
        },
    },
}


@rule("open311")
@require_GET
def schema_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(SCHEMA, json_dumps_params={"ensure_ascii": False})
