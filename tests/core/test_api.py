"""The REST API at /api/v1/: schema, /me, regions and departments, working days, errors."""

from __future__ import annotations

import pytest
from django.db import connection

from tongban.core.masking import mask_id_number
from tongban.core.services import department_create, region_create

from ..factories import RegionFactory

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {"code": "unauthenticated", "message": "请先登录，或提供有效的接口令牌。"}


def test_healthz_answers_ok_without_login(anonymous_client):
    response = anonymous_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}
    assert "no-cache" in response["Cache-Control"]


def test_openapi_schema_is_public(anonymous_client):
    response = anonymous_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "tongban API"
    assert {"/api/v1/me", "/api/v1/workdays/add", "/api/v1/workdays/between"} <= set(
        schema["paths"]
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me",
        "/api/v1/regions",
        "/api/v1/departments",
        "/api/v1/workdays/add?start=2026-09-26&days=20",
    ],
)
def test_every_endpoint_needs_a_login(path, anonymous_client):
    response = anonymous_client.get(path)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_me_with_an_applicants_session_masks_the_id_number(applicant_a, applicant_a_client):
    person = applicant_a.person
    response = applicant_a_client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "applicant_a",
        "display_name": applicant_a.display_name,
        "roles": [],
        "permissions": [],
        "scope": "department",
        "department": None,
        "person_name": "张晓明",
        "id_number": mask_id_number(person.id_number),
    }
    assert person.id_number not in response.content.decode()


def test_me_with_a_staff_session(clerk_client):
    response = clerk_client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "clerk",
        "display_name": response.json()["display_name"],
        "roles": ["window_clerk"],
        "permissions": [
            "case.accept",
            "console.access",
            "hall.call",
            "identity.view_full",
            "licence.view",
            "locker.manage",
        ],
        "scope": "department",
        "department": "scjg",
        "person_name": None,
        "id_number": None,
    }


def test_regions_and_departments(clerk_client):
    district = RegionFactory()
    street = region_create(code="330199001", name="云溪街道", parent=district)
    region_create(code="330199001001", name="云溪社区", parent=street)
    department_create(code="yx-street", name="云溪街道便民服务中心", region=street)

    streets = clerk_client.get("/api/v1/regions?level=street").json()
    assert streets == [
        {"code": "330199001", "name": "云溪街道", "level": "street", "parent_code": "330199"}
    ]
    children = clerk_client.get("/api/v1/regions?parent=330199001").json()
    assert [r["code"] for r in children] == ["330199001001"]
    departments = clerk_client.get("/api/v1/departments?region=330199001").json()
    assert departments == [
        {
            "code": "yx-street",
            "name": "云溪街道便民服务中心",
            "kind": "bureau",
            "region_code": "330199001",
            "parent_code": None,
        }
    ]


# --- working days -----------------------------------------------------------------------------


def test_add_workdays_over_the_national_day_holiday(applicant_a_client):
    response = applicant_a_client.get("/api/v1/workdays/add?start=2026-09-26&days=20")
    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-09-26",
        "days": 20,
        "result": "2026-10-29",
        "deadline": "2026-10-29T23:59:59.999+08:00",
    }


def test_workdays_between(clerk_client):
    response = clerk_client.get("/api/v1/workdays/between?start=2026-09-26&end=2026-10-29")
    assert response.status_code == 200
    assert response.json() == {"start": "2026-09-26", "end": "2026-10-29", "workdays": 20}


def _invalid_input(field: str, code: str, message: str) -> dict:
    return {
        "code": "invalid_input",
        "message": message,
        "errors": [{"field": field, "code": code, "message": message}],
    }


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        (
            "start=2026-02-30&days=20",
            422,
            {
                "code": "invalid_date",
                "field": "start",
                "message": "开始日期：“2026-02-30”不是有效的日期，请按 YYYY-MM-DD 填写（如 2026-09-30）。",
            },
        ),
        (
            "start=2026-09-26T08:00&days=20",
            422,
            {
                "code": "invalid_date",
                "field": "start",
                "message": "开始日期：“2026-09-26T08:00”不是有效的日期，请按 YYYY-MM-DD 填写（如 2026-09-30）。",
            },
        ),
        (
            "start=2026-09-26&days=abc",
            422,
            _invalid_input("days", "int_parsing", "days：应为整数。"),
        ),
        (
            "start=2026-09-26&days=2.5",
            422,
            _invalid_input("days", "int_parsing", "days：应为整数。"),
        ),
        (
            "start=2026-09-26&days=-1",
            422,
            _invalid_input("days", "greater_than_equal", "days：应不小于 0。"),
        ),
        (
            "start=2026-09-26&days=99999999999999999999",
            422,
            _invalid_input("days", "less_than_equal", "days：应不大于 10000。"),
        ),
        ("days=20", 422, _invalid_input("start", "missing", "start：缺少此参数。")),
    ],
)
def test_add_workdays_refuses_bad_input_in_chinese(query, status, body, clerk_client):
    response = clerk_client.get(f"/api/v1/workdays/add?{query}")
    assert response.status_code == status
    assert response.json() == body


def test_add_workdays_with_no_parameters_names_both(clerk_client):
    response = clerk_client.get("/api/v1/workdays/add")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["field"], e["message"]) for e in errors] == [
        ("start", "start：缺少此参数。"),
        ("days", "days：缺少此参数。"),
    ]


MISSING_2027 = {
    "code": "calendar_not_covered",
    "message": "工作日历没有 2027 年的节假日安排，无法计算期限。"
    "请管理员先录入国务院办公厅公布的 2027 年放假安排。",
}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workdays/add?start=2027-01-04&days=3",
        "/api/v1/workdays/add?start=2026-12-20&days=20",
        "/api/v1/workdays/between?start=2026-12-01&end=2027-01-15",
    ],
)
def test_a_year_the_calendar_lacks_is_a_409_that_says_so(path, clerk_client):
    response = clerk_client.get(path)
    assert response.status_code == 409
    assert response.json() == MISSING_2027


@pytest.mark.parametrize(
    "start", ["", " ", "2026-13-01", "0000-01-01", "9999-12-31", "２０２６-０９-２６", "x" * 5000]
)
@pytest.mark.parametrize("days", ["", "0", "1", "-0", "1e3", "10000", "٣", "NaN"])
def test_add_workdays_never_answers_500(start, days, clerk_client):
    response = clerk_client.get("/api/v1/workdays/add", {"start": start, "days": days})
    assert response.status_code in {200, 400, 409, 422}
    body = response.json()
    if response.status_code != 200:
        assert set(body) >= {"code", "message"}
        assert body["message"]


def test_an_unsupported_method_is_refused_without_a_500(clerk_client):
    response = clerk_client.delete("/api/v1/me")
    assert response.status_code == 405
