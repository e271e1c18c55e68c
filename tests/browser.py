"""Browser fixtures shared by every browser test (tests/e2e and the apps' own browser tests):
pytest-django's live server driven by Debian's Chromium through Playwright.

They are registered once, in tests/conftest.py, so that one session-wide Playwright instance
serves every directory (a second registration would start a second Playwright inside the first
one's event loop). Without /usr/bin/chromium these tests are skipped, unless
``TONGBAN_REQUIRE_BROWSER=1`` (as in ``make test``), which turns the missing browser into a
failure. No browser is ever downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse the
# ORM calls that set up each test's data.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct-horse-battery"

# Reports every Content-Security-Policy refusal to the test as a console error.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    reason = (
        f"{CHROMIUM} is missing: install Debian's chromium (scripts/install-debian.sh chromium)"
    )
    if os.environ.get("TONGBAN_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " — TONGBAN_REQUIRE_BROWSER=1 makes this a failure", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class BrowserProblems(list):
    """Console errors, page errors, CSP refusals and failed requests seen while a test ran."""

    def expect_status(self, status: int) -> None:
        """Pages that answer ``status`` on purpose: their failed responses are no problem."""
        self[:] = [p for p in self if not p.startswith(f"HTTP {status} ")]


# Chromium asks every page without a <link rel="icon"> (the Django admin's) for /favicon.ico.
IGNORED_PATHS = ("/favicon.ico",)


def _watch(page, problems: BrowserProblems) -> None:
    def on_console(msg):
        # a failed request is reported below, with its address
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(msg.text)

    def on_response(response):
        if response.status >= 400 and not response.url.endswith(IGNORED_PATHS):
            problems.append(f"HTTP {response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def new_page(browser, browser_problems) -> Iterator[Callable[..., object]]:
    """Opens a page in a fresh browser context (own cookies) set up like a user in China."""
    contexts = []

    def make(*, width: int = 1280, height: int = 800):
        context = browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(15_000)
        context.add_init_script(CSP_WATCH)
        contexts.append(context)
        page = context.new_page()
        _watch(page, browser_problems)
        return page

    yield make
    for context in contexts:
        context.close()
    assert list(browser_problems) == [], "the browser reported problems"


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, url: str, username: str, password: str = PASSWORD) -> None:
    """Fills in and submits the login form on ``url`` (a login page)."""
    page.goto(url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit], #login-form [type=submit]").click()
    page.wait_for_load_state()
