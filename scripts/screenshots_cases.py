"""Screenshots of the applicant's case pages (网上申报 and 我的办件) for a visual review.

Run it against a server that has the demo district loaded (with its cases), started with
``TONGBAN_DEBUG=0``::

    export TONGBAN_DATA_DIR=/tmp/tb-ui TONGBAN_DEBUG=0
    .venv/bin/tongban migrate && .venv/bin/tongban demo load
    .venv/bin/tongban runserver --insecure 127.0.0.1:8000 &
    .venv/bin/python scripts/screenshots_cases.py --base-url http://127.0.0.1:8000

Each run applies online once per display mode and width, as the demo applicant, through the real
pages (it leaves those cases behind, some submitted, one withdrawn), and photographs every page on
the way: the start page, the task list, a question (and its error), the materials (and a refused
upload), check your answers (and its error), the confirmation, the withdrawal page; then 我的办件
and the case page of demo cases in each state. Full-page PNGs go to ``screenshots/cases/``
(git-ignored) as ``<lang>/<page>--<mode>--<width>.png``. Console errors and page errors the
browser reports are listed at the end (the deliberate 400 answers of the error shots excepted).
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import re
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import BrowserContext, Page, sync_playwright

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
ELDERLY_CARD = "1133019900000006054002001101000"  # 老年人优待证办理 (民政局, situations)
# Case pages to show, by status; demo applicants are searched in this order for one of each.
STATUSES = (
    "submitted",
    "correction_requested",
    "in_review",
    "suspended",
    "approved",
    "denied",
    "not_accepted",
    "delivered",
    "archived",
    "withdrawn",
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (236, 240, 244)).save(out, format="PNG")
    return out.getvalue()


class Camera:
    def __init__(self, out: Path, language: str, mode: str, viewport: str):
        self.out, self.language, self.mode, self.viewport = out, language, mode, viewport
        self.saved = 0

    def __call__(self, page: Page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        target = self.out / self.language / f"{name}--{self.mode}--{self.viewport}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)
        self.saved += 1


def _click(page: Page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


def _login(context: BrowserContext, base: str, username: str, password: str) -> None:
    page = context.new_page()
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    _click(page, "main form [type=submit]")
    if "/login/" in page.url:
        raise SystemExit(f"could not log in as {username!r}")
    page.close()


def _apply(page: Page, base: str, shoot: Camera) -> None:
    """One online application through every page, photographed on the way."""
    page.goto(f"{base}/items/{ELDERLY_CARD}/situation/?restart=1")
    for _ in range(12):
        if not page.locator(".radios__input").count():
            break
        page.locator(".radios__label").first.click()
        _click(page, "main form button[type=submit]")
    shoot(page, "apply-summary")
    _click(page, ".next-steps a.button")
    shoot(page, "apply-start")
    _click(page, "#start button[type=submit]")
    shoot(page, "apply-tasks")
    tasks_url = page.url

    # a question page, submitted empty, then answered
    _click(page, ".task-list__link >> nth=0")
    shoot(page, "apply-question")
    field = page.locator("main form input[type=text], main form input[type=tel]").first
    kept = field.input_value()
    field.fill("")
    _click(page, "main form button[type=submit]")
    shoot(page, "apply-question-error")
    page.locator("main form input[type=text], main form input[type=tel]").first.fill(
        kept or "云溪区云溪街道学府路 18 号"
    )
    _click(page, "main form button[type=submit]")

    # materials: a refused upload, then each required one handled
    page.goto(tasks_url.replace("/apply/", "/apply/materials/"))
    shoot(page, "apply-materials")
    first = page.locator("input[type=file]").first
    first.set_input_files(
        files=[{"name": "照片.png", "mimeType": "image/png", "buffer": b"not an image"}]
    )
    _click(page, ".upload__form button >> nth=0")
    shoot(page, "apply-materials-error")
    for _ in range(12):
        todo = page.locator(".upload:not(.upload--done):has(.upload__state .tag--todo)")
        if not todo.count():
            break
        card = todo.first
        licence = card.locator("input[name=way][value=licence]")
        if licence.count():
            _click(page, f"#{card.get_attribute('id')} form:has(input[value=licence]) button")
        else:
            card.locator("input[type=file]").set_input_files(
                files=[{"name": "材料.png", "mimeType": "image/png", "buffer": _png()}]
            )
            _click(page, f"#{card.get_attribute('id')} .upload__form button")
    shoot(page, "apply-materials-done")

    # check your answers, its error, the confirmation
    page.goto(tasks_url.replace("/apply/", "/apply/check/"))
    shoot(page, "apply-check")
    _click(page, ".declaration button[type=submit]")
    shoot(page, "apply-check-error")
    page.check("#id_declaration")
    _click(page, ".declaration button[type=submit]")
    shoot(page, "apply-confirmation")
    _click(page, ".panel ~ .actions a.button")
    shoot(page, "case-new")


def _withdraw(page: Page, base: str, shoot: Camera) -> None:
    """A fresh draft's withdrawal page (then withdrawn, so drafts do not pile up)."""
    page.goto(f"{base}/items/{ELDERLY_CARD}/situation/?restart=1")
    for _ in range(12):
        if not page.locator(".radios__input").count():
            break
        page.locator(".radios__label").first.click()
        _click(page, "main form button[type=submit]")
    _click(page, ".next-steps a.button")
    _click(page, "#start button[type=submit]")
    page.goto(page.url.replace("/apply/", "/withdraw/"))
    shoot(page, "withdraw")
    _click(page, "main form button[type=submit]")
    shoot(page, "case-withdrawn-now")


