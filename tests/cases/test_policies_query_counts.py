"""可能符合条件的政策 (/my/policies/) reads the same number of queries for few and many matches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.rules.models import PolicyMatch
from tongban.rules.services import policies_match

from .instant_helpers import client_for
from .test_policies_portal import people, policy  # noqa: F401

pytestmark = pytest.mark.django_db


def test_my_policies_reads_the_same_queries_for_2_and_8_matches(at, people, code, mzj):  # noqa: F811
    at("2026-09-21 10:00")
    applicant, _other = people
    client = client_for(applicant)

    def add(first: int, n: int) -> None:
        for i in range(first, first + n):
            p = policy(code, mzj, automatic=i % 2 == 0, code=f"policy{i}")
            policies_match(policy=p, today=dt.date(2026, 9, 21))

    def queries() -> int:
        client.get("/my/policies/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/my/policies/").status_code == 200
        return len(ctx.captured_queries)

    add(0, 2)
    few = queries()
    add(2, 6)
    assert PolicyMatch.objects.filter(person=applicant.person).count() == 8
    assert queries() == few
