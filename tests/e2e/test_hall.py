"""The hall in a real browser: a visitor takes a number at the kiosk page, a clerk calls it from
the window's calling page, and the hall screen (open in another browser page, updating itself
by htmx polling) shows the number and the window. The kiosk page is checked with axe-core and,
being elderly-friendly by default, for 60 px targets."""

from __future__ import annotations

import re

import pytest
import time_machine

from tests.catalog.specs import department
from tests.factories import make_staff
from tests.hall.conftest import at, build_hall
from tongban.core.permissions import Role
from tongban.hall import services
from tongban.hall.models import QueueNumber, Window

from .conftest import log_in
from .test_console_login import html_mode, serious_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SLOW_MACHINE_MS = 60_000  # a shared, loaded test machine; the screen itself polls every second


@pytest.fixture
def monday():
    with time_machine.travel(at("2026-11-02", 10), tick=True):
        yield


@pytest.fixture
def hall_world(transactional_db, monday):
    dept = department("zwzx", 9)
    hall = build_hall(dept)
    clerk = make_staff(Role.WINDOW_CLERK, department=dept, username="hallclerk")
    clerk.display_name = "王丽"
    clerk.save(update_fields=["display_name"])
    window = Window.objects.get(hall=hall, number=1)
    services.window_sign_in(window=window, actor=clerk)
    return hall, window, clerk


def test_take_a_number_call_it_and_see_it_on_the_hall_screen(live_server, new_page, hall_world):
    hall, window, _clerk = hall_world
    screen = new_page(width=1920, height=1080)
    screen.set_default_timeout(SLOW_MACHINE_MS)
    screen.goto(f"{live_server.url}/hall/{hall.code}/screen/")
    assert "暂无叫号" in screen.locator("#screen-live").inner_text()

    kiosk = new_page(width=1280, height=800)
    kiosk.set_default_timeout(SLOW_MACHINE_MS)
    kiosk.goto(f"{live_server.url}/hall/{hall.code}/take/")
    assert html_mode(kiosk) == "care"
    assert serious_violations(kiosk) == []
    kiosk.get_by_role("button", name=re.compile("A · 综合受理")).click()
    kiosk.wait_for_load_state()
    assert kiosk.locator("[data-number]").inner_text() == "A001"
    assert QueueNumber.objects.get().status == "waiting"

    console = new_page(width=1280, height=800)
    console.set_default_timeout(SLOW_MACHINE_MS)
    log_in(console, f"{live_server.url}/console/login/", "hallclerk")
    console.goto(f"{live_server.url}/console/hall/window/{window.pk}/")
    console.get_by_role("button", name="叫下一位").click()
    console.wait_for_load_state()
    assert console.locator("[data-current]").inner_text() == "A001"

    latest = screen.locator("[data-latest-number]")
    latest.wait_for(timeout=SLOW_MACHINE_MS)
    assert latest.inner_text() == "A001"
    assert "到 1 号窗口" in screen.locator(".screen__latest-window").inner_text()
