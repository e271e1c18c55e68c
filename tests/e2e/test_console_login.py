"""A staff member logs in to the console in a real browser; elderly mode, errors, English and
accessibility (axe-core) of the base pages."""

from __future__ import annotations

import pytest

from tests.factories import DepartmentFactory, make_staff
from tongban.core.permissions import Role

from .conftest import PASSWORD, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEPARTMENT = "云溪区市场监督管理局"
# Everything a person clicks in elderly mode must be at least this big (适老化: 60 × 60 px).
CARE_TARGET = 60
CLICKABLE = "a:not(.skip-link), button"


@pytest.fixture
def staff(transactional_db):
    department = DepartmentFactory(code="scjg", name=DEPARTMENT)
    user = make_staff(Role.WINDOW_CLERK, department=department, username="linchuang")
    user.display_name = "林窗口"
    user.save(update_fields=["display_name"])
    return user


def html_mode(page) -> str:
    return page.locator("html").get_attribute("data-mode")


def body_metrics(page) -> dict:
    return page.evaluate(
        """() => {
          const s = getComputedStyle(document.body);
          return {size: parseFloat(s.fontSize), line: parseFloat(s.lineHeight)};
        }"""
    )


def small_targets(page) -> list[str]:
    """Visible clickable elements smaller than the care-mode minimum."""
    return page.evaluate(
        """([selector, min]) => [...document.querySelectorAll(selector)]
          .filter((el) => el.offsetParent !== null)
          .map((el) => [el, el.getBoundingClientRect()])
          .filter(([el, r]) => r.width < min || r.height < min)
          .map(([el, r]) => `${el.textContent.trim()} (${Math.round(r.width)}×${Math.round(r.height)})`)""",
        [CLICKABLE, CARE_TARGET],
    )


def test_staff_logs_in_and_switches_elderly_mode(live_server, page, staff):
    page.goto(live_server.url + "/console/")
    assert page.url == live_server.url + "/console/login/?next=/console/"
    assert page.title() == "工作人员登录 · 通办 · 政务服务平台"

    page.get_by_label("用户名").fill("linchuang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(live_server.url + "/console/")
    assert page.get_by_role("heading", level=1).inner_text() == "您好，林窗口"
    assert page.get_by_text(DEPARTMENT).is_visible()
    assert page.get_by_text("综合窗口人员").is_visible()
    assert html_mode(page) == "standard"
    assert body_metrics(page)["size"] == 16

    # elderly mode: a plain link, stored in a cookie, back on the same page
    page.get_by_role("link", name="长辈版（大字）").click()
    page.wait_for_url(live_server.url + "/console/")
    assert html_mode(page) == "care"
    metrics = body_metrics(page)
    assert metrics["size"] >= 24
    assert metrics["line"] / metrics["size"] >= 1.3
    assert small_targets(page) == []
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["tongban_mode"] == "care"

    # it persists on the next page load
    page.goto(live_server.url + "/console/")
    assert html_mode(page) == "care"
    assert page.get_by_text(DEPARTMENT).is_visible()

    # and switches back
    page.get_by_role("link", name="标准版").click()
    page.wait_for_url(live_server.url + "/console/")
    assert html_mode(page) == "standard"
    assert body_metrics(page)["size"] == 16


def test_wrong_password_shows_the_error_summary(live_server, page, staff):
    page.goto(live_server.url + "/console/login/")
    page.get_by_label("用户名").fill("linchuang")
    page.get_by_label("密码").fill("not-my-password")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()

    assert page.title().startswith("错误：")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("heading").inner_text() == "提交的信息有问题"
    # the summary takes focus, and its message leads to the field
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "id_username"
    assert page.url.endswith("/console/login/#id_username")
    # still not logged in
    page.goto(live_server.url + "/console/")
    assert "/console/login/" in page.url


def test_wrong_password_in_elderly_mode_keeps_the_mode(live_server, page, staff):
    page.goto(live_server.url + "/console/login/")
    page.get_by_role("link", name="长辈版（大字）").click()
    page.get_by_label("用户名").fill("linchuang")
    page.get_by_label("密码").fill("not-my-password")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    assert html_mode(page) == "care"
    assert page.title().startswith("错误：")
    assert small_targets(page) == []


def test_switching_to_english(live_server, page, staff):
    page.goto(live_server.url + "/console/login/")
    page.get_by_role("button", name="English").click()
    page.wait_for_url(live_server.url + "/console/login/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.title() == "Staff login · Tongban · Government Services"
    assert page.get_by_role("heading", level=1).inner_text() == "Staff login"

    page.get_by_label("Username").fill("linchuang")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(live_server.url + "/console/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, 林窗口"
    assert page.get_by_text("Window clerk").is_visible()
    assert page.get_by_role("link", name="Senior mode (large text)").is_visible()

    # and back to Chinese
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_url(live_server.url + "/console/")
    assert page.get_by_role("heading", level=1).inner_text() == "您好，林窗口"


# --- accessibility -------------------------------------------------------------------------


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("mode", ["standard", "care"])
@pytest.mark.parametrize("width", [1280, 390])
def test_base_pages_pass_axe(live_server, new_page, staff, mode, width):
    page = new_page(width=width, height=844)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    found = {}
    for path in ("/", "/login/", "/console/login/"):
        page.goto(live_server.url + path)
        assert html_mode(page) == mode
        found[path] = serious_violations(page)
        if mode == "care":
            assert small_targets(page) == [], path

    # the login page with an error summary
    log_in(page, live_server.url + "/console/login/", "linchuang", "not-my-password")
    assert page.title().startswith("错误：")
    found["/console/login/ (error)"] = serious_violations(page)
    if mode == "care":
        assert small_targets(page) == []

    log_in(page, live_server.url + "/console/login/", "linchuang")
    assert page.url == live_server.url + "/console/"
    found["/console/"] = serious_violations(page)
    if mode == "care":
        assert small_targets(page) == []

    assert found == {path: [] for path in found}
