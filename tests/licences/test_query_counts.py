"""The licence list pages (the department's search, the holder's access log) read a fixed number
of queries however many licences and log rows they show."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tests.factories import make_staff
from tests.licences.factories import issue
from tests.query_counts import page_queries
from tongban.core.permissions import Role
from tongban.licences.models import Licence
from tongban.licences.services.sharing import share_link_create, share_link_open

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _add(licence_type, holder, n: int) -> None:
    for _ in range(n):
        licence = issue(licence_type, holder=holder.person)
        _row, token = share_link_create(
            licence=licence,
            actor=holder,
            grantee_name="云溪房产中介",
            purpose="办理房屋租赁",
            expires_at=NOW + dt.timedelta(days=3),
        )
        share_link_open(token=token)


def test_search_and_access_log_read_the_same_queries_for_2_and_10_licences(holder, licence_type):
    issuer = make_staff(Role.APPROVER, department=licence_type.department, username="issuer")
    pages = [
        (_client(issuer), "/console/licences/"),
        (_client(issuer), "/console/licences/?q=王"),
        (_client(holder), "/my/licences/log/"),
        (_client(holder), "/my/licences/"),
    ]
    _add(licence_type, holder, 2)
    few = [page_queries(client, url) for client, url in pages]
    _add(licence_type, holder, 8)
    assert Licence.objects.count() == 10
    assert [page_queries(client, url) for client, url in pages] == few
