"""Written notices: built from the events, and only for those who may see the case."""

import pytest
from django.test import Client

from tongban.cases import documents
from tongban.cases.services import case_accept, case_request_correction

from .helpers import submitted_case

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_notices_follow_the_events(applicant, clerk, code):
    case = submitted_case(applicant, code)
    assert documents.available(case) == []
    case = case_request_correction(actor=clerk, case=case, missing=["户口簿"])
    assert [k.slug for k in documents.available(case)] == ["correction"]
    with pytest.raises(LookupError):
        documents.notice_pdf(case, "acceptance")
    assert documents.notice_pdf(case, "correction").startswith(b"%PDF-")


def test_the_applicant_and_staff_download_others_get_404(applicant, other_applicant, clerk, code):
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    url = f"/notices/{case.case_no}/acceptance.pdf"
    response = _client(applicant).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert _client(clerk).get(url).status_code == 200
    assert _client(other_applicant).get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert _client(applicant).get(f"/notices/{case.case_no}/denial.pdf").status_code == 404
    assert _client(applicant).get(f"/notices/{case.case_no}/nonsense.pdf").status_code == 404
