"""Each KPI formula against a hand-built month (October 2026) with known answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tongban.core.errors import ValidationFailed
from tongban.supervision import kpis

pytestmark = pytest.mark.django_db

OCT = kpis.month_period(dt.date(2026, 10, 1))
TODAY = dt.date(2026, 11, 20)


def test_no_cases_gives_zero_counts_and_no_rates(item):
    f = kpis.figures(OCT, today=TODAY)
    assert f.value("accepted") == 0
    assert f.value("concluded") == 0
    assert f.value("on_time_rate") is None
    assert f.value("conclusion_rate") is None
    assert f.value("good_rate") is None
    # the catalogue figures do not depend on cases: one published item, legal 20, promised 5
    assert f.value("compression") == Decimal("75.00")
    assert f.value("materials_per_item") == Decimal("5.00")


def test_case_kpis_of_a_month(october):
    f = kpis.figures(OCT, today=TODAY)
    assert f.value("accepted") == 5  # instant, late, open_overdue, suspended, next_month
    assert f.value("concluded") == 3  # instant, late, crossing
    assert f.counts["concluded_on_time"] == 2  # instant, crossing
    assert f.value("on_time_rate") == Decimal("66.67")
    assert f.value("conclusion_rate") == Decimal("40.00")  # 2 of the 5 accepted, by 31 Oct
    assert f.value("overdue") == 2  # late, open_overdue (not the suspended one)
    assert f.value("instant_share") == Decimal("33.33")
    assert f.value("online_share") == Decimal("80.00")  # 4 of 5 on the web
    assert f.value("not_accepted_rate") == Decimal("16.67")  # 1 / (5 + 1)
    assert f.value("materials_per_case") == Decimal("0.60")  # 3 materials / 5 accepted


def test_filters_by_department_item_and_region(october, item, other_item, scjg):
    f = kpis.figures(OCT, kpis.Scope.checked(department_ids=[scjg.pk]), today=TODAY)
    assert f.value("accepted") == 1
    assert f.value("concluded") == 0
    code = item.item.implementation_code
    f = kpis.figures(OCT, kpis.Scope.checked(item_codes=[code]), today=TODAY)
    assert f.value("accepted") == 4
    assert f.value("compression") == Decimal("75.00")
    f = kpis.figures(OCT, kpis.Scope.checked(region_ids=[scjg.region_id]), today=TODAY)
    assert f.value("accepted") in (1, 5)  # the test departments share or not a region


def test_by_department_equals_the_filtered_figures(october, mzj, scjg):
    by = kpis.figures_by("department", OCT, today=TODAY)
    for dept in (mzj, scjg):
        one = kpis.figures(OCT, kpis.Scope.checked(department_ids=[dept.pk]), today=TODAY)
        assert by[dept.pk].values() == one.values()


def test_the_cases_behind_a_number(october):
    listed = kpis.rows_behind("overdue", OCT, today=TODAY)
    assert sorted(c.case_no for c in listed) == sorted(
        [october["late"].case_no, october["open_overdue"].case_no]
    )
    assert [c.case_no for c in kpis.rows_behind("not_accepted", OCT)] == [
        october["refused"].case_no
    ]


def test_unknown_department_is_refused(db):
    with pytest.raises(ValidationFailed) as exc:
        kpis.Scope.checked(department_ids=[987654])
    assert exc.value.message == "没有编号为 987654 的部门。"


def test_item_kpis(item, other_item):
    f = kpis.figures(OCT, today=TODAY, areas=("items",))
    assert f.counts["items"] == 2
    # legal 20 + 20, promised 5 + 10: (15 + 10) / 40
    assert f.value("compression") == Decimal("62.50")


def test_month_parsing():
    assert kpis.parse_month("2026-10") == dt.date(2026, 10, 1)
    for bad in ("2026-13", "26-10", "2026/10", ""):
        with pytest.raises(ValidationFailed):
            kpis.parse_month(bad)
    assert kpis.month_period(dt.date(2026, 2, 1)).end == dt.date(2026, 2, 28)
