"""The dispatch-quality page (派单质量) on a hand-built set of suggestions with known answers:
weekly top-1 and top-3 accuracy against the final subject, auto-dispatch coverage and
precision, undo counts, confusion hot spots, the active model's manifest and evaluation, drift;
who may see it; and a number of queries that does not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongban.hotline import dispatch_quality
from tongban.hotline.models import ClassifierModel, DispatchSuggestion

from .conftest import SHANGHAI
from .factories import new_ticket

URL = "/console/hotline/dispatch-quality/"
NOW = dt.datetime(2026, 6, 3, 15, 0, tzinfo=SHANGHAI)  # Wednesday; the week began Mon 06-01
THIS_WEEK = dt.date(2026, 6, 1)
LAST_WEEK = dt.date(2026, 5, 25)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _candidates(*codes: str) -> list[dict]:
    confidences = [0.8, 0.15, 0.05]
    return [
        {"subject": code, "confidence": c, "department": None, "locality": False}
        for code, c in zip(codes, confidences, strict=False)
    ]


def _row(ticket, world, *, top, final=None, others=(), auto=False, undone=False, at=NOW):
    subjects = {s.code: s for s in (world.ponding, world.streetlight, world.noise, world.water)}
    row = DispatchSuggestion.objects.create(
        ticket=ticket,
        candidates=_candidates(top, *others),
        top_subject=subjects[top],
        confidence=0.8,
        auto_dispatched=auto,
        undone_at=at if undone else None,
        final_subject=subjects[final] if final else None,
        concluded_at=at if final else None,
    )
    DispatchSuggestion.objects.filter(pk=row.pk).update(created_at=at)
    return row


def build(world, operator, *, copies: int = 1) -> None:
    """Two weeks of suggestions, ``copies`` times over (each copy has the same answers).

    This week (Mon 06-01 …), per copy: 6 scored, 5 concluded —
      1. 积水 → 积水 (auto)                 top-1 ✓
      2. 积水 → 积水 (auto, undone)          top-1 ✓
      3. 路灯 → 积水 [路灯, 积水] (auto)      top-1 ✗, top-3 ✓
      4. 停水 → 噪音 [停水, 路灯, 积水]        top-1 ✗, top-3 ✗
      5. 噪音 → 噪音                          top-1 ✓
      6. 积水, still open (auto)
    Last week, per copy: 2 scored, 2 concluded —
      7. 停水 → 停水                          top-1 ✓
      8. 路灯 → 积水 [路灯]                   top-1 ✗, top-3 ✗
    """
    this_week = NOW - dt.timedelta(days=1)
    last_week = NOW - dt.timedelta(days=8)
    ticket = new_ticket(operator)
    for _ in range(copies):
        _row(ticket, world, top="03.02.05", final="03.02.05", auto=True, at=this_week)
        _row(ticket, world, top="03.02.05", final="03.02.05", auto=True, undone=True, at=this_week)
        _row(
            ticket,
            world,
            top="03.02.06",
            final="03.02.05",
            others=["03.02.05"],
            auto=True,
            at=this_week,
        )
        _row(
            ticket,
            world,
            top="07.01.01",
            final="05.01.01",
            others=["03.02.06", "03.02.05"],
            at=this_week,
        )
        _row(ticket, world, top="05.01.01", final="05.01.01", at=this_week)
        _row(ticket, world, top="03.02.05", auto=True, at=this_week)
        _row(ticket, world, top="07.01.01", final="07.01.01", at=last_week)
        _row(ticket, world, top="03.02.06", final="03.02.05", at=last_week)
    # outside the period (13 weeks ago): never counted
    _row(ticket, world, top="03.02.05", final="07.01.01", at=NOW - dt.timedelta(weeks=13))


def test_the_figures_of_a_hand_built_dataset(world, operator, clock):
    build(world, operator)
    report = dispatch_quality.quality_report(weeks=12)
    assert report.since == dt.date(2026, 3, 16)
    assert len(report.weeks) == 12
    assert [w.week for w in report.weeks[-2:]] == [LAST_WEEK, THIS_WEEK]
    this, last = report.weeks[-1], report.weeks[-2]
    counts = (
        "scored",
        "concluded",
        "top1",
        "top3",
        "auto",
        "auto_concluded",
        "auto_correct",
        "undone",
    )
    assert [getattr(this, c) for c in counts] == [6, 5, 3, 4, 4, 3, 2, 1]
    assert (this.top1_accuracy, this.top3_accuracy) == (3 / 5, 4 / 5)
    assert (this.auto_coverage, this.auto_precision) == (4 / 6, 2 / 3)
    assert [getattr(last, c) for c in counts] == [2, 2, 1, 1, 0, 0, 0, 0]
    assert (last.top1_accuracy, last.auto_coverage, last.auto_precision) == (1 / 2, 0.0, None)
    assert all(w.scored == 0 and w.top1_accuracy is None for w in report.weeks[:-2])
    assert [getattr(report.total, c) for c in counts] == [8, 7, 4, 5, 4, 3, 2, 1]
    spots = [(h.final_code, h.suggested_code, h.count) for h in report.hot_spots]
    assert spots == [("03.02.05", "03.02.06", 2), ("05.01.01", "07.01.01", 1)]
    assert report.model is None
    assert report.drift_weeks == 0


def test_drift_is_flagged_against_the_models_evaluation(world, operator, clock):
    ClassifierModel.objects.create(
        name="demo-1",
        path="/srv/models/demo-1",
        status="active",
        manifest={"metrics": {"rows": 100}, "labels": ["03.02.05", "07.01.01"]},
        evaluation={"accuracy": 0.9, "macro_f1": 0.88, "rows": 50},
    )
    build(world, operator, copies=4)  # this week: 20 concluded, top-1 60% < 90% − 5%
    report = dispatch_quality.quality_report(weeks=4)
    assert [w.drift for w in report.weeks] == [False, False, False, True]
    assert report.drift_weeks == 1  # last week has only 8 concluded: too few to judge


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_page_shows_the_table_hot_spots_and_the_active_model(world, operator, clock, settings):
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 0.9  # configured (not the model's own)
    ClassifierModel.objects.create(
        name="demo-7f3a",
        path="/srv/models/demo-7f3a",
        status="active",
        activated_at=NOW - dt.timedelta(days=2),
        manifest={
            "created_at": "2026-05-31T08:00:00+00:00",
            "source": "demo tickets",
            "training_data_hash": "ab12cd34ef56ab78cd90",
            "labels": ["03.02.05", "03.02.06", "05.01.01", "07.01.01"],
            "metrics": {"rows": 1200, "cross_validation": {"accuracy": 0.912, "macro_f1": 0.9}},
            "libraries": {"scikit-learn": "1.7.2", "skops": "0.13.0"},
        },
        evaluation={
            "accuracy": 0.934,
            "macro_f1": 0.921,
            "rows": 300,
            "thresholds": [
                {"threshold": 0.85, "covered": 240, "coverage": 0.8, "precision": 0.97},
                {"threshold": 0.9, "covered": 219, "coverage": 0.73, "precision": 0.982},
                {"threshold": 0.95, "covered": 180, "coverage": 0.6, "precision": 0.99},
            ],
        },
    )
    build(world, operator)
    response = _client(operator).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>派单质量" in body
    # this week's row: 6 scored, 5 concluded, 60.0% / 80.0%, 4 auto, 66.7%, 66.7%, 1 undone
    row = body[body.index("2026-06-01 – 06-07") :]
    row = row[: row.index("</tr>")]
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in row.split("<td")[1:]]
    assert cells == ["6", "5", "60.0%", "80.0%", "4", "66.7%", "66.7%", "1"]
    assert "57.1%" in body  # top-1 over the period: 4 / 7
    assert "路灯损坏" in body and "道路积水" in body
    assert "demo-7f3a" in body
    assert "<dd>2026-05-31 16:00</dd>" in body  # trained at, in local time
    assert "93.4%" in body and "92.1%" in body  # the evaluation
    assert "置信度 ≥ 0.9：覆盖 73.0%，准确率 98.2%" in body
    assert "ab12cd34ef56" in body
    assert "scikit-learn 1.7.2" in body


def test_without_a_model_the_page_says_so(world, operator, clock):
    body = _client(operator).get(URL).content.decode()
    assert "当前没有启用的派单模型" in body
    assert body.count('<td class="num" data-label="建议件数">0</td>') == 12


def test_the_period_can_be_chosen_and_bad_values_fall_back(world, operator, clock):
    build(world, operator)
    body = _client(operator).get(URL, {"weeks": "4"}).content.decode()
    assert body.count('data-label="建议件数"') == 4
    body = _client(operator).get(URL, {"weeks": "9999"}).content.decode()
    assert body.count('data-label="建议件数"') == 12


@pytest.mark.parametrize(
    "persona, status",
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("handler", 403),
        ("street_handler", 403),
        ("operator", 200),
        ("supervisor_h", 200),
    ],
)
def test_who_may_see_the_page(world, persona, status, request, clock):
    client = Client() if persona == "anonymous" else _client(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/console/login/")


def test_the_navigation_links_the_page_for_whom_may_see_it(world, operator, handler, clock):
    assert f'href="{URL}"' in _client(operator).get("/console/hotline/").content.decode()
    assert f'href="{URL}"' not in _client(handler).get("/console/hotline/").content.decode()


def test_the_query_count_does_not_grow_with_the_data(world, operator, clock):
    ClassifierModel.objects.create(name="m", path="/m", status="active")
    build(world, operator, copies=1)
    client = _client(operator)
    client.get(URL)  # warm the per-process caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    build(world, operator, copies=6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).status_code == 200
    assert len(large) == len(small)
    assert len(small) <= 10
