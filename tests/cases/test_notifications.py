"""The applicant is told of each step that concerns them; the SMS goes out after commit."""

import pytest
from django.test import override_settings

from tongban.cases.services import case_accept, case_request_correction
from tongban.core.models import Notification

from .helpers import submitted_case

pytestmark = pytest.mark.django_db

SENT: list[tuple[str, str]] = []


class RecordingSms:
    def send(self, phone: str, text: str) -> str:
        SENT.append((phone, text))
        return "sent"


@override_settings(TONGBAN_SMS_BACKEND="tests.cases.test_notifications.RecordingSms")
def test_correction_and_acceptance_are_notified(
    applicant, clerk, code, django_capture_on_commit_callbacks
):
    SENT.clear()
    case = submitted_case(applicant, code)
    with django_capture_on_commit_callbacks(execute=True):
        case_request_correction(actor=clerk, case=case, missing=["户口簿", "照片"])
    note = Notification.objects.get(person=applicant.person)
    assert note.title == "请补正材料"
    assert "户口簿、照片" in note.body
    assert note.link == f"/my/cases/{case.case_no}/"
    assert note.sms_status == "sent"
    assert SENT[0][0] == applicant.person.phone


def test_no_sms_when_the_transaction_rolls_back(
    applicant, clerk, code, django_capture_on_commit_callbacks
):
    case = submitted_case(applicant, code)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_accept(actor=clerk, case=case)
    assert len(callbacks) == 1
    assert Notification.objects.get(person=applicant.person).sms_status == ""
