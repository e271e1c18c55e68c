"""The catalogue's pages through Django's test client: browse and search, the guide (and its
preview), the one-question-per-page situation wizard, bundles, the staff's catalogue search, and
query counts that do not grow with the catalogue."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from tongban.catalog import search
from tongban.catalog.services import bundle_save, item_revise, item_save_spec
from tongban.catalog.services.taxonomy import tags_save

from .specs import department, spec

pytestmark = pytest.mark.django_db

SITE = "通办 · 政务服务平台"
WIZARD = "catalog:answers:item:{code}"


def page_of(response) -> str:
    return response.content.decode()


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", page_of(response), re.S)
    assert match
    return unescape(" ".join(match.group(1).split()))


def text_of(response) -> str:
    """The visible text of the main element, tags removed and spaces collapsed."""
    main = re.search(r"<main.*?</main>", page_of(response), re.S).group(0)
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", main).split()))


def result_names(response) -> list[str]:
    return [
        unescape(name)
        for name in re.findall(
            r'class="result__title" lang="zh-Hans"><a href="/items/[^"]+/">([^<]+)</a>',
            page_of(response),
        )
    ]


def links(response) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', page_of(response))]


# --- a small catalogue ---------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    tags_save(
        kind="theme",
        rows=[
            {"code": "elderly-care", "name": "养老服务", "audience": "person", "order": 1},
            {"code": "transport", "name": "交通出行", "audience": "person", "order": 2},
            {"code": "ent-startup", "name": "开办企业", "audience": "enterprise", "order": 1},
        ],
    )
    tags_save(
        kind="life_event",
        rows=[{"code": "retire", "name": "退休", "audience": "person", "order": 1}],
    )
    department("mzj", 7)
    department("scj", 8)
    department("jtj", 11)
    department("gaj", 12)
    elderly = item_save_spec(
        spec=spec(
            "mzj",
            summary="为六十周岁以上老年人办理优待证。",
            conditions="年满六十周岁的本区户籍老年人。",
            themes=["elderly-care"],
            life_events=["retire"],
            process_steps=["提交申请", "受理审核", "制证送达"],
            faqs=[{"question": "外地老人能办吗？", "answer": "持居住证的可以办理。"}],
            consult_phone="0571-88000006",
            location="云溪区市民中心一楼综合窗口",
            hours="周一至周五 9:00—17:00",
            channels=["window", "web"],
            deliveries=["mail", "electronic"],
        ),
        publish=True,
    )
    shop = item_save_spec(
        spec=spec(
            "scj",
            basic_code="000101002000",
            name="食品经营许可",
            aliases="餐饮许可证",
            item_type="01",
            applicant_kind="enterprise",
            themes=["ent-startup"],
            questions=[],
            legal_limit_days=20,
            promised_limit_days=10,
            special_procedures=[
                {"kind": "site_check", "limit_days": 10, "limit_unit": "day", "note": "现场核查"},
                {"kind": "expert_review", "limit_days": 5, "limit_unit": "workday"},
            ],
            charges_fee=True,
            fees=[{"name": "工本费", "standard": "每证 5 元", "basis": "价格主管部门文件"}],
            materials=[
                {"seq": 1, "name": "营业执照", "source": "licence", "licence_type": "YYZZ"},
                {"seq": 2, "name": "食品安全管理制度"},
                {"seq": 3, "name": "经营场所平面图", "deferrable": True},
            ],
        ),
        publish=True,
    )
    shared = [
        {"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"},
        {"seq": 2, "name": "机动车驾驶证", "source": "licence", "licence_type": "JSZ"},
        {"seq": 3, "name": "近期免冠照片"},
    ]
    driver = item_save_spec(
        spec=spec(
            "jtj",
            basic_code="000101001000",
            name="网约车驾驶员证",
            aliases="",
            themes=["transport"],
            questions=[],
            materials=[*shared, {"seq": 4, "name": "驾驶员申请表"}],
        ),
        publish=True,
    )
    vehicle = item_save_spec(
        spec=spec(
            "jtj",
            basic_code="000101003000",
            name="网约车运输证",
            aliases="",
            questions=[],
            materials=[
                shared[0],
                {"seq": 2, "name": "机动车行驶证", "source": "licence", "licence_type": "XSZ"},
                {"seq": 3, "name": "车辆保险单"},
            ],
        ),
        publish=True,
    )
    check = item_save_spec(
        spec=spec(
            "gaj",
            basic_code="000701003000",
            name="驾驶员背景核查",
            aliases="",
            questions=[
                {
                    "code": "self",
                    "text": "是否本人办理？",
                    "options": [
                        {"code": "yes", "label": "是"},
                        {"code": "no", "label": "否", "adds": [4]},
                    ],
                }
            ],
            materials=[
                shared[0],
                shared[1],
                {"seq": 3, "name": "近 期 免冠照片"},
                {"seq": 4, "name": "授权委托书", "necessity": "conditional"},
            ],
        ),
        publish=True,
    )
    ride = bundle_save(
        spec={
            "code": "wyc",
            "name": "我要开网约车",
            "summary": "一次申请网约车驾驶员证和运输证。",
            "audience": "person",
            "themes": ["transport"],
            "publish": True,
            "items": [
                driver.item.implementation_code,
                vehicle.item.implementation_code,
                check.item.implementation_code,
            ],
            "questions": [
                {
                    "code": "car",
                    "text": "是否已有营运车辆？",
                    "options": [
                        {"code": "yes", "label": "有"},
                        {
                            "code": "no",
                            "label": "没有，只申请驾驶员证",
                            "excludes": [vehicle.item.implementation_code],
                        },
                    ],
                }
            ],
        }
    )
    return {
        "elderly": elderly,
        "shop": shop,
        "driver": driver,
        "vehicle": vehicle,
        "check": check,
        "ride": ride,
    }


def code_of(version) -> str:
    return version.item.implementation_code


# --- browse and search ---------------------------------------------------------------------


def test_the_catalogue_lists_published_items_and_bundles(anonymous_client, catalogue):
    response = anonymous_client.get("/items/")
    assert response.status_code == 200
    assert title_of(response) == f"办事服务 · {SITE}"
    assert sorted(result_names(response)) == sorted(
        ["老年人优待证办理", "食品经营许可", "网约车驾驶员证", "网约车运输证", "驾驶员背景核查"]
    )
    text = text_of(response)
    assert "共 5 个事项" in text
    assert "/bundles/wyc/" in links(response)
    # the nav marks the catalogue as the current page
    assert re.search(r'<a href="/items/" aria-current="page">办事服务</a>', page_of(response))


@pytest.mark.parametrize(
    ("query", "expected", "bundle_shown"),
    [
        (
            "audience=person",
            ["老年人优待证办理", "网约车驾驶员证", "网约车运输证", "驾驶员背景核查"],
            True,
        ),
        ("audience=enterprise", ["食品经营许可"], False),
        ("theme=elderly-care", ["老年人优待证办理"], False),
        ("theme=transport", ["网约车驾驶员证"], True),
        ("life_event=retire", ["老年人优待证办理"], False),
        ("department=jtj", ["网约车驾驶员证", "网约车运输证"], True),
        ("department=gaj&audience=enterprise", [], False),
        (
            "audience=alien",
            [
                "老年人优待证办理",
                "食品经营许可",
                "网约车驾驶员证",
                "网约车运输证",
                "驾驶员背景核查",
            ],
            True,
        ),
    ],
)
def test_browse_filters(anonymous_client, catalogue, query, expected, bundle_shown):
    response = anonymous_client.get(f"/items/?{query}")
    assert response.status_code == 200
    assert sorted(result_names(response)) == sorted(expected)
    assert ("/bundles/wyc/" in links(response)) is bundle_shown
    if not expected:
        assert "没有符合这些条件的事项。" in text_of(response)


def test_filter_chips_and_tabs_keep_the_other_conditions(anonymous_client, catalogue):
    response = anonymous_client.get("/items/?audience=person&theme=elderly-care&q=老年")
    text = text_of(response)
    assert "主题：养老服务" in text
    assert "关键词：老年" in text
    hrefs = links(response)
    # removing the theme keeps the query and the audience; "全部" drops audience and theme
    assert "?q=%E8%80%81%E5%B9%B4&audience=person" in hrefs
    assert "?q=%E8%80%81%E5%B9%B4" in hrefs
    assert re.search(
        r'<a href="\?q=[^"]*&amp;audience=person" class="tabs__tab" aria-current="page">'
        r"个人办事</a>",
        page_of(response),
    )


def test_the_filter_form_offers_themes_life_events_and_departments(anonymous_client, catalogue):
    page = page_of(anonymous_client.get("/items/?audience=enterprise"))
    assert '<option value="ent-startup">开办企业</option>' in page
    assert 'value="elderly-care"' not in page  # a person's theme is not offered to enterprises
    assert re.search(r'<option value="jtj">测试jtj（2）</option>', page)


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("老年人优待证", "老年人优待证办理"),
        ("lnr", "老年人优待证办理"),
        ("餐饮许可证", "食品经营许可"),
    ],
)
def test_search_results(anonymous_client, catalogue, q, first):
    response = anonymous_client.get("/items/", {"q": q})
    assert response.status_code == 200
    assert result_names(response)[0] == first
    assert title_of(response) == f"搜索“{q}” · {SITE}"
    assert f"与“{q}”有关的事项" in text_of(response)


def test_a_search_hit_on_an_alias_says_so(anonymous_client, catalogue):
    text = text_of(anonymous_client.get("/items/", {"q": "餐饮许可证"}))
    assert "别名：餐饮许可证" in text


def test_search_finds_bundles_and_respects_filters(anonymous_client, catalogue):
    response = anonymous_client.get("/items/", {"q": "网约车"})
    assert "/bundles/wyc/" in links(response)
    assert set(result_names(response)) >= {"网约车驾驶员证", "网约车运输证"}
    response = anonymous_client.get("/items/", {"q": "网约车", "audience": "enterprise"})
    assert result_names(response) == []
    assert "/bundles/wyc/" not in links(response)


def test_nothing_found_says_what_to_do(anonymous_client, catalogue):
    response = anonymous_client.get("/items/", {"q": "火星移民"})
    assert response.status_code == 200
    assert result_names(response) == []
    text = text_of(response)
    assert "没有找到与“火星移民”有关的事项。" in text
    assert "12345" in text


@pytest.mark.parametrize("page", ["2", "0", "-1", "abc", "999999999999999999999"])
def test_any_page_number_answers(anonymous_client, catalogue, page):
    for q in ("", "网约车"):
        response = anonymous_client.get("/items/", {"q": q, "page": page})
        assert response.status_code == 200
        assert result_names(response)


def test_drafts_and_retired_versions_are_not_listed(anonymous_client, catalogue):
    item_revise(item=catalogue["shop"].item)  # a draft beside the published version
    names = result_names(anonymous_client.get("/items/"))
    assert names.count("食品经营许可") == 1


# --- the guide -----------------------------------------------------------------------------


def test_guide_of_an_item_with_situations(anonymous_client, catalogue):
    code = code_of(catalogue["elderly"])
    response = anonymous_client.get(f"/items/{code}/")
    assert response.status_code == 200
    assert title_of(response) == f"老年人优待证办理 · 办事指南 · {SITE}"
    page = page_of(response)
    text = text_of(response)
    assert '<h1 lang="zh-Hans">老年人优待证办理</h1>' in page
    # key facts first, then the start button into the wizard
    assert re.search(
        r'class="key-fact__label">办理时限</span>\s*<span class="key-fact__value">'
        r"5 个工作日</span>",
        page,
    )
    assert f'href="/items/{code}/situation/?restart=1"' in page
    assert "开始办理：确认我的情形" in text
    # elements as structured sections
    for heading in ("受理条件", "申请材料", "办理流程", "办理时限", "办理地点和时间", "基本信息"):
        assert re.search(rf"<h2 id=\"[a-z-]+\">{heading}</h2>", page), heading
    assert "年满六十周岁的本区户籍老年人。" in text
    for name in ("居民身份证", "近期免冠照片", "授权委托书", "受托人身份证", "户口簿"):
        assert name in text
    assert re.search(
        r'<ol class="process-list" lang="zh-Hans"><li class="process-list__step">提交申请</li>'
        r'<li class="process-list__step">受理审核</li>',
        page,
    )
    # channels and deliveries by their labels, never their slugs
    assert '<li class="tag">窗口办理</li><li class="tag">网上办理</li>' in page
    assert '<li class="tag">邮寄送达</li><li class="tag">电子证照</li>' in page
    assert ">window<" not in page
    # legal basis and FAQ fold away
    assert re.search(
        r'<details class="details">\s*<summary class="details__summary">设定依据', page
    )
    assert re.search(
        r'<details class="details">\s*<summary class="details__summary">常见问题', page
    )
    assert "中华人民共和国老年人权益保障法" in text
    assert "外地老人能办吗？" in text
    # printable; the application starts after the questions, not from here
    assert 'class="button button--secondary js-print" hidden' in page
    assert "/apply/" not in page
    assert re.search(r'<a href="/items/" aria-current="true">办事服务</a>', page)


def test_guide_of_an_item_without_situations(anonymous_client, catalogue):
    code = code_of(catalogue["shop"])
    response = anonymous_client.get(f"/items/{code}/")
    page = page_of(response)
    text = text_of(response)
    assert "/situation/" not in page  # nothing to ask: the list is the answer
    assert "本事项不用回答问题" in text
    assert "需要提交 3 份必要材料。" in text
    # the clear next step: online application (the cases app) or any service counter
    assert "接下来怎么办" in text
    assert "任一政务服务中心综合窗口" in text
    assert page.count(f'<a class="button button--start" href="/apply/{code}/">在线申报') == 2
    # special procedures with their units, fees
    assert "现场核查 ：不超过 10 个自然日。 现场核查" in text
    assert "专家评审 ：不超过 5 个工作日" in text
    assert "以下环节所需时间不计入办结时限。" in text
    assert re.search(r'<dt>收费标准</dt><dd lang="zh-Hans">每证 5 元</dd>', page)
    assert "可容缺" in text
    assert "可用电子证照" in text


def test_guide_of_an_offline_item_sends_to_the_counter(anonymous_client, catalogue):
    version = item_save_spec(
        spec=spec(
            "scj",
            basic_code="000101004000",
            name="特种设备使用登记",
            aliases="",
            questions=[],
            online_depth="offline",
            visits=1,
            visits_reason="需现场核验设备铭牌",
            deliveries=["window"],
            materials=[{"seq": 1, "name": "特种设备使用登记表"}],
        ),
        publish=True,
    )
    response = anonymous_client.get(f"/items/{code_of(version)}/")
    page = page_of(response)
    text = text_of(response)
    assert "/apply/" not in page
    assert "网上申报正在开通中，目前请到综合窗口提交。" in text
    assert "需现场核验设备铭牌" in text


def test_guide_names_the_bundles_of_its_item(anonymous_client, catalogue):
    page = page_of(anonymous_client.get(f"/items/{code_of(catalogue['driver'])}/"))
    assert '<a href="/bundles/wyc/">我要开网约车</a>' in page


@pytest.mark.parametrize("code", ["000000000000000000000000000000X", "nope"])
def test_unknown_item_is_not_found(anonymous_client, catalogue, code):
    assert anonymous_client.get(f"/items/{code}/").status_code == 404
    assert anonymous_client.get(f"/items/{code}/situation/").status_code == 404


def test_guide_answers_get_only(anonymous_client, catalogue):
    response = anonymous_client.post(f"/items/{code_of(catalogue['elderly'])}/")
    assert response.status_code == 405


# --- preview of drafts ---------------------------------------------------------------------


@pytest.fixture
def draft(catalogue):
    return item_save_spec(
        spec=spec("mzj", name="老年人优待证办理（新版）", conditions="年满六十周岁。")
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous_client", 404),
        ("applicant_a_client", 404),
        ("clerk_client", 404),
        ("admin_client_", 200),
    ],
)
def test_preview_of_a_draft_only_for_config_managers(request, draft, persona, status):
    client = request.getfixturevalue(persona)
    code = code_of(draft)
    response = client.get(f"/items/{code}/?preview={draft.pk}")
    assert response.status_code == status
    if status == 200:
        text = text_of(response)
        assert "老年人优待证办理（新版）" in text
        assert "预览：第 2 版（草稿），尚未对群众公开。" in text
        assert "/situation/" not in page_of(response)  # nobody starts a wizard on a draft
    # the published guide is untouched
    published = client.get(f"/items/{code}/")
    assert published.status_code == 200
    assert '<h1 lang="zh-Hans">老年人优待证办理</h1>' in page_of(published)


@pytest.mark.parametrize("preview", ["abc", "999999", "99999999999999999999999", ""])
def test_a_bad_preview_is_not_found(admin_client_, draft, preview):
    response = admin_client_.get(f"/items/{code_of(draft)}/?preview={preview}")
    assert response.status_code == 404


def test_a_preview_of_another_items_version_is_not_found(admin_client_, catalogue, draft):
    other = code_of(catalogue["shop"])
    assert admin_client_.get(f"/items/{other}/?preview={draft.pk}").status_code == 404


# --- the situation wizard ------------------------------------------------------------------


def answers(client, code: str) -> dict:
    return client.session.get(WIZARD.format(code=code))


def test_wizard_with_a_follow_up_question(anonymous_client, catalogue):
    client = anonymous_client
    code = code_of(catalogue["elderly"])
    base = f"/items/{code}/situation/"

    response = client.get(base + "?restart=1")
    assert response["Location"] == base + "self/"
    response = client.get(base + "self/")
    assert response.status_code == 200
    assert title_of(response) == f"是否本人办理？ · 老年人优待证办理 · {SITE}"
    page = page_of(response)
    assert f'<a class="back-link" href="/items/{code}/">返回</a>' in page
    assert "第 1 问" in text_of(response)
    assert '<h1 class="fieldset__heading" lang="zh-Hans">是否本人办理？</h1>' in page
    assert re.search(
        r'<input class="radios__input" type="radio" name="answer" value="no" '
        r'id="id_answer_1">\s*<label class="radios__label" lang="zh-Hans" for="id_answer_1">'
        r"否，委托他人办理</label>",
        page,
    )

    # nothing chosen: an error summary, the 错误： title, 400, and nothing stored
    response = client.post(base + "self/", {})
    assert response.status_code == 400
    assert title_of(response).startswith("错误：是否本人办理？")
    page = page_of(response)
    assert '<a href="#id_answer_0">请选择一项。</a>' in page
    assert 'aria-describedby="answer-error"' in page
    assert answers(client, code) == {}
    response = client.post(base + "self/", {"answer": "perhaps"})
    assert response.status_code == 400
    assert "请选择列出的选项之一。" in text_of(response)

    # 否 brings the follow-up question
    response = client.post(base + "self/", {"answer": "no"})
    assert (response.status_code, response["Location"]) == (302, base)
    assert answers(client, code) == {"self": "no"}
    assert client.get(base)["Location"] == base + "photo/"
    response = client.get(base + "photo/")
    assert f'<a class="back-link" href="{base}self/">返回</a>' in page_of(response)
    assert "第 2 问" in text_of(response)
    response = client.post(base + "photo/", {"answer": "yes"})
    assert client.get(response["Location"])["Location"] == base + "summary/"

    response = client.get(base + "summary/")
    assert response.status_code == 200
    assert title_of(response) == f"您的情形和所需材料 · 老年人优待证办理 · {SITE}"
    page = page_of(response)
    text = text_of(response)
    assert f'<a class="back-link" href="{base}photo/">返回</a>' in page
    names = re.findall(r'<p class="material__name" lang="zh-Hans">([^<]+)</p>', page)
    assert names == ["居民身份证", "授权委托书", "受托人身份证", "户口簿"]
    assert "需要提交的材料（4 份）" in text
    assert "年满六十周岁的本区户籍老年人。" in text  # the conditions
    assert re.findall(
        r'<dd class="summary-list__action no-print"><a href="([^"]+)">修改', page
    ) == [
        base + "self/",
        base + "photo/",
    ]
    assert 'class="button button--secondary js-print" hidden' in page

    # change the first answer: the follow-up no longer applies and its answer is dropped
    response = client.get(base + "self/")
    assert 'value="no" id="id_answer_1" checked' in page_of(response)
    response = client.post(base + "self/", {"answer": "yes"})
    assert answers(client, code) == {"self": "yes"}
    assert client.get(response["Location"])["Location"] == base + "summary/"
    page = page_of(client.get(base + "summary/"))
    assert re.findall(r'<p class="material__name" lang="zh-Hans">([^<]+)</p>', page) == [
        "居民身份证",
        "近期免冠照片",
        "户口簿",
    ]
    assert len(re.findall(r"修改<span", page)) == 1
    # a question that does not apply is never shown
    assert client.get(base + "photo/")["Location"] == base

    # change it back: the wizard goes through the question that applies again
    response = client.post(base + "self/", {"answer": "no"})
    assert client.get(response["Location"])["Location"] == base + "photo/"


def test_wizard_summary_needs_complete_answers(anonymous_client, catalogue):
    code = code_of(catalogue["elderly"])
    base = f"/items/{code}/situation/"
    assert anonymous_client.get(base + "summary/")["Location"] == base
    assert anonymous_client.get(base + "nonsense/")["Location"] == base


def test_restart_forgets_the_answers(anonymous_client, catalogue):
    code = code_of(catalogue["elderly"])
    base = f"/items/{code}/situation/"
    anonymous_client.post(base + "self/", {"answer": "yes"})
    assert anonymous_client.get(base)["Location"] == base + "summary/"
    assert anonymous_client.get(base + "?restart=1")["Location"] == base + "self/"
    assert answers(anonymous_client, code) == {}


def test_stale_answers_in_the_session_are_pruned(anonymous_client, catalogue):
    code = code_of(catalogue["elderly"])
    session = anonymous_client.session
    session[WIZARD.format(code=code)] = {"self": "maybe", "photo": "yes"}
    session.save()
    base = f"/items/{code}/situation/"
    assert anonymous_client.get(base)["Location"] == base + "self/"
    assert anonymous_client.get(base + "summary/")["Location"] == base


def test_bundle_page_figures_and_items(anonymous_client, catalogue):
    response = anonymous_client.get("/bundles/wyc/")
    assert response.status_code == 200
    assert title_of(response) == f"我要开网约车 · 一件事一次办 · {SITE}"
    text = text_of(response)
    assert "3 个事项一次申报" in text
    assert "6 份材料（原需 10 份）" in text
    assert "2 个部门并联办理" in text
    page = page_of(response)
    for version in (catalogue["driver"], catalogue["vehicle"], catalogue["check"]):
        assert f'href="/items/{code_of(version)}/">{version.name}</a>' in page
    assert '<span class="item-list__dept">测试gaj</span>' in page
    assert 'href="/bundles/wyc/situation/?restart=1"' in page
    assert anonymous_client.get("/bundles/nope/").status_code == 404


def test_bundle_wizard_to_the_shared_materials(anonymous_client, catalogue):
    client = anonymous_client
    base = "/bundles/wyc/situation/"
    assert client.get(base + "?restart=1")["Location"] == base + "car/"
    response = client.get(base + "car/")
    assert 'href="/bundles/wyc/">返回</a>' in page_of(response)
    client.post(base + "car/", {"answer": "yes"})
    assert client.get(base)["Location"] == base + "self/"
    response = client.get(base + "self/")
    assert f'<a class="back-link" href="{base}car/">返回</a>' in page_of(response)
    assert "第 2 问" in text_of(response)
    client.post(base + "self/", {"answer": "no"})
    response = client.get(base + "summary/")
    text = text_of(response)
    assert "一次申报 3 个事项，需提交 7 份材料（分别办理需 11 份）。" in text
    assert "3 个事项共用" in text
    # changing the bundle question leaves out the vehicle licence
    client.post(base + "car/", {"answer": "no"})
    text = text_of(client.get(base + "summary/"))
    assert "一次申报 2 个事项" in text
    assert "网约车运输证" not in text
    assert "车辆保险单" not in text


# --- staff: the catalogue in the console ---------------------------------------------------


@pytest.fixture
def supervisor_client(supervisor):
    client = Client()
    client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_console_catalogue_needs_a_login(anonymous_client, catalogue):
    response = anonymous_client.get("/console/catalog/?q=老年")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/?next=/console/catalog/")


def test_console_catalogue_refuses_applicants(applicant_a_client, catalogue):
    response = applicant_a_client.get("/console/catalog/")
    assert response.status_code == 403
    assert "此账号不是工作人员账号" in text_of(response)
    assert "老年人优待证办理" not in page_of(response)


@pytest.mark.parametrize(
    ("persona", "can_edit"),
    [("clerk_client", False), ("supervisor_client", False), ("admin_client_", True)],
)
def test_console_catalogue_for_staff(request, catalogue, persona, can_edit):
    client = request.getfixturevalue(persona)
    response = client.get("/console/catalog/", {"q": "网约车"})
    assert response.status_code == 200
    assert title_of(response) == f"搜索“网约车” · 事项目录 · {SITE}"
    page = page_of(response)
    driver = catalogue["driver"]
    assert f'<a href="/items/{code_of(driver)}/" lang="zh-Hans">网约车驾驶员证</a>' in page
    assert code_of(driver) in page
    assert '<a href="/bundles/wyc/">我要开网约车</a>' in page
    edit = f"/admin/catalog/serviceitem/{driver.item.pk}/change/"
    assert (edit in page) is can_edit
    assert (f"/admin/catalog/bundle/{catalogue['ride'].pk}/change/" in page) is can_edit
    assert re.search(r'<a href="/console/catalog/" aria-current="page">事项目录</a>', page)


def test_console_catalogue_filters(clerk_client, catalogue):
    response = clerk_client.get("/console/catalog/", {"department": "scj"})
    page = page_of(response)
    assert "食品经营许可" in page
    assert "网约车驾驶员证" not in page
    assert "部门：测试scj" in text_of(response)


def test_console_nav_links_to_the_catalogue(clerk_client):
    page = page_of(clerk_client.get("/console/"))
    assert '<a href="/console/catalog/">事项目录</a>' in page


# --- the portal home shows the catalogue ---------------------------------------------------


def test_home_searches_the_catalogue_and_shows_themes_and_bundles(anonymous_client, catalogue):
    response = anonymous_client.get("/")
    page = page_of(response)
    assert re.search(
        r'<form class="search-form search-form--hero" role="search" action="/items/"'
        r' method="get">',
        page,
    )
    hrefs = links(response)
    assert "/items/?audience=person" in hrefs
    assert "/items/?audience=enterprise" in hrefs
    assert "/items/?audience=person&theme=elderly-care" in hrefs
    assert "/items/?audience=enterprise&theme=ent-startup" in hrefs
    assert "/bundles/wyc/" in hrefs
    assert "即将开通" not in page
    for link in hrefs:
        if link.startswith("/") and not link.startswith("/static/"):
            assert anonymous_client.get(link).status_code in (200, 302), link


# --- query counts: list pages do not grow with the catalogue -------------------------------


def add_items(n: int) -> None:
    for i in range(n):
        item_save_spec(
            spec=spec(
                "mzj",
                basic_code=f"0001099{i:05d}",
                name=f"测试事项{i}",
                aliases="",
                themes=["elderly-care"],
            ),
            publish=True,
        )


@pytest.mark.parametrize("extra", [0, 22])
@pytest.mark.parametrize(
    ("persona", "path", "most"),
    [
        ("anonymous_client", "/items/", 7),
        ("anonymous_client", "/items/?page=2", 7),
        ("anonymous_client", "/items/?audience=person&theme=elderly-care", 7),
        ("anonymous_client", "/items/?q=测试事项", 7),
        ("anonymous_client", "/items/?q=老年&department=mzj", 7),
        ("anonymous_client", "/", 3),
        ("anonymous_client", "/bundles/wyc/", 17),
        ("clerk_client", "/console/catalog/?q=事项", 10),
        ("clerk_client", "/console/catalog/", 10),
    ],
)
def test_list_pages_answer_in_a_fixed_number_of_queries(
    request, catalogue, django_assert_max_num_queries, extra, persona, path, most
):
    add_items(extra)
    client = request.getfixturevalue(persona)
    search.warm()
    with django_assert_max_num_queries(most):
        response = client.get(path)
    assert response.status_code == 200
