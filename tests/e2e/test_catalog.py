"""Browser journeys through the catalogue of the demo district: search, a guide, the situation
wizard of an item (with a wrong empty submit and a change link) and of a bundle down to the
materials list, in standard and elderly mode, on a desktop and a phone, each page checked with
axe-core (no serious or critical violations)."""

from __future__ import annotations

import re

import pytest

from tongban.catalog import demo as catalog_demo
from tongban.catalog import search
from tongban.core import demo as core_demo

from .test_console_login import html_mode, serious_violations, small_targets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEACHER = "教师资格认定"
RIDE_HAILING = "/bundles/wangyueche/"


@pytest.fixture
def demo(transactional_db):
    """The demo district and its catalogue (not the demo cases: these journeys need none)."""
    core_demo.load(out=lambda _line: None)
    catalog_demo.load(out=lambda _line: None)
    search.invalidate()
    yield
    search.invalidate()


class Checker:
    """Runs axe-core (and, in elderly mode, the 60 px target check) on every page visited."""

    def __init__(self, page, mode: str):
        self.page = page
        self.mode = mode
        self.found: dict[str, list[str]] = {}

    def __call__(self, name: str) -> None:
        assert html_mode(self.page) == self.mode
        problems = serious_violations(self.page)
        if self.mode == "care":
            problems += [f"small target: {t}" for t in small_targets(self.page)]
        self.found[name] = problems

    def assert_clean(self) -> None:
        assert self.found == {name: [] for name in self.found}


def open_page(new_page, live_server, mode: str, width: int):
    page = new_page(width=width, height=844)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    return page


def choose(page, label: str) -> None:
    page.locator(".radios__label", has_text=re.compile(f"^{re.escape(label)}$")).click()
    page.get_by_role("button", name="继续").click()
    page.wait_for_load_state()


def material_names(page) -> list[str]:
    return page.locator(".material__name").all_inner_texts()


@pytest.mark.parametrize(("mode", "width"), [("standard", 1280), ("care", 390)])
def test_item_situation_wizard(live_server, new_page, browser_problems, demo, mode, width):
    page = open_page(new_page, live_server, mode, width)
    check = Checker(page, mode)

    # the home page's search box leads into the catalogue
    page.goto(live_server.url + "/")
    page.get_by_label("您要办什么事？").fill("jiaoshi")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_load_state()
    assert page.url.startswith(live_server.url + "/items/?q=jiaoshi")
    check("catalogue (search)")
    page.get_by_role("link", name=TEACHER, exact=True).click()
    page.wait_for_load_state()

    # the guide: start page with key facts and a print button that JavaScript switched on
    assert page.title().startswith(f"{TEACHER} · 办事指南")
    assert page.get_by_role("heading", level=1).inner_text() == TEACHER
    assert page.locator(".key-fact").count() == 4
    assert page.locator(".js-print").first.is_visible()
    check("guide")
    page.get_by_role("link", name="开始办理：确认我的情形").click()
    page.wait_for_load_state()

    # question 1, first submitted with nothing chosen
    assert page.get_by_role("heading", level=1).inner_text() == "申请哪一类教师资格？"
    check("question 1")
    page.get_by_role("button", name="继续").click()
    page.wait_for_load_state()
    browser_problems.expect_status(400)
    assert page.title().startswith("错误：申请哪一类教师资格？")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading").inner_text() == "提交的信息有问题"
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    check("question 1 (error)")
    summary.get_by_role("link", name="请选择一项。").click()
    assert page.evaluate("document.activeElement.id") == "id_answer_0"

    choose(page, "幼儿园教师资格")
    assert page.locator(".caption").first.inner_text().endswith("第 2 问")
    # the back link returns to the previous question with its answer kept
    page.locator(".back-link").click()
    page.wait_for_load_state()
    assert page.get_by_role("radio", name="幼儿园教师资格").is_checked()
    page.get_by_role("button", name="继续").click()
    page.wait_for_load_state()
    choose(page, "户籍在云溪区")
    choose(page, "是")  # 师范生 → the follow-up question applies
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("是否已取得师范生教师职业能力证书")
    )
    check("question 4 (follow-up)")
    choose(page, "是")

    # the summary: the situation with change links, and exactly the materials
    assert page.get_by_role("heading", level=1).inner_text() == "您的情形和所需材料"
    assert page.locator(".summary-list__action a").count() == 4
    assert "师范生教师职业能力证书" in material_names(page)
    assert page.locator(".js-print").is_visible()
    assert page.get_by_role("link", name="在线申报").is_visible()  # the cases app's application
    check("summary")

    # change an answer: the follow-up no longer applies and drops out
    page.locator(".summary-list__row", has_text="师范生）毕业").get_by_role("link").click()
    page.wait_for_load_state()
    assert page.get_by_role("radio", name="是").is_checked()
    choose(page, "否")
    assert page.get_by_role("heading", level=1).inner_text() == "您的情形和所需材料"
    assert page.locator(".summary-list__action a").count() == 3
    assert "师范生教师职业能力证书" not in material_names(page)
    # and back: the wizard asks the question that applies again before the summary
    page.locator(".summary-list__row", has_text="师范生）毕业").get_by_role("link").click()
    choose(page, "是")
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("是否已取得师范生教师职业能力证书")
    )
    choose(page, "否")
    assert page.locator(".summary-list__action a").count() == 4
    check("summary (changed)")

    check.assert_clean()