def _case_links(context: BrowserContext, base: str) -> dict[str, str]:
    """One case page per status, from the applicant's 我的办件 pages."""
    page = context.new_page()
    found: dict[str, str] = {}
    for number in range(1, 8):
        page.goto(f"{base}/my/cases/?page={number}")
        rows = page.evaluate(
            """() => [...document.querySelectorAll('.case-table tbody tr')].map((tr) => [
                 tr.querySelector('.status').className.replace(/.*status--/, ''),
                 tr.querySelector('a').getAttribute('href')])"""
        )
        for status, href in rows:
            found.setdefault(status, href)
        if not page.locator("a[rel=next]").count():
            break
    page.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="screenshots/cases", type=Path)
    parser.add_argument(
        "--password", default=os.environ.get("TONGBAN_DEMO_PASSWORD", "tongban-demo-2026")
    )
    parser.add_argument("--applicants", default="zhangxm,lichm,wangjg,zhaolei")
    parser.add_argument("--languages", default="zh-hans")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--viewports", default=",".join(VIEWPORTS))
    parser.add_argument("--skip-apply", action="store_true", help="only 我的办件 and case pages")
    args = parser.parse_args(argv)
    base = args.base_url.rstrip("/")
    applicants = args.applicants.split(",")
    problems: list[str] = []
    saved = 0

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for language, viewport, mode in itertools.product(
            args.languages.split(","), args.viewports.split(","), args.modes.split(",")
        ):
            shoot = Camera(args.out, language, mode, viewport)
            contexts = []
            links: dict[str, tuple[BrowserContext, str]] = {}
            for username in applicants:
                context = browser.new_context(
                    viewport=VIEWPORTS[viewport],
                    device_scale_factor=1,
                    locale="zh-CN" if language == "zh-hans" else "en-GB",
                    timezone_id="Asia/Shanghai",
                )
                context.add_cookies(
                    [
                        {"name": "tongban_mode", "value": mode, "url": base},
                        {"name": "tongban_language", "value": language, "url": base},
                    ]
                )
                _login(context, base, username, args.password)
                contexts.append(context)
                for status, href in _case_links(context, base).items():
                    links.setdefault(status, (context, href))
            main_context = contexts[0]
            page = main_context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            if not args.skip_apply:
                _apply(page, base, shoot)
                _withdraw(page, base, shoot)
            page.goto(base + "/my/cases/")
            shoot(page, "my-cases")
            for status in STATUSES:
                if status not in links:
                    problems.append(f"no demo case in state {status}")
                    continue
                context, href = links[status]
                other = context.new_page()
                other.on("pageerror", lambda exc: problems.append(str(exc)))
                other.goto(base + href)
                shoot(other, f"case-{status.replace('_', '-')}")
                other.close()
            saved += shoot.saved
            for context in contexts:
                context.close()
        browser.close()

    sys.stdout.write(f"saved {saved} screenshots under {args.out}/\n")
    expected = re.compile(r"status of 400")
    real = sorted({p for p in problems if not expected.search(p)})
    for problem in real:
        sys.stderr.write(f"problem: {problem}\n")
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
