"""The dashboard in a real browser (Debian's Chromium through Playwright): ECharts draws every
chart (a canvas in each chart box, aria on), no CSP refusal or script error, and clicking through
from a table number opens the list of the cases behind it."""

from __future__ import annotations

import pytest

from tests.browser import log_in
from tests.factories import make_staff
from tongban.core.permissions import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def supervisor_user(transactional_db, mzj):
    user = make_staff(Role.SUPERVISOR, department=mzj, username="huangjiancha")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_the_dashboard_draws_its_charts(live_server, page, october, supervisor_user):
    log_in(page, live_server.url + "/console/login/", "huangjiancha", PASSWORD)
    page.goto(live_server.url + "/console/supervision/dashboard/?month=2026-10")
    assert page.locator("h1").inner_text() == "指标看板"
    boxes = page.locator("[data-chart]")
    n = boxes.count()
    assert n >= 5
    page.wait_for_function(
        "n => document.querySelectorAll('[data-chart] canvas').length >= n", arg=n
    )
    for i in range(n):
        box = boxes.nth(i)
        assert box.locator("canvas").count() == 1, box.get_attribute("data-chart")
        # ECharts' aria module writes a description of the chart for screen readers
        assert box.get_attribute("aria-label")
    # the KPI card for 受理办件数 shows the hand-built month's 5 cases and links to them
    accepted = page.locator(".kpi-card", has_text="受理办件数").locator("a")
    assert accepted.inner_text() == "5"
    accepted.click()
    page.wait_for_load_state()
    assert "/console/supervision/list/" in page.url
    assert page.locator("tbody tr").count() == 5
