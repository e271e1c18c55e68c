"""The department's post-check list (事中事后核查) reads the same number of queries for few and
for many 告知承诺 cases."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.query_counts import page_queries
from tongban.cases.models import MaterialStatus, PostCheck

from .deferral_helpers import accepted, flex_code  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_post_check_list_reads_the_same_queries_for_2_and_8_cases(
    at,
    applicant,
    clerk,
    reviewer,
    flex_code,  # noqa: F811
):
    at("2026-11-02 10:00")
    client = Client()
    client.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")

    def add(n: int) -> None:
        for _ in range(n):
            accepted(applicant, clerk, flex_code, record=MaterialStatus.COMMITMENT)

    add(2)
    few = page_queries(client, "/console/cases/post-checks/")
    add(6)
    assert PostCheck.objects.count() == 8
    assert page_queries(client, "/console/cases/post-checks/") == few
