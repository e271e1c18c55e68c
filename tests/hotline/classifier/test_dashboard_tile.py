"""The 派单质量 tile on the hotline home (the weekly accuracy "shown in the hotline dashboard"),
and the auto-dispatch threshold taken from the active model's manifest unless configured."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.hotline import dispatch, dispatch_quality
from tongban.hotline.classifier import registry
from tongban.hotline.models import ClassifierModel

from ..test_dispatch_quality import build, clock  # noqa: F401 - the fixture is used by name

HOME = "/console/hotline/"
QUALITY = "/console/hotline/dispatch-quality/"


@pytest.fixture(autouse=True)
def _fresh_tile():
    dispatch_quality.clear_tile_cache()
    yield
    dispatch_quality.clear_tile_cache()


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_home_shows_this_and_last_weeks_accuracy(world, operator, clock):  # noqa: F811
    ClassifierModel.objects.create(
        name="m1",
        path="/srv/models/m1",
        status="active",
        manifest={"metrics": {"rows": 100}},
        evaluation={"accuracy": 0.9, "macro_f1": 0.88, "rows": 50},
    )
    build(world, operator, copies=4)  # this week 12/20 concluded right, last week 4/8
    body = _client(operator).get(HOME).content.decode()
    assert 'id="quality-tile-title"' in body
    assert f'<a class="link-target" href="{QUALITY}">派单质量</a>' in body
    assert "本周首选准确率</dt><dd>60.0%" in body
    assert "12 / 20 件" in body
    assert "上周首选准确率</dt><dd>50.0%" in body
    assert "4 / 8 件" in body
    # 16 automatic dispatches this week, 8 of the 12 concluded right
    assert "本周秒派</dt><dd>16" in body
    assert "准确率 66.7%" in body
    assert "疑似漂移" in body  # 60% is more than 5 points below the evaluation's 90%


def test_the_tile_is_kept_for_a_minute(world, operator, clock, monkeypatch):  # noqa: F811
    moment = [1000.0]
    monkeypatch.setattr(dispatch_quality.time, "monotonic", lambda: moment[0])
    first = dispatch_quality.tile()
    assert first.this_week.concluded == 0
    build(world, operator)
    moment[0] += dispatch_quality.TILE_SECONDS - 1
    assert dispatch_quality.tile() is first  # within TILE_SECONDS: the same figures
    moment[0] += 2
    assert dispatch_quality.tile().this_week.concluded == 5


def test_the_tile_says_when_no_model_is_active(world, operator, clock):  # noqa: F811
    body = _client(operator).get(HOME).content.decode()
    assert "尚未启用智能派单模型。" in body
    assert f'href="{QUALITY}"' in body


def test_the_tile_is_only_for_those_who_may_open_the_page(world, handler, clock):  # noqa: F811
    body = _client(handler).get(HOME).content.decode()
    assert 'id="quality-tile-title"' not in body
    assert "dispatch.css" not in body


# --------------------------------------------------------------------------- the threshold


class _Model:
    def __init__(self, manifest):
        self.manifest = manifest


def _manifest(threshold):
    return {"metrics": {"auto_dispatch": {"precision_target": 0.98, "threshold": threshold}}}


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        (_manifest(0.9213), 0.9213),
        (_manifest(None), None),  # no threshold reached the precision at training
        (_manifest(1.5), None),
        (_manifest("0.9"), None),
        ({"metrics": {"rows": 3}}, None),  # a model from before the threshold was recorded
        ({}, None),
        (None, None),
    ],
)
def test_a_manifests_threshold_is_read_defensively(manifest, expected):
    assert registry.model_threshold(manifest) == expected


def test_the_threshold_comes_from_the_active_model_unless_configured(settings, monkeypatch):
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = None
    monkeypatch.setattr(registry, "active", lambda: _Model(_manifest(0.9213)))
    assert dispatch.auto_dispatch_confidence() == 0.9213
    monkeypatch.setattr(registry, "active", lambda: _Model({"metrics": {}}))
    assert dispatch.auto_dispatch_confidence() == registry.FALLBACK_THRESHOLD == 0.95
    monkeypatch.setattr(registry, "active", lambda: None)
    assert dispatch.auto_dispatch_confidence() == 0.95
    settings.TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE = 0.97  # the setting overrides the model
    monkeypatch.setattr(registry, "active", lambda: _Model(_manifest(0.9213)))
    assert dispatch.auto_dispatch_confidence() == 0.97


def test_training_records_the_threshold_for_the_target_precision(trained):
    found = trained.manifest["metrics"]["auto_dispatch"]
    assert found["precision_target"] == 0.98
    assert found["margin"] == 0.0025
    assert 0 < found["threshold"] <= 1
    assert found["precision"] >= 0.9825  # chosen with the margin
    # the lowest such threshold: it covers at least what any higher table threshold covers
    table = trained.manifest["metrics"]["cross_validation"]["thresholds"]
    for row in table:
        if row["threshold"] >= found["threshold"]:
            assert found["coverage"] >= row["coverage"]
