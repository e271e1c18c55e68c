"""The grid worker's phone page in a real browser at 390×844: log in, report an event with a
photo from the camera input and the browser's position (granted), solved on the spot; report
another that flows into dispatch; record a home visit. Checked with axe-core, without overflow
at phone width, and in elderly mode every link and button is a 60 px target."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.hotline.factories import hotline_world, staff
from tongban.core.permissions import Role
from tongban.grid.models import GridEvent
from tongban.grid.services import grid_create, grid_worker_assign

from .conftest import log_in
from .test_console_login import serious_violations, small_targets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RING = [[120.10, 30.20], [120.12, 30.20], [120.12, 30.22], [120.10, 30.22]]


@pytest.fixture
def worker(transactional_db):
    world = hotline_world()
    grid = grid_create(
        code="yx-wh-01",
        name="望湖第一网格",
        street=world.yunxi,
        communities=[world.wanghu],
        boundary=RING,
    )
    user = staff(Role.GRID_WORKER, world.yunxi_unit, "wanggrid")
    user.display_name = "王网格"
    user.save(update_fields=["display_name"])
    grid_worker_assign(grid=grid, worker=user)
    return user


def jpeg() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 120, 60)).save(out, format="JPEG")
    return {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_grid_worker_reports_from_a_phone(live_server, new_page, worker, browser_problems):
    page = new_page(width=390, height=844)
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 30.21, "longitude": 120.11})
    log_in(page, live_server.url + "/console/login/", "wanggrid")

    page.goto(live_server.url + "/console/grid/")
    assert page.get_by_role("heading", name="我的网格").is_visible()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.get_by_role("link", name="上报事件").first.click()
    page.wait_for_url("**/console/grid/report/")

    camera = page.locator("#id_photo")
    assert camera.get_attribute("accept") == "image/*"
    assert camera.get_attribute("capture") == "environment"
    camera.set_input_files(jpeg())
    page.get_by_label("发生了什么").fill("望湖路 12 号楼道堆放杂物堵塞消防通道。")
    page.get_by_label("事发地址").fill("望湖路与观澜路路口")  # vague: the position places it
    page.get_by_role("button", name="使用我的位置").click()
    # the browser answers asynchronously: wait for the status line
    page.get_by_role("status").filter(has_text="已取得位置").wait_for(timeout=15_000)
    assert page.locator("#id_latitude").input_value() == "30.210000"
    page.get_by_label("已当场解决（自行处置）").check()
    page.get_by_label("处置情况").fill("已联系住户当场清理，通道恢复畅通。")
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/console/grid/events/12345-*/")
    assert page.get_by_text("事件已上报并办结（自行处置）。").is_visible()
    event = GridEvent.objects.get()
    assert (event.resolution, event.ticket.status) == ("on_spot", "closed")
    assert str(event.ticket.latitude) == "30.210000"
    assert event.ticket.attachments.count() == 1

    # an event outside the grid: the error summary names it, nothing is filed
    page.goto(live_server.url + "/console/grid/report/")
    page.get_by_label("发生了什么").fill("湖滨路路灯不亮。")
    page.get_by_label("事发地址").fill("云溪区东湖街道湖滨社区湖滨路 6 号")
    page.get_by_role("button", name="提交").click()
    assert page.title().startswith("错误：")
    assert page.locator(".error-summary").get_by_text("不在您负责的网格").is_visible()
    assert GridEvent.objects.count() == 1
    browser_problems.expect_status(400)  # the refused report answers 400 on purpose


def test_the_phone_pages_in_elderly_mode(live_server, new_page, worker):
    page = new_page(width=390, height=844)
    page.context.add_cookies([{"name": "tongban_mode", "value": "care", "url": live_server.url}])
    log_in(page, live_server.url + "/console/login/", "wanggrid")
    for path in ("/console/grid/", "/console/grid/report/", "/console/grid/visits/"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("data-mode") == "care"
        assert no_horizontal_scroll(page), path
        assert small_targets(page) == [], path
        assert serious_violations(page) == [], path
