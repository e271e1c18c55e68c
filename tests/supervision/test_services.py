"""Cards (raised once, immutable, red → heads notified once), urges and orders in the history."""

from __future__ import annotations

import pytest

from tongban.cases.models import CaseEvent
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.models import StaffNotice
from tongban.supervision import services
from tongban.supervision.errors import SupervisionRefused
from tongban.supervision.models import Card, OrderStatus, SupervisionOrder, Urge

pytestmark = pytest.mark.django_db


def test_sweep_raises_a_red_card_once_and_tells_the_head_once(november, late_case, head):
    result = services.supervision_sweep()
    card = Card.objects.get(subject_ref=late_case.case_no)
    assert (card.colour, card.kind, card.department_id) == (
        "red",
        "deadline",
        late_case.department_id,
    )
    assert card.head_notified_at is not None
    assert result.total == 1
    notices = StaffNotice.objects.filter(user=head)
    assert [n.key for n in notices] == [f"card:{card.pk}"]
    history = CaseEvent.objects.filter(case=late_case, action="card")
    assert history.count() == 1
    assert history.get().to_state == "in_review"
    # a second sweep raises and sends nothing new
    again = services.supervision_sweep()
    assert again.total == 0
    assert Card.objects.count() == 1
    assert StaffNotice.objects.filter(user=head).count() == 1


def test_rule_violations(november, item, make_case, add_event):
    refused = make_case(item, status="not_accepted")
    add_event(refused, "submit", "2026-11-16", hour=9)
    add_event(refused, "refuse", "2026-11-16", reason="")
    twice = make_case(item, status="correction_requested")
    for day in ("2026-11-10", "2026-11-12"):
        add_event(twice, "submit" if day == "2026-11-10" else "resubmit", day, hour=9)
        add_event(twice, "request_correction", day)
    services.supervision_sweep()
    kinds = set(Card.objects.values_list("subject_ref", "kind", "colour"))
    assert (refused.case_no, "no_reason", "red") in kinds
    assert (twice.case_no, "double_correction", "yellow") in kinds


def test_a_card_is_resolved_only_with_an_explanation_and_a_supervisors_sign_off(
    november, late_case, head, supervisor, other_head
):
    services.supervision_sweep()
    card = Card.objects.get()
    with pytest.raises(ValidationFailed) as exc:
        services.card_resolve(actor=supervisor, card=card)
    assert exc.value.message == "销牌须有情况说明：请先由责任部门说明情况，或在此填写。"
    with pytest.raises(PermissionDenied):
        services.card_explain(actor=other_head, card=card, explanation="不是我们的")
    with pytest.raises(PermissionDenied):
        services.card_resolve(actor=head, card=card, explanation="自己销牌")
    services.card_explain(actor=head, card=card, explanation="系统故障导致延误，已办结。")
    card = services.card_resolve(actor=supervisor, card=card)
    assert card.signed_off_by == supervisor
    assert card.explanation == "系统故障导致延误，已办结。"
    with pytest.raises(SupervisionRefused):
        services.card_resolve(actor=supervisor, card=card, explanation="再次")
    with pytest.raises(SupervisionRefused):
        services.card_explain(actor=head, card=card, explanation="改说明")
    assert Card.objects.get().explanation == "系统故障导致延误，已办结。"


def test_urge_is_in_the_history_and_reaches_the_head(november, late_case, head, supervisor):
    urge = services.supervision_urge(
        actor=supervisor, kind="case", ref=late_case.case_no, message="请今日内办结"
    )
    assert urge.department_id == late_case.department_id
    event = CaseEvent.objects.get(case=late_case, action="urge")
    assert (event.reason, event.actor_id) == ("请今日内办结", supervisor.pk)
    assert StaffNotice.objects.filter(user=head, body="请今日内办结").count() == 1
    late_case.refresh_from_db()
    assert late_case.version == 1  # the status and version stay


def test_urge_refused_for_a_head_and_for_nothing_to_urge(november, late_case, head, supervisor):
    with pytest.raises(PermissionDenied):
        services.supervision_urge(actor=head, kind="case", ref=late_case.case_no, message="催")
    with pytest.raises(ValidationFailed):
        services.supervision_urge(actor=supervisor, kind="case", ref=late_case.case_no, message=" ")
    with pytest.raises(ValidationFailed):
        services.supervision_urge(actor=supervisor, kind="case", ref="NOPE", message="催")
    assert Urge.objects.count() == 0
    assert not CaseEvent.objects.filter(action="urge").exists()


def test_supervision_order_to_closure(november, late_case, head, other_head, supervisor):
    order = services.supervision_order_open(
        actor=supervisor, kind="case", ref=late_case.case_no, requirement="说明超期原因"
    )
    assert order.status == OrderStatus.OPEN
    assert f"{order.due:%Y-%m-%d}" == "2026-11-25"  # 3 working days after Friday 20 November
    with pytest.raises(PermissionDenied):
        services.supervision_order_respond(actor=other_head, order=order, response="不是我们")
    with pytest.raises(SupervisionRefused):
        services.supervision_order_close(actor=supervisor, order=order)
    order = services.supervision_order_respond(actor=head, order=order, response="已整改")
    with pytest.raises(SupervisionRefused):
        services.supervision_order_respond(actor=head, order=order, response="再答复")
    order = services.supervision_order_close(actor=supervisor, order=order)
    assert SupervisionOrder.objects.get().status == OrderStatus.CLOSED
    actions = list(
        CaseEvent.objects.filter(case=late_case).order_by("seq").values_list("action", flat=True)
    )
    assert actions[-2:] == ["supervision_order", "order_response"]
