"""The security and audit lists (staff and their roles, the security-event log, the personal-data
access log) read the same number of queries for few and for many rows."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from tests.factories import PersonFactory, make_id_number, make_staff
from tests.query_counts import page_queries
from tongban.core.models import PersonalDataAccess, SecurityEvent
from tongban.core.permissions import Role
from tongban.core.personal_data import personal_data_reveal
from tongban.core.security import security_event_record

pytestmark = pytest.mark.django_db

_seq = itertools.count(100)


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_lists_read_the_same_queries_for_2_and_8_rows(department):
    clerk = make_staff(Role.WINDOW_CLERK, department=department, username="clerk")
    pages = [
        (
            _client(make_staff(Role.SECURITY_ADMINISTRATOR, username="sec")),
            "/console/security/staff/",
        ),
        (_client(make_staff(Role.AUDIT_ADMINISTRATOR, username="aud")), "/console/security/audit/"),
        (
            _client(make_staff(Role.SUPERVISOR, username="sup")),
            "/console/personal-data/access-log/",
        ),
    ]

    def add(n: int) -> None:
        for _ in range(n):
            k = next(_seq)
            staff = make_staff(Role.REVIEWER, department=department, username=f"r{k}")
            security_event_record(kind="login_failed", actor=staff, target=f"r{k}", success=False)
            person = PersonFactory(name=f"王{k}", id_number=make_id_number(k), phone=f"139{k:08d}")
            personal_data_reveal(
                actor=clerk,
                kind="person",
                ref=str(person.pk),
                fields=["id_number"],
                purpose="identity_check",
                reason=f"窗口核验 {k}",
            )

    add(2)
    few = {url: page_queries(client, url) for client, url in pages}
    add(6)
    assert PersonalDataAccess.objects.count() == 8
    assert SecurityEvent.objects.filter(kind="login_failed").count() == 8
    assert {url: page_queries(client, url) for client, url in pages} == few
