"""The ratings demo (issue 9, item 8): ratings on the demo cases (mostly good, some bad), a
window device's visits, and rectifications in every state; a second run adds nothing."""

from __future__ import annotations

import io

import pytest
from django.db import transaction

from tongban.cases import demo as cases_demo
from tongban.catalog import demo as catalog_demo
from tongban.core import demo as core_demo
from tongban.hotline import demo as hotline_demo
from tongban.ratings import demo as ratings_demo
from tongban.ratings.models import (
    BAD_LEVELS,
    Rating,
    RatingChannel,
    RatingDevice,
    Rectification,
    RectificationStatus,
)
from tongban.ratings.selectors import overdue_rectifications


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        core_demo.load(out.write)
        catalog_demo.load(out.write)
        cases_demo.load(lambda line: out.write(line + "\n"), count=250)
        hotline_demo.load(lambda line: out.write(line + "\n"), count=300)
        first = ratings_demo.load(lambda line: out.write(line + "\n"))
        second = ratings_demo.load(lambda line: out.write(line + "\n"))
        yield first, second, out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_loaded, db):
    return _loaded


def test_mostly_good_some_bad_on_every_channel(loaded):
    first, _second, _out = loaded
    total = Rating.objects.count()
    bad = Rating.objects.filter(level__in=[int(x) for x in BAD_LEVELS]).count()
    assert total > 50
    assert 0 < bad < total * 0.2
    channels = set(Rating.objects.values_list("channel", flat=True))
    assert {RatingChannel.WEB, RatingChannel.DEVICE, RatingChannel.CALLBACK} <= channels
    assert RatingDevice.objects.filter(code=ratings_demo.DEVICE_CODE).exists()
    assert first["ratings"] > 0


def test_rectifications_in_every_state(loaded):
    statuses = set(Rectification.objects.values_list("status", flat=True))
    assert statuses == set(RectificationStatus.values)
    outcomes = set(
        Rectification.objects.filter(status=RectificationStatus.CLOSED)
        .exclude(outcome="")
        .values_list("outcome", flat=True)
    )
    assert outcomes == {"immediate", "deadline", "explained"}
    assert Rectification.objects.filter(appeal_status="pending").exists()
    assert Rectification.objects.filter(appeal_status="upheld").exists()
    assert overdue_rectifications().exists()
    assert (
        Rectification.objects.count()
        == Rating.objects.filter(level__in=[int(x) for x in BAD_LEVELS]).count()
    )


def test_a_second_run_adds_nothing(loaded):
    _first, second, out = loaded
    assert second == {}
    assert "ratings: nothing to do (already loaded)" in out
