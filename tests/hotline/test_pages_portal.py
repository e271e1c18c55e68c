"""The citizen's hotline pages at /hotline/: submit a request (signed in or not; a phone number
unless it is an anonymous 举报) and look a ticket up by number and phone, with its progress in
plain language and the reply; staff names and internal notes never show."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.hotline import services
from tongban.hotline.models import Ticket, TicketEvent

from .factories import dispatched_ticket, replied_ticket

pytestmark = pytest.mark.django_db

REQUEST = {
    "ticket_type": "complaint",
    "content": "学府路与望湖路交叉口下雨后积水很深，行人无法通行。",
    "address": "云溪区云溪街道望湖社区学府路 18 号",
    "caller_name": "王秀英",
    "caller_phone": "13905710002",
    "idempotency_key": "web-1",
}


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_start_page_offers_submission_and_lookup(world):
    page = client_for().get("/hotline/").content.decode()
    assert "<h1>12345 政务服务便民热线</h1>" in page
    assert 'href="/hotline/new/"' in page and 'action="/hotline/lookup/"' in page
    assert "110、119、120、122" in page


def test_anyone_submits_a_request_and_gets_its_number(world):
    client = client_for()
    response = client.post("/hotline/new/", REQUEST)
    assert response.status_code == 302
    assert response["Location"] == "/hotline/submitted/"
    ticket = Ticket.objects.get()
    assert (ticket.source, ticket.caller_phone, ticket.caller_user, ticket.created_by) == (
        "web",
        "13905710002",
        None,
        None,
    )
    page = client.get("/hotline/submitted/").content.decode()
    assert ticket.ticket_no in page and "诉求已提交" in page
    # the browser that submitted it may follow it without typing the phone again
    progress = client.get(f"/hotline/tickets/{ticket.ticket_no}/")
    assert progress.status_code == 200


def test_a_signed_in_citizen_finds_the_form_filled_and_the_ticket_is_theirs(world, citizen):
    client = client_for(citizen)
    form = client.get("/hotline/new/").content.decode()
    assert 'value="13905710001"' in form and 'value="张晓明"' in form
    client.post("/hotline/new/", {**REQUEST, "caller_phone": "13905710001"})
    ticket = Ticket.objects.get()
    assert ticket.caller_user == citizen
    page = client.get("/hotline/").content.decode()
    assert ticket.ticket_no in page


def test_the_same_submission_twice_makes_one_ticket_for_a_signed_in_citizen(world, citizen):
    client = client_for(citizen)
    client.post("/hotline/new/", REQUEST)
    client.post("/hotline/new/", REQUEST)
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "anchor", "message"),
    [
        (
            {"caller_phone": ""},
            "id_caller_phone",
            "联系电话：请填写联系电话；匿名举报请勾选“匿名举报”。",
        ),
        ({"caller_phone": "110"}, "id_caller_phone", "电话号码：格式不正确"),
        ({"content": ""}, "id_content", "请说明您的诉求：请填写诉求内容。"),
        ({"ticket_type": ""}, "id_ticket_type_0", "您要反映的是：请选择诉求类型。"),
        ({"anonymous": "on"}, "id_anonymous", "匿名举报：不留姓名和电话：只有举报可以匿名。"),
    ],
)
def test_bad_requests_are_explained_and_nothing_is_written(world, changes, anchor, message):
    response = client_for().post("/hotline/new/", {**REQUEST, **changes})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>错误：" in page and f'href="#{anchor}"' in page and message in page
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


def test_an_anonymous_report_needs_no_phone(world):
    response = client_for().post(
        "/hotline/new/",
        {
            **REQUEST,
            "ticket_type": "report",
            "anonymous": "on",
            "caller_phone": "",
            "caller_name": "王",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.anonymous, ticket.caller_phone, ticket.caller_name) == (True, "", "")


# --------------------------------------------------------------------------- lookup


def test_a_ticket_is_looked_up_by_number_and_phone(world, operator, handler):
    ticket = replied_ticket(operator, handler)
    client = client_for()
    response = client.post(
        "/hotline/lookup/", {"ticket_no": ticket.ticket_no, "phone": "13905710001"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/hotline/tickets/{ticket.ticket_no}/"
    page = client.get(response["Location"]).content.decode()
    assert "云溪区城市管理局已答复，热线中心会回访您，了解问题是否解决、您是否满意。" in page
    assert "已安排排水车抽排，积水已清除。" in page
    assert '<li class="is-done">已登记' in page and 'aria-current="step">已答复' in page
    # no staff names on the public page
    assert operator.display_name not in page and handler.display_name not in page


def test_a_wrong_phone_gets_the_same_answer_as_a_wrong_number(world, operator):
    ticket = dispatched_ticket(operator)
    client = client_for()
    wrong_phone = client.post(
        "/hotline/lookup/", {"ticket_no": ticket.ticket_no, "phone": "13905719999"}
    )
    wrong_number = client.post(
        "/hotline/lookup/", {"ticket_no": "12345-20200101-000001", "phone": "13905710001"}
    )
    message = "没有找到与这个电话号码对应的工单，请核对工单编号和电话号码。"
    for response in (wrong_phone, wrong_number):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert client.get(f"/hotline/tickets/{ticket.ticket_no}/").status_code == 404


def test_a_ticket_page_is_not_open_to_other_browsers(world, operator, citizen):
    ticket = dispatched_ticket(operator)
    assert client_for().get(f"/hotline/tickets/{ticket.ticket_no}/").status_code == 404
    assert client_for(citizen).get(f"/hotline/tickets/{ticket.ticket_no}/").status_code == 404


def test_a_ticket_closed_at_intake_shows_the_answer(world, operator):
    ticket = services.ticket_create(
        actor=operator,
        source="phone",
        ticket_type="consultation",
        title="办理居住证",
        content="居住证在哪里办？",
        caller_phone="13905710001",
        triage="direct_answer",
        triage_note="可在各街道便民服务中心办理。",
    )
    client = client_for()
    client.post("/hotline/lookup/", {"ticket_no": ticket.ticket_no, "phone": "13905710001"})
    page = client.get(f"/hotline/tickets/{ticket.ticket_no}/").content.decode()
    assert "已办结：直接办结。" in page
    assert "可在各街道便民服务中心办理。" in page


def test_the_submitted_page_without_a_submission_goes_back_to_the_start(world):
    response = client_for().get("/hotline/submitted/")
    assert response.status_code == 302 and response["Location"] == "/hotline/"
