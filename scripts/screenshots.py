"""Screenshots of tongban's pages (base pages and the catalogue) for a visual review.

Run it against a server that has the demo district loaded. Start that server with
``TONGBAN_DEBUG=0`` so that the real 404 page is shown instead of Django's debug page::

    export TONGBAN_DATA_DIR=/tmp/tb-ui TONGBAN_DEBUG=0
    .venv/bin/tongban migrate && .venv/bin/tongban demo load
    .venv/bin/tongban runserver --insecure 127.0.0.1:8000 &
    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8000

It saves full-page PNGs into ``screenshots/`` (git-ignored), one per page, display mode
(standard / care), width (desktop 1280×800, phone 390×844) and language (zh-hans / en), named
``<lang>/<page>--<mode>--<width>.png``. It drives Debian's Chromium through Playwright, logs in
through the real login forms, and lists every Content-Security-Policy refusal or page error the
browser reports (a strict CSP must break nothing).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

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
LANGUAGES = ("zh-hans", "en")
MODE_COOKIE = "tongban_mode"
LANGUAGE_COOKIE = "tongban_language"


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    login: str | None = None  # a key of LOGINS: log in as that demo account first
    action: Callable[[Page, int], None] | None = None  # runs after loading `path`
    modes: tuple[str, ...] = MODES  # the admin has no elderly mode


def _submit_wrong_password(page: Page, attempt: int) -> None:
    # A fresh username each time, so that django-axes never locks a real demo account out.
    page.fill("#id_username", f"screenshot-wrong-{os.getpid()}-{attempt}")
    page.fill("#id_password", "not-the-password")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _submit_empty(page: Page, attempt: int) -> None:
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _walk(choice: int) -> Callable[[Page, int], None]:
    """Answers every question of a situation wizard with option ``choice`` (0 first, -1 last)
    until the summary page."""

    def walk(page: Page, attempt: int) -> None:
        for _ in range(12):
            radios = page.locator(".radios__input")
            if not radios.count():
                return
            page.locator(".radios__label").nth(
                choice if choice >= 0 else radios.count() + choice
            ).click()
            page.click("main form button[type=submit]")
            page.wait_for_load_state()

    return walk


# Demo catalogue items (implementation codes of the demo district).
ELDERLY_CARD = "1133019900000006054002001101000"  # 老年人优待证办理: situations
HOUSE_TRANSFER = "11330199000000160T4000711201000"  # 二手房转移登记: fees
CLINIC = "1133019900000007064000105202000"  # 医疗机构执业登记: no situations, special procedure
TEACHER = "1133019900000008074000106101000"  # 教师资格认定: a follow-up question
RIDE_HAILING = "wangyueche"  # 我要开网约车

SHOTS = [
    Shot("portal-home", "/"),
    Shot("portal-home-applicant", "/", login="applicant"),
    Shot("portal-login", "/login/"),
    Shot("portal-login-error", "/login/", action=_submit_empty),
    Shot("console-login", "/console/login/"),
    Shot("console-login-error", "/console/login/", action=_submit_wrong_password),
    Shot("console-home", "/console/", login="staff"),
    Shot("console-home-admin", "/console/", login="admin"),
    Shot("not-found", "/no-such-page/"),
    Shot("catalogue", "/items/"),
    Shot("catalogue-search", "/items/?q=lnr"),
    Shot("catalogue-filtered", "/items/?audience=person&theme=elderly-care"),
    Shot("catalogue-page-2", "/items/?page=2"),
    Shot("catalogue-nothing", "/items/?q=%E7%81%AB%E6%98%9F%E7%A7%BB%E6%B0%91"),
    Shot("guide", f"/items/{ELDERLY_CARD}/"),
    Shot("guide-fees", f"/items/{HOUSE_TRANSFER}/"),
    Shot("guide-no-situations", f"/items/{CLINIC}/"),
    Shot("question", f"/items/{TEACHER}/situation/?restart=1"),
    Shot("question-error", f"/items/{TEACHER}/situation/?restart=1", action=_submit_empty),
    Shot("summary", f"/items/{TEACHER}/situation/?restart=1", action=_walk(0)),
    Shot("bundle", f"/bundles/{RIDE_HAILING}/"),
    Shot("bundle-question", f"/bundles/{RIDE_HAILING}/situation/?restart=1"),
    Shot("bundle-summary", f"/bundles/{RIDE_HAILING}/situation/?restart=1", action=_walk(-1)),
    Shot("console-catalogue", "/console/catalog/?q=%E8%AF%81", login="staff"),
    Shot("console-catalogue-admin", "/console/catalog/?audience=enterprise", login="admin"),
    Shot("wallet", "/my/licences/", login="applicant"),
    Shot("wallet-log", "/my/licences/log/", login="applicant"),
    Shot("my-policies", "/my/policies/", login="applicant"),
    Shot("console-licences", "/console/licences/", login="approver"),
    Shot("console-rules", "/console/rules/", login="admin"),
    Shot("console-rectifications", "/console/ratings/", login="handler"),
    Shot("supervision", "/console/supervision/", login="supervisor"),
    Shot("supervision-dashboard", "/console/supervision/dashboard/", login="supervisor"),
    Shot("supervision-reports", "/console/supervision/reports/", login="supervisor"),
    Shot("hotline-intake", "/console/hotline/intake/", login="operator"),
    Shot("dispatch-quality", "/console/hotline/dispatch-quality/", login="operator"),
    Shot("admin-login", "/admin/login/", modes=("standard",)),
    Shot("admin-index", "/admin/", login="admin", modes=("standard",)),
    Shot(
        "admin-calendaryear-add",
        "/admin/core/calendaryear/add/",
        login="admin",
        modes=("standard",),
    ),
]


def _login(context: BrowserContext, base_url: str, who: str, args: argparse.Namespace) -> None:
    username = {"applicant": args.applicant, "staff": args.staff, "admin": args.admin}.get(who, who)
    login_path = {"applicant": "/login/", "admin": "/admin/login/"}.get(who, "/console/login/")
    page = context.new_page()
    page.goto(base_url + login_path)
    page.fill("#id_username", username)
    page.fill("#id_password", args.password)
    page.click("main form [type=submit], #login-form [type=submit]")
    page.wait_for_load_state()
    if "/login/" in page.url:
        raise SystemExit(f"could not log in as {username!r} at {login_path}")
    page.close()


def _new_context(
    browser: Browser, base_url: str, *, viewport: str, mode: str, language: str
) -> BrowserContext:
    context = browser.new_context(viewport=VIEWPORTS[viewport], device_scale_factor=1)
    context.add_cookies(
        [
            {"name": MODE_COOKIE, "value": mode, "url": base_url},
            {"name": LANGUAGE_COOKIE, "value": language, "url": base_url},
        ]
    )
    return context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="screenshots", type=Path)
    parser.add_argument(
        "--password", default=os.environ.get("TONGBAN_DEMO_PASSWORD", "tongban-demo-2026")
    )
    parser.add_argument("--applicant", default="zhangxm")
    parser.add_argument("--staff", default="clerk")
    parser.add_argument("--admin", default="admin")
    parser.add_argument("--only", help="comma-separated page names (default: all)")
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    args = parser.parse_args(argv)
    base_url = args.base_url.rstrip("/")
    wanted = set(args.only.split(",")) if args.only else None
    shots = [s for s in SHOTS if wanted is None or s.name in wanted]
    problems: list[str] = []
    saved = 0
    attempt = 0

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for language, viewport, mode in itertools.product(
            args.languages.split(","), VIEWPORTS, MODES
        ):
            contexts: dict[str | None, BrowserContext] = {}
            for shot in shots:
                if mode not in shot.modes:
                    continue
                if shot.login not in contexts:
                    contexts[shot.login] = _new_context(
                        browser, base_url, viewport=viewport, mode=mode, language=language
                    )
                    if shot.login:
                        _login(contexts[shot.login], base_url, shot.login, args)
                page = contexts[shot.login].new_page()
                page.on(
                    "console",
                    lambda msg, name=shot.name: (
                        problems.append(f"{name}: {msg.text}") if msg.type == "error" else None
                    ),
                )
                page.on("pageerror", lambda exc, name=shot.name: problems.append(f"{name}: {exc}"))
                page.goto(base_url + shot.path)
                if shot.action:
                    attempt += 1
                    shot.action(page, attempt)
                page.wait_for_load_state("networkidle")
                target = args.out / language / f"{shot.name}--{mode}--{viewport}.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target), full_page=True)
                saved += 1
                page.close()
            for context in contexts.values():
                context.close()
        browser.close()

    sys.stdout.write(f"saved {saved} screenshots under {args.out}/\n")
    # the 404 page and a wizard question submitted empty (400) answer so on purpose
    expected = (
        "the server responded with a status of 404",
        "the server responded with a status of 400",
    )
    real = sorted({p for p in problems if not any(e in p for e in expected)})
    for problem in real:
        sys.stderr.write(f"browser reported: {problem}\n")
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
