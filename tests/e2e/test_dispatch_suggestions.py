"""智能派单 in a real browser: the operator types a message on the intake page, the three suggested
subjects appear with their confidence and unit (debounced htmx), and one is picked with the
keyboard (Alt+J, ↓, Enter) into the subject field; the ticket saves under that subject. The
dispatch-quality page is checked too. Every page passes axe-core, in standard and elderly mode
and at phone width (60 px targets in elderly mode).

``TONGBAN_SHOTS=/some/dir`` also saves a screenshot of each page there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hotline import dispatch_model
from tests.hotline.factories import hotline_world, staff
from tongban.core.permissions import Role
from tongban.hotline import dispatch, suggestions
from tongban.hotline.models import DispatchSuggestion, Ticket

from .test_console_login import serious_violations, small_targets
from .test_hotline_intake import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONTENT = "学府路积水很深，请尽快处理"
SHOTS = os.environ.get("TONGBAN_SHOTS", "")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return dispatch_model.build(tmp_path_factory.mktemp("e2e-dispatch-model"))


@pytest.fixture
def centre(transactional_db, settings, model_dir):
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 1.5  # the operator confirms
    world = hotline_world()
    operator = staff(Role.HOTLINE_OPERATOR, world.centre, "huawu")
    dispatch.invalidate()
    model = dispatch_model.activate(model_dir)
    yield {"world": world, "operator": operator, "model": model}
    dispatch_model.deactivate()
    dispatch.clear_classifiers()


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _check(page, mode: str) -> None:
    problems = serious_violations(page)
    if mode == "care":
        problems += [f"small target: {t}" for t in small_targets(page)]
    assert problems == []


@pytest.mark.parametrize(
    ("mode", "width"), [("standard", 1280), ("standard", 390), ("care", 1280), ("care", 390)]
)
def test_the_operator_picks_a_suggested_subject_with_the_keyboard(
    centre, new_page, live_server, mode, width
):
    page = open_as(new_page, live_server, "huawu", mode, width)
    page.goto(live_server.url + "/console/hotline/intake/")
    panel = page.locator("#subject-suggestions")
    panel.get_by_text("输入标题或诉求内容后").wait_for()  # a model is active: the panel waits

    page.locator("#id_caller_phone").fill("13905710001")
    page.locator("#id_ticket_type_2").check()  # 投诉
    page.locator("#id_content").press_sequentially(CONTENT, delay=20)
    buttons = panel.locator(".suggest")
    buttons.first.wait_for()
    assert buttons.count() == 3
    expected = centre["model"].top_k(suggestions.title_of("", CONTENT), CONTENT, k=3)
    first_text = buttons.nth(0).inner_text()
    assert "道路积水" in first_text
    assert f"{round(expected[0][1] * 100)}%" in first_text
    assert "云溪区城市管理局" in first_text
    _check(page, mode)
    _shot(page, f"intake-suggestions-{mode}-{width}")

    # Alt+J jumps to the first suggestion, ↓ moves to the second, Enter picks it
    page.keyboard.press("Alt+j")
    assert page.evaluate("document.activeElement.dataset.pick") == buttons.nth(0).get_attribute(
        "data-pick"
    )
    page.keyboard.press("ArrowDown")
    second = buttons.nth(1).get_attribute("data-pick")
    assert page.evaluate("document.activeElement.dataset.pick") == second
    page.keyboard.press("Enter")
    assert page.locator("#id_subject_code").input_value() == second
    assert buttons.nth(1).get_attribute("aria-pressed") == "true"
    assert page.locator("#suggest-picked").inner_text() == f"已选用：{second}"

    page.keyboard.press("Alt+1")  # by procedure: the dispatcher confirms
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/tickets/**")
    ticket = Ticket.objects.get()
    assert ticket.subject.code == second.split(" ", 1)[0]
    row = DispatchSuggestion.objects.get(ticket=ticket)
    assert row.top_subject.code == expected[0][0]


@pytest.mark.parametrize(
    ("mode", "width"), [("standard", 1280), ("standard", 390), ("care", 1280), ("care", 390)]
)
def test_the_dispatch_quality_page(centre, new_page, live_server, mode, width):
    page = open_as(new_page, live_server, "huawu", mode, width)
    page.goto(live_server.url + "/console/hotline/intake/")
    page.get_by_role("link", name="派单质量").click()
    page.get_by_role("heading", name="派单质量", level=1).wait_for()
    assert page.get_by_role("heading", name="当前模型").is_visible()
    _check(page, mode)
    _shot(page, f"dispatch-quality-{mode}-{width}")


def test_without_a_model_the_panel_says_so(centre, new_page, live_server):
    dispatch_model.deactivate()
    from tongban.hotline.models import ClassifierModel

    ClassifierModel.objects.update(status="retired")
    dispatch_model.deactivate()
    page = open_as(new_page, live_server, "huawu", "standard", 1280)
    page.goto(live_server.url + "/console/hotline/intake/")
    page.locator("#subject-suggestions").get_by_text("当前没有启用的派单模型").wait_for()
    page.locator("#id_content").press_sequentially("路灯不亮", delay=20)
    page.wait_for_timeout(900)
    assert page.locator("#subject-suggestions .suggest").count() == 0
    _shot(page, "intake-no-model")
