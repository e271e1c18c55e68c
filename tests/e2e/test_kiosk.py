"""The self-service terminal in a real browser: identify with ID number and SMS code, see the
case's progress, take a number; the idle script returns to the start page by itself. Checked
with axe-core and, elderly mode being the default there, for 60 px targets."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import override_settings

from tests.cases.conftest import applicant, approver, clerk, code, item, mzj, reviewer  # noqa: F401
from tests.factories import make_kiosk
from tests.hall.conftest import at, build_hall
from tests.selfservice.conftest import issue_case, issued  # noqa: F401
from tongban.core.models import Notification
from tongban.hall.models import QueueNumber

from .test_console_login import html_mode, serious_violations, small_targets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def monday():
    with time_machine.travel(at("2026-11-02", 10), tick=True):
        yield


@pytest.fixture
def kiosk_world(transactional_db, monday, mzj, item, issued):  # noqa: F811
    hall = build_hall(mzj, item=item)
    return make_kiosk("k1", hall=hall), issued


def _sms_code(person) -> str:
    text = Notification.objects.filter(person=person, title="自助终端验证码").latest("id").body
    return re.search(r"验证码 (\d{6})", text).group(1)


@pytest.mark.parametrize("width", [1280, 390])
def test_identify_see_progress_and_take_a_number(
    live_server,
    new_page,
    kiosk_world,
    applicant,  # noqa: F811
    width,
):
    _kiosk, case = kiosk_world
    page = new_page(width=width, height=800 if width > 800 else 844)
    page.goto(f"{live_server.url}/kiosk/k1/")
    assert html_mode(page) == "care"
    assert serious_violations(page) == []
    assert small_targets(page) == []
    page.get_by_role("link", name=re.compile("办件查询与打印")).click()
    assert page.locator("h1").inner_text() == "核验身份"
    page.get_by_label("身份证号码").fill(applicant.person.id_number)
    page.get_by_role("button", name="获取短信验证码").click()
    assert "验证码已发送到手机" in page.locator(".kiosk-lead").inner_text()
    page.get_by_label("短信验证码").fill(_sms_code(applicant.person))
    page.get_by_role("button", name="确认").click()
    assert page.locator("h1").inner_text() == "我的办件"
    page.get_by_role("link", name=re.compile(case.case_no)).click()
    assert page.locator("h1").inner_text() == case.item_version.name
    assert "已出证" in page.locator(".summary-list").inner_text()
    assert page.locator(".steps").count() == 1
    assert serious_violations(page) == []
    page.get_by_role("link", name="返回办件列表").click()
    page.get_by_role("link", name="返回首页").click()
    page.get_by_role("link", name=re.compile("取号")).click()
    page.get_by_role("button", name=re.compile("综合受理")).click()
    assert page.locator(".kiosk-ticket__number").inner_text() == "A001"
    number = QueueNumber.objects.get()
    assert (number.channel, number.person_id) == ("self_service", applicant.person.pk)
    assert serious_violations(page) == []


def test_the_idle_script_returns_to_the_start(live_server, new_page, kiosk_world):
    with override_settings(TONGBAN_KIOSK_IDLE_SECONDS=2):
        page = new_page(width=1280, height=800)
        page.goto(f"{live_server.url}/kiosk/k1/pickup/")
        assert page.locator("h1").inner_text() == "自助取件"
        page.wait_for_url(f"{live_server.url}/kiosk/k1/", timeout=10_000)
        assert "您已长时间未操作" in page.locator(".notices").inner_text()
