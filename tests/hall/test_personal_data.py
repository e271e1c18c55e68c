"""The day's booking list at the hall: the booker's phone masked for every clerk (the full-view
permission included), with 「查看完整信息」 leading to the logged reveal of that person."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tongban.core.models import PersonalDataAccess
from tongban.hall import services

from .conftest import at, client_for

pytestmark = pytest.mark.django_db


def test_the_booking_list_masks_the_phone_and_links_to_the_reveal(hall, clerk, applicant):
    _user, who = applicant
    with time_machine.travel(at("2026-10-30", 12), tick=False):
        services.booking_create(
            hall=hall, person=who, date=dt.date(2026, 11, 2), start=dt.time(14), group_code="A"
        )
    page = client_for(clerk).get(f"/console/hall/{hall.code}/bookings/?date=2026-11-02").text
    assert who.phone[:3] + "****" + who.phone[-4:] in page
    assert who.phone not in page and who.id_number not in page
    assert f"/console/personal-data/reveal/person/{who.pk}/?next=" in page
    assert PersonalDataAccess.objects.count() == 0
    reveal = client_for(clerk).post(
        f"/console/personal-data/reveal/person/{who.pk}/",
        {"fields": ["phone"], "purpose": "contact", "reason": "预约变更通知"},
    )
    assert reveal.status_code == 200 and who.phone in reveal.text
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.person, row.fields) == (clerk, who, ["phone"])
