"""The privacy notice (个人信息保护法 第十七条、第三十五条) at /privacy/, linked from every portal page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_notice_states_purposes_data_retention_and_rights(anonymous_client, settings):
    settings.TONGBAN_OPERATOR_NAME = "云溪区政务服务管理办公室"
    page = anonymous_client.get("/privacy/").content.decode()
    assert '<h1 id="privacy-title">个人信息保护告知</h1>' in page
    assert "本平台由云溪区政务服务管理办公室运营" in page
    for heading in ("为什么处理您的个人信息", "处理哪些个人信息", "保存多久", "您的权利"):
        assert f"<h2>{heading}</h2>" in page
    assert "不少于 180 天" in page and "第二十四条" in page
    assert "本告知版本：2026-11-22" in page


def test_every_portal_page_links_to_it(anonymous_client):
    assert 'href="/privacy/"' in anonymous_client.get("/").content.decode()


def test_the_notice_in_english(anonymous_client):
    anonymous_client.cookies["tongban_language"] = "en"
    page = anonymous_client.get("/privacy/").content.decode()
    assert "Personal information notice" in page
    assert "Your rights" in page
