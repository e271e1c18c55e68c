"""Intake: validation (nothing written on bad input), numbering, locality, idempotency,
attachments, triage at intake, auto-dispatch (秒派) and missed calls."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.events import chain_verify
from tongban.hotline import services
from tongban.hotline.dispatch import DispatchRefused
from tongban.hotline.models import MissedCall, Ticket, TicketAttachment, TicketEvent

from .factories import TEXT, new_ticket

pytestmark = pytest.mark.django_db

# A real 1×1 PNG: attachments must open as images (core/uploads.py).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\r\xefF\xb8\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n%%EOF\n"


def _nothing_written():
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_a_ticket_is_numbered_located_and_has_its_first_event(world, operator, at):
    at("2026-06-02 10:00")
    first = new_ticket(operator)
    second = new_ticket(operator)
    assert first.ticket_no == "12345-20260602-000001"
    assert second.ticket_no == "12345-20260602-000002"
    assert (first.status, first.version) == ("received", 1)
    assert (first.region, first.street, first.locality_unresolved) == (
        world.wanghu,
        world.yunxi,
        False,
    )
    assert first.created_by == operator
    assert first.subject == world.ponding
    assert (first.suggested_department, first.suggestion_confidence) == (world.cgj, 1.0)
    [event] = TicketEvent.objects.filter(ticket=first)
    assert (event.action, event.from_state, event.to_state) == ("create", "", "received")
    assert event.payload["street"] == "330199001"
    assert "caller" not in str(event.payload) and "13905710001" not in str(event.payload)
    assert chain_verify().ok


def test_numbers_start_again_each_day(world, operator, at):
    at("2026-06-02 23:59")
    new_ticket(operator)
    at("2026-06-03 00:01")
    assert new_ticket(operator).ticket_no == "12345-20260603-000001"


@pytest.mark.parametrize("content", ["", "   ", "\n"])
def test_a_ticket_needs_content(world, operator, content):
    with pytest.raises(ValidationFailed) as exc:
        new_ticket(operator, content=content)
    assert (exc.value.code, exc.value.field) == ("content_required", "content")
    assert exc.value.message == "诉求内容：请填写。"
    _nothing_written()


@pytest.mark.parametrize("phone", ["12345678", "1390571000", "139057100011", "abc", "02012345"])
def test_a_phone_number_must_be_a_phone_number(world, operator, phone):
    with pytest.raises(ValidationFailed) as exc:
        new_ticket(operator, caller_phone=phone)
    assert (exc.value.code, exc.value.field) == ("invalid_phone", "caller_phone")
    assert "手机号为 11 位数字" in exc.value.message
    _nothing_written()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("139 0571 0001", "13905710001"),
        ("+8613905710001", "13905710001"),
        ("0571-87654321", "0571-87654321"),
    ],
)
def test_mobile_and_landline_numbers_are_normalised(world, operator, typed, stored):
    assert new_ticket(operator, caller_phone=typed).caller_phone == stored


def test_a_phone_ticket_needs_the_callers_number(world, operator):
    with pytest.raises(ValidationFailed) as exc:
        new_ticket(operator, caller_phone="")
    assert exc.value.field == "caller_phone"
    _nothing_written()


def test_anonymous_only_for_reports(world, operator):
    with pytest.raises(ValidationFailed) as exc:
        new_ticket(operator, ticket_type="complaint", anonymous=True)
    assert exc.value.code == "anonymous_not_allowed"
    assert exc.value.message.startswith("匿名：只有举报可以匿名反映")
    _nothing_written()
    report = new_ticket(
        operator, ticket_type="report", anonymous=True, caller_name="", caller_phone=""
    )
    assert report.anonymous is True


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("source", "fax", "来源：“fax”不是可选值"),
        ("ticket_type", "gossip", "诉求类型：“gossip”不是可选值"),
        ("urgency", "panic", "紧急程度：“panic”不是可选值"),
        ("hazard", "fire", "险情类别：“fire”不是可选值"),
        ("title", "标" * 129, "标题：不能超过 128 个字。"),
        ("latitude", "north", "纬度：应为数字。"),
        ("longitude", 181, "经度：应在 -180 到 180 之间。"),
    ],
)
def test_bad_choices_and_values_are_refused_with_the_field(world, operator, field, value, message):
    with pytest.raises(ValidationFailed) as exc:
        new_ticket(operator, **{field: value})
    assert exc.value.field == field
    assert exc.value.message.startswith(message)
    _nothing_written()


def test_unknown_subject_is_refused(world, operator):
    with pytest.raises(DispatchRefused) as exc:
        new_ticket(operator, subject_code="99.99.99")
    assert exc.value.code == "unknown_subject"
    assert exc.value.message == "诉求分类：没有编码为“99.99.99”的在用分类。"
    _nothing_written()


def test_an_address_that_names_no_region_is_kept_and_flagged(world, operator):
    ticket = new_ticket(operator, address="火星大道 1 号")
    assert ticket.address == "火星大道 1 号"
    assert (ticket.region, ticket.street, ticket.locality_unresolved) == (None, None, True)
    event = TicketEvent.objects.get(ticket=ticket)
    assert event.payload["locality_unresolved"] is True


def test_no_address_is_not_flagged(world, operator):
    ticket = new_ticket(operator, address="")
    assert ticket.locality_unresolved is False


def test_the_same_idempotency_key_gives_the_same_ticket(world, operator):
    first = new_ticket(operator, idempotency_key="call-42")
    again = new_ticket(operator, idempotency_key="call-42")
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.count() == 1
    other = new_ticket(operator, idempotency_key="call-43")
    assert other.pk != first.pk


def test_attachments_are_checked_by_content_and_stored(world, operator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = new_ticket(operator, attachments=[("现场.png", PNG), ("说明.pdf", PDF)])
    rows = list(TicketAttachment.objects.filter(ticket=ticket).order_by("id"))
    assert [(r.name, r.content_type, r.size) for r in rows] == [
        ("现场.png", "image/png", len(PNG)),
        ("说明.pdf", "application/pdf", len(PDF)),
    ]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("a.exe", b"MZ\x90\x00")], "附件：只接受 JPG、PNG 图片和 PDF 文件（“a.exe”不是）。"),
        ([("empty.png", b"")], "附件：文件“empty.png”是空的。"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_written(
    world, operator, files, message, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationFailed) as exc:
        new_ticket(operator, attachments=files)
    assert (exc.value.code, exc.value.message) == ("upload_refused", message)
    _nothing_written()
    assert TicketAttachment.objects.count() == 0


def test_close_at_intake_with_a_triage_outcome(world, operator):
    ticket = new_ticket(operator, ticket_type="consultation")
    closed = services.ticket_close_at_intake(
        ticket.ticket_no, actor=operator, outcome="legal_route", note="已告知可申请行政复议"
    )
    assert (closed.status, closed.triage, closed.triage_note) == (
        "closed",
        "legal_route",
        "已告知可申请行政复议",
    )
    assert closed.closed_at is not None
    actions = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert actions == ["create", "legal_route"]


def test_close_at_intake_refusals(world, operator, handler):
    ticket = new_ticket(operator)
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_close_at_intake(
            ticket.ticket_no, actor=operator, outcome="procedure", note="x"
        )
    assert exc.value.field == "outcome"
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_close_at_intake(
            ticket.ticket_no, actor=operator, outcome="direct_answer", note=" "
        )
    assert (exc.value.field, exc.value.message) == ("note", "办结说明：请填写。")
    with pytest.raises(PermissionDenied):
        services.ticket_close_at_intake(
            ticket.ticket_no, actor=handler, outcome="direct_answer", note="好"
        )
    assert Ticket.objects.get(pk=ticket.pk).status == "received"


def test_triage_in_the_create_call_closes_in_one_go_and_never_dispatches(world, operator):
    ticket = new_ticket(
        operator,
        ticket_type="consultation",
        triage="emergency_transfer",
        triage_note="已转 119",
        auto_dispatch=True,
    )
    assert (ticket.status, ticket.triage, ticket.dispatch_count) == (
        "closed",
        "emergency_transfer",
        0,
    )
    actions = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert actions == ["create", "emergency_transfer"]


def test_auto_dispatch_when_the_suggestion_is_certain(world, operator):
    ticket = new_ticket(operator, auto_dispatch=True)
    assert (ticket.status, ticket.auto_dispatched, ticket.department) == (
        "dispatched",
        True,
        world.cgj,
    )
    dispatch_event = TicketEvent.objects.get(ticket=ticket, action="dispatch")
    assert dispatch_event.actor is None
    assert dispatch_event.actor_label == "系统（秒派）"
    assert dispatch_event.payload["auto"] is True


def test_no_auto_dispatch_for_consultations_or_when_switched_off(world, operator):
    assert new_ticket(operator, ticket_type="consultation", auto_dispatch=True).status == "received"
    assert new_ticket(operator, auto_dispatch=False).status == "received"


@override_settings(TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE=1.01)
def test_no_auto_dispatch_below_the_configured_confidence(world, operator):
    ticket = new_ticket(operator, auto_dispatch=True)
    assert (ticket.status, ticket.suggestion_confidence) == ("received", 1.0)


def test_who_may_file_tickets(world, handler, grid_worker, citizen):
    with pytest.raises(PermissionDenied):
        new_ticket(handler)
    with pytest.raises(PermissionDenied):
        new_ticket(grid_worker, source="phone")
    grid = new_ticket(grid_worker, source="grid")
    assert grid.created_by == grid_worker
    web = new_ticket(citizen, source="web", caller_phone=TEXT["caller_phone"])
    assert web.caller_user == citizen
    assert Ticket.objects.count() == 2


def test_the_system_may_file_open311_tickets_with_a_token(world):
    ticket = services.ticket_create(
        actor=None,
        source="open311",
        ticket_type="help",
        title="",
        content="路灯不亮了\n在学府路",
        subject_code="03.02.06",
        open311_token="tok-1",
        channel_info={"open311_key": "ab12"},
        auto_dispatch=False,
    )
    assert (ticket.title, ticket.open311_token, ticket.created_by) == ("路灯不亮了", "tok-1", None)
    assert TicketEvent.objects.get(ticket=ticket).payload["channel"] == {"open311_key": "ab12"}


def test_missed_calls(world, operator):
    call = services.missed_call_record(phone="139 0571 0009")
    assert (call.phone, call.status) == ("13905710009", "pending")
    with pytest.raises(ValidationFailed):
        services.missed_call_record(phone="123")
    ticket = new_ticket(operator)
    services.missed_call_resolve(call.pk, actor=operator, outcome="unreachable")
    call.refresh_from_db()
    assert (call.status, call.attempts) == ("unreachable", 1)
    services.missed_call_resolve(
        call.pk, actor=operator, outcome="called_back", ticket_no=ticket.ticket_no
    )
    call.refresh_from_db()
    assert (call.status, call.attempts, call.ticket) == ("called_back", 2, ticket)
    with pytest.raises(ValidationFailed):
        services.missed_call_resolve(call.pk, actor=operator, outcome="called_back")
    assert MissedCall.objects.count() == 1
