"""The one helper of the query-count tests (issue 12, "no N+1"): how many SQL statements a page
costs once the per-process caches (the working-day calendar, the session, the search index) are
warm."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def page_queries(client: Client, url: str) -> int:
    """The statements of a second GET of ``url`` (the first warms the caches); it must answer 200."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)
