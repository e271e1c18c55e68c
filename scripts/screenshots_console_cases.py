"""Screenshots of the staff case pages (办件工作台, case page, counter acceptance) for a visual review.

Run it against a server that has the demo district loaded (with its demo cases), started with
``TONGBAN_DEBUG=0``::

    export TONGBAN_DATA_DIR=/tmp/tb-ui TONGBAN_DEBUG=0
    .venv/bin/tongban migrate && .venv/bin/tongban demo load
    .venv/bin/tongban runserver --insecure 127.0.0.1:8000 &
    .venv/bin/python scripts/screenshots_console_cases.py --base-url http://127.0.0.1:8000

It saves full-page PNGs into ``screenshots/`` (git-ignored) named
``<lang>/console-cases/<page>--<mode>--<width>.png``, for each display mode (standard / care)
and width (desktop 1280×800, phone 390×844). The counter journey registers a new applicant
with a fresh, valid ID number and accepts a case, so each run adds a few cases to the demo data.
It drives Debian's Chromium through Playwright, logs in through the real login form, and lists
every Content-Security-Policy refusal or page error the browser reports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from stdnum.cn import ric

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
MODES = ("standard", "care")
MODE_COOKIE = "tongban_mode"
LANGUAGE_COOKIE = "tongban_language"
ELDERLY_CARD = "老年人优待证"  # an item with situation questions (demo catalogue)

Snap = Callable[[str], None]


@dataclass(frozen=True)
class Journey:
    login: str  # demo username
    run: Callable[[Page, str, Snap], None]


def _load(page: Page) -> None:
    page.wait_for_load_state("networkidle")


def _queue_clerk(page: Page, base: str, snap: Snap) -> None:
    page.goto(base + "/console/cases/")
    snap("queue-clerk")
    page.goto(base + "/console/cases/?tab=to_deliver&status=issued")
    snap("queue-clerk-to-deliver")
    first = page.locator(".queue-table__case").first
    if first.count():
        first.click()
        _load(page)
        snap("case-clerk-deliver")
    page.goto(
        base + "/console/cases/?tab=submitted&q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E4%BA%BA"
    )
    snap("queue-nothing")


def _queue_reviewer(page: Page, base: str, snap: Snap) -> None:
    page.goto(base + "/console/cases/")
    snap("queue-reviewer-mine")
    page.goto(base + "/console/cases/?tab=in_review")
    snap("queue-reviewer-in-review")
    first = page.locator(".queue-table__case").first
    if not first.count():
        return
    first.click()
    _load(page)
    snap("case-reviewer")
    panel = page.locator("#panel-complete_step button[type=submit]")
    if panel.count():
        panel.click()  # no opinion: the error summary
        _load(page)
        snap("case-error")


def _queue_supervisor(page: Page, base: str, snap: Snap) -> None:
    page.goto(base + "/console/cases/?tab=in_review")
    snap("queue-supervisor")
    page.goto(base + "/console/cases/?tab=in_review&card=red")
    snap("queue-supervisor-red")
    first = page.locator(".queue-table__case").first
    if first.count():
        first.click()
        _load(page)
        snap("case-supervisor-red")


def fresh_id_number() -> str:
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=random.randrange(14_000))
    body = f"110101{birth:%Y%m%d}{random.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def _counter(page: Page, base: str, snap: Snap) -> None:
    page.goto(base + "/console/cases/counter/")
    snap("counter-find")
    page.click("main form button[type=submit]")
    _load(page)
    snap("counter-find-error")
    page.fill("#id_id_number", fresh_id_number())
    page.click("main form button[type=submit]")
    _load(page)
    snap("counter-register")
    page.fill("#id_name", "屏幕截")
    page.fill("#id_phone", "13900001234")
    page.click("main form button[type=submit]")
    _load(page)
    page.fill("#counter-q", ELDERLY_CARD)
    page.click("main form[role=search] button[type=submit]")
    _load(page)
    snap("counter-item")
    page.locator(".pick-list__link").first.click()
    _load(page)
    snap("counter-question")
    for _ in range(8):
        if page.locator("input[name=step][value=accept]").count():
            break
        unanswered = page.locator(".counter-step fieldset:not(:has(input:checked))").first
        unanswered.locator(".choice__label").first.click()
        page.click(".counter-step form[method=get] button[type=submit]")
        _load(page)
    snap("counter-materials")
    address = page.locator("#id_fd_address")
    if address.count() and not address.input_value():
        address.fill("云溪区云溪街道桂花路 8 号")
    page.click("main form[enctype] button[type=submit]")
    _load(page)
    snap("counter-receipt")


JOURNEYS = {
    "clerk": Journey("clerk", _queue_clerk),
    "reviewer": Journey("reviewer", _queue_reviewer),
    "supervisor": Journey("supervisor", _queue_supervisor),
    "counter": Journey("clerk", _counter),
}


def _context(browser: Browser, base: str, *, viewport: str, mode: str, language: str):
    context = browser.new_context(viewport=VIEWPORTS[viewport], device_scale_factor=1)
    context.add_cookies(
        [
            {"name": MODE_COOKIE, "value": mode, "url": base},
            {"name": LANGUAGE_COOKIE, "value": language, "url": base},
        ]
    )
    return context


def _login(context: BrowserContext, base: str, username: str, password: str) -> None:
    page = context.new_page()
    page.goto(base + "/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form [type=submit]")
    page.wait_for_load_state()
    if "/login/" in page.url:
        raise SystemExit(f"could not log in as {username!r}")
    page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="screenshots", type=Path)
    parser.add_argument(
        "--password", default=os.environ.get("TONGBAN_DEMO_PASSWORD", "tongban-demo-2026")
    )
    parser.add_argument("--only", help="comma-separated journeys: " + ",".join(JOURNEYS))
    parser.add_argument("--languages", default="zh-hans")
    parser.add_argument("--viewports", default=",".join(VIEWPORTS))
    parser.add_argument("--modes", default=",".join(MODES))
    args = parser.parse_args(argv)
    base = args.base_url.rstrip("/")
    names = args.only.split(",") if args.only else list(JOURNEYS)
    problems: list[str] = []
    saved = 0

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for language, viewport, mode, name in itertools.product(
            args.languages.split(","), args.viewports.split(","), args.modes.split(","), names
        ):
            journey = JOURNEYS[name]
            context = _context(browser, base, viewport=viewport, mode=mode, language=language)
            _login(context, base, journey.login, args.password)
            page = context.new_page()
            page.on(
                "console",
                lambda msg, n=name: (
                    problems.append(f"{n}: {msg.text}") if msg.type == "error" else None
                ),
            )
            page.on("pageerror", lambda exc, n=name: problems.append(f"{n}: {exc}"))

            def snap(shot: str, page=page, language=language, viewport=viewport, mode=mode):
                nonlocal saved
                _load(page)
                target = args.out / language / "console-cases" / f"{shot}--{mode}--{viewport}.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target), full_page=True)
                saved += 1

            journey.run(page, base, snap)
            context.close()
        browser.close()

    sys.stdout.write(f"saved {saved} screenshots under {args.out}/\n")
    # a form submitted with errors answers 400 on purpose
    expected = ("the server responded with a status of 400",)
    real = sorted({p for p in problems if not any(e in p for e in expected)})
    for problem in real:
        sys.stderr.write(f"browser reported: {problem}\n")
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
