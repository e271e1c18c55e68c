"""Joint tickets and merging over the API: ``POST /api/v1/tickets/{no}/actions/{joint|co-sign|
co-reply|merge|split}``; refusals answer the error code and change nothing."""

from __future__ import annotations

import pytest

from tongban.hotline.models import CoReply

from .factories import fresh, new_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tuesday(at):
    at("2026-06-02 10:00")


def test_joint_over_the_api(api, operator, zjj_handler):
    ticket = new_ticket(operator)
    refused = api(operator).act(ticket.ticket_no, "joint", co=["zjj"])
    assert refused.status_code == 422
    assert refused.json()["code"] == "joint_lead_required"
    assert fresh(ticket).status == "received"
    done = api(operator).act(ticket.ticket_no, "joint", lead="cgj", co=["zjj"])
    assert done.status_code == 200
    assert done.json()["status"] == "dispatched"
    assert api(zjj_handler).act(ticket.ticket_no, "co-sign").status_code == 200
    replied = api(zjj_handler).act(ticket.ticket_no, "co-reply", reply="已核查")
    assert replied.status_code == 200
    assert CoReply.objects.get(ticket=ticket).content == "已核查"


def test_merge_and_split_over_the_api(api, operator, handler):
    primary = new_ticket(operator)
    dup = new_ticket(operator)
    forbidden = api(handler).act(dup.ticket_no, "merge", into=primary.ticket_no)
    assert forbidden.status_code in (403, 404)
    missing = api(operator).act(dup.ticket_no, "merge")
    assert (missing.status_code, missing.json()["code"]) == (422, "invalid_input")
    merged = api(operator).act(dup.ticket_no, "merge", into=primary.ticket_no, note="同一积水点")
    assert merged.status_code == 200
    assert merged.json()["status"] == "merged"
    again = api(operator).act(dup.ticket_no, "merge", into=primary.ticket_no)
    assert again.status_code == 409
    split = api(operator).act(dup.ticket_no, "split", reason="不是同一处")
    assert (split.status_code, split.json()["status"]) == (200, "received")
