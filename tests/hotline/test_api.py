"""The tickets API through HTTP: filing (idempotent), reading, listing, every action, the
permission matrix, and bad input that is a clear JSON error, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.hotline.models import Ticket, TicketEvent

from .factories import TEXT, dispatched_ticket, new_ticket

pytestmark = pytest.mark.django_db

BODY = {
    "ticket_type": "complaint",
    "title": TEXT["title"],
    "content": TEXT["content"],
    "caller_name": TEXT["caller_name"],
    "caller_phone": TEXT["caller_phone"],
    "address": TEXT["address"],
    "subject": "03.02.05",
    "auto_dispatch": False,
}


@pytest.fixture(autouse=True)
def _tuesday(at):
    at("2026-06-02 10:00")


def test_anonymous_requests_are_refused(world, api):
    response = api().post("/tickets", BODY)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_file_a_ticket_and_retry_with_the_same_key(world, operator, api):
    client = api(operator)
    first = client.post("/tickets", BODY, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["ticket_no"] == "12345-20260602-000001"
    assert (data["status"], data["source"], data["subject"]["code"]) == (
        "received",
        "phone",
        "03.02.05",
    )
    assert data["street"] == {"code": "330199001", "name": "云溪街道"}
    again = client.post("/tickets", BODY, headers={"Idempotency-Key": "k-1"})
    assert (again.status_code, again.json()["ticket_no"]) == (200, data["ticket_no"])
    other = client.post(
        "/tickets", {**BODY, "content": "别的事"}, headers={"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422
    assert other.json()["code"] == "duplicate"
    bad_key = client.post("/tickets", BODY, headers={"Idempotency-Key": "键"})
    assert (bad_key.status_code, bad_key.json()["field"]) == (422, "Idempotency-Key")
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"content": ""}, "content", "content_required"),
        ({"caller_phone": "12345678"}, "caller_phone", "invalid_phone"),
        ({"anonymous": True}, "anonymous", "anonymous_not_allowed"),
        ({"ticket_type": "x"}, "ticket_type", "invalid_input"),
        ({"subject": "00.00"}, "subject_code", "unknown_subject"),
        ({"latitude": "abc"}, "latitude", None),
        ({"extra": 1}, "extra", None),
    ],
)
def test_bad_input_is_a_clear_422(world, operator, api, change, field, code):
    response = api(operator).post("/tickets", {**BODY, **change})
    assert response.status_code == 422, response.content
    data = response.json()
    if code:
        assert (data["code"], data["field"]) == (code, field)
    assert data["message"]
    assert Ticket.objects.count() == 0


def test_malformed_json_is_a_422(world, operator, api):
    response = api(operator).post("/tickets", raw="{not json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_json")


def test_the_whole_lifecycle_over_http(world, operator, handler, api):
    op, h = api(operator), api(handler)
    no = op.post("/tickets", BODY).json()["ticket_no"]
    r = op.act(no, "dispatch", department="cgj")
    assert (r.status_code, r.json()["status"], r.json()["department"]["code"]) == (
        200,
        "dispatched",
        "cgj",
    )
    version = r.json()["version"]
    r = h.act(no, "sign", expected_version=version)
    assert (r.status_code, r.json()["status"]) == (200, "handling")
    stale = h.act(no, "reply", reply="x", solved=True, expected_version=version)
    assert (stale.status_code, stale.json()["code"]) == (409, "stale")
    r = h.act(no, "extension", reason="需协调", new_due="2026-06-26")
    assert r.status_code == 200, r.content
    r = op.act(no, "extension-decision", approve=True, note="同意")
    due = dt.datetime.fromisoformat(r.json()["handle_due"])
    assert due == dt.datetime(
        2026, 6, 26, 23, 59, 59, 999000, tzinfo=dt.timezone(dt.timedelta(hours=8))
    )
    r = h.act(no, "reply", reply="已抽排", solved=True)
    assert r.json()["status"] == "replied"
    r = op.act(no, "callback", reached=True, satisfaction="dissatisfied", solved=False)
    assert r.json()["status"] == "closed"
    r = op.act(no, "reopen", reason="群众不满意")
    assert (r.json()["status"], r.json()["reopen_count"]) == ("dispatched", 1)
    r = op.act(no, "urge", note="请尽快")
    assert r.status_code == 200
    r = op.act(no, "escalate", reason="多次不满意")
    assert r.json()["escalated"] is True
    detail = op.get(f"/tickets/{no}").json()
    assert [e["action"] for e in detail["timeline"]] == [
        "create",
        "dispatch",
        "sign",
        "request_extension",
        "approve_extension",
        "reply",
        "callback",
        "reopen",
        "urge",
        "escalate",
    ]
    assert detail["clock"]["running"] is True
    assert detail["caller"] == {
        "name": "张晓明",
        "phone": "139****0001",  # masked for staff: the reveal flow shows it (logged)
        "hidden": False,
        "note": "",
    }
    # the centre may also add co-handlers (联动) or merge it into another ticket (并单)
    assert detail["allowed_actions"] == ["joint", "merge", "urge"]


def test_return_and_decision_over_http(world, operator, handler, api):
    ticket = dispatched_ticket(operator)
    r = api(handler).act(ticket.ticket_no, "return", reason="not_our_duty", explanation="属住建")
    assert r.json()["status"] == "return_requested"
    missing = api(operator).act(ticket.ticket_no, "return-decision", note="x")
    assert (missing.status_code, missing.json()["field"]) == (422, "accept")
    r = api(operator).act(
        ticket.ticket_no, "return-decision", accept=True, redispatch_department="zjj"
    )
    assert (r.json()["status"], r.json()["department"]["code"]) == ("dispatched", "zjj")


def test_close_at_intake_over_http(world, operator, api):
    no = api(operator).post("/tickets", {**BODY, "ticket_type": "consultation"}).json()["ticket_no"]
    r = api(operator).act(no, "close-at-intake", outcome="direct_answer", note="已按知识库解答")
    assert (r.status_code, r.json()["status"]) == (200, "closed")


def test_permissions_over_http(world, operator, handler, zjj_handler, street_handler, api):
    ticket = dispatched_ticket(operator)
    # another unit: the ticket does not exist for it
    for user in (zjj_handler, street_handler):
        assert api(user).get(f"/tickets/{ticket.ticket_no}").status_code == 404
        r = api(user).act(ticket.ticket_no, "sign")
        assert (r.status_code, r.json()["code"]) == (404, "not_found")
    # its own unit sees it but may not dispatch
    r = api(handler).act(ticket.ticket_no, "dispatch", department="zjj")
    assert r.status_code == 403
    assert api(handler).post("/tickets", BODY).status_code == 403
    assert TicketEvent.objects.filter(ticket=ticket).count() == 2


def test_a_handler_never_sees_the_reporter(world, operator, handler, api):
    ticket = dispatched_ticket(operator, ticket_type="report")
    data = api(handler).get(f"/tickets/{ticket.ticket_no}").json()
    assert data["caller"]["hidden"] is True
    assert "13905710001" not in str(data) and "张晓明" not in str(data)
    listed = api(handler).get("/tickets").json()
    assert "13905710001" not in str(listed)


def test_unknown_action_and_ticket(world, operator, api):
    ticket = new_ticket(operator)
    r = api(operator).act(ticket.ticket_no, "teleport")
    assert r.status_code == 404
    assert "可用的操作" in r.json()["message"]
    assert api(operator).get("/tickets/12345-20990101-000009").status_code == 404
    assert api(operator).get("/tickets/" + "x" * 200).status_code == 404


def test_wrong_state_is_a_409(world, operator, handler, api):
    ticket = new_ticket(operator)
    r = api(operator).act(
        ticket.ticket_no, "callback", reached=True, satisfaction="satisfied", solved=True
    )
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")


def test_list_filters_and_search_by_number(world, operator, handler, api):
    a = dispatched_ticket(operator)
    b = new_ticket(operator, title="路灯坏了", content="路灯不亮", subject_code="03.02.06")
    client = api(operator)
    assert client.get("/tickets", q=a.ticket_no).json()["items"][0]["ticket_no"] == a.ticket_no
    assert [t["ticket_no"] for t in client.get("/tickets", status="received").json()["items"]] == [
        b.ticket_no
    ]
    assert client.get("/tickets", department="cgj").json()["count"] == 1
    assert client.get("/tickets", q="路灯").json()["count"] == 1
    assert client.get("/tickets", q="13905710001").json()["count"] == 2
    bad = client.get("/tickets", status="lost")
    assert (bad.status_code, bad.json()["field"]) == (422, "status")
    assert api(handler).get("/tickets").json()["count"] == 1


def test_list_query_count_does_not_grow_with_the_page(world, operator, api):
    for _ in range(3):
        dispatched_ticket(operator)
    client = api(operator)
    client.get("/tickets")  # warm the token and role caches

    def count(limit):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/tickets", limit=limit).status_code == 200
        return len(ctx.captured_queries)

    assert count(1) == count(3)
    assert count(3) <= 8


def test_another_unit_learns_nothing_from_a_refused_action(
    world, operator, handler, zjj_handler, api
):
    ticket = dispatched_ticket(operator)
    api(handler).act(ticket.ticket_no, "sign")
    other = api(zjj_handler)
    for action, body in (("sign", {}), ("reply", {"reply": "x", "solved": True}), ("return", {})):
        r = other.act(ticket.ticket_no, action, **body)
        assert (r.status_code, r.json()) == (
            404,
            {"code": "not_found", "message": "没有找到该工单。"},
        )
    assert TicketEvent.objects.filter(ticket=ticket).count() == 3
