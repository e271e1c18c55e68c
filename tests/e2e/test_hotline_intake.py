"""Operator intake (接听登记) in a real browser, with the keyboard: an operator records a call
(the phone field has the focus, Tab moves through the form, arrow keys pick in a group), sees
the knowledge base answer and the address's street appear as they type, saves with Ctrl+Enter
and dispatches on the suggestion; the unit's handler signs for the ticket and replies. A second
call is answered directly from a knowledge article picked with the keyboard (Alt+2 style
shortcuts included). Every page is checked with axe-core, and in elderly mode every link and
button must be a 60 px target."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.hotline.factories import hotline_world, staff
from tongban.core.permissions import Role
from tongban.hotline import dispatch
from tongban.hotline.knowledge import index as knowledge_index
from tongban.hotline.knowledge import services as knowledge
from tongban.hotline.models import Ticket

from .conftest import log_in
from .test_console_login import html_mode, serious_violations, small_targets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONTENT = "下雨后道路积水很深，请尽快处理。"
ADDRESS = "云溪区云溪街道望湖社区学府路 18 号"


@pytest.fixture
def centre(transactional_db, settings):
    # The suggestion is shown for the operator to confirm (no 秒派 in this journey).
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 1.5
    world = hotline_world()
    people = {}
    for role, username, name, dept in (
        (Role.HOTLINE_OPERATOR, "huawu", "何话务", world.centre),
        (Role.HANDLER, "chengguan", "陈城管", world.cgj),
    ):
        user = staff(role, dept, username)
        user.display_name = name
        user.save(update_fields=["display_name"])
        people[username] = user
    article = knowledge.article_create(
        actor=None,
        title="道路积水的处置部门和时限",
        content="城市道路积水由区城市管理局负责抽排，一般在 24 小时内处理完毕。",
        department_code="cgj",
        subject_code="03.02.05",
        keywords="积水,内涝",
        valid_from=dt.date(2020, 1, 1),
        submit=True,
    )
    knowledge.article_review(article.pk, actor=None, publish=True)
    knowledge_index.invalidate()
    dispatch.invalidate()
    people["article"] = article
    yield people
    knowledge_index.invalidate()


class Checker:
    """axe-core on every page visited (and, in elderly mode, the 60 px target check)."""

    def __init__(self, mode: str):
        self.mode = mode
        self.found: dict[str, list[str]] = {}

    def __call__(self, page, name: str) -> None:
        assert html_mode(page) == self.mode
        problems = serious_violations(page)
        if self.mode == "care":
            problems += [f"small target: {t}" for t in small_targets(page)]
        self.found[name] = problems

    def assert_clean(self) -> None:
        assert self.found == {name: [] for name in self.found}


def open_as(new_page, live_server, username: str, mode: str, width: int):
    page = new_page(width=width, height=900)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    log_in(page, live_server.url + "/console/login/", username)
    assert page.url == live_server.url + "/console/"
    return page


def focused(page) -> str:
    return page.evaluate("document.activeElement.name || document.activeElement.id")


def type_call(page) -> None:
    """The caller talks; the operator types, moving on with Tab and picking with arrow keys."""
    assert focused(page) == "caller_phone"  # autofocus: typing starts at once
    page.keyboard.type("13905710001")
    page.keyboard.press("Tab")
    assert focused(page) == "caller_name"
    page.keyboard.type("张晓明")
    page.keyboard.press("Tab")  # 匿名举报
    page.keyboard.press("Tab")  # 要求保密
    page.keyboard.press("Tab")  # 诉求类型: the group's first option
    assert focused(page) == "ticket_type"
    page.keyboard.press("ArrowRight")  # 求助
    page.keyboard.press("ArrowRight")  # 投诉
    assert page.locator("#id_ticket_type_2").is_checked()
    page.keyboard.press("Tab")
    assert focused(page) == "content"
    page.keyboard.type(CONTENT)
    page.keyboard.press("Tab")
    assert focused(page) == "address"
    page.keyboard.type(ADDRESS)
    page.keyboard.press("Alt+S")  # the subject: its code, or a word picked from the list
    assert focused(page) == "subject_code"
    page.keyboard.type("03.02.05")


@pytest.mark.parametrize(("mode", "width"), [("standard", 1280), ("care", 1280), ("care", 390)])
def test_operator_records_a_call_with_the_keyboard_and_the_unit_handles_it(
    live_server, new_page, centre, mode, width
):
    check = Checker(mode)
    page = open_as(new_page, live_server, "huawu", mode, width)
    page.get_by_role("link", name="12345 热线").click()
    page.wait_for_load_state()
    check(page, "queue (operator)")
    page.get_by_role("navigation", name="12345 热线").get_by_role("link", name="接听登记").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "接听登记"
    assert page.locator("#shortcuts").get_by_text("Ctrl + Enter").is_visible()
    check(page, "intake")

    type_call(page)
    # live: the knowledge base answers, the address resolves to its street
    hits = page.locator("#knowledge-hits")
    hits.get_by_role("link", name="道路积水的处置部门和时限").wait_for()
    page.locator("#locality").get_by_text("属地：云溪街道 · 望湖社区").wait_for()
    check(page, "intake (typed)")

    # Alt+1: by procedure; Ctrl+Enter saves
    page.keyboard.press("Alt+1")
    assert page.locator('input[name="triage"][value="procedure"]').is_checked()
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/console/hotline/tickets/*/#panel-dispatch")
    ticket = Ticket.objects.get()
    assert ticket.status == "received"
    assert page.get_by_text(f"工单 {ticket.ticket_no} 已登记，请确认派单。").is_visible()
    dispatch_panel = page.locator("#panel-dispatch")
    assert "云溪区城市管理局" in dispatch_panel.locator(".suggestion").inner_text()
    assert dispatch_panel.locator(".confidence").inner_text() == "100%"
    check(page, "ticket (dispatch)")
    dispatch_panel.get_by_role("button", name="派单").click()
    page.wait_for_load_state()
    assert page.get_by_text("已派单至云溪区城市管理局。").is_visible()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.department.code) == ("dispatched", "cgj")

    # the handler: 12345 热线 → 待签收 → the ticket → 签收 → reply
    page = open_as(new_page, live_server, "chengguan", mode, width)
    page.get_by_role("link", name="12345 热线").click()
    page.wait_for_load_state()
    assert "待签收" in page.locator(".tabs__tab[aria-current]").inner_text()
    check(page, "queue (handler)")
    page.get_by_role("link", name=ticket.ticket_no).click()
    page.wait_for_load_state()
    assert "来电人" in page.locator("main").inner_text()
    check(page, "ticket (handler)")
    page.locator("#panel-sign").get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    assert page.get_by_text("已签收，请在办理期限内答复。").is_visible()
    reply = page.locator("#panel-reply")
    reply.get_by_label("办理结果").fill("已安排排水车抽排，积水已清除。")
    reply.get_by_text("是", exact=True).click()
    check(page, "ticket (reply)")
    reply.get_by_role("button", name="办理答复").click()
    page.wait_for_load_state()
    assert page.get_by_text("已答复，热线中心将回访来电人。").is_visible()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.solved) == ("replied", True)
    check.assert_clean()


def test_a_consultation_is_answered_directly_from_the_knowledge_base(live_server, new_page, centre):
    check = Checker("standard")
    page = open_as(new_page, live_server, "huawu", "standard", 1280)
    page.goto(live_server.url + "/console/hotline/intake/")
    type_call(page)
    page.locator("#knowledge-hits").get_by_role("link", name="道路积水的处置部门和时限").wait_for()
    # Alt+K jumps to the knowledge search; Tab reaches the hit's "用此条直接办结"
    page.keyboard.press("Alt+K")
    assert focused(page) == "q"  # the knowledge search box
    pick = page.get_by_role(
        "radio", name=re.compile("^用此条直接办结\\s*：道路积水的处置部门和时限$")
    )
    pick.focus()
    page.keyboard.press("Space")
    assert pick.is_checked()
    check(page, "intake (article picked)")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert page.url == live_server.url + "/console/hotline/intake/"
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.triage) == ("closed", "direct_answer")
    assert page.get_by_text(f"工单 {ticket.ticket_no} 已登记并办结（直接办结）。").is_visible()
    # a fresh form for the next call, the phone field focused
    assert focused(page) == "caller_phone"
    check.assert_clean()


def test_a_bad_save_shows_the_error_summary_and_keeps_what_was_typed(
    live_server, new_page, centre, browser_problems
):
    page = open_as(new_page, live_server, "huawu", "standard", 1280)
    page.goto(live_server.url + "/console/hotline/intake/")
    page.keyboard.type("12345678")  # not a phone number
    page.locator("#id_content").fill(CONTENT)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    browser_problems.expect_status(400)
    assert page.title().startswith("错误：")
    summary = page.locator(".error-summary")
    assert "诉求类型：请选择诉求类型。" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("#id_content").input_value() == CONTENT
    assert Ticket.objects.count() == 0
    assert serious_violations(page) == []


def test_a_repeat_caller_is_found_by_phone_while_typing(live_server, new_page, centre):
    """The live 可能重复的工单 panel posts what is typed (the caller's phone never goes into a
    URL): typing the phone of a caller with an open ticket brings that ticket up."""
    from tests.hotline.factories import new_ticket

    earlier = new_ticket(centre["huawu"], title="望湖路路灯不亮", content="望湖路 3 号路灯不亮。")
    page = open_as(new_page, live_server, "huawu", "standard", 1280)
    seen = []
    page.on("request", lambda r: seen.append((r.method, r.url)) if "similar" in r.url else None)
    page.goto(live_server.url + "/console/hotline/intake/")
    assert focused(page) == "caller_phone"
    page.keyboard.type("13905710001")
    panel = page.locator("#similar-tickets")
    panel.get_by_text(earlier.ticket_no).wait_for()
    assert "找到 1 件未办结的相似工单" in panel.inner_text()
    assert seen and all(m == "POST" and "13905710001" not in u for m, u in seen)
