"""The configuration site (/admin/) works in Chinese under the strict Content-Security-Policy:
no inline script or style is needed for its pages, widgets and forms."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import DepartmentFactory, make_staff
from tongban.core.permissions import Role

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCHEDULE_2027 = "\n".join(
    [
        "元旦：放假 2027-01-01~2027-01-03",
        "春节：放假 2027-02-06~2027-02-13；上班 2027-02-14、2027-02-20",
    ]
)


@pytest.fixture
def administrator(transactional_db):
    department = DepartmentFactory(code="sjj", name="云溪区数据资源管理局")
    return make_staff(Role.ADMINISTRATOR, department=department, username="admin")


def admin_login(page, live_server):
    log_in(page, live_server.url + "/admin/login/", "admin")
    page.wait_for_url(live_server.url + "/admin/")


def test_admin_login_and_index_in_chinese(live_server, page, administrator):
    page.goto(live_server.url + "/admin/")
    assert page.url == live_server.url + "/admin/login/?next=/admin/"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("button", name="登录").is_visible()

    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("correct-horse-battery")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/admin/")
    assert page.title() == "配置 | 通办"
    assert page.locator("#site-name").inner_text() == "通办 · 系统配置"
    assert page.get_by_role("link", name="年度放假安排").is_visible()
    assert page.get_by_role("link", name="登录尝试").is_visible()  # django-axes, in Chinese too

    # the navigation filter in the sidebar is script-driven (admin/js/nav_sidebar.js)
    page.goto(live_server.url + "/admin/core/region/")
    page.locator("#nav-filter").fill("年度")
    sidebar = page.locator("#nav-sidebar")
    assert sidebar.get_by_role("link", name="年度放假安排").is_visible()
    assert not sidebar.get_by_role("link", name="区划", exact=True).is_visible()


def test_calendar_year_add_page_saves_a_schedule(live_server, page, administrator):
    admin_login(page, live_server)
    page.goto(live_server.url + "/admin/core/calendaryear/add/")
    assert page.title() == "增加 年度放假安排 | 通办"

    # a wrong line is refused with a clear message and nothing is saved
    page.get_by_label("年份").fill("2027")
    page.get_by_label("依据文号").fill("国办发明电〔2026〕7号")
    page.get_by_label("放假和调休安排").fill("春节：请假 2027-02-06")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    assert "“请假”应为“放假”或“上班”" in page.locator(".errorlist").inner_text()
    assert page.url.endswith("/admin/core/calendaryear/add/")

    page.get_by_label("放假和调休安排").fill(SCHEDULE_2027)
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(live_server.url + "/admin/core/calendaryear/")
    assert "成功" in page.locator(".messagelist").inner_text()
    assert page.locator("#result_list").get_by_role("link", name="2027").is_visible()


def test_date_widget_and_changelist_actions_work_without_inline_code(
    live_server, page, administrator
):
    admin_login(page, live_server)
    page.goto(live_server.url + "/admin/core/calendaroverride/add/")
    # DateTimeShortcuts: the calendar pops up and "今天" fills the field
    page.locator(".date-icon").first.click()
    calendar = page.locator(".calendarbox").first
    assert calendar.is_visible()
    calendar.get_by_role("link", name="今天").click()
    value = page.locator("#id_date").input_value()  # the zh-hans input format: 2026/11/21
    assert dt.date.fromisoformat(value.replace("/", "-"))

    # the changelist's select-all checkbox and action counter (admin/js/actions.js)
    page.goto(live_server.url + "/admin/core/department/")
    page.locator("#action-toggle").check()
    assert page.locator(".action-counter").inner_text() == "选中了 1 个中的 1 个"
