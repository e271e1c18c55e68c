"""The hall API and the periodic command: public reads, taking and calling with a session or
token, errors as JSON with their codes, reminders and no-shows from the command line."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from tongban.core.events import chain_verify
from tongban.core.models import Notification
from tongban.hall import services
from tongban.hall.models import Booking, HallEvent, QueueNumber

from .conftest import at, client_for, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(at("2026-11-02", 10), tick=False):
        yield


def test_public_reads(hall):
    client = Client()
    halls = client.get("/api/v1/hall/halls").json()
    assert halls == [
        {
            "code": "yx-hall",
            "name": "云溪区政务服务中心",
            "address": "",
            "open_now": True,
            "slot_minutes": 30,
        }
    ]
    waiting = client.get(f"/api/v1/hall/halls/{hall.code}/waiting").json()
    assert [(g["code"], g["waiting"]) for g in waiting] == [("A", 0), ("B", 0)]
    slots = client.get(f"/api/v1/hall/halls/{hall.code}/slots?group=A&date=2026-11-03").json()
    assert slots[0] == {
        "date": "2026-11-03",
        "start": "09:00",
        "end": "09:30",
        "capacity": 2,
        "free": 2,
    }
    bad = client.get(f"/api/v1/hall/halls/{hall.code}/slots?group=Z&date=2026-11-03")
    assert bad.status_code == 422
    assert bad.json()["code"] == "unknown_group"
    assert client.get("/api/v1/hall/halls/nope/waiting").status_code == 404


def test_take_and_call_over_the_api(hall, signed_in, clerk):
    kiosk = client_for(clerk)
    assert Client().post(
        f"/api/v1/hall/halls/{hall.code}/numbers",
        json.dumps({"group_code": "A"}),
        content_type="application/json",
    ).status_code in (401, 403)
    taken = kiosk.post(
        f"/api/v1/hall/halls/{hall.code}/numbers",
        json.dumps({"group_code": "A", "channel": "self_service"}),
        content_type="application/json",
    )
    assert taken.status_code == 201
    assert (taken.json()["number"], taken.json()["channel"]) == ("A001", "self_service")
    called = kiosk.post(
        f"/api/v1/hall/halls/{hall.code}/windows/1/call-next",
        "{}",
        content_type="application/json",
    )
    assert called.status_code == 200
    assert (called.json()["status"], called.json()["window"]) == ("called", 1)
    calls = Client().get(f"/api/v1/hall/halls/{hall.code}/calls").json()
    assert [(c["number"], c["window"]) for c in calls] == [("A001", 1)]
    refused = kiosk.post(
        f"/api/v1/hall/halls/{hall.code}/windows/3/call-next", "{}", content_type="application/json"
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "window_not_signed_in"
    finished = kiosk.post(f"/api/v1/hall/halls/{hall.code}/windows/1/finish")
    assert finished.json()["status"] == "done"


def test_api_take_when_closed_is_a_409_with_the_code(hall, clerk):
    with time_machine.travel(at("2026-10-05", 10), tick=False):
        response = client_for(clerk).post(
            f"/api/v1/hall/halls/{hall.code}/numbers",
            json.dumps({"group_code": "A"}),
            content_type="application/json",
        )
    assert response.status_code == 409
    assert response.json()["code"] == "hall_closed"
    assert QueueNumber.objects.count() == 0


def test_remind_and_no_show_commands(hall):
    who = person()
    services.booking_create(
        hall=hall, person=who, date=dt.date(2026, 11, 3), start=dt.time(9), group_code="A"
    )
    Notification.objects.all().delete()
    out = StringIO()
    call_command("hall", "remind", "--at", "2026-11-02T18:00", stdout=out)
    assert out.getvalue().strip() == "hall remind: 1 reminders sent"
    assert Notification.objects.get().title == "预约提醒"
    out = StringIO()
    call_command("hall", "no-shows", "--at", "2026-11-03T12:00", stdout=out)
    assert out.getvalue().strip() == "hall no-shows: 1 bookings missed, 0 numbers closed"
    assert Booking.objects.get().status == "no_show"


def test_every_change_is_in_the_hash_chain(hall, signed_in, clerk):
    services.number_take(hall=hall, group_code="A", channel="kiosk")
    services.number_call_next(window=signed_in[0], actor=clerk)
    services.number_recall(window=signed_in[0], actor=clerk)
    services.number_transfer(window=signed_in[0], actor=clerk, group_code="B")
    assert HallEvent.objects.count() == 5
    report = chain_verify([HallEvent])
    assert report.ok, report.problems
