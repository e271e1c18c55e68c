"""Every ratings list page reads a fixed number of queries however many rows it shows."""

from __future__ import annotations

import itertools

import pytest
import time_machine
from django.test import override_settings

from tests.query_counts import page_queries
from tongban.ratings import services
from tongban.ratings.models import Rating, RatingDevice, Rectification

from .conftest import at, client_for

pytestmark = pytest.mark.django_db

_minutes = itertools.count()


@pytest.fixture
def rated(applicant, make_case, item, mzj):
    """``add(n)`` rates n more concluded cases 差评 (each opens a rectification) from one
    address within minutes (so the later ones are flagged) and registers n more devices."""

    def add(n: int) -> None:
        for _ in range(n):
            case = make_case(item)
            minute = next(_minutes)
            with time_machine.travel(at("2026-11-03", 10 + minute // 60, minute % 60), tick=False):
                services.rating_submit_web(
                    user=applicant,
                    kind="case",
                    ref=case.case_no,
                    level=1,
                    comment="等了很久",
                    address="10.0.0.9",
                )
            services.device_register(code=f"W{minute}", department=mzj, window=f"{minute}号窗口")

    return add


@override_settings(TONGBAN_RATING_BURST_COUNT=2, TONGBAN_RATING_BURST_WINDOW_SECONDS=36000)
@pytest.mark.parametrize(
    ("who", "pages"),
    [
        ("handler", ["/console/ratings/"]),
        ("supervisor", ["/console/ratings/", "/console/ratings/flagged/"]),
        ("administrator", ["/console/ratings/devices/"]),
    ],
)
def test_every_list_reads_the_same_queries_for_3_and_12_rows(request, who, pages, rated):
    client = client_for(request.getfixturevalue(who))
    rated(3)
    few = {url: page_queries(client, url) for url in pages}
    rated(9)
    assert Rating.objects.filter(flagged=True).count() == 11  # all but the first
    assert Rectification.objects.count() == RatingDevice.objects.count() == 12
    assert {url: page_queries(client, url) for url in pages} == few
