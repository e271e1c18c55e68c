"""并单: suggestions on intake and in the sweep (same street and subject within the window, or
similar text), the operator's confirmation (with the street override), the shared reply and
each caller's callback, split; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.events import chain_verify
from tongban.core.models import Notification
from tongban.hotline import services
from tongban.hotline.models import (
    AssignmentStatus,
    Callback,
    MergeSuggestion,
    Ticket,
    TicketAssignment,
    TicketEvent,
)
from tongban.hotline.services import merging
from tongban.hotline.services.common import TicketRefused

from .factories import dispatched_ticket, fresh, new_ticket

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))

DONGHU = {
    "title": "湖滨路路灯不亮",
    "content": "东湖街道湖滨社区湖滨路 3 号门口路灯一周不亮，晚上行走不安全。",
    "address": "云溪区东湖街道湖滨社区湖滨路 3 号",
}


@pytest.fixture(autouse=True)
def _tuesday(at):
    at("2026-06-02 10:00")


def _snapshot(*tickets: Ticket):
    out = []
    for ticket in tickets:
        t = fresh(ticket)
        out.append(
            (
                t.status,
                t.version,
                t.merged_into_id,
                TicketEvent.objects.filter(ticket=t).count(),
                list(t.assignments.order_by("id").values_list("status", flat=True)),
            )
        )
    out.append(sorted(MergeSuggestion.objects.values_list("ticket_id", "target_id", "status")))
    return out


def test_same_street_and_subject_within_the_window_is_suggested(at, operator):
    first = new_ticket(operator)
    at("2026-06-03 09:00")
    second = new_ticket(operator, title="学府路又积水了", content="学府路口积水，车辆无法通过。")
    found = merging.merge_candidates_for(second)
    assert [(c.ticket_no, c.rule) for c in found] == [(first.ticket_no, "place")]
    assert merging.merge_suggest_on_intake(second) == 1
    row = MergeSuggestion.objects.get()
    assert (row.ticket_id, row.target_id, row.rule, row.found_by, row.status) == (
        second.pk,
        first.pk,
        "place",
        "intake",
        "pending",
    )
    assert merging.merge_suggest_on_intake(second) == 0  # never suggested twice


def test_intake_records_the_suggestion_once_committed(operator, django_capture_on_commit_callbacks):
    first = new_ticket(operator)
    with django_capture_on_commit_callbacks(execute=True):
        second = new_ticket(operator)
    assert list(MergeSuggestion.objects.values_list("ticket_id", "target_id", "rule")) == [
        (second.pk, first.pk, "place")
    ]


def test_outside_the_window_or_closed_is_not_suggested(at, operator, settings):
    settings.TONGBAN_HOTLINE_MERGE_WINDOW_HOURS = 24
    new_ticket(operator)
    at("2026-06-03 10:01")  # 24 h and a minute later
    late = new_ticket(operator)
    assert merging.merge_candidates_for(late) == []


def test_similar_text_is_suggested_across_subjects(operator):
    first = new_ticket(operator)
    second = new_ticket(operator, subject_code="07.01.01")  # 停水, the same words
    found = merging.merge_candidates_for(second)
    assert [(c.ticket_no, c.rule) for c in found] == [(first.ticket_no, "text")]
    assert found[0].score == pytest.approx(1.0, abs=1e-4)
    other = new_ticket(operator, subject_code="07.01.01", **DONGHU)
    assert merging.merge_candidates_for(other) == []  # another street, other words


def test_the_sweep_records_new_pairs_once(at, operator):
    a = new_ticket(operator)
    b = new_ticket(operator)
    c = new_ticket(operator, subject_code="03.02.06", **DONGHU)
    since = dt.datetime(2026, 6, 2, 0, 0, tzinfo=SH)
    until = dt.datetime(2026, 6, 3, 0, 0, tzinfo=SH)
    assert merging.merge_sweep(since=since, until=until) == 1
    assert list(MergeSuggestion.objects.values_list("ticket_id", "target_id", "found_by")) == [
        (b.pk, a.pk, "sweep")
    ]
    assert merging.merge_sweep(since=since, until=until) == 0
    assert c.pk not in MergeSuggestion.objects.values_list("ticket_id", flat=True)


def test_merge_share_the_reply_and_split(at, operator, handler, citizen):
    primary = dispatched_ticket(operator)
    dup = new_ticket(operator, caller_name="李四", caller_phone="13905710002", caller_user=citizen)
    merging.merge_suggest_on_intake(dup)
    done = merging.merge_confirm(
        actor=operator, ticket_no=dup.ticket_no, into_no=primary.ticket_no, reason="同一积水点"
    )
    assert (done.status, done.merged_into_id) == ("merged", primary.pk)
    assert MergeSuggestion.objects.get().status == "confirmed"
    assert TicketEvent.objects.filter(ticket=primary).order_by("-seq").first().action == "merged_in"

    services.ticket_sign(primary.ticket_no, actor=handler)
    services.ticket_reply(primary.ticket_no, actor=handler, reply="积水已抽排。", solved=True)
    dup = fresh(dup)
    assert (dup.status, dup.reply, dup.solved) == ("merged", "积水已抽排。", True)
    assert Callback.objects.filter(ticket=dup, status="pending").count() == 1
    assert Callback.objects.filter(ticket=primary, status="pending").count() == 1
    assert (
        Notification.objects.filter(person__user=citizen, title="您反映的问题已答复").count() == 1
    )
    reply_event = TicketEvent.objects.filter(ticket=primary, action="reply").get()
    assert reply_event.payload["merged"] == [dup.ticket_no]

    # each caller is called back on their own ticket; the merged one stays merged
    services.ticket_callback(
        dup.ticket_no, actor=operator, reached=True, satisfaction="satisfied", solved=True
    )
    dup = fresh(dup)
    assert (dup.status, dup.satisfaction) == ("merged", "satisfied")

    # split: back to 已登记, on its own
    split = merging.merge_split(actor=operator, ticket_no=dup.ticket_no, reason="不是同一地点")
    assert (split.status, split.merged_into_id, split.reply) == ("received", None, "")
    assert MergeSuggestion.objects.get().status == "split"
    assert TicketEvent.objects.filter(ticket=primary).order_by("-seq").first().action == "split_off"
    assert chain_verify([TicketEvent]).problems == []


def test_a_dispatched_duplicate_is_withdrawn_from_its_unit(operator):
    primary = dispatched_ticket(operator)
    dup = dispatched_ticket(operator)
    merging.merge_confirm(actor=operator, ticket_no=dup.ticket_no, into_no=primary.ticket_no)
    assert list(TicketAssignment.objects.filter(ticket=dup).values_list("status", flat=True)) == [
        AssignmentStatus.WITHDRAWN
    ]


def test_a_group_follows_its_primary(operator):
    a, b, c = new_ticket(operator), new_ticket(operator), new_ticket(operator)
    merging.merge_confirm(actor=operator, ticket_no=c.ticket_no, into_no=b.ticket_no)
    merging.merge_confirm(actor=operator, ticket_no=b.ticket_no, into_no=a.ticket_no)
    assert fresh(c).merged_into_id == a.pk
    assert [t.ticket_no for t in merging.merged_group(a)] == [b.ticket_no, c.ticket_no]


def test_streets_differ_needs_the_override(operator):
    primary = new_ticket(operator, subject_code="03.02.06", **DONGHU)
    dup = new_ticket(operator, subject_code="03.02.06")
    assert fresh(primary).street_id != fresh(dup).street_id
    before = _snapshot(primary, dup)
    with pytest.raises(ValidationFailed) as exc:
        merging.merge_confirm(actor=operator, ticket_no=dup.ticket_no, into_no=primary.ticket_no)
    assert exc.value.code == "merge_street_override"
    assert exc.value.field == "override_street"
    assert "东湖街道" in str(exc.value.message) and "云溪街道" in str(exc.value.message)
    assert _snapshot(primary, dup) == before
    done = merging.merge_confirm(
        actor=operator,
        ticket_no=dup.ticket_no,
        into_no=primary.ticket_no,
        override_street=True,
        reason="同一路段跨街道",
    )
    assert done.status == "merged"
    event = TicketEvent.objects.filter(ticket=dup, action="merge").get()
    assert event.payload["override_street"] is True


def test_refusals_change_nothing(operator, handler):
    primary = new_ticket(operator)
    dup = new_ticket(operator)
    third = new_ticket(operator)
    merging.merge_confirm(actor=operator, ticket_no=third.ticket_no, into_no=primary.ticket_no)
    before = _snapshot(primary, dup, third)
    with pytest.raises(PermissionDenied):
        merging.merge_confirm(actor=handler, ticket_no=dup.ticket_no, into_no=primary.ticket_no)
    with pytest.raises(ValidationFailed) as exc:
        merging.merge_confirm(actor=operator, ticket_no=dup.ticket_no, into_no=dup.ticket_no)
    assert exc.value.code == "merge_self"
    with pytest.raises(TicketRefused) as exc:  # into a merged ticket: named its primary
        merging.merge_confirm(actor=operator, ticket_no=dup.ticket_no, into_no=third.ticket_no)
    assert exc.value.code == "merge_target"
    assert primary.ticket_no in str(exc.value.message)
    with pytest.raises(TicketRefused):  # already merged
        merging.merge_confirm(actor=operator, ticket_no=third.ticket_no, into_no=dup.ticket_no)
    with pytest.raises(NotFound):
        merging.merge_confirm(actor=operator, ticket_no=dup.ticket_no, into_no="12345-nope")
    with pytest.raises(TicketRefused) as exc:
        merging.merge_split(actor=operator, ticket_no=dup.ticket_no, reason="x")
    assert exc.value.code == "not_merged"
    with pytest.raises(ValidationFailed):
        merging.merge_split(actor=operator, ticket_no=third.ticket_no, reason=" ")
    assert _snapshot(primary, dup, third) == before


def test_merge_into_a_closed_ticket_is_refused(operator):
    closed = services.ticket_close_at_intake(
        new_ticket(operator).ticket_no, actor=operator, outcome="explain_close", note="已解释"
    )
    dup = new_ticket(operator)
    before = _snapshot(closed, dup)
    with pytest.raises(TicketRefused) as exc:
        merging.merge_confirm(actor=operator, ticket_no=dup.ticket_no, into_no=closed.ticket_no)
    assert exc.value.code == "merge_target"
    assert _snapshot(closed, dup) == before


def test_dismiss_closes_the_suggestion_for_good(operator):
    new_ticket(operator)
    dup = new_ticket(operator)
    merging.merge_suggest_on_intake(dup)
    row = MergeSuggestion.objects.get()
    merging.merge_dismiss(actor=operator, suggestion_id=row.pk, note="不同时段")
    assert MergeSuggestion.objects.get().status == "dismissed"
    with pytest.raises(TicketRefused):
        merging.merge_dismiss(actor=operator, suggestion_id=row.pk)
    assert merging.merge_suggest_on_intake(dup) == 0


def test_the_sweep_command(operator):
    import io

    from django.core.management import CommandError, call_command

    new_ticket(operator)
    new_ticket(operator)
    out = io.StringIO()
    call_command("merge", "sweep", "--since", "2026-06-02", "--until", "2026-06-03", stdout=out)
    assert out.getvalue().startswith("merge sweep 2026-06-02 00:00 – 2026-06-03 00:00: 1 new")
    with pytest.raises(CommandError, match="--since must be before --until"):
        call_command("merge", "sweep", "--since", "2026-06-03", "--until", "2026-06-02")
    with pytest.raises(CommandError, match="not a date"):
        call_command("merge", "sweep", "--since", "yesterday")
