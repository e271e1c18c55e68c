"""The lead's final reply waits for every co-handler (or its release, 解除协办); merged callers'
callbacks are in the 待回访 tab; the API's joint and merge operations (release, meeting, merge
suggestions) with the pages' permissions. Refusals change nothing."""

from __future__ import annotations

import pytest

from tongban.hotline import selectors, services
from tongban.hotline.models import (
    AssignmentStatus,
    Callback,
    CoordinationMeeting,
    CoReply,
    MergeSuggestion,
    Ticket,
    TicketAssignment,
    TicketEvent,
)
from tongban.hotline.services import joint, merging
from tongban.hotline.services.common import TicketRefused

from .factories import fresh, new_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tuesday(at):
    at("2026-06-02 10:00")


def _snapshot(ticket: Ticket):
    t = fresh(ticket)
    return (
        t.status,
        t.version,
        t.reply,
        TicketEvent.objects.filter(ticket=t).count(),
        sorted(TicketAssignment.objects.filter(ticket=t).values_list("status", flat=True)),
        CoReply.objects.filter(ticket=t).count(),
        Callback.objects.filter(ticket=t).count(),
    )


def _joint(operator, handler):
    ticket = new_ticket(operator)
    joint.ticket_joint_dispatch(
        ticket.ticket_no, actor=operator, lead_code="cgj", co_codes=["zjj", "yx-street-330199001"]
    )
    return services.ticket_sign(ticket.ticket_no, actor=handler)


def _statuses(ticket) -> dict[str, str]:
    return {
        a.department.code: a.status
        for a in TicketAssignment.objects.filter(ticket=ticket).select_related("department")
    }


# --------------------------------------------------------------------------- the gate


def test_the_lead_replies_only_after_every_co_handler_answered_or_was_released(
    at, world, operator, handler, zjj_handler, street_handler
):
    ticket = _joint(operator, handler)
    joint.ticket_co_reply(ticket.ticket_no, actor=zjj_handler, content="排水管网已疏通。")
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as exc:
        services.ticket_reply(ticket.ticket_no, actor=handler, reply="已处理。", solved=True)
    assert exc.value.code == "joint_co_pending"
    assert exc.value.status_code == 409
    assert "云溪街道便民服务中心" in str(exc.value.message)
    assert _snapshot(ticket) == before

    # within the co-handler's limit the lead may not release it; nothing changes
    with pytest.raises(Exception) as denied:
        joint.ticket_co_release(
            ticket.ticket_no, actor=handler, department_code="yx-street-330199001", reason="不等了"
        )
    assert denied.value.__class__.__name__ == "PermissionDenied"
    assert "仍在协办期限内" in str(denied.value.message)
    assert _snapshot(ticket) == before

    # past its limit the lead releases it, with a reason; then replies
    at("2026-06-09 09:00")
    released = joint.ticket_co_release(
        ticket.ticket_no,
        actor=handler,
        department_code="yx-street-330199001",
        reason="街道超期未答复，经请示中心解除。",
    )
    assert released.status == "handling"
    assert _statuses(ticket)["yx-street-330199001"] == AssignmentStatus.RELEASED
    event = TicketEvent.objects.filter(ticket=ticket).order_by("-seq").first()
    assert (event.action, event.reason) == ("co_release", "街道超期未答复，经请示中心解除。")
    assert event.payload == {
        "department": "yx-street-330199001",
        "overdue": True,
        "by": "lead",
    }
    assert joint.lead_may_reply(fresh(ticket)) == (True, [])
    done = services.ticket_reply(ticket.ticket_no, actor=handler, reply="已处理。", solved=True)
    assert done.status == "replied"


def test_the_centre_releases_a_co_handler_at_any_time(world, operator, handler, zjj_handler):
    ticket = _joint(operator, handler)
    joint.ticket_co_release(
        ticket.ticket_no, actor=operator, department_code="zjj", reason="误派，与住建无关。"
    )
    assert _statuses(ticket)["zjj"] == AssignmentStatus.RELEASED
    assert joint.lead_may_reply(fresh(ticket)) == (False, ["云溪街道便民服务中心"])
    # a released co-handler can no longer reply
    before = _snapshot(ticket)
    with pytest.raises(Exception) as exc:
        joint.ticket_co_reply(ticket.ticket_no, actor=zjj_handler, content="晚到的意见")
    assert exc.value.__class__.__name__ == "PermissionDenied"
    assert _snapshot(ticket) == before


