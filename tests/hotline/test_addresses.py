"""Addresses to streets and communities from the platform's own Region table."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.core.addresses import invalidate, resolve_address

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "region", "street"),
    [
        ("云溪区云溪街道望湖社区学府路 18 号", "330199001002", "330199001"),
        ("云溪街道学府路 18 号", "330199001", "330199001"),
        ("望湖社区 3 幢", "330199001002", "330199001"),  # no street named: the community's
        ("云溪望湖小区门口", "330199001002", "330199001"),  # without suffixes
        ("东湖街道湖滨路 6 号", "330199002", "330199002"),  # 东湖街道 does not also find 东湖社区
        ("东湖街道湖滨社区 6 号", "330199002002", "330199002"),
        ("云溪区东湖社区", "330199002001", "330199002"),
        ("云 溪 街 道", "330199001", "330199001"),  # spaces
        ("ＡＢ云溪街道", "330199001", "330199001"),  # full-width
    ],
)
def test_longest_name_match(world, address, region, street):
    match = resolve_address(address)
    assert (match.region.code, match.street.code) == (region, street)


@pytest.mark.parametrize("address", ["", "火星大道 1 号", "云溪区人民路 1 号", "杭州市西湖区"])
def test_no_region_named(world, address):
    assert resolve_address(address) is None


def test_the_index_follows_the_table(world):
    from tests.hotline.factories import region

    assert resolve_address("桂花社区 1 号") is None
    region("330199001003", "桂花社区", world.yunxi)
    invalidate()
    assert resolve_address("桂花社区 1 号").region.code == "330199001003"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(alphabet=st.sampled_from("云溪东湖望湖滨社区街道镇村路区 0"), max_size=30)
    | st.text(max_size=30)
)
def test_any_text_resolves_or_not_without_error(world, text):
    match = resolve_address(text)
    assert match is None or match.street.level == "street"
