"""The dispatch classifier in the product: the intake page's live subject suggestions (top three,
confidence, the unit the catalogue maps each to) and one ``DispatchSuggestion`` per registered
ticket — with a tiny model trained by ``classifier.train`` and activated through the registry,
and without any model (nothing breaks)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tongban.hotline import dispatch, suggestions
from tongban.hotline.classifier import registry
from tongban.hotline.models import ClassifierModel, DispatchSuggestion, Ticket

from . import dispatch_model
from .factories import new_ticket

URL = "/console/hotline/intake/suggestions/"
PONDING_TEXT = "学府路积水很深，请尽快处理"


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    return dispatch_model.build(tmp_path_factory.mktemp("tiny-dispatch-model"))


@pytest.fixture
def model(world, tiny_model_dir):
    active = dispatch_model.activate(tiny_model_dir)
    yield active
    dispatch_model.deactivate()


@pytest.fixture
def no_model(world):
    registry.invalidate()
    suggestions.invalidate()
    suggestions.install()
    yield
    suggestions.invalidate()


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _expected(model, title: str, text: str) -> list[tuple[str, float]]:
    return model.top_k(suggestions.title_of(title, text), text, k=3)


# --------------------------------------------------------------------------- without a model


def test_without_a_model_there_is_no_score_and_intake_works(no_model, operator):
    assert suggestions.score("", PONDING_TEXT) is None
    assert suggestions.model_active() is False
    ticket = new_ticket(operator, subject_code=None, auto_dispatch=True)
    assert ticket.status == "received"  # no rule, no subject, no model: the operator decides
    assert DispatchSuggestion.objects.count() == 0


def test_without_a_model_the_panel_says_so(no_model, operator):
    response = _client(operator).get(URL, {"content": PONDING_TEXT})
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    assert "当前没有启用的派单模型" in body
    assert "suggest-list" not in body


def test_a_model_that_fails_to_load_gives_no_suggestion_and_intake_goes_on(
    no_model, operator, monkeypatch
):
    def broken():
        raise OSError("model file unreadable")

    monkeypatch.setattr(registry, "active", broken)
    assert suggestions.score("", PONDING_TEXT) is None
    ticket = new_ticket(operator, subject_code=None, auto_dispatch=True)
    assert Ticket.objects.get(pk=ticket.pk).status == "received"
    assert DispatchSuggestion.objects.count() == 0


# --------------------------------------------------------------------------- with a model


def test_score_names_three_subjects_best_first_with_the_catalogue_unit(model, world):
    scored = suggestions.score("", PONDING_TEXT)
    expected = _expected(model, "", PONDING_TEXT)
    assert [(c.subject.code, c.confidence) for c in scored.candidates] == expected
    assert scored.top.subject == world.ponding
    assert scored.top.department == world.cgj  # 派单目录: 道路积水 → 城管局
    assert scored.top.to_locality is False
    row = ClassifierModel.objects.get(status="active")
    assert (scored.model_id, scored.model_name) == (row.pk, row.name)


def test_a_street_owned_subject_maps_to_the_unit_owning_the_address(model, world):
    scored = suggestions.score("", "楼上装修噪音扰民", street=world.yunxi, region=world.wanghu)
    top = scored.top
    assert top.subject == world.noise
    assert (top.department, top.to_locality, top.locality_unit) == (None, True, world.yunxi_unit)
    assert top.as_json() == {
        "subject": "05.01.01",
        "confidence": round(top.confidence, 4),
        "department": "yx-street-330199001",
        "locality": True,
    }
    unknown = suggestions.score("", "楼上装修噪音扰民").top  # no address yet
    assert (unknown.to_locality, unknown.locality_unit) == (True, None)


def test_a_subject_rule_of_the_catalogue_decides_the_unit(model, world):
    # 停水归住建 is a rule on the subject; the catalogue entry says the same
    top = suggestions.score("", "家里突然停水了").top
    assert (top.subject, top.department) == (world.water, world.zjj)


def test_labels_that_are_no_subject_are_left_out(model, world):
    world.streetlight.active = False
    world.streetlight.save()
    dispatch.invalidate()
    scored = suggestions.score("", "路灯不亮已经一周")
    assert "03.02.06" not in [c.subject.code for c in scored.candidates]
    assert len(scored.candidates) == 3  # the model knows four labels: three remain
    assert scored.unmapped == 1


def test_the_panel_lists_the_three_suggestions_with_unit_and_confidence(model, operator):
    response = _client(operator).get(
        URL, {"title": "", "content": PONDING_TEXT, "address": "云溪区云溪街道望湖社区学府路 18 号"}
    )
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    expected = _expected(model, "", PONDING_TEXT)
    assert body.count('class="suggest"') == 3
    first = expected[0]
    assert 'data-pick="03.02.05 道路积水"' in body
    assert f"{round(first[1] * 100)}%" in body
    assert "云溪区城市管理局" in body
    # 噪音扰民 (a street's matter) among the three: the unit owning the address
    assert "属地：云溪街道便民服务中心" in body
    # the order is the model's
    positions = [body.index(f'data-pick="{code} ') for code, _c in expected]
    assert positions == sorted(positions)


def test_the_panel_waits_for_a_few_characters(model, operator):
    body = _client(operator).get(URL, {"content": "积"}).content.decode()
    assert "输入标题或诉求内容后" in body
    assert "suggest-list" not in body


@pytest.mark.parametrize(
    "persona, status",
    [("anonymous", 302), ("citizen", 403), ("handler", 403), ("operator", 200)],
)
def test_who_may_ask_for_suggestions(model, persona, status, request):
    client = Client() if persona == "anonymous" else _client(request.getfixturevalue(persona))
    response = client.get(URL, {"content": PONDING_TEXT})
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/console/login/")


def test_the_intake_page_carries_the_live_panel(model, operator):
    body = _client(operator).get("/console/hotline/intake/").content.decode()
    assert 'id="subject-suggestions"' in body
    assert f'hx-get="{URL}"' in body
    assert "delay:400ms" in body
    assert "data-suggest" in body


# --------------------------------------------------------------------------- the record


def test_registering_a_ticket_records_one_suggestion(model, world, operator, settings):
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 1.5  # never: the operator dispatches
    ticket = new_ticket(
        operator, subject_code=None, title="", content=PONDING_TEXT, auto_dispatch=True
    )
    expected = _expected(model, ticket.title, PONDING_TEXT)
    row = DispatchSuggestion.objects.get()
    assert row.ticket_id == ticket.pk
    assert row.model == ClassifierModel.objects.get(status="active")
    assert row.top_subject == world.ponding
    assert row.confidence == expected[0][1]
    assert [c["subject"] for c in row.candidates] == [code for code, _c in expected]
    assert row.candidates[0] == {
        "subject": "03.02.05",
        "confidence": round(expected[0][1], 4),
        "department": "cgj",
        "locality": False,
    }
    assert (row.auto_dispatched, row.undone_at, row.final_subject, row.concluded_at) == (
        False,
        None,
        None,
        None,
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == "received"
    assert (ticket.suggested_subject, ticket.suggested_department) == (world.ponding, world.cgj)
    assert ticket.suggestion_confidence == expected[0][1]


def test_a_ticket_the_operator_classified_is_scored_but_not_dispatched_by_the_model(
    model, world, operator, settings
):
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 1.5
    new_ticket(operator, subject_code="03.02.06", content=PONDING_TEXT, auto_dispatch=True)
    row = DispatchSuggestion.objects.get()
    assert (row.top_subject, row.auto_dispatched) == (world.ponding, False)


def test_a_retried_registration_records_no_second_suggestion(model, operator, settings):
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 1.5
    first = new_ticket(operator, subject_code=None, idempotency_key="call-1")
    again = new_ticket(operator, subject_code=None, idempotency_key="call-1")
    assert first.pk == again.pk
    assert DispatchSuggestion.objects.count() == 1


# --------------------------------------------------------------------------- the demo's model


def test_the_demo_trains_evaluates_and_activates_a_model_on_its_tickets(
    no_model, world, operator, settings, tmp_path, monkeypatch
):
    from collections import Counter

    from django.utils import timezone

    from tongban.hotline import demo_model
    from tongban.hotline.classifier.storage import read_evaluation
    from tongban.hotline.classifier.text import group_key

    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(demo_model, "MIN_ROWS", 20)
    rows = dispatch_model.training_rows(per_label=12)
    for i, row in enumerate(rows):
        new_ticket(
            operator,
            subject_code=row.label,
            title=row.title,
            content=row.text,
            idempotency_key=f"demo-ticket-{i:05d}",
        )
    new_ticket(operator, subject_code="03.02.05", idempotency_key="call-1")  # not a demo ticket
    train_rows, held_out = demo_model.sample()
    assert len(train_rows) + len(held_out) == len(rows)
    assert {r.label for r in train_rows} == set(dispatch_model.PHRASES)
    assert 0 < len(held_out) < len(rows) // 2
    held_out_groups = {group_key(r.title, r.text) for r in held_out}
    assert not held_out_groups & {group_key(r.title, r.text) for r in train_rows}

    lines: list[str] = []
    created: Counter = Counter()
    model_dir = demo_model.train_and_activate(lines.append, created, now=timezone.now())
    assert model_dir is not None, lines
    assert model_dir.parent == tmp_path / "dispatch-models"
    assert re.fullmatch(r"demo-[0-9a-f]{12}", model_dir.name)
    assert (model_dir / "evaluation.json").is_file()
    report = read_evaluation(model_dir)
    assert report["rows"] == len(held_out)
    assert report["data"]["path"] == "demo tickets (held-out part)"
    active = ClassifierModel.objects.get(status="active")
    assert active.name == model_dir.name
    assert created["dispatch model"] == 1
    assert created["past suggestions (held-out tickets)"] == len(held_out)
    assert DispatchSuggestion.objects.filter(auto_dispatched=False).count() == len(held_out)
    assert lines[0].startswith(f"hotline: dispatch model {model_dir.name}: {len(train_rows)} ")
    # suggestions work at once
    assert suggestions.score("", PONDING_TEXT).top.subject == world.ponding
    # a second load changes nothing
    assert demo_model.train_and_activate(lines.append, Counter(), now=timezone.now()) is None
    assert ClassifierModel.objects.count() == 1
    assert len(lines) == 1


def test_the_demo_skips_the_model_with_too_few_tickets(no_model, operator, settings, tmp_path):
    from collections import Counter

    from django.utils import timezone

    from tongban.hotline import demo_model

    settings.DATA_DIR = tmp_path
    new_ticket(operator, idempotency_key="demo-ticket-00001")
    lines: list[str] = []
    created: Counter = Counter({"tickets (through the services)": 1})
    assert demo_model.train_and_activate(lines.append, created, now=timezone.now()) is None
    assert lines == ["hotline: dispatch model skipped: only 1 labelled demo tickets"]
    assert ClassifierModel.objects.count() == 0
    assert not (tmp_path / "dispatch-models").exists()
