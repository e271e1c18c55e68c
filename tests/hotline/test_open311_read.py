"""Open311 GeoReport v2, the read side: discovery, services, service definitions, requests,
tokens and errors, in JSON and XML, checked field by field against the spec."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import DepartmentFactory
from tongban.hotline.models import DispatchCatalogue, Subject, Ticket, TicketType
from tongban.hotline.open311 import render
from tongban.hotline.states import TicketStatus, TriageOutcome

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def get_json(path: str, **params):
    response = Client().get(f"{BASE}/{path}", params)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.status_code, json.loads(response.content.decode("utf-8"))


def get_xml(path: str, **params):
    response = Client().get(f"{BASE}/{path}", params)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(XML_DECLARATION)
    return response.status_code, ET.fromstring(response.content)


def texts(element: ET.Element) -> dict[str, str | None]:
    return {child.tag: child.text for child in element}


@pytest.fixture
def taxonomy(db):
    city = Subject.objects.create(code="03", name="城乡建设", level=1)
    municipal = Subject.objects.create(code="03.02", name="市政设施", level=2, parent=city)
    flood = Subject.objects.create(
        code="03.02.05",
        name="道路积水",
        level=3,
        parent=municipal,
        keywords="积水 内涝，下水道",
    )
    lamp = Subject.objects.create(
        code="03.02.06",
        name="路灯不亮",
        level=3,
        parent=municipal,
        description="路灯、景观灯不亮或损坏",
    )
    Subject.objects.create(
        code="03.02.07", name="停用分类", level=3, parent=municipal, active=False
    )
    environment = Subject.objects.create(code="05", name="生态环境", level=1)
    noise = Subject.objects.create(code="05.01", name="噪声扰民", level=2, parent=environment)
    retired = Subject.objects.create(code="07", name="旧分类", level=1, active=False)
    Subject.objects.create(code="07.01", name="旧分类下的小类", level=2, parent=retired)
    return {"flood": flood, "lamp": lamp, "noise": noise}


def at(days_ago: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


_numbers = iter(range(1, 10**6))


def make_ticket(subject, *, days_ago: float = 1, **fields) -> Ticket:
    created = at(days_ago)
    defaults = {
        "ticket_no": f"12345-{created.astimezone(SHANGHAI):%Y%m%d}-{next(_numbers):06d}",
        "source": "open311",
        "ticket_type": TicketType.HELP,
        "title": "道路积水",
        "content": "幸福路与和平街路口积水很深，车辆无法通行。",
        "status": TicketStatus.RECEIVED,
        "created_at": created,
        "subject": subject,
    }
    defaults.update(fields)
    return Ticket.objects.create(**defaults)


# --- discovery ----------------------------------------------------------------------------


def test_discovery_json_names_this_endpoint_and_both_formats(db):
    status, data = get_json("discovery.json")
    assert status == 200
    assert list(data) == ["changeset", "contact", "key_service", "endpoints"]
    assert data["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2",
            "changeset": data["changeset"],
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]
    assert "tongban open311 key create" in data["key_service"]


def test_the_discovery_changeset_is_the_latest_catalogue_publication(db):
    assert get_json("discovery.json")[1]["changeset"] == "2026-01-01T00:00:00+08:00"
    DispatchCatalogue.objects.create(
        version=1, status="retired", published_at=dt.datetime(2026, 3, 1, 8, 0, tzinfo=SHANGHAI)
    )
    DispatchCatalogue.objects.create(
        version=2, status="published", published_at=dt.datetime(2026, 5, 4, 1, 30, tzinfo=dt.UTC)
    )
    _, data = get_json("discovery.json")
    assert data["changeset"] == "2026-05-04T09:30:00+08:00"
    assert data["endpoints"][0]["changeset"] == "2026-05-04T09:30:00+08:00"


def test_discovery_xml_has_the_same_content(db):
    status, root = get_xml("discovery.xml")
    assert status == 200
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_the_root_and_suffixless_paths_follow_the_accept_header(db):
    assert Client().get(f"{BASE}/")["Content-Type"].startswith("application/json")
    response = Client().get(f"{BASE}/discovery", HTTP_ACCEPT="text/xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert ET.fromstring(response.content).tag == "discovery"


# --- services -----------------------------------------------------------------------------


def test_services_json_lists_active_leaf_subjects_with_the_spec_fields(taxonomy):
    status, data = get_json("services.json")
    assert status == 200
    assert [s["service_code"] for s in data] == ["03.02.05", "03.02.06", "05.01"]
    for service in data:
        assert list(service) == SERVICE_FIELDS
        assert service["metadata"] is True
        assert service["type"] == "realtime"
    flood, lamp, noise = data
    assert flood == {
        "service_code": "03.02.05",
        "service_name": "道路积水",
        "description": "城乡建设 > 市政设施 > 道路积水",
        "metadata": True,
        "type": "realtime",
        "keywords": "积水, 内涝, 下水道",
        "group": "城乡建设",
    }
    assert lamp["description"] == "路灯、景观灯不亮或损坏"
    assert lamp["keywords"] == ""
    assert noise["group"] == "生态环境"


def test_services_xml(taxonomy):
    status, root = get_xml("services.xml", jurisdiction_id="yunxi.gov.cn")
    assert status == 200
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == ["03.02.05", "03.02.06", "05.01"]
    assert texts(services[0]) == {
        "service_code": "03.02.05",
        "service_name": "道路积水",
        "description": "城乡建设 > 市政设施 > 道路积水",
        "metadata": "true",
        "type": "realtime",
        "keywords": "积水, 内涝, 下水道",
        "group": "城乡建设",
    }


def test_batch_mode_is_announced_as_the_service_type(taxonomy, settings):
    settings.TONGBAN_OPEN311_REQUEST_TYPE = "batch"
    _, data = get_json("services.json")
    assert {s["type"] for s in data} == {"batch"}


def test_service_definition_json(taxonomy):
    status, data = get_json("services/03.02.05.json")
    assert status == 200
    assert list(data) == ["service_code", "attributes"]
    assert data["service_code"] == "03.02.05"
    codes = [a["code"] for a in data["attributes"]]
    assert codes == ["ticket_type", "title", "urgency", "hazard", "confidential", "anonymous"]
    assert [a["order"] for a in data["attributes"]] == [1, 2, 3, 4, 5, 6]
    for attribute in data["attributes"]:
        assert attribute["variable"] is True
        assert attribute["required"] is False
        assert attribute["datatype"] in ("string", "singlevaluelist")
        assert isinstance(attribute["description"], str) and attribute["description"]
    ticket_type = data["attributes"][0]
    assert list(ticket_type)[:7] == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
    ]
    assert ticket_type["values"] == [
        {"key": "consultation", "name": "咨询"},
        {"key": "help", "name": "求助"},
        {"key": "complaint", "name": "投诉"},
        {"key": "report", "name": "举报"},
        {"key": "suggestion", "name": "建议"},
        {"key": "praise", "name": "表扬"},
    ]
    title = data["attributes"][1]
    assert "values" not in title
    assert title["datatype_description"] == "不超过 128 个字符。"
    hazard = data["attributes"][3]
    assert [v["key"] for v in hazard["values"]] == ["none", "life_property", "utilities"]


def test_service_definition_xml(taxonomy):
    status, root = get_xml("services/03.02.06.xml")
    assert status == 200
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "03.02.06"
    attributes = root.findall("attributes/attribute")
    assert len(attributes) == 6
    assert attributes[0].findtext("variable") == "true"
    assert attributes[0].findtext("required") == "false"
    assert attributes[0].findtext("order") == "1"
    assert [v.findtext("key") for v in attributes[0].findall("values/value")][:2] == [
        "consultation",
        "help",
    ]


@pytest.mark.parametrize("code", ["99.99.99", "03.02", "03.02.07", "07.01"])
def test_a_service_that_is_not_offered_is_not_found(taxonomy, code):
    status, data = get_json(f"services/{code}.json")
    assert status == 404
    assert data == [{"code": 404, "description": f"service_code：没有编码为 {code} 的服务。"}]
    status, root = get_xml(f"services/{code}.xml")
    assert status == 404
    assert root.tag == "errors"
    assert texts(root.find("error")) == {
        "code": "404",
        "description": f"service_code：没有编码为 {code} 的服务。",
    }


# --- service requests ---------------------------------------------------------------------


@pytest.fixture
def department(db):
    return DepartmentFactory(code="cgj", name="云溪区城市管理局")


def test_requests_json_fields_types_and_formats(taxonomy, department):
    handle_due = at(-3)
    ticket = make_ticket(
        taxonomy["flood"],
        status=TicketStatus.HANDLING,
        department=department,
        handle_due=handle_due,
        address="云溪区幸福路 18 号",
        latitude=Decimal("30.274150"),
        longitude=Decimal("120.155070"),
    )
    status, data = get_json("requests.json")
    assert status == 200
    assert len(data) == 1
    record = data[0]
    assert list(record) == REQUEST_FIELDS
    assert record["service_request_id"] == ticket.ticket_no
    assert record["status"] == "open"
    assert record["status_notes"] == "办理中"
    assert record["service_name"] == "道路积水"
    assert record["service_code"] == "03.02.05"
    assert record["description"] == "幸福路与和平街路口积水很深，车辆无法通行。"
    assert record["agency_responsible"] == "云溪区城市管理局"
    assert record["service_notice"].startswith("承办单位正在办理，应于 ")
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(record[name]), (name, record[name])
    assert dt.datetime.fromisoformat(record["requested_datetime"]) == ticket.created_at.replace(
        microsecond=0
    )
    assert dt.datetime.fromisoformat(record["expected_datetime"]) == handle_due.replace(
        microsecond=0
    )
    assert record["updated_datetime"] == record["requested_datetime"]  # no events yet
    assert record["address"] == "云溪区幸福路 18 号"
    assert record["address_id"] is None
    assert record["zipcode"] is None
    assert record["lat"] == 30.27415
    assert record["long"] == 120.15507
    assert record["media_url"] is None


def test_requests_xml(taxonomy, department):
    ticket = make_ticket(
        taxonomy["lamp"],
        status=TicketStatus.CLOSED,
        department=department,
        closed_at=at(0.5),
        reply="已更换灯泡，路灯恢复照明。",
        content="和平街 5 号门口路灯 <不亮> & 闪烁",
    )
    status, root = get_xml("requests.xml", status="closed")
    assert status == 200
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert [child.tag for child in request] == REQUEST_FIELDS
    values = texts(request)
    assert values["service_request_id"] == ticket.ticket_no
    assert values["status"] == "closed"
    assert values["status_notes"] == "已办结：已更换灯泡，路灯恢复照明。"
    assert values["description"] == "和平街 5 号门口路灯 <不亮> & 闪烁"
    assert W3C.match(values["updated_datetime"])
    assert dt.datetime.fromisoformat(values["updated_datetime"]) == ticket.closed_at.replace(
        microsecond=0
    )
    assert values["expected_datetime"] is None  # a closed request expects nothing more
    assert values["zipcode"] is None and values["lat"] is None
    assert b"&lt;\xe4\xb8\x8d\xe4\xba\xae&gt; &amp;" in Client().get(f"{BASE}/requests.xml").content


def test_requests_default_to_the_last_90_days_newest_first(taxonomy):
    newest = make_ticket(taxonomy["flood"], days_ago=1)
    older = make_ticket(taxonomy["lamp"], days_ago=60)
    make_ticket(taxonomy["flood"], days_ago=95)
    _, data = get_json("requests.json")
    assert [r["service_request_id"] for r in data] == [newest.ticket_no, older.ticket_no]


def test_requests_filter_by_status_and_service_code(taxonomy):
    open_flood = make_ticket(taxonomy["flood"], status=TicketStatus.DISPATCHED, days_ago=3)
    closed_lamp = make_ticket(taxonomy["lamp"], status=TicketStatus.CLOSED, days_ago=2)
    merged = make_ticket(
        taxonomy["noise"], status=TicketStatus.MERGED, merged_into=open_flood, days_ago=1
    )

    def ids(**params):
        status, data = get_json("requests.json", **params)
        assert status == 200
        return [r["service_request_id"] for r in data]

    assert ids(status="open") == [open_flood.ticket_no]
    assert ids(status="closed") == [merged.ticket_no, closed_lamp.ticket_no]
    assert ids(status="open,closed") == [
        merged.ticket_no,
        closed_lamp.ticket_no,
        open_flood.ticket_no,
    ]
    assert ids(service_code="03.02.05") == [open_flood.ticket_no]
    assert ids(service_code="03.02.05,05.01") == [merged.ticket_no, open_flood.ticket_no]
    response = Client().get(f"{BASE}/requests.json?service_code=03.02.06&service_code=05.01")
    assert [r["service_request_id"] for r in response.json()] == [
        merged.ticket_no,
        closed_lamp.ticket_no,
    ]
    assert ids(service_code="99.99") == []
    _, data = get_json("requests.json", service_request_id=merged.ticket_no)
    assert data[0]["status_notes"] == f"已并单：已并入工单 {open_flood.ticket_no}"


def test_requests_filter_by_dates_in_w3c_format(taxonomy):
    base = dt.datetime(2026, 3, 10, 9, 30, tzinfo=SHANGHAI)
    march_9 = make_ticket(taxonomy["flood"], created_at=base - dt.timedelta(days=1))
    march_10 = make_ticket(taxonomy["flood"], created_at=base)
    make_ticket(taxonomy["flood"], created_at=base + dt.timedelta(days=2))

    def ids(**params):
        status, data = get_json("requests.json", **params)
        assert status == 200, data
        return [r["service_request_id"] for r in data]

    assert ids(start_date="2026-03-09T00:00:00+08:00", end_date="2026-03-10T23:59:59+08:00") == [
        march_10.ticket_no,
        march_9.ticket_no,
    ]
    # The same instant in UTC ("Z"), and a plain date taken as the whole Shanghai day.
    assert ids(start_date="2026-03-10T01:30:00Z", end_date="2026-03-10T01:30:00Z") == [
        march_10.ticket_no
    ]
    assert ids(start_date="2026-03-10", end_date="2026-03-10") == [march_10.ticket_no]
    # A "+" a client forgot to encode arrives as a space.
    response = Client().get(
        f"{BASE}/requests.json?start_date=2026-03-10T00:00:00+08:00&end_date=2026-03-10T23:00:00+08:00"
    )
    assert [r["service_request_id"] for r in response.json()] == [march_10.ticket_no]
    # Only a start: the 90 days after it; only an end: the 90 days before it.
    assert len(ids(start_date="2026-03-01T00:00:00+08:00")) == 3
    assert ids(end_date="2026-03-09T23:59:59+08:00") == [march_9.ticket_no]


@pytest.mark.parametrize(
    ("params", "descriptions"),
    [
        (
            {"start_date": "yesterday"},
            ["start_date：不是 W3C 日期时间格式，例如 2026-01-01T00:00:00+08:00。"],
        ),
        (
            {"start_date": "2026-13-01T00:00:00Z"},
            ["start_date：不是 W3C 日期时间格式，例如 2026-01-01T00:00:00+08:00。"],
        ),
        (
            {"end_date": "2026-03-01T10:00:00"},
            ["end_date：需带时区，例如 2026-01-01T00:00:00+08:00 或 …Z。"],
        ),
        (
            {"start_date": "01/03/2026", "end_date": "soon"},
            [
                "start_date：不是 W3C 日期时间格式，例如 2026-01-01T00:00:00+08:00。",
                "end_date：不是 W3C 日期时间格式，例如 2026-01-01T00:00:00+08:00。",
            ],
        ),
        (
            {"start_date": "2026-03-10T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},
            ["start_date 不能晚于 end_date。"],
        ),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"},
            ["start_date 到 end_date 的区间不能超过 90 天。"],
        ),
        ({"status": "pending"}, ["status：取值应为 open 或 closed，收到 pending。"]),
    ],
)
def test_bad_filters_are_400_in_the_spec_error_format(taxonomy, params, descriptions):
    status, data = get_json("requests.json", **params)
    assert status == 400
    assert data == [{"code": 400, "description": d} for d in descriptions]
    status, root = get_xml("requests.xml", **params)
    assert status == 400
    assert [texts(e) for e in root.findall("error")] == [
        {"code": "400", "description": d} for d in descriptions
    ]


def test_a_span_of_exactly_90_days_is_allowed(taxonomy):
    status, _ = get_json(
        "requests.json", start_date="2026-01-01T00:00:00Z", end_date="2026-04-01T00:00:00Z"
    )
    assert status == 200
    status, _ = get_json("requests.json", start_date="2026-01-01", end_date="2026-04-01")
    assert status == 200


def test_service_request_ids_override_every_other_filter(taxonomy):
    old_closed = make_ticket(taxonomy["flood"], status=TicketStatus.CLOSED, days_ago=200)
    recent = make_ticket(taxonomy["lamp"], days_ago=1)
    _, data = get_json(
        "requests.json",
        service_request_id=f"{old_closed.ticket_no}, {recent.ticket_no},12345-19990101-000001",
        status="open",
        service_code="05.01",
        start_date="bad date is ignored too",
    )
    assert [r["service_request_id"] for r in data] == [recent.ticket_no, old_closed.ticket_no]


def test_at_most_1000_requests_are_returned(taxonomy):
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            ticket_no=f"12345-20260101-{n:06d}",
            source="web",
            ticket_type=TicketType.HELP,
            title="积水",
            content="积水",
            created_at=now - dt.timedelta(minutes=n),
            subject=taxonomy["flood"],
        )
        for n in range(1, 1002)
    )
    _, data = get_json("requests.json")
    assert len(data) == 1000
    assert data[0]["service_request_id"] == "12345-20260101-000001"
    assert data[-1]["service_request_id"] == "12345-20260101-001000"


def test_the_request_list_costs_the_same_queries_for_3_or_30_requests(
    taxonomy, department, django_assert_num_queries
):
    for _ in range(3):
        make_ticket(taxonomy["flood"], department=department, status=TicketStatus.HANDLING)
    Client().get(f"{BASE}/services.json")  # warm up what middleware checks once in a while
    with django_assert_num_queries(1):
        Client().get(f"{BASE}/requests.json")
    for _ in range(27):
        make_ticket(taxonomy["lamp"], merged_into=None, status=TicketStatus.CLOSED)
    with django_assert_num_queries(1):
        response = Client().get(f"{BASE}/requests.xml")
    assert len(ET.fromstring(response.content)) == 30


# --- privacy ------------------------------------------------------------------------------


def test_the_caller_is_never_shown_and_numbers_in_the_text_are_masked(taxonomy):
    make_ticket(
        taxonomy["flood"],
        caller_name="王建国",
        caller_phone="13912345678",
        content="我是王建国，电话 13912345678，身份证 330106198506200013，楼下积水。",
        status=TicketStatus.REPLIED,
        reply="已联系王建国先生（13912345678），积水已排除。",
    )
    for path in ("requests.json", "requests.xml"):
        body = Client().get(f"{BASE}/{path}").content.decode("utf-8")
        assert "王建国" not in body
        assert "13912345678" not in body
        assert "330106198506200013" not in body
    _, data = get_json("requests.json")
    assert data[0]["description"] == (
        "我是王**，电话 139****5678，身份证 3301**********0013，楼下积水。"
    )
    assert data[0]["status_notes"] == "已答复待回访：已联系王**先生（139****5678），积水已排除。"


def test_confidential_tickets_and_reports_are_not_published(taxonomy):
    secret = make_ticket(taxonomy["flood"], confidential=True)
    report = make_ticket(taxonomy["noise"], ticket_type=TicketType.REPORT)
    public = make_ticket(taxonomy["lamp"])
    _, data = get_json("requests.json")
    assert [r["service_request_id"] for r in data] == [public.ticket_no]
    _, data = get_json("requests.json", service_request_id=f"{secret.ticket_no},{report.ticket_no}")
    assert data == []
    for ticket in (secret, report):
        status, data = get_json(f"requests/{ticket.ticket_no}.json")
        assert status == 404
        assert data == [
            {
                "code": 404,
                "description": f"service_request_id：没有编号为 {ticket.ticket_no} 的诉求。",
            }
        ]


# --- one request, tokens ------------------------------------------------------------------


def test_one_request_json_and_xml(taxonomy):
    ticket = make_ticket(
        taxonomy["flood"],
        status=TicketStatus.CLOSED,
        triage=TriageOutcome.DIRECT_ANSWER,
        closed_at=at(0.9),
    )
    status, data = get_json(f"requests/{ticket.ticket_no}.json")
    assert status == 200
    assert len(data) == 1
    assert list(data[0]) == REQUEST_FIELDS
    assert data[0]["status"] == "closed"
    assert data[0]["status_notes"] == "已办结（直接办结）"
    assert data[0]["service_notice"] is None
    status, root = get_xml(f"requests/{ticket.ticket_no}.xml")
    assert status == 200
    assert root.tag == "service_requests"
    assert root.find("request").findtext("service_request_id") == ticket.ticket_no


def test_an_unknown_request_is_404_in_both_formats(taxonomy):
    status, data = get_json("requests/12345-20260101-999999.json")
    assert status == 404
    assert data[0]["code"] == 404
    status, root = get_xml("requests/12345-20260101-999999.xml")
    assert status == 404
    assert root.find("error").findtext("code") == "404"


def test_a_token_resolves_to_its_service_request_id(taxonomy):
    ticket = make_ticket(taxonomy["flood"], open311_token="tok_abcDEF123")
    status, data = get_json("tokens/tok_abcDEF123.json")
    assert status == 200
    assert data == [{"service_request_id": ticket.ticket_no, "token": "tok_abcDEF123"}]
    status, root = get_xml("tokens/tok_abcDEF123.xml")
    assert root.tag == "service_requests"
    assert texts(root.find("request")) == {
        "service_request_id": ticket.ticket_no,
        "token": "tok_abcDEF123",
    }
    assert Client().get(f"{BASE}/tokens/tok_abcDEF123").json()[0]["token"] == "tok_abcDEF123"
    status, data = get_json("tokens/nope.json")
    assert status == 404
    assert data == [{"code": 404, "description": "token：没有这个令牌。"}]


# --- general errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("delete", "requests.json", "GET, HEAD, POST"),
        ("put", "services.json", "GET, HEAD"),
        ("post", "services/03.02.05.json", "GET, HEAD"),
        ("post", "tokens/abc.json", "GET, HEAD"),
    ],
)
def test_other_methods_are_405_in_the_error_format(taxonomy, method, path, allow):
    response = getattr(Client(), method)(f"{BASE}/{path}")
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response.json() == [{"code": 405, "description": f"不支持 {method.upper()} 请求。"}]


def test_an_unknown_path_is_404_in_the_error_format(db):
    response = Client().get(f"{BASE}/reports.xml")
    assert response.status_code == 404
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert root.find("error").findtext("code") == "404"
    response = Client().get(f"{BASE}/reports.json")
    assert response.json()[0]["code"] == 404


def test_jurisdiction_id_is_accepted_and_a_wrong_one_is_not_found(taxonomy, settings):
    assert get_json("services.json", jurisdiction_id="anything.example")[0] == 200
    settings.TONGBAN_OPEN311_JURISDICTION_ID = "yunxi.gov.cn"
    assert get_json("services.json", jurisdiction_id="yunxi.gov.cn")[0] == 200
    assert get_json("services.json")[0] == 200
    status, data = get_json("services.json", jurisdiction_id="other.gov.cn")
    assert status == 404
    assert data == [{"code": 404, "description": "jurisdiction_id：本接口不服务于 other.gov.cn。"}]


def test_the_language_follows_accept_language(taxonomy):
    response = Client().get(f"{BASE}/services/99.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
    assert Client().get(f"{BASE}/services/99.json")["Content-Language"] == "zh-hans"


# --- rendering ----------------------------------------------------------------------------


@given(st.text(max_size=200))
def test_any_text_survives_the_xml_document(text):
    document = render.to_xml("service_requests", [{"description": text}])
    parsed = ET.fromstring(document).find("request").findtext("description") or ""
    expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)
    # XML parsers normalise line ends.
    assert parsed == expected.replace("\r\n", "\n").replace("\r", "\n")


def test_json_and_xml_carry_the_same_values():
    data = [{"a_bool": False, "a_none": None, "a_number": Decimal("30.274150"), "text": "x"}]
    assert json.loads(render.to_json(data)) == [
        {"a_bool": False, "a_none": None, "a_number": 30.27415, "text": "x"}
    ]
    request = ET.fromstring(render.to_xml("service_requests", data)).find("request")
    assert texts(request) == {
        "a_bool": "false",
        "a_none": None,
        "a_number": "30.27415",
        "text": "x",
    }
