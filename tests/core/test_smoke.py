import pytest


@pytest.mark.django_db
def test_pages_answer(anonymous_client, clerk_client, admin_client_):
    assert anonymous_client.get("/").status_code == 200
    assert anonymous_client.get("/healthz").json()["status"] == "ok"
    assert anonymous_client.get("/console/").status_code == 302
    assert clerk_client.get("/console/").status_code == 200
    assert admin_client_.get("/admin/").status_code == 200
    assert anonymous_client.get("/api/v1/openapi.json").status_code == 200
