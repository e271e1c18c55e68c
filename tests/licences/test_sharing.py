"""Share links (a third party sees the face data until the link expires or is withdrawn), the
holder's authorisations and the access log."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from tests.licences.factories import LicenceTypeFactory, issue
from tongban.core.errors import DomainError, NotFound, ValidationFailed
from tongban.licences.models import (
    AccessChannel,
    Authorisation,
    GranteeKind,
    LicenceAccess,
    LicenceEvent,
)
from tongban.licences.services import licence_revoke
from tongban.licences.services.sharing import (
    LinkRefused,
    authorisation_revoke,
    share_link_create,
    share_link_open,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def licence(holder):
    return issue(LicenceTypeFactory(name="老年人优待证"), holder=holder.person)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _share(licence, holder, **kw):
    kw.setdefault("expires_at", timezone.now() + dt.timedelta(days=3))
    return share_link_create(
        licence=licence, actor=holder, grantee_name="云溪房产中介", purpose="办理房屋租赁", **kw
    )


def test_a_share_link_opens_the_face_data_and_is_logged(clock, licence, holder):
    row, token = _share(licence, holder)
    assert len(token) >= 32
    assert row.token_hash and token not in row.token_hash
    assert (row.grantee_kind, row.scope, row.created_by) == (
        GranteeKind.SHARE_LINK,
        ["face"],
        holder,
    )
    assert row.expires_at == NOW + dt.timedelta(days=3)
    assert LicenceEvent.objects.filter(licence=licence, action="shared").count() == 1
    opened, auth = share_link_open(token=token)
    assert (opened.pk, auth.pk) == (licence.pk, row.pk)
    access = LicenceAccess.objects.get()
    assert (access.channel, access.accessor_label, access.purpose, access.authorisation) == (
        AccessChannel.SHARE_LINK,
        "云溪房产中介",
        "办理房屋租赁",
        row,
    )


def test_an_expired_link_is_refused(clock, licence, holder):
    _row, token = _share(licence, holder, expires_at=timezone.now() + dt.timedelta(hours=1))
    clock.shift(dt.timedelta(hours=1, seconds=1))
    with pytest.raises(LinkRefused) as caught:
        share_link_open(token=token)
    assert caught.value.code == "share_link_expired"
    assert caught.value.message == "分享链接已于 2026-11-20 11:00 过期。"
    assert not LicenceAccess.objects.exists()


def test_a_withdrawn_link_is_refused(clock, licence, holder):
    row, token = _share(licence, holder)
    authorisation_revoke(authorisation=row, actor=holder)
    with pytest.raises(LinkRefused) as caught:
        share_link_open(token=token)
    assert caught.value.message == "分享链接已被持证人撤回。"
    assert not LicenceAccess.objects.exists()
    with pytest.raises(DomainError) as again:
        authorisation_revoke(authorisation=row, actor=holder)
    assert again.value.message == "该授权已经撤回。"


def test_a_link_to_a_revoked_licence_is_refused(clock, licence, holder):
    _row, token = _share(licence, holder)
    licence_revoke(licence=licence, reason="证件遗失", actor_label="测试")
    with pytest.raises(DomainError) as caught:
        share_link_open(token=token)
    assert caught.value.message == "该证照已注销。"
    assert not LicenceAccess.objects.exists()


def test_an_unknown_or_malformed_token_is_not_found(clock, licence, holder):
    _share(licence, holder)
    for token in ("", "x" * 200, "not-a-token"):
        with pytest.raises(NotFound):
            share_link_open(token=token)


def test_only_the_holder_shares_and_withdraws(clock, licence, holder, applicant_b):
    with pytest.raises(NotFound):
        _share(licence, applicant_b)
    row, _token = _share(licence, holder)
    with pytest.raises(NotFound):
        authorisation_revoke(authorisation=row, actor=applicant_b)
    assert Authorisation.objects.get().revoked_at is None


@pytest.mark.parametrize(
    ("delta", "message"),
    [
        (dt.timedelta(seconds=-1), "有效期须晚于现在。"),
        (dt.timedelta(days=31), "分享链接最长有效 30 天。"),
    ],
)
def test_a_bad_expiry_is_refused(clock, licence, holder, delta, message):
    with pytest.raises(ValidationFailed) as caught:
        _share(licence, holder, expires_at=timezone.now() + delta)
    assert caught.value.message == message
    assert not Authorisation.objects.exists()


def test_an_expired_licence_cannot_be_shared(clock, holder):
    old = issue(
        LicenceTypeFactory(),
        holder=holder.person,
        issued_on=dt.date(2015, 1, 5),
        valid_until=dt.date(2020, 1, 5),
    )
    with pytest.raises(DomainError) as caught:
        _share(old, holder)
    assert caught.value.message == "该证照已过有效期。"


# ---------------------------------------------------------------- through HTTP


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_share_page_makes_a_link_that_a_stranger_opens(clock, licence, holder):
    client = _client(holder)
    response = client.post(
        f"/my/licences/{licence.pk}/share/",
        {"grantee": "云溪房产中介", "purpose": "办理房屋租赁", "days": "3"},
    )
    assert response.status_code == 200
    link = re.search(r'value="(http://testserver/shared/[^"]+)"', response.content.decode())
    assert link
    from django.test import Client

    stranger = Client().get(link.group(1).replace("http://testserver", ""))
    assert stranger.status_code == 200
    assert stranger["Cache-Control"] == "no-store"
    text = stranger.content.decode()
    assert "老年人优待证" in text and licence.number in text
    assert LicenceAccess.objects.filter(channel=AccessChannel.SHARE_LINK).count() == 1


def test_the_share_form_reports_errors(clock, licence, holder):
    response = _client(holder).post(f"/my/licences/{licence.pk}/share/", {"days": "99"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "<title>错误：" in text
    assert "请填写分享给谁。" in text and "请填写用途。" in text and "请选择链接有效期。" in text
    assert not Authorisation.objects.exists()


def test_a_refused_link_page_says_why(clock, licence, holder):
    row, token = _share(licence, holder)
    authorisation_revoke(authorisation=row, actor=holder)
    from django.test import Client

    response = Client().get(f"/shared/{token}/")
    assert response.status_code == 410
    assert "分享链接已被持证人撤回。" in response.content.decode()
    assert Client().get("/shared/nothing-here/").status_code == 404


def test_the_holder_withdraws_an_authorisation_from_the_wallet(clock, licence, holder):
    row, token = _share(licence, holder)
    response = _client(holder).post(f"/my/licences/authorisations/{row.pk}/withdraw/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at == NOW
    with pytest.raises(LinkRefused):
        share_link_open(token=token)


def test_another_applicant_cannot_withdraw(clock, licence, holder, applicant_b):
    row, _token = _share(licence, holder)
    response = _client(applicant_b).post(f"/my/licences/authorisations/{row.pk}/withdraw/")
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
