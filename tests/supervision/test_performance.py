"""The monthly performance score sheet: the weighted score, missing components, configurable
weights (validated in the admin form), and the CSV export."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tongban.ratings.models import Rating
from tongban.supervision import kpis, performance
from tongban.supervision.admin import ScoreWeightsForm
from tongban.supervision.models import ScoreWeights

from .conftest import at

pytestmark = pytest.mark.django_db

OCTOBER = kpis.month_period(kpis.parse_month("2026-10"))


@pytest.fixture
def rated(october, person, mzj):
    for n, level in enumerate((5, 4, 3, 1)):
        Rating.objects.create(
            service_kind="case",
            service_ref=f"R{n}",
            department=mzj,
            item_code="X",
            channel="web",
            level=level,
            person=person,
            real_name=True,
            rated_at=at("2026-10-20"),
        )


def test_score_formula():
    weights = {"good_rate": Decimal(40), "on_time_rate": Decimal(40), "rectification_rate": 20}
    values = {"good_rate": Decimal("75.00"), "on_time_rate": Decimal("66.67")}
    # the rectification rate has no data: its weight is spread over the others
    assert performance.score({**values, "rectification_rate": None}, weights) == Decimal("70.84")
    assert performance.score({**values, "rectification_rate": Decimal("0.00")}, weights) == Decimal(
        "56.67"
    )
    assert performance.score({k: None for k in weights}, weights) is None


def test_department_sheet_with_default_and_configured_weights(november, rated, mzj, scjg):
    lines = {line.name: line for line in performance.department_sheet(OCTOBER)}
    mz = lines[mzj.name]
    assert mz.values["good_rate"] == Decimal("75.00")
    assert mz.values["on_time_rate"] == Decimal("66.67")
    assert mz.values["rectification_rate"] == Decimal("0.00")
    assert mz.score == Decimal("56.67")  # (75 × 40 + 66.67 × 40 + 0 × 20) / 100
    # 市场监管局 concluded nothing in October and has no ratings: no score
    assert lines[scjg.name].score is None
    ScoreWeights.objects.create(
        name="只看好评和时效", weights={"good_rate": 1, "on_time_rate": 1, "rectification_rate": 0}
    )
    lines = {line.name: line for line in performance.department_sheet(OCTOBER)}
    assert lines[mzj.name].score == Decimal("70.84")


def test_weights_are_validated():
    good = ScoreWeightsForm(data={"name": "w", "weights": '{"good_rate": 50}', "is_active": True})
    assert good.is_valid(), good.errors
    for bad in ('{"speed": 1}', '{"good_rate": -1}', '{"good_rate": 0}', "[1, 2]"):
        form = ScoreWeightsForm(data={"name": "w", "weights": bad, "is_active": True})
        assert not form.is_valid(), bad
