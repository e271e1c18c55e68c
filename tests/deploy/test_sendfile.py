"""Protected downloads with TONGBAN_SENDFILE=nginx: the view checks permission and hands the
file to nginx by X-Accel-Redirect; without the switch it streams the file itself."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from tests.cases.conftest import PNG
from tests.cases.helpers import submitted_case
from tests.catalog.specs import department
from tests.factories import make_staff
from tongban.cases.models import CaseMaterial
from tongban.cases.services import case_accept
from tongban.core.permissions import Role
from tongban.core.sendfile import accel_redirect_response


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


@pytest.fixture
def accepted(media, at, applicant, clerk, reviewer, code):
    at("2026-09-16 10:00")
    return case_accept(actor=clerk, case=submitted_case(applicant, code))


def material_url(case) -> tuple[CaseMaterial, str]:
    row = CaseMaterial.objects.get(case=case, material__seq=2)
    return row, f"/console/cases/{case.case_no}/materials/{row.pk}/"


def test_with_nginx_an_allowed_download_is_an_x_accel_redirect(settings, accepted, reviewer, media):
    settings.TONGBAN_SENDFILE = "nginx"
    row, url = material_url(accepted)
    assert (media / row.file.name).read_bytes() == PNG
    response = client_for(reviewer).get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected/{row.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E7%85%A7%E7%89%87.png"
    assert response["Cache-Control"] == "private, no-store"


def test_with_nginx_a_refused_download_names_no_file(settings, accepted, applicant):
    settings.TONGBAN_SENDFILE = "nginx"
    _row, url = material_url(accepted)
    other = make_staff(Role.REVIEWER, department=department("scjg", 8), username="reviewer_sc")
    for user, status in ((other, 404), (applicant, 403), (None, 302)):
        response = client_for(user).get(url)
        assert response.status_code == status
        assert "X-Accel-Redirect" not in response


def test_without_the_switch_the_file_is_streamed(settings, accepted, reviewer):
    settings.TONGBAN_SENDFILE = ""
    _row, url = material_url(accepted)
    response = client_for(reviewer).get(url)
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == PNG


def test_a_file_in_object_storage_is_never_an_x_accel_redirect(settings):
    settings.TONGBAN_SENDFILE = "nginx"  # InMemoryStorage here stands for any non-local storage
    row = CaseMaterial(file=ContentFile(b"x", name="a.pdf"))
    row.file.save("cases/a.pdf", ContentFile(b"x"), save=False)
    assert accel_redirect_response(row.file, filename="a.pdf", content_type="") is None


def test_the_prefix_is_a_setting_and_names_are_url_quoted(settings, media):
    settings.TONGBAN_SENDFILE = "nginx"
    settings.TONGBAN_SENDFILE_PREFIX = "internal-files"
    row = CaseMaterial()
    row.file.save("营业执照.pdf", ContentFile(b"%PDF"), save=False)
    response = accel_redirect_response(row.file, filename="营业执照.pdf", content_type="")
    assert row.file.name.endswith("/营业执照.pdf")
    assert response["X-Accel-Redirect"] == "/internal-files/" + quote(row.file.name)
    assert response["X-Accel-Redirect"].endswith("/%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf"
    )
