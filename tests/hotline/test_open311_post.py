"""Open311 GeoReport v2, POST Service Request: a client application files a ticket with its
api_key; every bad request is answered in the spec's error format and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client

from tongban.core.models import EventChainHead
from tongban.hotline.models import (
    Open311Key,
    Source,
    Ticket,
    TicketEvent,
    TicketNumberCounter,
    TicketType,
)
from tongban.hotline.open311.keys import open311_key_create, open311_key_revoke
from tongban.hotline.open311.throttle import post_allowed
from tongban.hotline.states import TicketStatus

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
TICKET_NO = re.compile(r"^12345-\d{8}-\d{6}$")
ADDRESS = "云溪区云溪街道望湖社区学府路 18 号"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_key(world):
    _key, plain = open311_key_create(name="城市通 App")
    return plain


def form(key: str, /, **overrides) -> dict[str, str]:
    data = {
        "api_key": key,
        "jurisdiction_id": "yunxi.gov.cn",
        "service_code": "03.02.05",
        "lat": "30.274150",
        "long": "120.155070",
        "address_string": ADDRESS,
        "email": "zhang@example.com",
        "device_id": "device-42",
        "account_id": "acc-7",
        "first_name": "晓明",
        "last_name": "张",
        "phone": "13905710001",
        "description": "学府路与望湖路交叉口下雨后积水很深。行人无法通行，请尽快处理。",
        "media_url": "https://photos.example.com/ponding/42.jpg",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(data: dict, fmt: str = "json"):
    return Client().post(f"{BASE}/requests.{fmt}", data)


def snapshot() -> tuple[int, ...]:
    return (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        EventChainHead.objects.filter(stream__startswith="ticket:").count(),
        sum(TicketNumberCounter.objects.values_list("last", flat=True)),
    )


# --- created ------------------------------------------------------------------------------


def test_a_post_files_a_ticket_and_answers_its_service_request_id(world, api_key):
    response = post(form(api_key, **{"attribute[urgency]": "urgent"}))
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    (record,) = response.json()
    assert list(record) == ["service_request_id", "service_notice", "account_id"]
    assert TICKET_NO.match(record["service_request_id"])
    assert record["account_id"] is None
    ticket = Ticket.objects.get()
    assert record["service_request_id"] == ticket.ticket_no
    assert record["service_notice"] == (
        f"您的诉求已登记，工单编号 {ticket.ticket_no}。已派至承办单位，等待签收。"
    )
    assert ticket.source == Source.OPEN311
    assert ticket.ticket_type == TicketType.HELP
    assert ticket.subject == world.ponding
    assert ticket.title == "学府路与望湖路交叉口下雨后积水很深"
    assert ticket.content == "学府路与望湖路交叉口下雨后积水很深。行人无法通行，请尽快处理。"
    assert ticket.caller_name == "张晓明"
    assert ticket.caller_phone == "13905710001"
    assert ticket.address == ADDRESS
    assert ticket.region == world.wanghu
    assert ticket.street == world.yunxi
    assert ticket.latitude == Decimal("30.274150")
    assert ticket.longitude == Decimal("120.155070")
    assert ticket.urgency == "urgent"
    assert ticket.created_by is None
    assert len(ticket.open311_token) == 32
    # 秒派: the catalogue names 城管局 for 道路积水.
    assert ticket.status == TicketStatus.DISPATCHED
    assert ticket.department == world.cgj
    create = TicketEvent.objects.get(ticket=ticket, seq=1)
    assert create.action == "create"
    key = Open311Key.objects.get()
    assert create.payload["channel"] == {
        "open311_key": key.prefix,
        "media_url": "https://photos.example.com/ponding/42.jpg",
    }
    assert key.last_used_at is not None
    # e-mail, device and account ids are not kept anywhere.
    for event in TicketEvent.objects.filter(ticket=ticket):
        dumped = json.dumps(event.payload, ensure_ascii=False)
        assert "zhang@example.com" not in dumped
        assert "device-42" not in dumped
        assert "acc-7" not in dumped


def test_the_new_request_reads_back_through_get(world, api_key):
    no = post(form(api_key)).json()[0]["service_request_id"]
    response = Client().get(f"{BASE}/requests/{no}.json")
    assert response.status_code == 200
    (record,) = response.json()
    assert record["service_request_id"] == no
    assert record["status"] == "open"
    assert record["status_notes"] == "待签收"
    assert record["service_code"] == "03.02.05"
    assert record["service_name"] == "道路积水"
    assert record["agency_responsible"] == "云溪区城市管理局"
    assert record["address_id"] == "330199001002"
    assert record["lat"] == 30.27415
    assert record["media_url"] == "https://photos.example.com/ponding/42.jpg"
    last_event = TicketEvent.objects.filter(ticket__ticket_no=no).order_by("-seq").first()
    assert record["updated_datetime"].endswith("+08:00")
    assert dt.datetime.fromisoformat(record["updated_datetime"]) == last_event.occurred_at.replace(
        microsecond=0
    )
    body = response.content.decode()
    assert "张晓明" not in body and "13905710001" not in body


def test_a_post_answers_in_xml(world, api_key):
    response = post(form(api_key), fmt="xml")
    assert response.status_code == 201
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert [child.tag for child in request] == [
        "service_request_id",
        "service_notice",
        "account_id",
    ]
    assert request.findtext("service_request_id") == Ticket.objects.get().ticket_no
    assert request.find("account_id").text is None


def test_in_batch_mode_a_post_answers_a_token_that_resolves_to_the_id(world, api_key, settings):
    settings.TONGBAN_OPEN311_REQUEST_TYPE = "batch"
    response = post(form(api_key))
    assert response.status_code == 201
    (record,) = response.json()
    assert list(record) == ["token", "service_notice", "account_id"]
    ticket = Ticket.objects.get()
    assert record["token"] == ticket.open311_token
    resolved = Client().get(f"{BASE}/tokens/{record['token']}.json")
    assert resolved.json() == [{"service_request_id": ticket.ticket_no, "token": record["token"]}]
    root = ET.fromstring(Client().get(f"{BASE}/tokens/{record['token']}.xml").content)
    assert root.find("request").findtext("service_request_id") == ticket.ticket_no


def test_attributes_set_type_title_hazard_and_confidentiality(world, api_key):
    response = post(
        form(
            api_key,
            **{
                "attribute[ticket_type]": "complaint",
                "attribute[title]": "学府路积水",
                "attribute[hazard]": "life_property",
                "attribute[confidential]": "true",
                "attribute[unknown_extra][]": "ignored",
            },
        )
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.ticket_type == TicketType.COMPLAINT
    assert ticket.title == "学府路积水"
    assert ticket.hazard == "life_property"
    assert ticket.confidential is True
    # A confidential ticket is not published, even to the client that filed it.
    assert Client().get(f"{BASE}/requests/{ticket.ticket_no}.json").status_code == 404


def test_an_anonymous_report_keeps_no_caller(world, api_key):
    response = post(
        form(
            api_key,
            service_code="05.01.01",
            **{"attribute[ticket_type]": "report", "attribute[anonymous]": "true"},
        )
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.anonymous is True
    assert ticket.caller_name == "" and ticket.caller_phone == ""


@pytest.mark.parametrize(
    ("location", "address", "region", "latitude"),
    [
        (
            {"lat": None, "long": None, "address_string": None, "address_id": "330199001002"},
            "云溪区云溪街道望湖社区",
            "wanghu",
            None,
        ),
        ({"lat": None, "long": None}, ADDRESS, "wanghu", None),
        ({"address_string": None}, "", None, Decimal("30.274150")),
    ],
)
def test_any_one_location_parameter_is_enough(world, api_key, location, address, region, latitude):
    response = post(form(api_key, **location))
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.address == address
    assert ticket.region == (getattr(world, region) if region else None)
    assert ticket.latitude == latitude


def test_the_api_key_may_also_come_in_the_query_string(world, api_key):
    data = form(api_key)
    del data["api_key"]
    response = Client().post(f"{BASE}/requests.json?api_key={api_key}", data)
    assert response.status_code == 201


# --- refused: nothing written -------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "status", "errors"),
    [
        ({"api_key": None}, 403, [(403, "api_key：提交诉求需要 api_key。")]),
        ({"api_key": "o311_deadbeef_not-a-real-key"}, 403, [(403, "api_key：无效或已吊销。")]),
        ({"api_key": "x" * 500}, 403, [(403, "api_key：无效或已吊销。")]),
        (
            {"service_code": None},
            400,
            [(400, "service_code：必须提供服务编码（见 services.json）。")],
        ),
        ({"service_code": "99.99.99"}, 404, [(404, "service_code：没有编码为 99.99.99 的服务。")]),
        ({"service_code": "03.02"}, 404, [(404, "service_code：没有编码为 03.02 的服务。")]),
        ({"description": "  "}, 400, [(400, "description：请描述诉求内容。")]),
        ({"description": "积" * 4001}, 400, [(400, "description：不能超过 4000 个字符。")]),
        (
            {"lat": None, "long": None, "address_string": None},
            400,
            [(400, "位置：请提供 lat 和 long，或 address_string，或 address_id。")],
        ),
        ({"long": None}, 400, [(400, "lat、long：经度和纬度需同时提供。")]),
        ({"lat": "north"}, 400, [(400, "lat：应为 -90 到 90 之间的 WGS84 坐标。")]),
        ({"long": "181"}, 400, [(400, "long：应为 -180 到 180 之间的 WGS84 坐标。")]),
        ({"lat": "NaN"}, 400, [(400, "lat：应为 -90 到 90 之间的 WGS84 坐标。")]),
        (
            {"address_id": "330199999999"},
            400,
            [(400, "address_id：没有代码为 330199999999 的区划。")],
        ),
        ({"address_string": "路" * 201}, 400, [(400, "address_string：不能超过 200 个字符。")]),
        (
            {"phone": "12345678"},
            400,
            [
                (
                    400,
                    "phone: 电话号码：格式不正确：手机号为 11 位数字，固定电话需带区号（如 0571-87654321）。",
                )
            ],
        ),
        (
            {"attribute[ticket_type]": "rant"},
            400,
            [
                (
                    400,
                    "attribute[ticket_type]：取值应为 consultation, help, complaint, report, "
                    "suggestion, praise 之一。",
                )
            ],
        ),
        (
            {"attribute[confidential]": "maybe"},
            400,
            [(400, "attribute[confidential]：取值应为 false, true 之一。")],
        ),
        ({"attribute[title]": "题" * 129}, 400, [(400, "attribute[title]：不能超过 128 个字符。")]),
        (
            {"media_url": "javascript:alert(1)"},
            400,
            [(400, "media_url：应为 http 或 https 网址，不超过 500 个字符。")],
        ),
        (
            {"attribute[anonymous]": "true"},
            400,
            [
                (
                    400,
                    "attribute[anonymous]: 匿名：只有举报可以匿名反映，其他诉求请留下姓名和联系电话以便回复。",
                )
            ],
        ),
        (
            {
                "service_code": "99",
                "description": "",
                "lat": None,
                "long": None,
                "address_string": None,
            },
            404,
            [
                (404, "service_code：没有编码为 99 的服务。"),
                (400, "description：请描述诉求内容。"),
                (400, "位置：请提供 lat 和 long，或 address_string，或 address_id。"),
            ],
        ),
    ],
)
def test_a_bad_post_is_refused_in_the_spec_format_and_writes_nothing(
    world, api_key, overrides, status, errors
):
    before = snapshot()
    response = post(form(api_key, **overrides))
    assert response.status_code == status
    assert response.json() == [{"code": c, "description": d} for c, d in errors]
    response = post(form(api_key, **overrides), fmt="xml")
    assert response.status_code == status
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")] == [
        (str(c), d) for c, d in errors
    ]
    assert snapshot() == before


def test_a_revoked_key_is_refused(world, api_key):
    key = Open311Key.objects.get()
    open311_key_revoke(prefix=key.prefix)
    response = post(form(api_key))
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": "api_key：无效或已吊销。"}]
    assert Ticket.objects.count() == 0


def test_a_wrong_jurisdiction_is_not_found(world, api_key, settings):
    settings.TONGBAN_OPEN311_JURISDICTION_ID = "yunxi.gov.cn"
    response = post(form(api_key, jurisdiction_id="other.gov.cn"))
    assert response.status_code == 404
    assert Ticket.objects.count() == 0
    assert post(form(api_key)).status_code == 201


def test_posts_are_limited_per_key_and_minute(world, api_key, settings):
    settings.TONGBAN_OPEN311_POSTS_PER_MINUTE = 2
    assert post(form(api_key)).status_code == 201
    assert post(form(api_key, description="")).status_code == 400  # counted too
    response = post(form(api_key))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    (error,) = response.json()
    assert error["code"] == 429
    assert error["description"].startswith("提交过于频繁：每个 api_key 每分钟最多 2 件")
    assert Ticket.objects.count() == 1
    # Another application's key has its own allowance.
    _key, other = open311_key_create(name="另一个应用")
    assert post(form(other)).status_code == 201


def test_a_retried_post_with_the_same_idempotency_key_files_one_ticket(world, api_key):
    first = Client().post(f"{BASE}/requests.json", form(api_key), HTTP_IDEMPOTENCY_KEY="retry-1")
    again = Client().post(f"{BASE}/requests.json", form(api_key), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert Ticket.objects.count() == 1
    # The same header from another application is its own request.
    _key, other = open311_key_create(name="另一个应用")
    Client().post(f"{BASE}/requests.json", form(other), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert Ticket.objects.count() == 2


def test_a_json_body_is_refused_with_a_hint(world, api_key):
    response = Client().post(
        f"{BASE}/requests.json", json.dumps(form(api_key)), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == [
        {
            "code": 400,
            "description": "请求格式：请以 application/x-www-form-urlencoded 表单提交（GeoReport v2）。",
        }
    ]
    assert Ticket.objects.count() == 0


def test_an_oversized_body_is_400_in_the_error_format(world, api_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post(
        f"{BASE}/requests.xml",
        "description=" + "x" * 2000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert ET.fromstring(response.content).find("error").findtext("code") == "400"
    assert Ticket.objects.count() == 0


def test_a_form_encoded_post_as_the_spec_shows_it(world, api_key):
    body = urlencode(form(api_key, **{"attribute[ticket_type]": "suggestion"}))
    response = Client().post(
        f"{BASE}/requests.xml",
        body,
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert response.status_code == 201, response.content
    assert Ticket.objects.get().ticket_type == TicketType.SUGGESTION


def test_the_limit_counts_in_one_minute_windows(settings):
    settings.TONGBAN_OPEN311_POSTS_PER_MINUTE = 2
    start = 1_800_000_000.0  # a window boundary (divisible by 60)
    assert post_allowed("k1", now=start) == (True, 60)
    assert post_allowed("k1", now=start + 15) == (True, 45)
    assert post_allowed("k1", now=start + 59.5) == (False, 1)
    assert post_allowed("k1", now=start + 60) == (True, 60)
    settings.TONGBAN_OPEN311_POSTS_PER_MINUTE = 0
    assert all(post_allowed("k1", now=start + 61)[0] for _ in range(10))


def test_a_consultation_waits_for_the_operator(world, api_key):
    response = post(form(api_key, **{"attribute[ticket_type]": "consultation"}))
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.RECEIVED
    assert response.json()[0]["service_notice"] == (
        f"您的诉求已登记，工单编号 {ticket.ticket_no}。热线中心正在分派承办单位。"
    )
