"""TONGBAN_MEDIA_STORAGE=s3: materials stored in and read from an S3-compatible object store
(moto's server on 127.0.0.1 stands in for MinIO / OBS / OSS), private objects only."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from tests.cases.conftest import PNG
from tests.cases.helpers import submitted_case
from tongban.cases.models import CaseMaterial
from tongban.cases.services import case_accept
from tongban.config.scaleout import media_storage_setting

from .conftest import free_port

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

ENV = {
    "AWS_STORAGE_BUCKET_NAME": "tongban-media",
    "AWS_S3_REGION_NAME": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    env = {**ENV, "AWS_S3_ENDPOINT_URL": s3_endpoint}
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket="tongban-media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage_setting("s3", lambda name, default="": env.get(name, default)),
    }
    settings.TONGBAN_SENDFILE = "nginx"  # has no effect on objects in S3: they are streamed
    yield client
    listing = client.list_objects_v2(Bucket="tongban-media").get("Contents", [])
    for entry in listing:
        client.delete_object(Bucket="tongban-media", Key=entry["Key"])
    client.delete_bucket(Bucket="tongban-media")


def test_a_material_is_stored_in_the_bucket_and_served_through_the_view(
    s3, at, applicant, clerk, reviewer, code
):
    at("2026-09-16 10:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    row = CaseMaterial.objects.get(case=case, material__seq=2)
    stored = s3.get_object(Bucket="tongban-media", Key=f"media/{row.file.name}")
    assert stored["Body"].read() == PNG
    acl = s3.get_object_acl(Bucket="tongban-media", Key=f"media/{row.file.name}")
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]  # the owner only
    client = Client()
    client.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(f"/console/cases/{case.case_no}/materials/{row.pk}/")
    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == PNG


def test_urls_of_objects_are_signed_and_short_lived(s3):
    name = default_storage.save("cases/2026/09/a.pdf", ContentFile(b"%PDF-1.4"))
    url = default_storage.url(name)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    with default_storage.open(name) as handle:
        assert handle.read() == b"%PDF-1.4"
