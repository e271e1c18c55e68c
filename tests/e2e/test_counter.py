"""Counter acceptance (一窗受理) in a real browser: a window clerk registers an applicant by ID
number, picks the item by search, answers the situation question, ticks the materials and
accepts; the department's reviewer and approver then decide the case through their queue and
the case page. Every page is checked with axe-core (no serious or critical violations), and in
elderly mode every link and button must be a 60 px target."""

from __future__ import annotations

import re

import pytest

from tests.catalog.specs import department, spec
from tests.factories import make_id_number, make_staff
from tongban.catalog import search
from tongban.catalog.services import item_save_spec
from tongban.core.permissions import Role

from .conftest import log_in
from .test_console_login import html_mode, serious_violations, small_targets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(transactional_db):
    mzj = department("mzj", 7)
    item_save_spec(spec=spec("mzj"), publish=True)
    search.invalidate()
    people = {}
    for role, username, name, dept in (
        (Role.WINDOW_CLERK, "linchuang", "林窗口", None),
        (Role.REVIEWER, "wushencha", "吴审查", mzj),
        (Role.APPROVER, "zhengpizhun", "郑批准", mzj),
    ):
        user = make_staff(role, department=dept, username=username)
        user.display_name = name
        user.save(update_fields=["display_name"])
        people[username] = user
    yield people
    search.invalidate()


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
    page = new_page(width=width, height=844)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    log_in(page, live_server.url + "/console/login/", username)
    assert page.url == live_server.url + "/console/"
    return page


def submit(page, selector: str) -> None:
    page.locator(selector).click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("mode", "width"), [("standard", 1280), ("care", 390)])
def test_counter_acceptance_then_review_and_decision(
    live_server, new_page, browser_problems, district, mode, width
):
    check = Checker(mode)
    # the clerk: 办件 → 窗口收件受理
    page = open_as(new_page, live_server, "linchuang", mode, width)
    page.get_by_role("link", name="办件", exact=True).click()
    page.wait_for_load_state()
    check(page, "queue (clerk)")
    page.get_by_role("link", name="窗口收件受理").click()
    page.wait_for_load_state()
    check(page, "counter: find")

    # a wrong ID number: the error summary, the page title, nothing else
    page.get_by_label("身份证号码").fill("330106198506200000")
    submit(page, "main form button[type=submit]")
    assert page.title().startswith("错误：")
    assert "校验位不正确" in page.locator(".error-summary").inner_text()
    browser_problems.expect_status(400)
    check(page, "counter: find (error)")

    number = make_id_number(41)
    page.get_by_label("身份证号码").fill(number)
    submit(page, "main form button[type=submit]")
    masked = number[:4] + "*" * 10 + number[-4:]
    assert masked in page.locator("main").inner_text()
    assert number not in page.locator("main").inner_text()  # masked on screen
    check(page, "counter: register")
    page.get_by_label("姓名").fill("王秀英")
    page.get_by_label("手机号码").fill("13900001111")
    submit(page, "main form button[type=submit]")

    page.get_by_label("搜索事项").fill("lnr")
    submit(page, "main form[role=search] button[type=submit]")
    check(page, "counter: item search")
    page.get_by_role("link", name="老年人优待证办理").click()
    page.wait_for_load_state()
    check(page, "counter: question")
    page.locator(".choice__label", has_text=re.compile("^是$")).click()
    submit(page, "main form[method=get] button[type=submit]")
    assert page.get_by_role("heading", name="收取材料并受理").is_visible()
    check(page, "counter: materials")
    photo = page.locator(".counter-material", has_text="近期免冠照片")
    photo.locator(".choice__label", has_text="窗口收取纸质件").click()
    page.get_by_label("联系地址").fill("云溪街道桂花路 8 号")
    submit(page, "main form[enctype] button[type=submit]")

    # landed on the case page with the receipt
    assert "?receipt=1" in page.url
    receipt = page.locator(".receipt")
    assert "受理回执" in receipt.inner_text()
    assert "测试mzj" in receipt.inner_text()
    assert "王秀英" in receipt.inner_text() and masked in receipt.inner_text()
    case_no = receipt.locator(".receipt__no").inner_text().strip()
    assert re.fullmatch(r"330199-\d{8}-\d{5}", case_no)
    assert page.get_by_role("button", name="打印受理回执").is_visible()
    check(page, "case page (receipt)")

    # the reviewer of the department finds it among their tasks and completes the step
    page = open_as(new_page, live_server, "wushencha", mode, width)
    page.goto(live_server.url + "/console/cases/")
    assert page.get_by_role("link", name=case_no, exact=True).is_visible()
    check(page, "queue (reviewer)")
    page.get_by_role("link", name=case_no, exact=True).click()
    page.wait_for_load_state()
    check(page, "case page (reviewer)")
    submit(page, "#panel-complete_step button[type=submit]")  # no opinion
    assert page.title().startswith("错误：")
    browser_problems.expect_status(400)
    check(page, "case page (error)")
    page.locator("#panel-complete_step textarea").fill("材料齐全，符合条件")
    submit(page, "#panel-complete_step button[type=submit]")
    assert "本环节已办结" in page.locator(".notices").inner_text()

    # the approver approves
    page = open_as(new_page, live_server, "zhengpizhun", mode, width)
    page.goto(live_server.url + "/console/cases/")
    page.get_by_role("link", name=case_no, exact=True).click()
    page.wait_for_load_state()
    assert "行政复议" in page.locator("#panel-deny").inner_text()  # the appeal rights
    check(page, "case page (approver)")
    submit(page, "#panel-approve button[type=submit]")
    assert "已作出准予许可决定。" in page.locator(".notices").inner_text()
    assert page.locator(".case-head .status-tag").inner_text() == "准予许可"
    timeline = page.locator(".timeline").inner_text()
    for step in ("受理", "完成审查环节", "准予许可"):
        assert step in timeline
    check.assert_clean()
