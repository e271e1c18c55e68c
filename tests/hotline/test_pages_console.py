"""The hotline console pages: who may open them (a parametrised persona matrix), the work
basket's tabs and clocks, the live intake fragments, the missed-call list and the navigation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_staff
from tongban.core.permissions import Role
from tongban.hotline import services
from tongban.hotline.models import MissedCall

from .factories import dispatched_ticket, fresh, new_ticket, signed_ticket

pytestmark = pytest.mark.django_db

PAGES = [
    "/console/hotline/",
    "/console/hotline/intake/",
    "/console/hotline/missed-calls/",
    "/console/hotline/intake/similar/?content=积水",
    "/console/hotline/intake/locality/?address=学府路",
]


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def personas(world, operator, handler, supervisor_h, citizen):
    clerk = make_staff(Role.WINDOW_CLERK, department=world.zjj, username="clerk_h")
    return {
        "anonymous": None,
        "citizen": citizen,
        "clerk": clerk,
        "operator": operator,
        "handler": handler,
        "supervisor": supervisor_h,
    }


# page → the personas who may open it (everyone else: login, 403)
ALLOWED = {
    "/console/hotline/": {"operator", "handler", "supervisor"},
    "/console/hotline/intake/": {"operator"},
    "/console/hotline/missed-calls/": {"operator"},
    "/console/hotline/intake/similar/?content=积水": {"operator"},
    "/console/hotline/intake/locality/?address=学府路": {"operator"},
}


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    "who", ["anonymous", "citizen", "clerk", "operator", "handler", "supervisor"]
)
def test_who_may_open_each_page(personas, url, who):
    response = client_for(personas[who]).get(url)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/console/login/?next=")
    elif who in ALLOWED[url]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_a_handler_without_intake_rights_is_told_why(personas):
    response = client_for(personas["handler"]).get("/console/hotline/intake/")
    assert response.status_code == 403
    assert "您没有办理 12345 工单的权限。" in response.content.decode()


# --------------------------------------------------------------------------- the ticket page


def test_a_ticket_is_seen_by_the_centre_and_its_unit_only(
    world, operator, handler, zjj_handler, supervisor_h, citizen
):
    ticket = dispatched_ticket(operator)
    url = f"/console/hotline/tickets/{ticket.ticket_no}/"
    assert client_for(operator).get(url).status_code == 200
    assert client_for(supervisor_h).get(url).status_code == 200
    assert client_for(handler).get(url).status_code == 200
    assert client_for(zjj_handler).get(url).status_code == 404  # another department
    assert client_for(citizen).get(url).status_code == 403  # not staff
    assert client_for(None).get(url).status_code == 302
    missing = client_for(operator).get("/console/hotline/tickets/12345-20260101-999999/")
    assert missing.status_code == 404


def test_a_street_sees_only_its_own_tickets(world, operator, street_handler, other_street_handler):
    ticket = new_ticket(
        operator, subject_code="05.01.01", title="广场舞噪音", content="晚上广场舞噪音很大。"
    )
    services.ticket_dispatch(ticket.ticket_no, actor=operator, to_locality=True)
    url = f"/console/hotline/tickets/{ticket.ticket_no}/"
    assert client_for(street_handler).get(url).status_code == 200
    assert client_for(other_street_handler).get(url).status_code == 404
    queue = client_for(other_street_handler).get("/console/hotline/?tab=all")
    assert ticket.ticket_no not in queue.content.decode()


def test_a_confidential_caller_is_hidden_from_the_handler(world, operator, handler):
    ticket = dispatched_ticket(operator, confidential=True)
    url = f"/console/hotline/tickets/{ticket.ticket_no}/"
    page = client_for(handler).get(url).content.decode()
    assert "13905710001" not in page and "张晓明" not in page
    assert "来电人要求保密，信息不向承办单位提供。" in page
    operator_page = client_for(operator).get(url).content.decode()
    assert "139****0001" in operator_page and "13905710001" not in operator_page  # masked


def test_a_reporter_is_hidden_from_the_handler(world, operator, handler):
    ticket = dispatched_ticket(operator, ticket_type="report")
    page = client_for(handler).get(f"/console/hotline/tickets/{ticket.ticket_no}/").content.decode()
    assert "13905710001" not in page and "张晓明" not in page
    assert "举报人信息已依法保护，不向承办单位提供。" in page


def test_the_dispatch_panel_shows_the_suggestion_and_its_confidence(world, operator):
    ticket = new_ticket(operator)
    page = (
        client_for(operator).get(f"/console/hotline/tickets/{ticket.ticket_no}/").content.decode()
    )
    assert "系统建议" in page
    assert '<span class="confidence">100%</span>' in page
    assert '<option value="cgj" selected>云溪区城市管理局</option>' in page
    assert 'value="03.02.05 道路积水"' in page


def test_an_auto_dispatched_ticket_is_marked(world, operator):
    ticket = new_ticket(operator, auto_dispatch=True)
    assert fresh(ticket).auto_dispatched
    page = (
        client_for(operator).get(f"/console/hotline/tickets/{ticket.ticket_no}/").content.decode()
    )
    assert '<span class="flag flag--auto">秒派</span>' in page


# --------------------------------------------------------------------------- the work basket


def test_the_operator_sees_the_centre_tabs_with_counts(world, operator, handler):
    waiting = new_ticket(operator)
    dispatched_ticket(operator)
    page = client_for(operator).get("/console/hotline/").content.decode()
    for label in ("待派单", "退单审核", "延期审核", "待回访", "已超期", "提级督办"):
        assert label in page
    assert 'aria-current="page">待派单<span class="tab-count">1</span>' in page
    assert waiting.ticket_no in page


def test_the_handler_sees_their_unit_tabs(world, operator, handler):
    ticket = dispatched_ticket(operator)
    page = client_for(handler).get("/console/hotline/").content.decode()
    assert 'aria-current="page">待签收<span class="tab-count">1</span>' in page
    assert ticket.ticket_no in page
    assert "接听登记" not in page.split("<main")[1].split("</nav>")[0]


def test_an_overdue_ticket_is_listed_with_its_red_card_in_words(world, operator, handler, at):
    at("2026-06-02 10:00")
    ticket = signed_ticket(operator, handler, ticket_type="consultation")
    at("2026-06-10 10:00")
    page = client_for(handler).get("/console/hotline/?tab=overdue").content.decode()
    assert ticket.ticket_no in page
    assert '<h3 class="queue-group__title" id="group-overdue">已超期' in page
    assert (
        '<span class="card-tag card-tag--red"><span class="card-tag__mark" aria-hidden="true"></span>红牌：已超办理期限</span>'
        in page
    )
    assert "超期" in page


def test_the_queue_filters_by_ticket_number(world, operator):
    first = new_ticket(operator)
    second = new_ticket(operator, title="路灯不亮")
    page = (
        client_for(operator).get(f"/console/hotline/?tab=all&q={second.ticket_no}").content.decode()
    )
    assert second.ticket_no in page and first.ticket_no not in page


def test_the_queue_page_needs_the_same_few_queries_however_many_rows(world, operator, handler):
    client, handler_client = client_for(operator), client_for(handler)

    def count(c, url) -> int:
        c.get(url)  # warm the per-process caches (calendar, limits, catalogue)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    dispatched_ticket(operator)
    few = count(client, "/console/hotline/?tab=all"), count(handler_client, "/console/hotline/")
    for _ in range(12):
        dispatched_ticket(operator)
    many = count(client, "/console/hotline/?tab=all"), count(handler_client, "/console/hotline/")
    assert few == many
    assert many[0] <= 12 and many[1] <= 10


def test_the_console_navigation_offers_the_hotline_to_those_who_work_with_tickets(
    personas,
):
    assert "12345 热线" in client_for(personas["operator"]).get("/console/").content.decode()
    assert "12345 热线" in client_for(personas["handler"]).get("/console/").content.decode()
    assert "12345 热线" not in client_for(personas["clerk"]).get("/console/").content.decode()


# --------------------------------------------------------------------------- live fragments


def test_similar_open_tickets_are_shown_while_typing(world, operator):
    ticket = new_ticket(operator)
    response = client_for(operator).get(
        "/console/hotline/intake/similar/",
        {"caller_phone": "13905710001", "content": "学府路积水"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    assert ticket.ticket_no in body and "<h1" not in body


def test_similar_tickets_by_phone_come_from_a_post_only(world, operator):
    """The intake page posts the caller's phone (a phone number never travels in a URL); a GET
    with a phone in its query is not matched by phone."""
    ticket = new_ticket(operator)
    client = client_for(operator)
    posted = client.post(
        "/console/hotline/intake/similar/",
        {"caller_phone": ticket.caller_phone},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert ticket.ticket_no in posted
    by_url = client.get(
        "/console/hotline/intake/similar/", {"caller_phone": ticket.caller_phone}
    ).content.decode()
    assert ticket.ticket_no not in by_url
    assert "没有找到相似的未办结工单。" in by_url


def test_nothing_similar_for_a_few_letters(world, operator):
    new_ticket(operator)
    body = client_for(operator).get("/console/hotline/intake/similar/?content=积").content.decode()
    assert "没有找到相似的未办结工单。" in body


def test_the_address_resolves_to_its_street_or_asks_for_a_person(world, operator):
    client = client_for(operator)
    found = client.get(
        "/console/hotline/intake/locality/", {"address": "云溪区云溪街道望湖社区学府路 18 号"}
    ).content.decode()
    assert "属地：云溪街道 · 望湖社区" in found
    unknown = client.get(
        "/console/hotline/intake/locality/", {"address": "火星基地"}
    ).content.decode()
    assert "需人工确认属地" in unknown


# --------------------------------------------------------------------------- missed calls


def test_missed_calls_are_listed_and_called_back(world, operator):
    call = services.missed_call_record(phone="13905710009")
    client = client_for(operator)
    page = client.get("/console/hotline/missed-calls/").content.decode()
    assert "139****0009" in page and "13905710009" not in page  # masked, never in a URL
    assert f"/console/hotline/intake/?missed={call.pk}" in page
    response = client.post(
        f"/console/hotline/missed-calls/{call.pk}/",
        {f"call{call.pk}-outcome": "called_back", f"call{call.pk}-note": "已解答"},
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.status, call.attempts, call.note) == ("called_back", 1, "已解答")


def test_a_missed_call_outcome_is_required_and_nothing_changes(world, operator):
    call = services.missed_call_record(phone="13905710009")
    response = client_for(operator).post(f"/console/hotline/missed-calls/{call.pk}/", {})
    assert response.status_code == 400
    assert "回拨结果：请选择回拨结果。" in response.content.decode()
    assert MissedCall.objects.get(pk=call.pk).status == "pending"


def test_a_missed_call_with_an_unknown_ticket_number_changes_nothing(world, operator):
    call = services.missed_call_record(phone="13905710009")
    response = client_for(operator).post(
        f"/console/hotline/missed-calls/{call.pk}/",
        {
            f"call{call.pk}-outcome": "called_back",
            f"call{call.pk}-ticket_no": "12345-20200101-000001",
        },
    )
    assert response.status_code == 400
    assert "没有找到工单 12345-20200101-000001" in response.content.decode()
    assert MissedCall.objects.get(pk=call.pk).status == "pending"


def test_a_handler_cannot_resolve_missed_calls(world, handler):
    call = services.missed_call_record(phone="13905710009")
    response = client_for(handler).post(
        f"/console/hotline/missed-calls/{call.pk}/", {f"call{call.pk}-outcome": "called_back"}
    )
    assert response.status_code == 403
    assert MissedCall.objects.get(pk=call.pk).status == "pending"


def test_care_mode_is_served_by_the_same_pages(world, operator):
    client = client_for(operator)
    client.cookies["tongban_mode"] = "care"
    page = client.get("/console/hotline/intake/").content.decode()
    assert 'data-mode="care"' in page
