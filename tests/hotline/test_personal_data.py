"""Callers' numbers on the staff pages and the API: masked by default for every role; operators
and handlers who must reach the caller reveal the number through 「查看完整信息」 (one access-log
row); the call-back of a missed call carries the call's id in the URL, never the number, and the
number put into the intake form is recorded with the purpose 联系/回访."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.core.models import PersonalDataAccess
from tongban.hotline import services

from .factories import dispatched_ticket

pytestmark = pytest.mark.django_db

PHONE = "13905710001"
MASKED = "139****0001"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_ticket_page_masks_the_caller_for_an_operator_and_offers_the_reveal(world, operator):
    ticket = dispatched_ticket(operator)
    html = client_for(operator).get(f"/console/hotline/tickets/{ticket.ticket_no}/")
    html = html.content.decode()
    assert MASKED in html and PHONE not in html
    assert f"/console/personal-data/reveal/ticket/{ticket.ticket_no}/?next=" in html
    assert PersonalDataAccess.objects.count() == 0


def test_an_operator_reveals_the_caller_with_one_access_row(world, operator):
    ticket = dispatched_ticket(operator)
    client = client_for(operator)
    url = f"/console/personal-data/reveal/ticket/{ticket.ticket_no}/"
    response = client.post(
        url, {"fields": ["caller_phone"], "purpose": "contact", "reason": "回访来电人"}
    )
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.subject_kind, row.subject_ref, row.fields, row.purpose) == (
        operator,
        "ticket",
        ticket.ticket_no,
        ["caller_phone"],
        "contact",
    )
    assert row.subject_label == f"{ticket.ticket_no} 张**（{MASKED}）"


def test_a_handler_of_the_unit_sees_the_number_masked_and_may_reveal_it(world, operator, handler):
    ticket = dispatched_ticket(operator)
    html = client_for(handler).get(f"/console/hotline/tickets/{ticket.ticket_no}/")
    html = html.content.decode()
    assert MASKED in html and PHONE not in html
    assert f"/console/personal-data/reveal/ticket/{ticket.ticket_no}/" in html
    page = client_for(handler).get(f"/console/personal-data/reveal/ticket/{ticket.ticket_no}/")
    assert page.status_code == 200


def test_a_confidential_caller_cannot_be_revealed_by_the_handler(world, operator, handler):
    ticket = dispatched_ticket(operator, confidential=True)
    url = f"/console/personal-data/reveal/ticket/{ticket.ticket_no}/"
    client = client_for(handler)
    assert client.get(url).status_code == 404
    refused = client.post(url, {"fields": ["caller_phone"], "purpose": "contact", "reason": "回访"})
    assert refused.status_code == 404
    assert PersonalDataAccess.objects.count() == 0


def test_a_supervisor_sees_the_caller_masked_and_cannot_reveal(world, operator, supervisor_h):
    ticket = dispatched_ticket(operator)
    html = client_for(supervisor_h).get(f"/console/hotline/tickets/{ticket.ticket_no}/")
    html = html.content.decode()
    assert MASKED in html and PHONE not in html
    assert "/console/personal-data/reveal/" not in html
    url = f"/console/personal-data/reveal/ticket/{ticket.ticket_no}/"
    assert client_for(supervisor_h).get(url).status_code == 404


def test_the_api_masks_the_caller_for_staff(world, operator, api):
    ticket = dispatched_ticket(operator)
    caller = api(operator).get(f"/tickets/{ticket.ticket_no}").json()["caller"]
    assert (caller["name"], caller["phone"], caller["hidden"]) == ("张晓明", MASKED, False)
    assert PersonalDataAccess.objects.count() == 0


def test_the_missed_call_list_masks_numbers_and_keeps_them_out_of_urls(world, operator):
    call = services.missed_call_record(phone="13905710009")
    html = client_for(operator).get("/console/hotline/missed-calls/").content.decode()
    assert "139****0009" in html and "13905710009" not in html
    assert f'href="/console/hotline/intake/?missed={call.pk}"' in html
    assert f"/console/personal-data/reveal/missed_call/{call.pk}/?next=" in html
    assert PersonalDataAccess.objects.count() == 0


def test_the_call_back_fills_the_number_server_side_and_logs_it(world, operator):
    call = services.missed_call_record(phone="13905710009")
    response = client_for(operator).get("/console/hotline/intake/", {"missed": call.pk})
    assert response.status_code == 200
    assert 'value="13905710009"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.subject_kind, row.subject_ref, row.fields, row.purpose) == (
        operator,
        "missed_call",
        str(call.pk),
        ["caller_phone"],
        "contact",
    )
    assert row.reason == f"漏接来电回拨并登记工单（#{call.pk}）"
    assert row.subject_label == f"#{call.pk}（139****0009）"


def test_a_number_in_the_intake_url_is_ignored(world, operator):
    response = client_for(operator).get("/console/hotline/intake/", {"phone": "13905710009"})
    assert 'value="13905710009"' not in response.content.decode()  # not put into the form
    unknown = client_for(operator).get("/console/hotline/intake/", {"missed": 999999})
    assert unknown.status_code == 200
    assert PersonalDataAccess.objects.count() == 0
