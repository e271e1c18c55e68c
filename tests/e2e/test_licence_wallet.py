"""The holder's wallet (我的证照) in a real browser, on a desktop and a phone, in standard and
elderly mode: from the navigation to the wallet, the QR display for the counter (亮证) — the QR
on the screen decodes back to the licence's verification address and fits a phone's width —, a
share link made for a third party and opened in another browser (face data shown, the opening
in the holder's access log), then the link withdrawn and refused. Every page is checked with
axe-core and, in elderly mode, for 60 px click targets."""

from __future__ import annotations

import datetime as dt

import pytest
from PIL import Image

from tests.factories import PersonFactory, UserFactory
from tests.licences.factories import LicenceTypeFactory, issue
from tongban.licences import qr
from tongban.licences.models import Authorisation, LicenceAccess

from .test_apply import Checker, click, heading

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def licence(transactional_db):
    user = UserFactory(username="wangxy", display_name="王秀英")
    person = PersonFactory(name="王秀英", user=user, phone="13905710003")
    licence_type = LicenceTypeFactory(name="老年人优待证")
    return issue(licence_type, holder=person, issued_on=dt.date.today() - dt.timedelta(days=30))


def _decode_qr(page, tmp_path) -> str:
    import zxingcpp

    shot = tmp_path / "qr.png"
    page.locator(".show-licence__qr svg").screenshot(path=str(shot))
    found = zxingcpp.read_barcodes(Image.open(shot))
    assert found, "no QR code on the screen"
    return found[0].text


@pytest.mark.parametrize(("mode", "width"), [("standard", 1280), ("care", 390)])
def test_the_holder_shows_and_shares_a_licence(
    live_server, new_page, browser_problems, licence, tmp_path, mode, width
):
    page = new_page(width=width, height=844)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    check = Checker(page, mode)

    # log in, then the wallet from the home page
    page.goto(f"{live_server.url}/login/?next=/")
    page.get_by_label("用户名").fill("wangxy")
    page.get_by_label("密码").fill("correct-horse-battery")
    click(page, "button", "登录")
    page.get_by_role("link", name="我的证照：查看、亮证、分享您的电子证照").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/my/licences/"
    assert heading(page) == "我的证照"
    card = page.locator(".licence-card").first
    assert "老年人优待证" in card.inner_text()
    assert licence.number in card.inner_text()
    assert card.locator(".licence-state").inner_text() == "有效"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check("wallet")

    # 亮证: a large QR that decodes to the verification address, no sideways scrolling
    click(page, "link", "亮证：老年人优待证")
    assert page.url == f"{live_server.url}/my/licences/{licence.pk}/show/"
    assert _decode_qr(page, tmp_path) == qr.verification_url(licence)
    box = page.locator(".show-licence__qr svg").bounding_box()
    assert box["width"] >= min(250, width - 40)
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check("show")

    # a share link for a third party, first submitted without a recipient
    page.goto(f"{live_server.url}/my/licences/{licence.pk}/share/")
    click(page, "button", "生成分享链接")
    browser_problems.expect_status(400)
    assert page.title().startswith("错误：")
    assert page.locator(".error-summary").is_visible()
    assert not Authorisation.objects.exists()
    check("share (error)")
    page.locator("#id_grantee").fill("云溪公交集团")
    page.locator("#id_purpose").fill("办理老年人乘车卡")
    click(page, "button", "生成分享链接")
    link = page.locator("#share-link").input_value()
    assert link.startswith(f"{live_server.url}/shared/")
    check("share (done)")

    # the third party opens it in another browser: the face data, logged
    other = new_page(width=width, height=844)
    other.goto(link)
    assert "老年人优待证" in other.locator("main").inner_text()
    assert licence.number in other.locator("main").inner_text()
    assert LicenceAccess.objects.filter(licence=licence).count() == 1

    # the holder sees the opening in the log, and withdraws the link
    page.goto(f"{live_server.url}/my/licences/")
    log = page.locator("section[aria-labelledby=log-title] table").inner_text()
    assert "云溪公交集团" in log
    page.get_by_role("button", name="撤回").first.click()
    page.wait_for_load_state()
    assert Authorisation.objects.get().revoked_at is not None
    check("wallet (withdrawn)")
    other.goto(link)
    browser_problems.expect_status(410)
    assert "撤回" in other.locator("main").inner_text()
    check.assert_clean()
