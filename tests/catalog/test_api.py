"""The catalogue API at /api/v1/: items and bundles, search, situation answers → materials."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.catalog.services import bundle_save, item_retire, item_save_spec

from .specs import department, spec

pytestmark = pytest.mark.django_db

ITEM_CONTRACT = {
    "basic_code",
    "implementation_code",
    "name",
    "item_type",
    "department",
    "legal_limit_days",
    "promised_limit_days",
    "visits",
    "materials",
}
MATERIAL_CONTRACT = {
    "name",
    "required",
    "source",
    "necessity",
    "form",
    "deferrable",
    "commitment_replaceable",
    "licence_type",
}


@pytest.fixture
def elderly(db):
    department("mzj", 7)
    return item_save_spec(
        spec=spec(
            "mzj",
            summary="为六十周岁以上老年人办理优待证。",
            conditions="年满六十周岁的本区户籍老年人。",
            special_procedures=[{"kind": "site_check", "limit_days": 5, "note": "核查居住情况"}],
            charges_fee=True,
            fees=[{"name": "工本费", "standard": "每证 5 元", "basis": "价格主管部门文件"}],
            faqs=[{"question": "外地老人能办吗？", "answer": "持居住证的可以办理。"}],
            materials=[
                {"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"},
                {"seq": 2, "name": "近期免冠照片", "form": "original", "deferrable": True},
                {"seq": 3, "name": "授权委托书", "necessity": "conditional"},
                {"seq": 4, "name": "受托人身份证", "necessity": "conditional"},
                {
                    "seq": 5,
                    "name": "户口簿",
                    "necessity": "optional",
                    "commitment_replaceable": True,
                },
            ],
        ),
        publish=True,
    )


@pytest.fixture
def food(db):
    department("scjg", 8)
    return item_save_spec(
        spec=spec(
            "scjg",
            basic_code="000101002000",
            name="食品经营许可",
            aliases="",
            item_type="01",
            applicant_kind="enterprise",
            questions=[],
            materials=[{"seq": 1, "name": "营业执照", "source": "licence", "licence_type": "YYZZ"}],
        ),
        publish=True,
    )


def code_of(version) -> str:
    return version.item.implementation_code


def post(client: Client, path: str, body) -> object:
    return client.post(path, body, content_type="application/json")


# ---------------------------------------------------------------- items


def test_item_list_is_public_and_carries_the_contract(anonymous_client, elderly, food):
    response = anonymous_client.get("/api/v1/items")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [i["name"] for i in body["items"]] == [
        "老年人优待证办理",
        "食品经营许可",
    ]  # pinyin order
    for item in body["items"]:
        assert set(item) >= ITEM_CONTRACT
        for material in item["materials"]:
            assert set(material) >= MATERIAL_CONTRACT
    first = body["items"][0]
    assert {k: first[k] for k in ITEM_CONTRACT - {"materials"}} == {
        "basic_code": "000107001000",
        "implementation_code": code_of(elderly),
        "name": "老年人优待证办理",
        "item_type": "07",
        "department": "mzj",
        "legal_limit_days": 20,
        "promised_limit_days": 5,
        "visits": 0,
    }
    assert [(m["name"], m["required"], m["source"]) for m in first["materials"]] == [
        ("居民身份证", True, "licence"),
        ("近期免冠照片", True, "applicant"),
        ("授权委托书", False, "applicant"),
        ("受托人身份证", False, "applicant"),
        ("户口簿", False, "applicant"),
    ]
    assert first["materials"][0]["code"] == code_of(elderly) + "001"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=lnr", ["老年人优待证办理"]),
        ("q=laonianren", ["老年人优待证办理"]),
        ("q=老年人优侍证", ["老年人优待证办理"]),
        ("q=营业执照", ["食品经营许可"]),
        ("department=scjg", ["食品经营许可"]),
        ("audience=enterprise", ["食品经营许可"]),
        ("audience=person", ["老年人优待证办理"]),
        ("item_type=07", ["老年人优待证办理"]),
        ("theme=nope", []),
        ("life_event=nope", []),
        ("q=许可&department=mzj", []),
        ("limit=1&offset=1", ["食品经营许可"]),
    ],
)
def test_item_list_search_and_filters(anonymous_client, elderly, food, query, expected):
    body = anonymous_client.get(f"/api/v1/items?{query}").json()
    assert [i["name"] for i in body["items"]] == expected
    if "limit" not in query:
        assert body["count"] == len(expected)


def test_search_results_say_what_matched(anonymous_client, elderly, food):
    item = anonymous_client.get("/api/v1/items?q=营业执照").json()["items"][0]
    assert (item["matched_field"], item["matched"]) == ("material", "营业执照")
    assert item["score"] > 0
    listed = anonymous_client.get("/api/v1/items").json()["items"][0]
    assert listed["score"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("audience=robot", "audience"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("offset=-1", "offset"),
        ("item_type=x1", "item_type"),
        ("q=" + "长" * 101, "q"),
    ],
)
def test_item_list_refuses_bad_parameters(anonymous_client, elderly, query, field):
    response = anonymous_client.get(f"/api/v1/items?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["errors"][0]["field"] == field


def test_item_list_query_count_does_not_grow_with_items(
    anonymous_client, elderly, food, django_assert_max_num_queries
):
    anonymous_client.get("/api/v1/items")  # builds the search index
    with django_assert_max_num_queries(5):
        response = anonymous_client.get("/api/v1/items?limit=100")
    assert response.json()["count"] == 2


def test_item_detail_has_every_element(anonymous_client, elderly):
    response = anonymous_client.get(f"/api/v1/items/{code_of(elderly)}")
    assert response.status_code == 200
    item = response.json()
    assert set(item) >= ITEM_CONTRACT
    assert item["handling_item_code"] == code_of(elderly) + "00"
    assert item["aliases"] == ["老年证", "敬老卡"]
    assert (item["item_type_label"], item["exercise_level"]) == ("行政确认", "4")
    assert (item["summary"], item["conditions"]) == (
        "为六十周岁以上老年人办理优待证。",
        "年满六十周岁的本区户籍老年人。",
    )
    assert item["legal_bases"] == [
        {
            "law_name": "中华人民共和国老年人权益保障法",
            "document_number": "",
            "clause_number": "第五十七条",
            "clause_text": "",
        }
    ]
    assert item["special_procedures"] == [
        {
            "kind": "site_check",
            "kind_label": "现场核查",
            "limit_days": 5,
            "limit_unit": "workday",
            "note": "核查居住情况",
            "responsible": "",
        }
    ]
    assert item["fees"] == [
        {
            "name": "工本费",
            "standard": "每证 5 元",
            "basis": "价格主管部门文件",
            "reducible": False,
            "reduction_basis": "",
        }
    ]
    assert item["faqs"] == [{"question": "外地老人能办吗？", "answer": "持居住证的可以办理。"}]
    assert item["charges_fee"] is True
    assert item["channels"] == ["window", "web", "mobile"]
    assert item["outcome_name"] == "老年人优待证"
    assert item["published_at"]
    photo = item["materials"][1]
    assert {k: photo[k] for k in MATERIAL_CONTRACT} == {
        "name": "近期免冠照片",
        "required": True,
        "source": "applicant",
        "necessity": "required",
        "form": "original",
        "deferrable": True,
        "commitment_replaceable": False,
        "licence_type": "",
    }
    assert item["materials"][4]["commitment_replaceable"] is True
    assert item["questions"] == [
        {
            "code": "self",
            "text": "是否本人办理？",
            "help_text": "",
            "shown_if": None,
            "options": [
                {
                    "code": "yes",
                    "label": "是",
                    "adds_condition": "",
                    "adds": [],
                    "removes": [],
                    "excludes": [],
                },
                {
                    "code": "no",
                    "label": "否，委托他人办理",
                    "adds_condition": "",
                    "adds": [3, 4],
                    "removes": [],
                    "excludes": [],
                },
            ],
        },
        {
            "code": "photo",
            "text": "是否已有电子照片？",
            "help_text": "",
            "shown_if": "self.no",
            "options": [
                {
                    "code": "yes",
                    "label": "有",
                    "adds_condition": "",
                    "adds": [],
                    "removes": [2],
                    "excludes": [],
                },
                {
                    "code": "no",
                    "label": "没有",
                    "adds_condition": "",
                    "adds": [],
                    "removes": [],
                    "excludes": [],
                },
            ],
        },
    ]


def test_unknown_draft_and_retired_items_answer_404_in_chinese(anonymous_client, elderly):
    response = anonymous_client.get("/api/v1/items/113301990000000000000000000000X")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "没有找到实施编码为 113301990000000000000000000000X 的在办事项。",
    }
    department("gaj", 9)
    draft = item_save_spec(spec=spec("gaj", basic_code="000107009000"))
    assert anonymous_client.get(f"/api/v1/items/{code_of(draft)}").status_code == 404
    item_retire(item=elderly.item)
    assert anonymous_client.get(f"/api/v1/items/{code_of(elderly)}").status_code == 404
    response = post(
        anonymous_client, f"/api/v1/items/{code_of(elderly)}/materials", {"answers": {}}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("answers", "expected", "conditions"),
    [
        ({"self": "yes"}, [("居民身份证", True), ("近期免冠照片", True), ("户口簿", False)], []),
        (
            {"self": "no", "photo": "yes"},
            [("居民身份证", True), ("授权委托书", True), ("受托人身份证", True), ("户口簿", False)],
            [],
        ),
    ],
)
def test_item_materials_for_answers(anonymous_client, elderly, answers, expected, conditions):
    response = post(
        anonymous_client, f"/api/v1/items/{code_of(elderly)}/materials", {"answers": answers}
    )
    assert response.status_code == 200
    body = response.json()
    assert [(m["name"], m["required"]) for m in body["materials"]] == expected
    assert body["conditions"] == ["年满六十周岁的本区户籍老年人。", *conditions]
    assert [s["question"] for s in body["path"]] == list(answers)
    assert body["count"] == len(expected)
    assert body["required_count"] == sum(r for _n, r in expected)
    by_situation = [m["name"] for m in body["materials"] if m["by_situation"]]
    assert by_situation == (["授权委托书", "受托人身份证"] if answers["self"] == "no" else [])


def test_materials_need_no_login_and_no_csrf_token(elderly):
    client = Client(enforce_csrf_checks=True)
    response = post(
        client, f"/api/v1/items/{code_of(elderly)}/materials", {"answers": {"self": "yes"}}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("answers", "code", "field", "message"),
    [
        ({}, "answer_missing", "self", "情形“是否本人办理？”还没有回答。"),
        ({"self": "no"}, "answer_missing", "photo", "情形“是否已有电子照片？”还没有回答。"),
        ({"self": "maybe"}, "answer_invalid", "self", "情形“是否本人办理？”没有“maybe”这个选项。"),
        (
            {"self": "yes", "photo": "yes"},
            "answer_unexpected",
            "photo",
            "回答了不适用于当前情形的问题：photo。",
        ),
        (
            {"self": "yes", "colour": "red"},
            "answer_unexpected",
            "colour",
            "回答了不适用于当前情形的问题：colour。",
        ),
    ],
)
def test_bad_answers_are_refused_with_422_naming_the_question(
    anonymous_client, elderly, answers, code, field, message
):
    response = post(
        anonymous_client, f"/api/v1/items/{code_of(elderly)}/materials", {"answers": answers}
    )
    assert response.status_code == 422
    assert response.json() == {"code": code, "field": field, "message": message}


@pytest.mark.parametrize(
    "body", [{"answers": {"self": 1}}, {"answers": ["self"]}, {"answers": None}]
)
def test_malformed_answers_are_refused_with_422(anonymous_client, elderly, body):
    response = post(anonymous_client, f"/api/v1/items/{code_of(elderly)}/materials", body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["errors"][0]["field"].startswith("answers")


def test_a_body_that_is_not_json_is_refused(anonymous_client, elderly):
    response = post(anonymous_client, f"/api/v1/items/{code_of(elderly)}/materials", "not json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_json", "message": "请求内容不是有效的 JSON。"}


# ---------------------------------------------------------------- bundles


@pytest.fixture
def ride_hailing(db):
    department("jtj", 11)
    department("gaj", 12)
    shared = [
        {"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"},
        {"seq": 2, "name": "机动车驾驶证", "source": "licence", "licence_type": "JSZ"},
    ]
    driver = item_save_spec(
        spec=spec(
            "jtj",
            basic_code="000101001000",
            name="网络预约出租汽车驾驶员证",
            aliases="网约车驾驶员证",
            item_type="01",
            questions=[],
            materials=[*shared, {"seq": 3, "name": "驾驶员申请表"}],
        ),
        publish=True,
    )
    vehicle = item_save_spec(
        spec=spec(
            "jtj",
            basic_code="000101002000",
            name="网络预约出租汽车运输证",
            aliases="",
            item_type="01",
            questions=[],
            materials=[shared[0], {"seq": 2, "name": "车辆保险单"}],
        ),
        publish=True,
    )
    check = item_save_spec(
        spec=spec(
            "gaj",
            basic_code="000701003000",
            name="驾驶员背景核查",
            aliases="",
            questions=[
                {
                    "code": "self",
                    "text": "是否本人办理？",
                    "options": [
                        {"code": "yes", "label": "是"},
                        {"code": "no", "label": "否", "adds": [3]},
                    ],
                }
            ],
            materials=[*shared, {"seq": 3, "name": "授权委托书", "necessity": "conditional"}],
        ),
        publish=True,
    )
    bundle_save(
        spec={
            "code": "wyc",
            "name": "我要开网约车",
            "summary": "网约车驾驶员证和车辆运输证一次申请。",
            "publish": True,
            "form_fields": [{"name": "plate", "label": "车牌号"}],
            "items": [code_of(driver), code_of(vehicle), code_of(check)],
            "questions": [
                {
                    "code": "car",
                    "text": "是否已有营运车辆？",
                    "options": [
                        {"code": "yes", "label": "有"},
                        {"code": "no", "label": "没有", "excludes": [code_of(vehicle)]},
                    ],
                }
            ],
        }
    )
    return {"driver": code_of(driver), "vehicle": code_of(vehicle), "check": code_of(check)}


def test_bundle_list(anonymous_client, ride_hailing):
    body = anonymous_client.get("/api/v1/bundles").json()
    assert body["count"] == 1
    bundle = body["bundles"][0]
    assert (bundle["code"], bundle["name"], bundle["audience"], bundle["departments"]) == (
        "wyc",
        "我要开网约车",
        "person",
        2,
    )
    assert [i["implementation_code"] for i in bundle["items"]] == [
        ride_hailing["driver"],
        ride_hailing["vehicle"],
        ride_hailing["check"],
    ]
    assert [i["department"] for i in bundle["items"]] == ["jtj", "jtj", "gaj"]
    assert anonymous_client.get("/api/v1/bundles?q=wykwyc").json()["count"] == 1
    assert anonymous_client.get("/api/v1/bundles?q=网约车").json()["bundles"][0]["code"] == "wyc"
    assert anonymous_client.get("/api/v1/bundles?department=gaj").json()["count"] == 1
    assert anonymous_client.get("/api/v1/bundles?audience=enterprise").json()["count"] == 0
    # Items are not listed as bundles, and bundles not as items.
    assert anonymous_client.get("/api/v1/bundles?q=驾驶员背景核查").json()["count"] == 1
    items = anonymous_client.get("/api/v1/items?q=我要开网约车").json()["items"]
    assert "我要开网约车" not in [i["name"] for i in items]


def test_bundle_detail_with_items_and_overview(anonymous_client, ride_hailing):
    response = anonymous_client.get("/api/v1/bundles/wyc")
    assert response.status_code == 200
    bundle = response.json()
    assert bundle["overview"] == {
        "items": 3,
        "materials": 4,  # required ones: the power of attorney depends on the answers
        "materials_without_bundle": 7,
        "departments": 2,
    }
    assert bundle["summary"] == "网约车驾驶员证和车辆运输证一次申请。"
    assert bundle["form_fields"] == [{"name": "plate", "label": "车牌号"}]
    assert bundle["questions"][0]["options"][1]["excludes"] == [ride_hailing["vehicle"]]
    assert [len(i["questions"]) for i in bundle["items"]] == [0, 0, 1]
    assert bundle["items"][2]["questions"][0]["options"][1]["adds"] == [3]


def test_bundle_materials_are_deduplicated(anonymous_client, ride_hailing):
    response = post(
        anonymous_client, "/api/v1/bundles/wyc/materials", {"answers": {"car": "yes", "self": "no"}}
    )
    assert response.status_code == 200
    body = response.json()
    assert [(m["name"], m["items"], m["shared"]) for m in body["materials"]] == [
        ("居民身份证", [ride_hailing[k] for k in ("driver", "vehicle", "check")], True),
        ("机动车驾驶证", [ride_hailing["driver"], ride_hailing["check"]], True),
        ("驾驶员申请表", [ride_hailing["driver"]], False),
        ("车辆保险单", [ride_hailing["vehicle"]], False),
        ("授权委托书", [ride_hailing["check"]], False),
    ]
    assert (body["count"], body["undeduplicated_count"], body["required_count"]) == (5, 8, 5)
    assert [s["question"] for s in body["path"]] == ["car", "self"]
    body = post(
        anonymous_client, "/api/v1/bundles/wyc/materials", {"answers": {"car": "no", "self": "yes"}}
    ).json()
    assert [i["implementation_code"] for i in body["items"]] == [
        ride_hailing["driver"],
        ride_hailing["check"],
    ]
    assert "车辆保险单" not in [m["name"] for m in body["materials"]]


@pytest.mark.parametrize(
    ("answers", "code", "field"),
    [
        ({}, "answer_missing", "car"),
        ({"car": "yes"}, "answer_missing", "self"),
        ({"car": "boat", "self": "yes"}, "answer_invalid", "car"),
        ({"car": "yes", "self": "yes", "extra": "x"}, "answer_unexpected", "extra"),
    ],
)
def test_bundle_bad_answers_422(anonymous_client, ride_hailing, answers, code, field):
    response = post(anonymous_client, "/api/v1/bundles/wyc/materials", {"answers": answers})
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]


@pytest.mark.parametrize("code", ["%00", "a%00b", "老年人优待证", "x" * 65, "a.b", "%20"])
def test_codes_that_cannot_exist_are_404(anonymous_client, elderly, code):
    for path in (f"/api/v1/items/{code}", f"/api/v1/bundles/{code}"):
        response = anonymous_client.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    response = post(anonymous_client, f"/api/v1/items/{code}/materials", {"answers": {}})
    assert response.status_code == 404


def test_unknown_bundle_is_404_in_chinese(anonymous_client, ride_hailing):
    response = anonymous_client.get("/api/v1/bundles/nope")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "没有找到该一件事。"}
    response = post(anonymous_client, "/api/v1/bundles/nope/materials", {"answers": {}})
    assert response.status_code == 404


def test_logged_in_users_read_the_same(applicant_a_client, clerk_client, elderly):
    for client in (applicant_a_client, clerk_client):
        assert client.get("/api/v1/items").json()["count"] == 1
        response = post(
            client, f"/api/v1/items/{code_of(elderly)}/materials", {"answers": {"self": "yes"}}
        )
        assert response.status_code == 200


def test_openapi_lists_the_catalogue_operations_without_security(anonymous_client):
    schema = anonymous_client.get("/api/v1/openapi.json").json()
    operations = {
        ("/api/v1/items", "get"),
        ("/api/v1/items/{code}", "get"),
        ("/api/v1/items/{code}/materials", "post"),
        ("/api/v1/bundles", "get"),
        ("/api/v1/bundles/{code}", "get"),
        ("/api/v1/bundles/{code}/materials", "post"),
    }
    for path, method in operations:
        operation = schema["paths"][path][method]
        assert operation["tags"] == ["catalog"]
        assert not operation.get("security")
    assert {"200", "404", "422"} <= set(
        schema["paths"]["/api/v1/items/{code}/materials"]["post"]["responses"]
    )
    for name in ("ItemHitOut", "ItemDetailOut"):
        assert set(schema["components"]["schemas"][name]["properties"]) >= ITEM_CONTRACT
