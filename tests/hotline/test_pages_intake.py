"""The operator's intake page: one save records the call with its triage outcome (国办函〔2025〕
66号); bad input is shown inline with an error summary and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.hotline import services
from tongban.hotline.knowledge import services as knowledge
from tongban.hotline.models import MissedCall, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

URL = "/console/hotline/intake/"
CALL = {
    "caller_phone": "13905710001",
    "caller_name": "张晓明",
    "ticket_type": "complaint",
    "content": "学府路与望湖路交叉口下雨后积水很深，行人无法通行。",
    "address": "云溪区云溪街道望湖社区学府路 18 号",
    "subject_code": "03.02.05 道路积水",
    "urgency": "normal",
    "hazard": "",
    "source": "phone",
    "triage": "procedure",
    "idempotency_key": "call-1",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def post(user, client=None, **changes):
    data = {**CALL, **changes}
    client = client or client_for(user)
    return client.post(URL, {k: v for k, v in data.items() if v is not None})


def nothing_written():
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_the_page_starts_with_the_phone_field_and_explains_its_shortcuts(world, operator):
    page = client_for(operator).get(URL).content.decode()
    assert (
        'name="caller_phone"' in page and "autofocus" in page.split('name="caller_phone"')[1][:200]
    )
    assert "<kbd>Alt + 1 … 6</kbd>" in page and "<kbd>Ctrl + Enter</kbd>" in page
    for n, label in enumerate(
        [
            "按程序办理（派单）",
            "直接办结（知识库答复）",
            "即时转 110/119/120/122",
            "告知法定途径",
            "解释说明后办结",
            "恶意骚扰，移交公安",
        ],
        start=1,
    ):
        assert f'data-key="{n}"' in page and label in page
    assert '<option value="03.02.05 道路积水">城乡建设 › 市政设施 · 积水,内涝</option>' in page
    assert "hotline/intake.js" in page and "htmx" in page


def test_a_call_nothing_routes_is_saved_and_goes_on_to_dispatch(world, operator):
    client = client_for(operator)
    response = post(
        operator, client, subject_code="", content="小区门口的人行道砖松动，老人容易绊倒。"
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/hotline/tickets/{ticket.ticket_no}/#panel-dispatch"
    assert (ticket.status, ticket.source, ticket.ticket_type) == ("received", "phone", "complaint")
    assert (ticket.subject, ticket.street, ticket.created_by) == (None, world.yunxi, operator)
    assert ticket.title == "小区门口的人行道砖松动，老人容易绊倒。"
    assert (ticket.caller_name, ticket.caller_phone) == ("张晓明", "13905710001")
    page = client.get(response["Location"]).content.decode()
    assert f"工单 {ticket.ticket_no} 已登记，请确认派单。" in page


def test_the_same_save_twice_makes_one_ticket(world, operator):
    post(operator)
    post(operator)
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [{"subject_code": "", "content": "望湖路窨井盖丢失，很危险。"}, {}],
    ids=["by a rule", "by the catalogue"],
)
def test_a_call_the_rules_can_route_is_dispatched_at_once(world, operator, changes):
    client = client_for(operator)
    response = post(operator, client, **changes)
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.auto_dispatched, ticket.department) == (
        "dispatched",
        True,
        world.cgj,
    )
    assert response["Location"] == URL
    page = client.get(URL).content.decode()
    assert f"工单 {ticket.ticket_no} 已登记，并已秒派至云溪区城市管理局。" in page


@pytest.mark.parametrize(
    ("changes", "outcome", "note"),
    [
        (
            {
                "triage": "direct_answer",
                "ticket_type": "consultation",
                "triage_note": "告知办理地点。",
            },
            "direct_answer",
            "告知办理地点。",
        ),
        (
            {"triage": "emergency_transfer", "emergency_line": "119"},
            "emergency_transfer",
            "119 火警",
        ),
        (
            {
                "triage": "legal_route",
                "legal_route": "reconsideration",
                "triage_note": "已告知复议机关。",
            },
            "legal_route",
            "行政复议；已告知复议机关。",
        ),
        (
            {"triage": "explain_close", "explain_ground": "privacy"},
            "explain_close",
            "涉及他人个人隐私或个人信息",
        ),
        (
            {"triage": "police_referral", "triage_note": "反复辱骂话务员。"},
            "police_referral",
            "反复辱骂话务员。",
        ),
    ],
)
def test_every_other_outcome_closes_the_ticket_at_intake(world, operator, changes, outcome, note):
    response = post(operator, **changes)
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.triage, ticket.triage_note) == ("closed", outcome, note)
    assert ticket.dispatch_count == 0
    assert response["Location"] == URL
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True)) == [
        "create",
        {"direct_answer": "direct_answer"}.get(outcome, outcome),
    ]


def test_answer_directly_with_a_knowledge_article(world, operator):
    article = knowledge.article_create(
        actor=None,
        title="道路积水怎么报",
        content="道路积水由区城市管理局负责排水。",
        department_code="cgj",
        valid_from=dt.date(2020, 1, 1),
        submit=True,
    )
    knowledge.article_review(article.pk, actor=None, publish=True)
    post(operator, ticket_type="consultation", article_id=str(article.pk))
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.triage) == ("closed", "direct_answer")
    assert ticket.triage_note == f"已按知识库条目（编号 {article.pk}）答复来电人。"
    close = TicketEvent.objects.get(ticket=ticket, action="direct_answer")
    assert close.payload["article"] == article.pk


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"content": "  "}, "content", "诉求内容：请填写诉求内容。"),
        (
            {"caller_phone": ""},
            "caller_phone",
            "来电号码：请填写来电号码；匿名举报请勾选“匿名举报”。",
        ),
        (
            {"caller_phone": "12345678"},
            "caller_phone",
            "电话号码：格式不正确：手机号为 11 位数字，固定电话需带区号（如 0571-87654321）。",
        ),
        ({"ticket_type": None}, "ticket_type_0", "诉求类型：请选择诉求类型。"),
        ({"anonymous": "on"}, "anonymous", "匿名举报（不留姓名电话）：只有举报可以匿名。"),
        (
            {"triage": "legal_route"},
            "legal_route_0",
            "告知的法定途径：请选择告知来电人的法定途径。",
        ),
        (
            {"triage": "direct_answer"},
            "triage_note",
            "答复或说明：直接办结请选用一条知识库答复，或写明答复来电人的内容。",
        ),
        ({"subject_code": "99.99.99 不存在"}, "subject_code", "99.99.99"),
    ],
)
def test_bad_input_is_shown_inline_and_nothing_is_written(world, operator, changes, field, message):
    response = post(operator, **changes)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>错误：" in page
    assert 'class="error-summary"' in page
    assert f'href="#id_{field}"' in page
    assert message in page
    nothing_written()


def test_a_handler_cannot_record_calls(world, handler):
    response = post(handler)
    assert response.status_code == 403
    nothing_written()


def test_a_call_back_of_a_missed_call_is_marked_when_the_ticket_is_saved(world, operator):
    call = services.missed_call_record(phone="13905710001")
    page = client_for(operator).get(f"{URL}?phone=13905710001&missed={call.pk}").content.decode()
    assert 'value="13905710001"' in page and f'name="missed_call" value="{call.pk}"' in page
    post(operator, missed_call=str(call.pk))
    call = MissedCall.objects.get(pk=call.pk)
    assert (call.status, call.ticket) == ("called_back", Ticket.objects.get())


def test_every_problem_is_listed_at_once(world, operator):
    response = post(operator, caller_phone="123", ticket_type=None, content="")
    assert response.status_code == 400
    page = response.content.decode()
    summary = page.split('class="error-summary"')[1].split("</ul>")[0]
    assert summary.count("<li>") == 3
    assert "电话号码：格式不正确" in summary
    assert "诉求类型：请选择诉求类型。" in summary and "诉求内容：请填写诉求内容。" in summary
    # what was typed stays in the form
    assert 'value="123"' in page and 'value="张晓明"' in page
    nothing_written()
