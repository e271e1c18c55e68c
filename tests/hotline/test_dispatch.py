"""Dispatch rules: in position order, first match wins, every condition must hold; the
catalogue entry by subject; the classifier hook; the cache follows the tables."""

from __future__ import annotations

import pytest

from tongban.hotline import dispatch, services
from tongban.hotline.dispatch import dispatch_suggest
from tongban.hotline.models import CatalogueStatus, DispatchCatalogue, DispatchRule, Ticket

from .factories import new_ticket

pytestmark = pytest.mark.django_db


def _ticket(world, **kw) -> Ticket:
    """An unsaved ticket as intake would suggest for it."""
    base = {
        "ticket_type": "complaint",
        "title": "",
        "content": "",
        "street": world.yunxi,
        "region": world.wanghu,
    }
    base.update(kw)
    return Ticket(**base)


def test_keyword_rule(world):
    s = dispatch_suggest(_ticket(world, content="小区门口的井盖丢了"))
    assert (s.department, s.to_locality, s.rule, s.confidence) == (
        world.cgj,
        False,
        "井盖归城管",
        1.0,
    )
    assert s.reasons == ("派单规则 10“井盖归城管”",)


def test_locality_rule_goes_to_the_street_owning_the_address(world):
    s = dispatch_suggest(_ticket(world, title="广场舞扰民"))
    assert (s.department, s.to_locality, s.locality_unit) == (None, True, world.yunxi_unit)
    other = dispatch_suggest(
        _ticket(world, title="广场舞扰民", street=world.donghu, region=world.hubin)
    )
    assert other.locality_unit == world.donghu_unit


def test_first_match_wins_in_position_order(world):
    ticket = _ticket(world, content="井盖旁边有人跳广场舞")
    assert dispatch_suggest(ticket).rule == "井盖归城管"
    DispatchRule.objects.filter(name="广场舞噪音归属地").update(position=5)
    dispatch.invalidate()
    assert dispatch_suggest(ticket).rule == "广场舞噪音归属地"


def test_every_condition_must_hold(world):
    DispatchRule.objects.create(
        catalogue=world.catalogue,
        position=1,
        name="东湖的举报归住建",
        region=world.donghu,
        ticket_type="report",
        keywords="违建,违章",
        department=world.zjj,
    )
    dispatch.invalidate()
    hit = _ticket(
        world, ticket_type="report", content="有人违建", street=world.donghu, region=world.hubin
    )
    assert dispatch_suggest(hit).rule == "东湖的举报归住建"  # a community inside the region
    assert (
        dispatch_suggest(
            _ticket(world, ticket_type="complaint", content="有人违建", street=world.donghu)
        ).rule
        == ""
    )
    assert dispatch_suggest(_ticket(world, ticket_type="report", content="有人违建")).rule == ""
    assert (
        dispatch_suggest(
            _ticket(world, ticket_type="report", content="噪音", street=world.donghu)
        ).rule
        == ""
    )


def test_a_subject_rule_matches_the_subject_and_its_children(world):
    DispatchRule.objects.create(
        catalogue=world.catalogue,
        position=2,
        name="市政归住建（测试）",
        subject=world.ponding.parent,
        department=world.zjj,
    )
    dispatch.invalidate()
    assert dispatch_suggest(_ticket(world, subject=world.ponding)).department == world.zjj
    assert dispatch_suggest(_ticket(world, subject=world.noise)).rule == ""


def test_the_catalogue_entry_when_no_rule_matches(world):
    s = dispatch_suggest(_ticket(world, subject=world.ponding))
    assert (s.department, s.rule, s.confidence) == (world.cgj, "", 1.0)
    assert s.reasons[-1] == "派单目录 v1：“道路积水”由云溪区城市管理局办理"
    local = dispatch_suggest(_ticket(world, subject=world.noise))
    assert (local.to_locality, local.locality_unit) == (True, world.yunxi_unit)
    unknown_place = dispatch_suggest(_ticket(world, subject=world.noise, street=None, region=None))
    assert (unknown_place.has_target, unknown_place.confidence) == (False, 0.0)


def test_nothing_matches(world):
    s = dispatch_suggest(_ticket(world, content="随便说说"))
    assert (s.has_target, s.confidence, s.rule) == (False, 0.0, "")


def test_inactive_rules_and_unpublished_catalogues_are_ignored(world):
    DispatchRule.objects.filter(name="井盖归城管").update(active=False)
    dispatch.invalidate()
    assert dispatch_suggest(_ticket(world, content="井盖丢了")).rule == ""
    DispatchCatalogue.objects.filter(pk=world.catalogue.pk).update(status=CatalogueStatus.RETIRED)
    dispatch.invalidate()
    assert dispatch_suggest(_ticket(world, subject=world.ponding)).has_target is False


def test_the_classifier_hook(world, operator):
    calls = []

    def classifier(ticket):
        calls.append(ticket.content)
        return (world.streetlight, None, 0.95)

    dispatch.register_classifier(classifier)
    s = dispatch_suggest(_ticket(world, content="晚上路上黑漆漆的"))
    assert (s.subject, s.department, s.confidence) == (world.streetlight, world.cgj, 0.95)
    assert s.reasons[0] == "智能分类建议（置信度 95%）"
    # 秒派 above the configured confidence, with the suggested subject
    t = new_ticket(
        operator,
        subject_code=None,
        title="路上很黑",
        content="晚上路上黑漆漆的",
        auto_dispatch=True,
    )
    assert (t.status, t.subject, t.auto_dispatched, t.department) == (
        "dispatched",
        world.streetlight,
        True,
        world.cgj,
    )
    dispatch.register_classifier(lambda ticket: (world.streetlight, None, 0.6))
    t = new_ticket(
        operator, subject_code=None, title="路上很黑", content="晚上路上黑", auto_dispatch=True
    )
    assert (t.status, t.suggested_subject, t.suggestion_confidence) == (
        "received",
        world.streetlight,
        0.6,
    )


def test_a_broken_classifier_never_stops_intake(world, operator):
    def broken(ticket):
        raise RuntimeError("model missing")

    dispatch.register_classifier(broken)
    t = new_ticket(operator, subject_code=None, content="随便说说")
    assert t.status == "received"


def test_publishing_a_new_catalogue_version(world, operator, administrator):
    v2 = DispatchCatalogue.objects.create(version=2, basis="新三定")
    services.catalogue_publish(actor=administrator, version=2)
    v2.refresh_from_db()
    world.catalogue.refresh_from_db()
    assert (v2.status, world.catalogue.status) == ("published", "retired")
    dispatch.invalidate()
    assert dispatch_suggest(_ticket(world, subject=world.ponding)).has_target is False


def test_auto_dispatch_refuses_a_rule_that_pushes_a_departments_matter_down(world, operator):
    DispatchRule.objects.create(
        catalogue=world.catalogue, position=1, name="错误规则", keywords="积水", to_locality=True
    )
    dispatch.invalidate()
    t = new_ticket(operator, auto_dispatch=True)  # 道路积水 belongs to 城管局
    assert (t.status, t.suggestion_confidence) == ("received", 0.0)
