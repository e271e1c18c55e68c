"""The rater's phone shown to a rectification handler for the callback is an entry of the
personal-data access log (who, whose, why, when) besides the rectification's own record; a
refused view writes neither."""

from __future__ import annotations

import pytest
import time_machine

from tongban.core.models import PersonalDataAccess
from tongban.ratings import services
from tongban.ratings.models import ContactView, Rating

from .conftest import at, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad(applicant, case):
    with time_machine.travel(at("2026-11-03", 10), tick=False):
        services.rating_submit_web(
            user=applicant, kind="case", ref=case.case_no, level=1, comment="等了很久"
        )
    return Rating.objects.get().rectification


def test_the_contact_view_is_in_the_access_log(bad, handler, applicant):
    response = client_for(handler).post(f"/console/ratings/rectifications/{bad.pk}/contact/")
    assert response.status_code == 200
    assert "13912345678" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    row = PersonalDataAccess.objects.get()
    person = applicant.person
    assert (row.actor, row.subject_kind, row.subject_ref, row.person, row.fields) == (
        handler,
        "person",
        str(person.pk),
        person,
        ["phone"],
    )
    assert (row.purpose, row.reason) == ("contact", f"差评整改回访 {bad.rating.service_ref}")
    masked_id = person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert row.subject_label == f"张**（{masked_id}）"


def test_a_refused_contact_view_writes_no_access_row(bad, other_handler):
    response = client_for(other_handler).post(f"/console/ratings/rectifications/{bad.pk}/contact/")
    assert response.status_code == 404
    assert PersonalDataAccess.objects.count() == 0
    assert ContactView.objects.count() == 0
