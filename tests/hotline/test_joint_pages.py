"""The joint and merge pages, posted as a person would: joint dispatch, co-sign, co-reply and the
coordination meeting from the ticket page; the joint list; merge suggestions confirmed (the
street override) and dismissed; merge and split. Refusals show an error summary and the message
beside the field, and change nothing; personas without the right are refused."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.hotline.models import CoReply, MergeSuggestion, Ticket, TicketEvent
from tongban.hotline.services import joint, merging

from .factories import dispatched_ticket, fresh, new_ticket

pytestmark = pytest.mark.django_db

DONGHU = {
    "title": "湖滨路路灯不亮",
    "content": "东湖街道湖滨社区湖滨路 3 号门口路灯一周不亮，晚上行走不安全。",
    "address": "云溪区东湖街道湖滨社区湖滨路 3 号",
    "subject_code": "03.02.06",
}


@pytest.fixture(autouse=True)
def _tuesday(at):
    at("2026-06-02 10:00")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def post(user, ticket, action: str, **fields):
    data = {f"{action}-expected_version": str(fresh(ticket).version)}
    for key, value in fields.items():
        data[f"{action}-{key}"] = value
    return client_for(user).post(
        f"/console/hotline/coordination/{ticket.ticket_no}/{action}/", data
    )


def snapshot(ticket) -> tuple:
    t = fresh(ticket)
    return (t.status, t.version, t.merged_into_id, TicketEvent.objects.filter(ticket=t).count())


def test_joint_ticket_through_the_pages(world, operator, handler, zjj_handler):
    ticket = new_ticket(operator)
    page = client_for(operator).get(f"/console/hotline/tickets/{ticket.ticket_no}/")
    assert page.status_code == 200
    assert "联动派单" in page.content.decode()
    form = client_for(operator).get(f"/console/hotline/coordination/{ticket.ticket_no}/joint/")
    assert form.status_code == 200
    assert "国办函〔2025〕66号" in form.content.decode()

    response = post(operator, ticket, "joint", lead_code="cgj", co_codes=["zjj"], note="")
    assert response.status_code == 302
    assert response["Location"].endswith(
        f"/console/hotline/tickets/{ticket.ticket_no}/#coordination"
    )
    assert fresh(ticket).status == "dispatched"

    page = client_for(zjj_handler).get(f"/console/hotline/tickets/{ticket.ticket_no}/")
    body = page.content.decode()
    assert "协办签收" in body and "提交协办意见" in body
    assert post(zjj_handler, ticket, "co-sign").status_code == 302
    assert post(zjj_handler, ticket, "co-reply", content="管网已疏通。").status_code == 302
    assert CoReply.objects.get(ticket=ticket).content == "管网已疏通。"

    lead_page = client_for(handler).get(f"/console/hotline/tickets/{ticket.ticket_no}/")
    assert "管网已疏通。" in lead_page.content.decode()
    assert "已按期答复" in lead_page.content.decode()

    listing = client_for(operator).get("/console/hotline/joint/?tab=lead")
    assert listing.status_code == 200
    assert ticket.ticket_no in listing.content.decode()
    assert (
        ticket.ticket_no
        in client_for(handler).get("/console/hotline/joint/?tab=all").content.decode()
    )

    meeting = post(
        operator,
        ticket,
        "meeting",
        held_on="2026-06-02",
        participant_codes=["cgj", "zjj"],
        decision="城管局牵头",
        follow_up="三日内答复",
        follow_up_due="",
    )
    assert meeting.status_code == 302
    assert (
        "城管局牵头"
        in client_for(handler).get(f"/console/hotline/tickets/{ticket.ticket_no}/").content.decode()
    )


def test_joint_without_a_lead_shows_the_error_and_changes_nothing(operator):
    ticket = new_ticket(operator)
    before = snapshot(ticket)
    response = post(operator, ticket, "joint", lead_code="", co_codes=["zjj"])
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>错误：" in body
    assert "error-summary" in body
    assert "联动工单必须指定一个主办单位" in body
    assert snapshot(ticket) == before


def test_a_bad_meeting_date_is_shown_beside_the_field(operator):
    ticket = joint.ticket_joint_dispatch(
        new_ticket(operator).ticket_no, actor=operator, lead_code="cgj", co_codes=["zjj"]
    )
    before = snapshot(ticket)
    response = post(
        operator,
        ticket,
        "meeting",
        held_on="2026-06-09",
        participant_codes=["cgj"],
        decision="决定",
        follow_up="落实",
    )
    assert response.status_code == 422
    assert "日期不能晚于今天" in response.content.decode()
    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    "persona", ["anonymous", "citizen", "handler", "other_street_handler"], ids=str
)
def test_who_may_not(persona, request, operator):
    ticket = new_ticket(operator)
    before = snapshot(ticket)
    client = Client() if persona == "anonymous" else client_for(request.getfixturevalue(persona))
    url = f"/console/hotline/coordination/{ticket.ticket_no}/joint/"
    response = client.post(
        url, {"joint-expected_version": "1", "joint-lead_code": "cgj", "joint-co_codes": ["zjj"]}
    )
    assert response.status_code in (302, 403, 404)
    if persona == "anonymous":
        assert "/console/login/" in response["Location"]
    assert snapshot(ticket) == before
    merging_list = client.get("/console/hotline/merging/")
    assert merging_list.status_code in (302, 403)


def test_merge_suggestions_confirm_with_the_override_and_dismiss(operator):
    primary = new_ticket(operator, **DONGHU)
    dup = new_ticket(operator, subject_code="03.02.06")  # 云溪街道: another street
    MergeSuggestion.objects.create(
        ticket=dup,
        target=primary,
        rule="text",
        score=0.91,
        found_by="sweep",
        found_at=primary.created_at,
    )
    page = client_for(operator).get("/console/hotline/merging/")
    body = page.content.decode()
    assert page.status_code == 200
    assert dup.ticket_no in body and "不同街道" in body and "确认跨街道并单" in body
    suggestion = MergeSuggestion.objects.get()
    url = f"/console/hotline/merging/{suggestion.pk}/confirm/"
    prefix = f"merge-{suggestion.pk}"
    data = {f"{prefix}-expected_version": str(dup.version), f"{prefix}-into_no": primary.ticket_no}
    before = snapshot(dup)
    refused = client_for(operator).post(url, data)
    assert refused.status_code == 422
    assert "确认跨街道并单" in refused.content.decode()
    assert "error-summary" in refused.content.decode()
    assert snapshot(dup) == before
    done = client_for(operator).post(url, {**data, f"{prefix}-override_street": "on"})
    assert done.status_code == 302
    assert fresh(dup).merged_into_id == primary.pk
    assert MergeSuggestion.objects.get().status == "confirmed"

    other = new_ticket(operator)
    third = new_ticket(operator)
    merging.merge_suggest_on_intake(third)
    row = MergeSuggestion.objects.get(ticket=third)
    response = client_for(operator).post(
        f"/console/hotline/merging/{row.pk}/dismiss/", {"note": ""}
    )
    assert response.status_code == 302
    assert MergeSuggestion.objects.get(ticket=third).status == "dismissed"
    assert other.pk


def test_merge_and_split_from_the_ticket_page(operator):
    primary = dispatched_ticket(operator)
    dup = new_ticket(operator)
    page = client_for(operator).get(f"/console/hotline/tickets/{dup.ticket_no}/")
    assert primary.ticket_no in page.content.decode()  # offered as a likely repeat
    assert post(operator, dup, "merge", into_no=primary.ticket_no, reason="").status_code == 302
    assert fresh(dup).status == "merged"
    page = client_for(operator).get(f"/console/hotline/tickets/{primary.ticket_no}/")
    assert dup.ticket_no in page.content.decode()
    refused = post(operator, dup, "split", reason="")
    assert refused.status_code == 400
    assert fresh(dup).status == "merged"
    assert post(operator, dup, "split", reason="不是同一处").status_code == 302
    assert fresh(dup).status == "received"


def test_merge_into_an_unknown_ticket_is_shown_on_the_field(operator):
    dup = new_ticket(operator)
    before = snapshot(dup)
    response = post(operator, dup, "merge", into_no="12345-20260602-999999")
    assert response.status_code == 400
    assert "没有找到工单 12345-20260602-999999" in response.content.decode()
    assert snapshot(dup) == before
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 0


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_count_their_queries(operator):
    client = client_for(operator)

    def add_joint():
        joint.ticket_joint_dispatch(
            new_ticket(operator).ticket_no, actor=operator, lead_code="cgj", co_codes=["zjj"]
        )

    add_joint()
    dup = new_ticket(operator)
    merging.merge_suggest_on_intake(dup)
    one_joint = _queries(client, "/console/hotline/joint/?tab=all")
    one_merge = _queries(client, "/console/hotline/merging/")
    one_api = _queries(client, "/api/v1/merge-suggestions")
    for _i in range(3):
        add_joint()
        merging.merge_suggest_on_intake(new_ticket(operator, title="学府路积水第二次"))
    assert _queries(client, "/console/hotline/joint/?tab=all") == one_joint
    assert _queries(client, "/console/hotline/merging/") == one_merge
    assert client.get("/api/v1/merge-suggestions").json()["count"] >= 2
    assert _queries(client, "/api/v1/merge-suggestions") == one_api
