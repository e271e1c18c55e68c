"""The base pages of both sites, through Django's test client: status codes, titles, masking,
the display-mode switch (cookie, caching, open redirects) and the English translation."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils.translation.reloader import translation_file_changed

from tongban.core.i18n_compile import PACKAGE_DIR, compile_all
from tongban.core.masking import mask_id_number, mask_phone
from tongban.core.middleware import DISPLAY_MODE_COOKIE

from ..conftest import PASSWORD

SITE = "通办 · 政务服务平台"
EN_PO = PACKAGE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "page has no <title>"
    return match.group(1).strip()


def html_attr(response, name: str) -> str:
    match = re.search(rf'<html[^>]*\s{name}="([^"]*)"', response.content.decode())
    assert match, f"<html> has no {name}"
    return match.group(1)


@pytest.fixture(scope="module", autouse=True)
def _compiled_translations():
    """The English pages need the compiled catalogue (``make`` compiles it; so does this)."""
    if compile_all():
        translation_file_changed(None, Path("django.mo"))


# --- pages answer, with the right titles ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/", 200, f"首页 · {SITE}"),
        ("/login/", 200, f"申请人登录 · {SITE}"),
        ("/console/login/", 200, f"工作人员登录 · {SITE}"),
        ("/no-such-page/", 404, f"页面不存在 · {SITE}"),
    ],
)
def test_anonymous_pages(anonymous_client, path, status, title):
    response = anonymous_client.get(path)
    assert response.status_code == status
    assert title_of(response) == title
    assert html_attr(response, "lang") == "zh-Hans"
    assert html_attr(response, "data-mode") == "standard"


@pytest.mark.django_db
def test_console_requires_login(anonymous_client):
    response = anonymous_client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/"


@pytest.mark.django_db
def test_console_home_shows_post_department_and_roles(clerk_client):
    response = clerk_client.get("/console/")
    assert response.status_code == 200
    assert title_of(response) == f"工作概览 · {SITE}"
    page = response.content.decode()
    assert "云溪区市场监督管理局" in page
    assert "综合窗口人员" in page
    assert "受理办件" in page
    assert "本部门" in page
    assert 'href="/admin/"' not in page  # a clerk cannot configure the system


@pytest.mark.django_db
def test_console_home_offers_administration_to_administrators(admin_client_):
    page = admin_client_.get("/console/").content.decode()
    assert "系统管理员" in page
    assert "进入系统配置" in page


@pytest.mark.django_db
def test_console_home_refuses_an_applicant(applicant_a_client):
    response = applicant_a_client.get("/console/")
    assert response.status_code == 403
    assert "此账号不是工作人员账号" in response.content.decode()


# --- login ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_login_success_goes_to_console(clerk):
    client = Client()
    response = client.post(
        "/console/login/", {"username": "clerk", "password": PASSWORD, "next": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == "/console/"


@pytest.mark.django_db
def test_wrong_password_shows_error_summary_and_error_title(clerk):
    client = Client()
    response = client.post("/console/login/", {"username": "clerk", "password": "wrong-password"})
    assert response.status_code == 200
    assert title_of(response) == f"错误：工作人员登录 · {SITE}"
    page = response.content.decode()
    assert 'class="error-summary"' in page
    # the non-field error links to the first field, and the username box no longer grabs focus
    assert re.search(r'<li><a href="#id_username">[^<]*用户名[^<]*</a></li>', page)
    assert not re.search(r"<input[^>]*\sautofocus", page)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_empty_login_links_each_error_to_its_field(anonymous_client):
    response = anonymous_client.post("/login/", {"username": "", "password": ""})
    assert response.status_code == 200
    assert title_of(response).startswith("错误：")
    page = response.content.decode()
    assert '<a href="#id_username">用户名：这个字段是必填项。</a>' in page
    assert '<a href="#id_password">密码：这个字段是必填项。</a>' in page
    # the same message inline, tied to the input by aria-describedby
    assert 'id="id_username_error"' in page
    assert re.search(r'<input[^>]*aria-describedby="id_username_error"[^>]*>', page)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_username"', page)


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_login_with_a_clear_page(clerk):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/console/login/", {"username": "clerk", "password": "wrong"})
    assert response.status_code == 429
    assert title_of(response) == f"错误：登录已被暂时锁定 · {SITE}"
    assert "30 分钟" in response.content.decode()
    # even the right password is refused now
    response = client.post("/console/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_server_error_page_stands_alone():
    """500.html renders without a request, a database or a translation: only static text."""
    page = render_to_string("500.html")
    assert "系统繁忙，请稍后再试" in page
    assert "nothing was changed" in page
    assert "{%" not in page


@pytest.mark.django_db
def test_login_page_names_the_platform_not_the_host(anonymous_client):
    page = anonymous_client.get("/login/").content.decode()
    assert "testserver" not in page
    assert SITE in page


# --- portal home: personal data ------------------------------------------------------------


@pytest.mark.django_db
def test_portal_home_shows_applicant_their_masked_identity(applicant_a, applicant_a_client):
    person = applicant_a.person
    response = applicant_a_client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "张晓明" in page
    assert mask_id_number(person.id_number) in page
    assert person.id_number not in page
    assert mask_phone(person.phone) in page
    assert person.phone not in page


@pytest.mark.django_db
def test_portal_home_shows_no_personal_card_to_anonymous(anonymous_client):
    page = anonymous_client.get("/").content.decode()
    assert "我的信息" not in page
    assert 'href="/login/"' in page


@pytest.mark.django_db
def test_portal_home_links_only_to_pages_that_exist(anonymous_client):
    """Nothing on the home page (catalogue search, themes, bundles) may lead to a 404."""
    page = anonymous_client.get("/").content.decode()
    links = set(re.findall(r'href="(/[^"]*)"', page)) - {"/static/core/tongban.css"}
    assert links
    for link in sorted(links):
        if link.startswith("/static/"):
            continue
        status = anonymous_client.get(link.replace("&amp;", "&")).status_code
        assert status in (200, 302), f"{link} answers {status}"


# --- display mode (适老化) ------------------------------------------------------------------


@pytest.mark.django_db
def test_mode_switch_sets_cookie_and_returns_to_the_page(anonymous_client):
    response = anonymous_client.get("/mode/care/?next=/login/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    cookie = response.cookies[DISPLAY_MODE_COOKIE]
    assert cookie.value == "care"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    # a redirect that sets a preference is never cached
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_mode_persists_in_the_cookie_and_pages_vary_on_it(anonymous_client):
    anonymous_client.get("/mode/care/?next=/")
    response = anonymous_client.get("/")
    assert html_attr(response, "data-mode") == "care"
    assert "Cookie" in response["Vary"]
    assert "/mode/standard/?next=/" in response.content.decode()

    anonymous_client.get("/mode/standard/?next=/")
    response = anonymous_client.get("/")
    assert html_attr(response, "data-mode") == "standard"
    assert "/mode/care/?next=/" in response.content.decode()


@pytest.mark.django_db
def test_mode_link_keeps_the_query_string_of_the_page(anonymous_client):
    page = anonymous_client.get("/login/?next=/console/").content.decode()
    assert 'href="/mode/care/?next=/login/%3Fnext%3D/console/"' in page


@pytest.mark.django_db
def test_unknown_cookie_value_means_standard(anonymous_client):
    anonymous_client.cookies[DISPLAY_MODE_COOKIE] = "<script>"
    response = anonymous_client.get("/")
    assert html_attr(response, "data-mode") == "standard"


@pytest.mark.django_db
def test_unknown_mode_is_not_found_and_sets_nothing(anonymous_client):
    response = anonymous_client.get("/mode/huge/?next=/")
    assert response.status_code == 404
    assert DISPLAY_MODE_COOKIE not in response.cookies


@pytest.mark.django_db
def test_mode_switch_is_get_only(anonymous_client):
    response = anonymous_client.post("/mode/care/")
    assert response.status_code == 405
    assert DISPLAY_MODE_COOKIE not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/login/",
        "//evil.example",
        "/\\evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
    ],
)
def test_mode_switch_refuses_open_redirects(anonymous_client, target):
    response = anonymous_client.get("/mode/care/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[DISPLAY_MODE_COOKIE].value == "care"


@pytest.mark.django_db
def test_mode_switch_without_next_returns_to_a_same_site_referer_only(anonymous_client):
    back = anonymous_client.get("/mode/care/", HTTP_REFERER="http://testserver/login/")
    assert back["Location"] == "http://testserver/login/"
    away = anonymous_client.get("/mode/care/", HTTP_REFERER="https://evil.example/")
    assert away["Location"] == "/"


# --- English -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_language_switch_sets_cookie_and_pages_speak_english(anonymous_client):
    response = anonymous_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    response = anonymous_client.get("/")
    assert html_attr(response, "lang") == "en"
    assert title_of(response) == "Home · Tongban · Government Services"
    page = response.content.decode()
    assert "Senior mode (large text)" in page
    assert "简体中文" in page  # the way back is written in its own language
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_console_home_in_english(clerk_client):
    clerk_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = clerk_client.get("/console/").content.decode()
    assert "Window clerk" in page
    assert "Accept cases" in page
    assert "Own department" in page
    assert "综合窗口人员" not in page


@pytest.mark.django_db
def test_error_title_in_english(clerk):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/console/login/", {"username": "clerk", "password": "nope"})
    assert title_of(response) == "Error: Staff login · Tongban · Government Services"
    assert "There is a problem" in response.content.decode()


def test_english_catalogue_is_complete():
    """Every msgid has an English translation with the same placeholders; nothing is fuzzy.

    Only Chinese msgids must differ from their translation (“PDF” is “PDF” in English too)."""
    po = polib.pofile(str(EN_PO))
    placeholder = re.compile(r"%(?:\([a-z_]+\))?[sdf]|\{[a-z_]+\}")
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if "fuzzy" in entry.flags or not all(translations):
            problems.append(f"untranslated: {entry.msgid}")
            continue
        for text in translations:
            if text == entry.msgid and re.search(r"[\u4e00-\u9fff]", entry.msgid):
                problems.append(f"copied, not translated: {entry.msgid}")
            elif sorted(placeholder.findall(entry.msgid)) != sorted(placeholder.findall(text)):
                problems.append(f"placeholders differ: {entry.msgid}")
    assert problems == []


@pytest.mark.django_db
def test_pages_stay_chinese_for_an_english_browser_until_english_is_chosen(anonymous_client):
    response = anonymous_client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert html_attr(response, "lang") == "zh-Hans"
    assert "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_the_api_answers_in_the_language_the_client_asks_for(clerk_client):
    zh = clerk_client.get("/api/v1/workdays/add?start=2026-02-30&days=1")
    en = clerk_client.get("/api/v1/workdays/add?start=2026-02-30&days=1", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.json()["code"] == en.json()["code"] == "invalid_date"
    assert "不是有效的日期" in zh.json()["message"]
    assert "不是有效的日期" not in en.json()["message"]


def test_favicon_ico_points_at_the_svg_icon(anonymous_client):
    response = anonymous_client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, "/static/core/favicon.svg")
