"""一件事 in a real browser: the 我要开网约车 bundle from its situation wizard to one application
(9 materials instead of 15, each uploaded once) and the bundle page with a lane per department —
in standard mode on a desktop and elderly mode on a phone, each page checked with axe-core."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.factories import PersonFactory, UserFactory
from tongban.cases.models import BundleCase, Case, CaseMaterial

from .conftest import PASSWORD
from .test_apply import Checker, click, heading

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RIDE = {
    "has_driver_permit": "no",
    "vehicle_registered": "no",
    "household_local": "yes",
    "exam_passed": "yes",
    "proxy": "self",
}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def district(transactional_db):
    from tongban.catalog import demo as catalog_demo
    from tongban.core import demo as core_demo

    core_demo.load(out=io.StringIO().write)
    catalog_demo.load(out=io.StringIO().write)


@pytest.fixture
def driver(district):
    user = UserFactory(username="driver_wang", display_name="王师傅")
    PersonFactory(name="王师傅", user=user, phone="13905710009", address="云溪区学府路 18 号")
    return user


@pytest.mark.parametrize(("mode", "width"), [("standard", 1280), ("care", 390)])
def test_apply_for_the_ride_hailing_bundle(
    live_server, new_page, browser_problems, driver, mode, width
):
    page = new_page(width=width, height=844)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    check = Checker(page, mode)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("driver_wang")
    page.get_by_label("密码").fill(PASSWORD)
    click(page, "button", "登录")

    # the bundle's situation wizard: one question per page
    page.goto(f"{live_server.url}/bundles/wangyueche/situation/?restart=1")
    for _ in range(8):
        match = re.search(r"/situation/([a-z_]+)/$", page.url)
        if match is None or match.group(1) == "summary":
            break
        page.locator(f"input.radios__input[value='{RIDE[match.group(1)]}']").check()
        click(page, "button", "继续")
    assert heading(page) == "您的情形和所需材料"
    click(page, "link", "在线申报")

    # one application: the combined form and the de-duplicated materials
    assert page.url == f"{live_server.url}/apply/bundles/wangyueche/"
    assert heading(page) == "我要开网约车"
    assert page.get_by_text(re.compile("材料 9 份（分别办理需 15 份）")).is_visible()
    check("application")
    click(page, "button", "提交一件事申请")  # nothing filled in: the error summary
    browser_problems.expect_status(400)
    assert page.title().startswith("错误：")
    assert page.locator(".error-summary").is_visible()
    check("application (errors)")
    page.get_by_label("车牌号码").fill("浙A·D12345")
    files = page.locator("input[type=file]")
    assert files.count() == 9
    for i in range(files.count()):
        files.nth(i).set_input_files(
            files=[{"name": f"材料{i}.png", "mimeType": "image/png", "buffer": _png()}]
        )
    click(page, "button", "提交一件事申请")

    # the bundle page: one lane per department
    bc = BundleCase.objects.get()
    assert page.url == f"{live_server.url}/my/bundles/{bc.bundle_no}/"
    assert heading(page) == "我要开网约车"
    assert page.locator(".bundle-lane").count() == 2
    assert page.locator(".bundle-lane__case").count() == 3
    check("bundle page")
    assert Case.objects.filter(bundle_member__bundle_case=bc, status="submitted").count() == 3
    rows = CaseMaterial.objects.filter(case__bundle_member__bundle_case=bc)
    assert (rows.count(), rows.values("file").distinct().count()) == (15, 9)
    check.assert_clean()