@pytest.mark.parametrize(
    ("code", "reason", "error", "field"),
    [
        ("zjj", "", "reason_required", "reason"),
        ("", "误派", "invalid_input", "department_code"),
        ("gaj", "误派", "not_a_co_handler", "department_code"),
        ("cgj", "误派", "not_a_co_handler", "department_code"),
    ],
)
def test_bad_releases_are_refused(operator, handler, code, reason, error, field):
    ticket = _joint(operator, handler)
    before = _snapshot(ticket)
    with pytest.raises(Exception) as exc:
        joint.ticket_co_release(
            ticket.ticket_no, actor=operator, department_code=code, reason=reason
        )
    assert (exc.value.code, exc.value.field) == (error, field)
    assert _snapshot(ticket) == before


def test_a_replied_co_handler_cannot_be_released_and_others_may_not(
    operator, handler, zjj_handler, other_street_handler
):
    ticket = _joint(operator, handler)
    joint.ticket_co_reply(ticket.ticket_no, actor=zjj_handler, content="已核查。")
    before = _snapshot(ticket)
    with pytest.raises(TicketRefused) as exc:
        joint.ticket_co_release(
            ticket.ticket_no, actor=operator, department_code="zjj", reason="误派"
        )
    assert exc.value.code == "not_a_co_handler"
    for actor in (zjj_handler, other_street_handler):
        with pytest.raises(Exception) as denied:
            joint.ticket_co_release(
                ticket.ticket_no, actor=actor, department_code="yx-street-330199001", reason="x"
            )
        assert denied.value.__class__.__name__ == "PermissionDenied"
    assert _snapshot(ticket) == before


def test_release_page_for_the_centre(client, operator, handler):
    ticket = _joint(operator, handler)
    client.force_login(operator)
    url = f"/console/hotline/coordination/{ticket.ticket_no}/release/"
    page = client.get(url)
    assert page.status_code == 200
    assert "解除协办" in page.content.decode()
    bad = client.post(url, {"release-expected_version": fresh(ticket).version})
    assert bad.status_code == 400
    assert "错误：" in bad.content.decode()
    ok = client.post(
        url,
        {
            "release-expected_version": fresh(ticket).version,
            "release-department_code": "zjj",
            "release-reason": "误派",
        },
    )
    assert ok.status_code == 302
    assert _statuses(ticket)["zjj"] == AssignmentStatus.RELEASED


# --------------------------------------------------------------------------- merged callbacks


def _merged_and_replied(operator, handler):
    primary = new_ticket(operator)
    services.ticket_dispatch(primary.ticket_no, actor=operator, department_code="cgj")
    dup = new_ticket(operator, caller_phone="13905710002", caller_name="李四")
    merging.merge_confirm(actor=operator, ticket_no=dup.ticket_no, into_no=primary.ticket_no)
    services.ticket_sign(primary.ticket_no, actor=handler)
    services.ticket_reply(primary.ticket_no, actor=handler, reply="积水已清除。", solved=True)
    return fresh(primary), fresh(dup)


def test_merged_callers_are_in_the_callback_tab_until_called_back(operator, handler):
    primary, dup = _merged_and_replied(operator, handler)
    page = selectors.ticket_queue(operator, tab="callbacks")
    assert [t.ticket_no for t in page.items] == [primary.ticket_no, dup.ticket_no]
    assert next(t.count for t in page.tabs if t.slug == "callbacks") == 2

    services.ticket_callback(
        dup.ticket_no, actor=operator, reached=True, satisfaction="satisfied", solved=True
    )
    assert fresh(dup).status == "merged"
    page = selectors.ticket_queue(operator, tab="callbacks")
    assert [t.ticket_no for t in page.items] == [primary.ticket_no]
    services.ticket_callback(
        primary.ticket_no, actor=operator, reached=True, satisfaction="basic", solved=True
    )
    assert selectors.ticket_queue(operator, tab="callbacks").items == []
    assert list(
        Callback.objects.filter(ticket__in=[primary, dup])
        .order_by("ticket_id")
        .values_list("status", "satisfaction")
    ) == [("done", "basic"), ("done", "satisfied")]


