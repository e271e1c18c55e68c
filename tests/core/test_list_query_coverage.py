"""Every list page and API list operation has a test that its number of queries does not grow
with the number of rows (issue 12, item 5), and a new one fails here until it has.

``LISTS`` names, for each list page (by URL name) and API list operation (by path), the test
that reads it with few and with many rows and asserts the same number of queries.
``NOT_LISTS`` names the pages without route parameters that show no list of rows, and why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver

from tongban.config.api import api

ROOT = Path(__file__).resolve().parents[2]

LISTS: dict[str, str] = {
    # portal
    "catalog:catalogue": "tests/catalog/test_pages.py::test_list_pages_answer_in_a_fixed_number_of_queries",
    "cases:my-cases": "tests/cases/test_portal_pages.py::test_my_cases_reads_a_fixed_number_of_queries",
    "licences:wallet": "tests/licences/test_query_counts.py::test_search_and_access_log_read_the_same_queries_for_2_and_10_licences",
    "licences:wallet-log": "tests/licences/test_query_counts.py::test_search_and_access_log_read_the_same_queries_for_2_and_10_licences",
    # console
    "console:home": "tests/core/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_10_rows",
    "catalog-console:catalogue": "tests/catalog/test_pages.py::test_list_pages_answer_in_a_fixed_number_of_queries",
    "cases-console:queue": "tests/cases/test_console_pages.py::test_the_queue_costs_the_same_queries_for_5_and_50_cases",
    "hotline-console:home": "tests/hotline/test_pages_console.py::test_the_queue_page_needs_the_same_few_queries_however_many_rows",
    "hotline-console:joint": "tests/hotline/test_joint_pages.py::test_the_lists_count_their_queries",
    "hotline-console:merging": "tests/hotline/test_joint_pages.py::test_the_lists_count_their_queries",
    "hotline-console:dispatch-quality": "tests/hotline/test_dispatch_quality.py::test_the_query_count_does_not_grow_with_the_data",
    "hotline-console:knowledge:home": "tests/hotline/test_list_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_articles_each",
    "licences-console:search": "tests/licences/test_query_counts.py::test_search_and_access_log_read_the_same_queries_for_2_and_10_licences",
    "rules-console:rule-sets": "tests/rules/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_10_rows",
    "rules-console:connectors": "tests/rules/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_10_rows",
    "rules-console:calls": "tests/rules/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_10_rows",
    "rules-console:policies": "tests/rules/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_10_rows",
    "ratings-console:rectifications": "tests/ratings/test_query_counts.py::test_every_list_reads_the_same_queries_for_3_and_12_rows",
    "ratings-console:flagged": "tests/ratings/test_query_counts.py::test_every_list_reads_the_same_queries_for_3_and_12_rows",
    "ratings-console:devices": "tests/ratings/test_query_counts.py::test_every_list_reads_the_same_queries_for_3_and_12_rows",
    "supervision-console:home": "tests/supervision/test_query_counts.py::test_every_page_reads_the_same_queries_for_2_and_12_late_cases",
    "supervision-console:cards": "tests/supervision/test_query_counts.py::test_every_page_reads_the_same_queries_for_2_and_12_late_cases",
    "supervision-console:orders": "tests/supervision/test_query_counts.py::test_every_page_reads_the_same_queries_for_2_and_12_late_cases",
    "supervision-console:dashboard": "tests/supervision/test_query_counts.py::test_every_page_reads_the_same_queries_for_2_and_12_late_cases",
    "supervision-console:list": "tests/supervision/test_query_counts.py::test_every_page_reads_the_same_queries_for_2_and_12_late_cases",
    "supervision-console:performance": "tests/supervision/test_query_counts.py::test_every_page_reads_the_same_queries_for_2_and_12_late_cases",
    "supervision-console:reports": "tests/supervision/test_query_counts.py::test_every_page_reads_the_same_queries_for_2_and_12_late_cases",
    "selfservice-console:lockers": "tests/selfservice/test_console_and_demo.py::test_the_lockers_page_query_count",
    "hotline-console:knowledge:search": "tests/hotline/test_list_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_articles_each",
    "hotline-console:knowledge:review": "tests/hotline/test_list_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_articles_each",
    "hotline-console:knowledge:expired": "tests/hotline/test_list_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_articles_each",
    "hotline-console:missed-calls": "tests/hotline/test_list_query_counts.py::test_the_missed_calls_list_reads_the_same_queries_for_2_and_10_calls",
    "cases-console:bundles": "tests/cases/test_bundles_query_counts.py::test_the_lists_read_the_same_queries_for_2_and_6_applications",
    "cases:my-bundles": "tests/cases/test_bundles_query_counts.py::test_the_lists_read_the_same_queries_for_2_and_6_applications",
    "/api/v1/bundle-applications": "tests/cases/test_bundles_query_counts.py::test_the_lists_read_the_same_queries_for_2_and_6_applications",
    "cases-console:post-checks": "tests/cases/test_postchecks_query_counts.py::test_the_post_check_list_reads_the_same_queries_for_2_and_8_cases",
    "cases:policies": "tests/cases/test_policies_query_counts.py::test_my_policies_reads_the_same_queries_for_2_and_8_matches",
    "/api/v1/bundles": "tests/catalog/test_query_counts.py::test_the_lists_read_the_same_queries_for_2_and_8_bundles",
    "grid-console:home": "tests/grid/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_rows",
    "grid-console:events": "tests/grid/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_rows",
    "grid-console:visits": "tests/grid/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_rows",
    "grid-console:manage": "tests/grid/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_rows",
    "/api/v1/grid/grids": "tests/grid/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_rows",
    "/api/v1/grid/events": "tests/grid/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_rows",
    "/api/v1/grid/visits": "tests/grid/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_rows",
    "hall-console:home": "tests/hall/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_10_rows",
    "hall:halls": "tests/hall/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_10_rows",
    "hall:bookings": "tests/hall/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_10_rows",
    "security-console:staff": "tests/core/test_security_query_counts.py::test_the_lists_read_the_same_queries_for_2_and_8_rows",
    "security-console:accounts": "tests/security/test_staff_accounts.py::test_the_account_list_reads_the_same_queries_for_2_and_8_accounts",
    "security-console:audit": "tests/core/test_security_query_counts.py::test_the_lists_read_the_same_queries_for_2_and_8_rows",
    "personal-data-console:access-log": "tests/core/test_security_query_counts.py::test_the_lists_read_the_same_queries_for_2_and_8_rows",
    # Open311 and the JSON API
    "/api/v1/merge-suggestions": "tests/hotline/test_joint_pages.py::test_the_lists_count_their_queries",
    "open311:requests": "tests/hotline/test_open311_read.py::test_the_request_list_costs_the_same_queries_for_3_or_30_requests",
    "/api/v1/regions": "tests/core/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_10_rows",
    "/api/v1/departments": "tests/core/test_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_10_rows",
    "/api/v1/items": "tests/catalog/test_api.py::test_item_list_query_count_does_not_grow_with_items",
    "/api/v1/cases": "tests/cases/test_api.py::test_the_list_reads_a_constant_number_of_queries",
    "/api/v1/tickets": "tests/hotline/test_api.py::test_list_query_count_does_not_grow_with_the_page",
    "/api/v1/knowledge": "tests/hotline/test_list_query_counts.py::test_every_list_reads_the_same_queries_for_2_and_8_articles_each",
    "/api/v1/selfservice/lockers": "tests/selfservice/test_console_and_demo.py::test_the_lockers_page_query_count",
    "/api/v1/selfservice/deposits": "tests/selfservice/test_console_and_demo.py::test_the_lockers_page_query_count",
}

FORM = "a form or an action, no list of rows"
AGGREGATE = "aggregate figures: a fixed number of grouped queries whatever the row count"
NOT_LISTS: dict[str, str] = {
    "healthz": "a health check",
    "set_language": "Django's language switch",
    "cases-console:bulk": FORM,
    "cases-console:counter": FORM,
    "hotline-console:knowledge:create": FORM,
    "hotline-console:reports": AGGREGATE,
    "hotline-console:reports-export": AGGREGATE,
    "hotline-console:intake": FORM,
    "hotline-console:intake-similar": "at most a fixed number of similar tickets (limit)",
    "hotline-console:intake-locality": "one address looked up",
    "hotline-console:intake-suggestions": "the classifier's top few departments",
    "rules-console:rule-set-new": FORM,
    "rules-console:check": FORM,
    "ratings-console:counter": FORM,
    "supervision-console:report-generate": FORM,
    "supervision-console:hall": AGGREGATE,
    "grid-console:report": FORM,
    "grid-console:manage-new": FORM,
    "open311:root": "a pointer to the discovery document",
    "open311:openapi": "a static document",
    "security-console:home": "links to the security pages",
    "security-console:enrol": FORM,
    "security-console:verify": FORM,
    "security-console:recovery": FORM,
    "security-console:settings": "the settings in force, no rows",
    "security-console:audit-export": "a CSV download streamed in chunks of the audit list",
    "personal-data-console:access-log-export": "a CSV download of the access log list",
    "console:notices-read": FORM,
    "console:login": FORM,
    "console:logout": FORM,
    "hotline:start": "the hotline's start page",
    "hotline:submit": FORM,
    "hotline:submitted": "one acknowledgement",
    "hotline:lookup": FORM,
    "licences:verify-start": FORM,
    "licences:keys-json": "the signing keys: a handful, one query",
    "ratings:thanks": "a thank-you page",
    "ratings:device": "the rating device's screen",
    "hall:device": "the hall device's pairing page",
    "portal:home": "tests/catalog/test_pages.py counts its queries (with the catalogue's lists)",
    "portal:login": FORM,
    "portal:logout": FORM,
    "portal:privacy": "a static notice",
    "/api/v1/me": "the authenticated user (its roles are a short list)",
    "/api/v1/licences/keys": "the signing keys: a handful, one query",
}


def _walk(resolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        else:
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}"


def _pages_without_parameters() -> set[str]:
    return {
        name
        for route, name in _walk(get_resolver())
        if "<" not in route
        and "(?P" not in route
        and not route.startswith(("admin/", "api/"))
        and not name.endswith("None")  # unnamed: favicon.ico, Open311 fallbacks
    }


def _api_lists() -> set[str]:
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]

    def resolve(s: dict) -> dict:
        return components[s["$ref"].rsplit("/", 1)[-1]] if "$ref" in s else s

    found = set()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        ok = get["responses"].get(200) or get["responses"].get("200") or {}
        body = resolve(ok.get("content", {}).get("application/json", {}).get("schema", {}))
        properties = [resolve(p) for p in body.get("properties", {}).values()]
        if body.get("type") == "array" or any(p.get("type") == "array" for p in properties):
            found.add(path)
    return found


def test_every_page_is_a_checked_list_or_says_why_it_is_not():
    unclassified = _pages_without_parameters() - LISTS.keys() - NOT_LISTS.keys()
    assert sorted(unclassified) == []


def test_every_api_list_operation_is_checked_or_says_why_it_is_not():
    assert sorted(_api_lists() - LISTS.keys() - NOT_LISTS.keys()) == []


def test_every_named_page_exists():
    names = {name for _route, name in _walk(get_resolver())}
    assert sorted(k for k in [*LISTS, *NOT_LISTS] if not k.startswith("/") and k not in names) == []


@pytest.mark.parametrize("node", sorted(set(LISTS.values())))
def test_the_named_test_exists_and_counts_queries(node):
    path, name = node.split("::")
    source = (ROOT / path).read_text(encoding="utf-8")
    functions = {
        f.name: ast.get_source_segment(source, f)
        for f in ast.walk(ast.parse(source))
        if isinstance(f, ast.FunctionDef)
    }
    assert name in functions, node
    assert any(
        word in source
        for word in (
            "CaptureQueriesContext",
            "django_assert_num_queries",
            "django_assert_max",
            "page_queries",  # tests/query_counts.py: CaptureQueriesContext around a second GET
        )
    ), node
