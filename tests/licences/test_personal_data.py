"""The holder's ID number on the issuing department's licence page: masked for every viewer,
「查看完整信息」 reveals it with one access-log row; the staff PDF (which prints it in full) is a
recorded access too."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tests.factories import DepartmentFactory, make_staff
from tongban.core.models import PersonalDataAccess
from tongban.core.permissions import Role

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def issuer(licence_type):
    return make_staff(Role.APPROVER, department=licence_type.department, username="issuer")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def masked(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


def test_the_console_licence_page_masks_the_holder_id_for_a_full_view_holder(licence, issuer):
    html = client_for(issuer).get(f"/console/licences/{licence.pk}/").content.decode()
    assert masked(licence.holder_id_no) in html
    assert licence.holder_id_no not in html
    assert f"/console/personal-data/reveal/licence/{licence.pk}/?next=" in html
    assert PersonalDataAccess.objects.count() == 0


def test_revealing_the_holder_id_writes_one_access_row(licence, issuer):
    url = f"/console/personal-data/reveal/licence/{licence.pk}/"
    response = client_for(issuer).post(
        url, {"fields": ["holder_id_no"], "purpose": "delivery", "reason": "核对寄递信息"}
    )
    assert response.status_code == 200
    assert licence.holder_id_no in response.content.decode()
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.subject_kind, row.subject_ref, row.fields, row.purpose) == (
        issuer,
        "licence",
        str(licence.pk),
        ["holder_id_no"],
        "delivery",
    )
    assert row.person == licence.person


def test_another_department_cannot_reveal_the_holder(licence):
    other = make_staff(
        Role.APPROVER, department=DepartmentFactory(code="zjj"), username="other-issuer"
    )
    url = f"/console/personal-data/reveal/licence/{licence.pk}/"
    assert client_for(other).get(url).status_code == 404
    assert PersonalDataAccess.objects.count() == 0


def test_the_staff_pdf_download_is_a_recorded_access(licence, issuer):
    response = client_for(issuer).get(f"/console/licences/{licence.pk}/pdf/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    row = PersonalDataAccess.objects.get()
    assert (row.subject_kind, row.subject_ref, row.fields, row.purpose) == (
        "licence",
        str(licence.pk),
        ["holder_id_no"],
        "delivery",
    )
    assert row.reason == f"下载证照 PDF（打印、送达） {licence.number}"
