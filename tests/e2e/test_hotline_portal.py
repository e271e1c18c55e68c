"""The citizen's 12345 pages in a real browser, on a phone and a desktop, in both modes: submit a
request without signing in, note the ticket number, and look it up later by number and phone
in another browser. Every page is checked with axe-core, and in elderly mode every link and
button must be a 60 px target."""

from __future__ import annotations

import pytest

from tests.hotline.factories import hotline_world
from tongban.hotline.models import Ticket

from .test_console_login import html_mode, serious_violations, small_targets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def checked(page, mode: str, found: dict, name: str) -> None:
    assert html_mode(page) == mode
    found[name] = serious_violations(page)
    if mode == "care":
        found[name] += [f"small target: {t}" for t in small_targets(page)]


@pytest.mark.parametrize(("mode", "width"), [("standard", 1280), ("care", 390)])
def test_a_citizen_submits_a_request_and_looks_it_up(
    live_server, new_page, browser_problems, transactional_db, mode, width
):
    hotline_world()
    found: dict[str, list[str]] = {}
    page = new_page(width=width, height=844)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    page.goto(live_server.url + "/hotline/")
    checked(page, mode, found, "start")
    page.get_by_role("link", name="开始提交").click()
    page.wait_for_load_state()
    checked(page, mode, found, "submit")

    # forgot the phone number: the error summary, the page title, nothing written
    page.get_by_label("投诉").check()
    page.get_by_label("请说明您的诉求").fill("学府路路灯连续一周不亮，晚上很危险。")
    page.get_by_role("button", name="提交诉求").click()
    page.wait_for_load_state()
    browser_problems.expect_status(400)
    assert page.title().startswith("错误：")
    assert "联系电话：请填写联系电话" in page.locator(".error-summary").inner_text()
    assert Ticket.objects.count() == 0
    checked(page, mode, found, "submit (error)")

    page.get_by_label("联系电话").fill("13905710002")
    page.get_by_label("事发地址").fill("云溪区云溪街道望湖社区学府路 18 号")
    page.get_by_role("button", name="提交诉求").click()
    page.wait_for_url(live_server.url + "/hotline/submitted/")
    ticket = Ticket.objects.get()
    assert (ticket.source, ticket.caller_phone) == ("web", "13905710002")
    assert page.locator(".confirmation__ref").inner_text() == ticket.ticket_no
    checked(page, mode, found, "submitted")

    # later, in another browser: by number and phone
    other = new_page(width=width, height=844)
    other.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    other.goto(live_server.url + "/hotline/lookup/")
    other.get_by_label("工单编号").fill(ticket.ticket_no)
    other.get_by_label("联系电话").fill("13905710002")
    other.get_by_role("button", name="查询").click()
    other.wait_for_url(live_server.url + f"/hotline/tickets/{ticket.ticket_no}/")
    assert "目前进展：" in other.locator(".notice").inner_text()
    assert other.locator('[aria-current="step"]').inner_text().startswith("已")
    checked(other, mode, found, "progress")
    assert found == {name: [] for name in found}
