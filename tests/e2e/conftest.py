"""Browser journeys: pytest-django's live server driven by Debian's Chromium through Playwright.

The fixtures (browser, new_page, page, browser_problems) live in tests/browser.py and are
registered for the whole suite in tests/conftest.py; the helpers are re-exported here.
"""

from tests.browser import (  # noqa: F401  (re-exported helpers)
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_WATCH,
    IGNORED_PATHS,
    PASSWORD,
    BrowserProblems,
    log_in,
)
