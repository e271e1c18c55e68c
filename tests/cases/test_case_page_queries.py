"""The staff case page costs the same statements for a short and a long case history, reads no
catalogue table once the item version is kept (catalog.selectors.displayed_version), and still
masks the applicant's identity with the reveal link."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.query_counts import page_queries
from tongban.cases.services import case_accept, case_resume, case_suspend

from .helpers import submitted_case

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def url_of(case) -> str:
    return f"/console/cases/{case.case_no}/"


@pytest.fixture
def accepted(at, applicant, clerk, reviewer, approver, code):
    at("2026-09-16 10:00")
    return case_accept(actor=clerk, case=submitted_case(applicant, code))


def test_a_second_view_reads_no_catalogue_table(accepted, reviewer):
    client = client_for(reviewer)
    client.get(url_of(accepted))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url_of(accepted)).status_code == 200
    assert [q["sql"] for q in ctx.captured_queries if 'FROM "catalog_' in q["sql"]] == []


def test_the_case_page_costs_the_same_for_a_short_and_a_long_history(
    at, accepted, applicant, reviewer, clerk, code
):
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    for day in range(17, 20):
        at(f"2026-09-{day} 10:00")
        case = case_suspend(
            actor=reviewer,
            case=case,
            kind="testing",
            reason="检测",
            expected_days=1,
            expected_version=case.version,
        )
        case = case_resume(actor=reviewer, case=case, expected_version=case.version)
    assert (accepted.events.count(), case.events.count()) == (5, 11)
    reviewer_client, clerk_client = client_for(reviewer), client_for(clerk)
    short = (
        page_queries(reviewer_client, url_of(accepted)),
        page_queries(clerk_client, url_of(accepted)),
    )
    long = (page_queries(reviewer_client, url_of(case)), page_queries(clerk_client, url_of(case)))
    assert long == short == (15, 13), (long, short)


def test_masking_and_the_reveal_link_stay(accepted, clerk):
    number = accepted.applicant.id_number
    page = client_for(clerk).get(url_of(accepted)).content.decode()
    assert number[:4] + "*" * 10 + number[-4:] in page
    assert number not in page
    assert f"/console/personal-data/reveal/case/{accepted.case_no}/" in page
