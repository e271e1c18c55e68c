"""Regions and departments: duplicates are refused with a clear message, not a crash."""

import pytest

from tongban.core.errors import ValidationFailed
from tongban.core.models import Region
from tongban.core.services import department_create, region_create

pytestmark = pytest.mark.django_db


def test_duplicate_region_and_department_codes_are_refused():
    district = region_create(code="330199", name="云溪区")
    with pytest.raises(ValidationFailed) as exc:
        region_create(code="330199", name="又一个")
    assert (exc.value.code, exc.value.field) == ("duplicate", "code")
    assert exc.value.message == "区划代码：330199 已存在。"
    department_create(code="mzj", name="民政局", region=district)
    with pytest.raises(ValidationFailed) as exc:
        department_create(code="mzj", name="民政局二", region=district)
    assert exc.value.message == "单位编码：mzj 已存在。"
    assert Region.objects.count() == 1


def test_a_street_must_sit_under_a_district():
    district = region_create(code="330199", name="云溪区")
    street = region_create(code="330199001", name="云溪街道", parent=district)
    with pytest.raises(ValidationFailed) as exc:
        region_create(code="330199002", name="东湖街道", parent=street)
    assert exc.value.field in {"code", "parent"}
    with pytest.raises(ValidationFailed):
        region_create(code="440199001", name="外区街道", parent=district)
