"""Online application in a real browser: from the guide through the situation wizard, logging in
on the way, the task list, a question page (first submitted empty), the materials (an e-licence
and an upload), check your answers, the confirmation and the case page — in standard and
elderly mode, on a desktop and a phone, each page checked with axe-core (no serious or critical
violations) and, in elderly mode, for click targets of at least 60 × 60 px."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, UserFactory
from tongban.catalog.services import item_save_spec

from .conftest import PASSWORD
from .test_console_login import html_mode, serious_violations, small_targets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ITEM = "老年人优待证办理"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def item(transactional_db):
    department("mzj", 7)
    version = item_save_spec(spec=spec("mzj"), publish=True)
    return version.item.implementation_code


@pytest.fixture
def applicant(transactional_db):
    user = UserFactory(username="zhangxm", display_name="张晓明")
    PersonFactory(name="张晓明", user=user, phone="13905710001")
    return user


class Checker:
    """axe-core on every page visited (and, in elderly mode, the 60 px target check)."""

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


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def click(page, role: str, name: str) -> None:
    """Clicks the element with this accessible name (spaces between its parts ignored)."""
    pattern = re.compile(r"^\s*" + r"\s*".join(map(re.escape, name)) + r"\s*$")
    page.get_by_role(role, name=pattern).first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("mode", "width"), [("standard", 1280), ("care", 390)])
def test_apply_online_from_the_guide(
    live_server, new_page, browser_problems, item, applicant, mode, width
):
    page = new_page(width=width, height=844)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    check = Checker(page, mode)

    # the guide and the situation wizard
    page.goto(f"{live_server.url}/items/{item}/")
    click(page, "link", "开始办理：确认我的情形")
    assert heading(page) == "是否本人办理？"
    page.locator(".radios__label", has_text=re.compile("^是$")).click()
    click(page, "button", "继续")
    assert heading(page) == "您的情形和所需材料"
    click(page, "link", "在线申报")

    # logging in on the way keeps the answers
    assert page.url == f"{live_server.url}/login/?next=/apply/{item}/"
    page.get_by_label("用户名").fill("zhangxm")
    page.get_by_label("密码").fill(PASSWORD)
    click(page, "button", "登录")
    assert page.url == f"{live_server.url}/apply/{item}/"
    assert heading(page) == ITEM
    assert page.get_by_text("是否本人办理？").is_visible()
    assert page.get_by_text("申请人：张晓明").is_visible()
    check("start")
    click(page, "button", "开始申报")

    # the task list
    assert re.fullmatch(rf"{live_server.url}/my/cases/[0-9-]+/apply/", page.url)
    case_no = page.url.split("/")[-3]
    assert page.locator("#task-form-status").inner_text() == "未完成"
    assert page.locator("#task-materials-status").inner_text() == "还差 2 份"
    check("task list")
    click(page, "link", "填写申请表")

    # one question per page: the address, first submitted empty
    assert heading(page) == "联系地址"
    click(page, "button", "保存并继续")
    browser_problems.expect_status(400)
    assert page.title().startswith("错误：联系地址")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    check("question (error)")
    page.locator(".error-summary").get_by_role("link", name="联系地址：请填写此项。").click()
    assert page.evaluate("document.activeElement.id") == "id_address"
    page.get_by_label("联系地址").fill("云溪区云溪街道学府路 18 号")
    click(page, "button", "保存并继续")
    assert page.locator("#task-form-status").inner_text() == "已完成"

    # the materials: the ID card as an e-licence, the photo uploaded
    click(page, "link", "上传材料")
    assert heading(page) == "上传材料"
    assert page.get_by_text("支持 PDF、JPEG、PNG、OFD 格式，每个文件不超过 20 MB").is_visible()
    check("materials")
    click(page, "button", "使用电子证照：居民身份证")
    assert page.get_by_text("“居民身份证”：已选择电子证照。").is_visible()
    page.set_input_files(
        "#material-2-file", files=[{"name": "照片.png", "mimeType": "image/png", "buffer": _png()}]
    )
    click(page, "button", "上传：近期免冠照片")
    assert page.locator("#material-2 .file-list__name").inner_text() == "照片.png"
    check("materials (done)")
    click(page, "link", "完成，返回任务列表")
    assert page.locator("#task-materials-status").inner_text() == "已完成"

    # check your answers, submit
    click(page, "link", "核对并提交")
    assert heading(page) == "提交前请核对"
    check("check answers")
    page.get_by_label(re.compile("^本人承诺所填写的信息")).check()
    click(page, "button", "提交申请")
    assert page.url == f"{live_server.url}/my/cases/{case_no}/submitted/"
    assert heading(page) == "申请已提交"
    assert page.locator(".panel__ref").inner_text() == case_no
    assert page.get_by_text("受理后承诺 5 个工作日内办结（法定时限 20 个工作日）。").is_visible()
    check("confirmation")

    # the case page and 我的办件
    click(page, "link", "查看办件进度")
    assert heading(page) == ITEM
    current = page.locator(".steps__item[aria-current=step]")
    step = " ".join(current.inner_text().split())
    # the law's acceptance date: 5 working days from receipt (第三十二条)
    assert re.fullmatch(
        r"2 受理 当前步骤：等待受理：\d{4}-\d{2}-\d{2} 前受理，或一次性告知需要补正的全部材料", step
    ), step
    assert page.locator(".timeline__title").all_inner_texts() == ["提交申请", "开始填写申请"]
    check("case page")
    click(page, "link", "我的办件")
    assert page.get_by_role("link", name=ITEM).is_visible()
    assert page.get_by_text("待受理").is_visible()
    check("my cases")

    check.assert_clean()


@pytest.mark.parametrize("mode", ["standard", "care"])
def test_an_upload_refused_and_the_draft_withdrawn(
    live_server, new_page, browser_problems, item, applicant, mode
):
    page = new_page(width=390 if mode == "standard" else 1280, height=844)
    page.context.add_cookies([{"name": "tongban_mode", "value": mode, "url": live_server.url}])
    check = Checker(page, mode)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("zhangxm")
    page.get_by_label("密码").fill(PASSWORD)
    click(page, "button", "登录")
    page.goto(f"{live_server.url}/items/{item}/situation/?restart=1")
    page.locator(".radios__label", has_text=re.compile("^是$")).click()
    click(page, "button", "继续")
    click(page, "link", "在线申报")
    click(page, "button", "开始申报")
    click(page, "link", "上传材料")

    # a file that is not what its name says
    page.set_input_files(
        "#material-2-file",
        files=[{"name": "照片.png", "mimeType": "image/png", "buffer": b"not an image"}],
    )
    click(page, "button", "上传：近期免冠照片")
    browser_problems.expect_status(400)
    assert page.title().startswith("错误：上传材料")
    message = "文件：只接受 JPEG、OFD、PDF、PNG 格式的文件。"
    assert page.locator("#material-2-error").text_content() == "错误：" + message
    check("materials (refused)")
    page.locator(".error-summary").get_by_role(
        "link", name="近期免冠照片：只接受 JPEG、OFD、PDF、PNG 格式的文件。"
    ).click()
    assert page.evaluate("document.activeElement.id") == "material-2-file"

    # save and return: the draft waits in 我的办件; then withdraw it
    page.goto(f"{live_server.url}/my/cases/")
    check("my cases (draft)")
    click(page, "link", ITEM)
    click(page, "link", "不再申请？撤回此申请")
    assert heading(page) == "确定要撤回申请吗？"
    check("withdraw")
    click(page, "button", "确认撤回")
    assert page.get_by_text("申请已撤回。").is_visible()
    assert page.locator(".case-status .status").inner_text() == "已撤回"
    check("case page (withdrawn)")
    check.assert_clean()