@pytest.mark.parametrize(("mode", "width"), [("standard", 390), ("care", 1280)])
def test_bundle_situation_wizard(live_server, new_page, demo, mode, width):
    page = open_page(new_page, live_server, mode, width)
    check = Checker(page, mode)

    page.goto(live_server.url + "/items/")
    check("catalogue")
    page.get_by_role("link", name="我要开网约车").first.click()
    page.wait_for_load_state()
    assert page.url == live_server.url + RIDE_HAILING
    stats = page.locator(".stat").all_inner_texts()
    assert [" ".join(s.split()) for s in stats] == [
        "3 个事项一次申报",
        "9 份材料（原需 15 份）",
        "2 个部门并联办理",
    ]
    assert page.locator(".item-list__item").count() == 3
    check("bundle")

    page.get_by_role("link", name="开始办理：确认我的情形").click()
    page.wait_for_load_state()
    asked = []
    while page.locator(".radios").count():
        asked.append(page.get_by_role("heading", level=1).inner_text())
        if len(asked) == 1:
            check("bundle question")
        page.locator(".radios__label").last.click()
        page.get_by_role("button", name="继续").click()
        page.wait_for_load_state()
    assert asked[:2] == [
        "您是否已取得网络预约出租汽车驾驶员证？",
        "车辆的使用性质是否已登记为“预约出租客运”？",
    ]
    assert page.get_by_role("heading", level=1).inner_text() == "您的情形和所需材料"
    assert page.locator(".summary-list__action a").count() == len(asked)
    lead = " ".join(page.locator("#items-title + .lead").inner_text().split())
    assert re.fullmatch(r"一次申报 3 个事项，需提交 (\d+) 份材料（分别办理需 (\d+) 份）。", lead)
    needed, separately = map(int, re.findall(r"\d+", lead)[1:])
    assert needed == len(material_names(page)) < separately
    assert page.get_by_text("个事项共用").first.is_visible()
    check("bundle summary")

    check.assert_clean()


@pytest.mark.parametrize("mode", ["standard", "care"])
def test_catalogue_filters_on_a_phone(live_server, new_page, demo, mode):
    page = open_page(new_page, live_server, mode, 390)
    check = Checker(page, mode)
    page.goto(live_server.url + "/items/?audience=person")
    # on a phone the filters start folded, with the results first
    assert page.locator("details.filters").get_attribute("open") is None
    page.locator(".filters__toggle").click()
    page.get_by_label("主题").select_option(label="养老服务")
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_load_state()
    assert "theme=elderly-care" in page.url
    names = page.locator(".result__title a").all_inner_texts()
    assert "老年人优待证办理" in names
    assert page.get_by_role("link", name=re.compile("主题：养老服务")).is_visible()
    check("catalogue (filtered)")
    page.get_by_role("link", name=re.compile("主题：养老服务")).click()
    page.wait_for_load_state()
    assert "theme=" not in page.url
    check.assert_clean()
