"""The holder's wallet (我的证照) and the issuing department's licence pages: what each persona
may see and do, the QR display (亮证), the PDF, revocation and reissue from the console."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import DepartmentFactory, make_staff
from tests.licences.factories import LicenceTypeFactory, issue
from tongban.core.permissions import Role
from tongban.licences.models import Licence, LicenceStatus
from tongban.licences.services.sharing import share_link_create

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def personas(holder, applicant_b, licence_type):
    issuer = make_staff(Role.APPROVER, department=licence_type.department, username="issuer")
    other_dept = DepartmentFactory(code="zjj", name="云溪区住建局")
    other = make_staff(Role.APPROVER, department=other_dept, username="other-issuer")
    clerk = make_staff(Role.WINDOW_CLERK, department=licence_type.department, username="clerk")
    return {
        "anonymous": None,
        "holder": holder,
        "other_applicant": applicant_b,
        "issuing_staff": issuer,
        "other_department_staff": other,
        "clerk_without_permission": clerk,
    }


def text_of(response) -> str:
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", main).split()))


WALLET_EXPECTED = {
    "anonymous": 302,
    "holder": 200,
    "other_applicant": 404,
    "issuing_staff": 403,  # staff accounts have no person: no wallet
    "other_department_staff": 403,
    "clerk_without_permission": 403,
}


@pytest.mark.parametrize("who", list(WALLET_EXPECTED))
@pytest.mark.parametrize("page", ["", "pdf/", "show/", "share/"])
def test_wallet_pages_by_persona(personas, licence, who, page):
    response = _client(personas[who]).get(f"/my/licences/{licence.pk}/{page}")
    assert response.status_code == WALLET_EXPECTED[who]
    if who == "anonymous":
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", list(WALLET_EXPECTED))
def test_the_wallet_lists_only_ones_own_licences(personas, licence, who):
    response = _client(personas[who]).get("/my/licences/")
    expected = {"other_applicant": 200}.get(who, WALLET_EXPECTED[who])
    assert response.status_code == expected
    if expected == 200:
        assert (licence.number in response.content.decode()) is (who == "holder")


CONSOLE_EXPECTED = {
    "anonymous": 302,
    "holder": 403,
    "other_applicant": 403,
    "issuing_staff": 200,
    "other_department_staff": 404,
    "clerk_without_permission": 403,
}


@pytest.mark.parametrize("who", list(CONSOLE_EXPECTED))
@pytest.mark.parametrize("page", ["", "pdf/"])
def test_console_licence_pages_by_persona(personas, licence, who, page):
    response = _client(personas[who]).get(f"/console/licences/{licence.pk}/{page}")
    assert response.status_code == CONSOLE_EXPECTED[who]
    if who == "anonymous":
        assert response["Location"].startswith("/console/login/")


@pytest.mark.parametrize("who", list(CONSOLE_EXPECTED))
def test_console_search_by_persona(personas, licence, who):
    response = _client(personas[who]).get("/console/licences/", {"q": licence.number})
    expected = {"other_department_staff": 200}.get(who, CONSOLE_EXPECTED[who])
    assert response.status_code == expected
    if expected == 200:
        found = f'class="code">{licence.number}</a>' in response.content.decode()
        assert found is (who == "issuing_staff")
        assert ("共 1 张" if found else "共 0 张") in text_of(response)


@pytest.mark.parametrize("who", [w for w in CONSOLE_EXPECTED if w != "issuing_staff"])
def test_revoke_and_reissue_are_refused_to_others(personas, licence, who):
    client = _client(personas[who])
    r1 = client.post(f"/console/licences/{licence.pk}/revoke/", {"revoke-reason": "测试"})
    r2 = client.post(
        f"/console/licences/{licence.pk}/reissue/",
        {
            "reissue-f_category": "80周岁以上",
            "reissue-f_birth_date": "1950-03-01",
            "reissue-reason": "x",
        },
    )
    assert r1.status_code == r2.status_code == CONSOLE_EXPECTED[who]
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID
    assert Licence.objects.count() == 1


def test_the_holder_sees_status_pdf_and_the_qr(holder, licence):
    client = _client(holder)
    text = text_of(client.get("/my/licences/"))
    assert "老年人优待证" in text and "有效" in text and licence.number in text
    pdf = client.get(f"/my/licences/{licence.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    show = client.get(f"/my/licences/{licence.pk}/show/")
    assert "<svg" in show.content.decode()
    assert "请工作人员扫描二维码核验" in text_of(show)


def test_statuses_in_the_wallet(holder, licence_type, licence, clock):
    from tongban.licences.services import licence_reissue, licence_revoke

    expired = issue(
        LicenceTypeFactory(name="网约车驾驶员证"),
        holder=holder.person,
        issued_on=dt.date(2015, 1, 5),
        valid_until=dt.date(2020, 1, 5),
    )
    revoked = issue(LicenceTypeFactory(name="食品经营许可证"), holder=holder.person)
    licence_revoke(licence=revoked, reason="停业", actor_label="测试")
    new = licence_reissue(
        licence=licence,
        data={"category": "80周岁以上", "birth_date": "1950-03-01"},
        reason="年满八十",
        actor=None,
    )
    response = _client(holder).get("/my/licences/")
    page = response.content.decode()
    assert "licence-card--expired" in page and "licence-card--revoked" in page
    assert "licence-card--valid" in page
    text = text_of(response)
    assert "已换发的旧版本（1）" in text
    assert expired.number in text and revoked.number in text and new.number in text


def test_the_wallet_shows_authorisations_and_the_access_log(holder, licence):
    from tongban.licences.services.sharing import share_link_open

    _row, token = share_link_create(
        licence=licence,
        actor=holder,
        grantee_name="云溪房产中介",
        purpose="办理房屋租赁",
        expires_at=NOW + dt.timedelta(days=3),
    )
    share_link_open(token=token)
    text = text_of(_client(holder).get("/my/licences/"))
    assert "云溪房产中介" in text and "办理房屋租赁" in text and "分享链接" in text
    log = text_of(_client(holder).get("/my/licences/log/"))
    assert "2026-11-20 10:00 云溪房产中介 分享链接 老年人优待证 办理房屋租赁" in log


def test_the_wallet_page_query_count_does_not_grow_with_licences(holder, licence_type):
    client = _client(holder)
    issue(licence_type, holder=holder.person)
    with CaptureQueriesContext(connection) as one:
        client.get("/my/licences/")
    for _ in range(4):
        issue(licence_type, holder=holder.person)
    with CaptureQueriesContext(connection) as five:
        client.get("/my/licences/")
    assert len(five) == len(one)


def test_console_revokes_with_a_reason(personas, licence):
    client = _client(personas["issuing_staff"])
    refused = client.post(f"/console/licences/{licence.pk}/revoke/", {"revoke-reason": ""})
    assert refused.status_code == 400
    assert "请填写注销原因。" in refused.content.decode()
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID
    done = client.post(
        f"/console/licences/{licence.pk}/revoke/", {"revoke-reason": "告知承诺核查不实"}
    )
    assert done.status_code == 302
    licence.refresh_from_db()
    assert (licence.status, licence.status_reason) == (LicenceStatus.REVOKED, "告知承诺核查不实")


def test_console_reissues_with_changed_data(personas, licence):
    client = _client(personas["issuing_staff"])
    response = client.post(
        f"/console/licences/{licence.pk}/reissue/",
        {
            "reissue-f_category": "80周岁以上",
            "reissue-f_address": "云溪区新址 1 号",
            "reissue-f_birth_date": "1950-03-01",
            "reissue-reason": "年满八十周岁",
        },
    )
    assert response.status_code == 302
    new = Licence.objects.get(version=2)
    assert response["Location"] == f"/console/licences/{new.pk}/"
    assert new.number == licence.number
    assert new.data["category"] == "80周岁以上"
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUPERSEDED
    page = text_of(client.get(f"/console/licences/{new.pk}/"))
    assert "第 2 版" in page and "第 1 版" in page
