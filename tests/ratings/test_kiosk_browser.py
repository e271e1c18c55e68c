"""The window rating device's kiosk page in a real browser (Debian's Chromium through
Playwright): paired by its pairing URL, idle until the clerk pushes "请您评价本次服务", five large
buttons the applicant taps (no JavaScript needed), the thanks screen; a staff-mode device shows
no buttons. Checked with axe-core, at desktop and phone width, normal and elderly mode."""

from __future__ import annotations

import pytest

from tests.e2e.test_console_login import html_mode, serious_violations, small_targets
from tests.factories import make_staff
from tongban.core.permissions import Role
from tongban.ratings import services
from tongban.ratings.models import DeviceMode, Rating, RatingDevice

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def window(transactional_db, mzj):
    clerk = make_staff(Role.WINDOW_CLERK, department=mzj, username="linchuang")
    device, token = services.device_register(code="K1", department=mzj, window="3号窗口")
    return clerk, device, token


def open_kiosk(make_page, live_server, token: str, mode: str, width: int):
    page = make_page(width=width, height=844 if width < 800 else 800)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    page.goto(f"{live_server.url}/rate/device/pair/{token}/")
    page.wait_for_load_state()
    assert page.url == live_server.url + "/rate/device/"
    assert html_mode(page) == mode
    return page


@pytest.mark.parametrize(("mode", "width"), [("standard", 1280), ("care", 390)])
def test_the_applicant_taps_a_rating_on_the_kiosk(
    live_server,
    new_page,
    window,
    mode,
    width,
):
    clerk, device, token = window
    page = open_kiosk(new_page, live_server, token, mode, width)
    assert page.locator("h1").inner_text() == "欢迎办事"
    assert page.locator("form.kiosk-levels").count() == 0

    services.device_request_push(actor=clerk, device_code=device.code)
    page.reload()
    assert page.locator("h1").inner_text() == "请您评价本次服务"
    buttons = page.locator("form.kiosk-levels button")
    assert [b.split("\n")[-1].strip() for b in buttons.all_inner_texts()] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert serious_violations(page) == []
    if mode == "care":
        assert small_targets(page) == []
    for i in range(5):  # big targets for a finger
        box = buttons.nth(i).bounding_box()
        assert box["height"] >= 60

    buttons.filter(has_text="满意").nth(1).click()  # 满意
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "感谢您的评价"
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.device) == ("device", 4, "K1")
    assert rating.staff == clerk


def test_a_staff_mode_device_shows_no_buttons(live_server, new_page, window):
    clerk, device, token = window
    services.device_request_push(actor=clerk, device_code=device.code)
    RatingDevice.objects.filter(pk=device.pk).update(mode=DeviceMode.STAFF)
    page = open_kiosk(new_page, live_server, token, "standard", 1280)
    assert page.locator("h1").inner_text() == "设备维护中"
    assert page.locator("form.kiosk-levels").count() == 0
    assert Rating.objects.count() == 0
