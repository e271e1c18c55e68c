"""The bundle lists (the applicant's 我的一件事 page and API list, the counter's bundle list) read
the same number of queries for few and for many bundle applications."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from tests.query_counts import page_queries
from tongban.cases.models import BundleCase
from tongban.cases.services.bundles import bundle_accept

from .bundle_helpers import district  # noqa: F401
from .test_bundles import _apply, driver, ride, window  # noqa: F401

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_lists_read_the_same_queries_for_2_and_6_applications(driver, window, ride):  # noqa: F811
    def add(n: int) -> None:
        for i in range(n):
            bc = _apply(driver, ride, idempotency_key=f"bundle-{next(_keys)}")
            if i % 2:
                bundle_accept(actor=window, bc=bc)

    pages = [
        (_client(driver), "/my/bundles/"),
        (_client(driver), "/api/v1/bundle-applications"),
        (_client(window), "/console/cases/bundles/"),
        (_client(window), "/console/cases/bundles/?status=accepted"),
    ]
    add(2)
    few = {url: page_queries(client, url) for client, url in pages}
    add(4)
    assert BundleCase.objects.count() == 6
    assert {url: page_queries(client, url) for client, url in pages} == few