def test_a_merged_ticket_not_yet_replied_is_not_in_the_callback_tab(operator):
    primary = new_ticket(operator)
    dup = new_ticket(operator)
    merging.merge_confirm(actor=operator, ticket_no=dup.ticket_no, into_no=primary.ticket_no)
    assert selectors.ticket_queue(operator, tab="callbacks").items == []


# --------------------------------------------------------------------------- the API


def test_release_and_meeting_over_the_api(api, operator, handler, zjj_handler):
    ticket = _joint(operator, handler)
    no = ticket.ticket_no
    detail = api(operator).get(f"/tickets/{no}").json()
    assert {"release", "meeting", "joint"} <= set(detail["allowed_actions"])
    mine = api(zjj_handler).get(f"/tickets/{no}").json()["allowed_actions"]
    assert {"co-sign", "co-reply"} <= set(mine)
    assert "release" not in mine
    lead = api(handler).get(f"/tickets/{no}").json()["allowed_actions"]
    assert "release" not in lead  # within the co-handlers' limits

    before = _snapshot(ticket)
    refused = api(handler).act(no, "reply", reply="已处理。", solved=True)
    assert (refused.status_code, refused.json()["code"]) == (409, "joint_co_pending")
    forbidden = api(zjj_handler).act(no, "release", department="yx-street-330199001", reason="x")
    assert forbidden.status_code == 403
    missing = api(operator).act(no, "release", department="zjj")
    assert (missing.status_code, missing.json()["code"]) == (422, "reason_required")
    assert _snapshot(ticket) == before

    ok = api(operator).act(no, "release", department="zjj", reason="误派")
    assert (ok.status_code, ok.json()["status"]) == (200, "handling")
    assert _statuses(ticket)["zjj"] == AssignmentStatus.RELEASED

    bad = api(operator).act(no, "meeting", held_on="2026-06-03", decision="x", follow_up="y")
    assert (bad.status_code, bad.json()["field"]) == (422, "participants")
    met = api(operator).act(
        no,
        "meeting",
        held_on="2026-06-02",
        participants=["cgj", "yx-street-330199001"],
        decision="由城管局牵头，街道配合。",
        follow_up="三日内完成清淤。",
        follow_up_due="2026-06-05",
    )
    assert met.status_code == 200
    meeting = CoordinationMeeting.objects.get(ticket=ticket)
    assert (meeting.decision, str(meeting.follow_up_due)) == (
        "由城管局牵头，街道配合。",
        "2026-06-05",
    )
    assert sorted(meeting.participants.values_list("code", flat=True)) == [
        "cgj",
        "yx-street-330199001",
    ]


def test_merge_suggestions_over_the_api(api, operator, handler):
    primary = new_ticket(operator)
    dup = new_ticket(operator)
    other = new_ticket(operator)
    merging.merge_suggest_on_intake(fresh(dup))
    merging.merge_suggest_on_intake(fresh(other))
    assert api(handler).get("/merge-suggestions").status_code == 403
    listed = api(operator).get("/merge-suggestions")
    assert listed.status_code == 200
    rows = {(r["ticket"]["ticket_no"], r["target"]["ticket_no"]): r for r in listed.json()["items"]}
    assert (dup.ticket_no, primary.ticket_no) in rows
    first = rows[(dup.ticket_no, primary.ticket_no)]
    assert (first["status"], first["streets_differ"]) == ("pending", False)

    assert api(handler).post(f"/merge-suggestions/{first['id']}/confirm", {}).status_code == 403
    stale = api(operator).post(
        f"/merge-suggestions/{first['id']}/confirm", {"expected_version": 99}
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "stale")
    assert fresh(dup).status == "received"
    done = api(operator).post(f"/merge-suggestions/{first['id']}/confirm", {"reason": "同一积水点"})
    assert (done.status_code, done.json()["status"]) == (200, "merged")
    assert fresh(dup).merged_into_id == primary.pk
    again = api(operator).post(f"/merge-suggestions/{first['id']}/confirm", {})
    assert again.status_code == 404

    pending = MergeSuggestion.objects.filter(status="pending", ticket=other).first()
    if pending is not None:
        dismissed = api(operator).post(
            f"/merge-suggestions/{pending.pk}/dismiss", {"note": "不是同一处"}
        )
        assert (dismissed.status_code, dismissed.json()["status"]) == (200, "dismissed")
        assert fresh(other).status == "received"
    assert api(operator).get("/merge-suggestions", status="bogus").status_code == 422
