"""The endpoints of the platform, the personas who request them, and the matrix document.

``endpoints()`` enumerates every URL pattern (Django's resolver, recursively) and every API
operation (the ninja routers behind /api/v1/openapi.json) with the declared access rule of each
(``tongban.core.access``). ``render`` / ``parse`` write and read the table in
docs/permissions.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from tongban.core.access import rule_of
from tongban.core.permissions import Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
PERSONAS = ["anonymous", "applicant_a", "applicant_b", *Role.values]
HEADINGS = {"anonymous": "匿名", "applicant_a": "申请人A(本人)", "applicant_b": "申请人B(他人)"}

# ninja's own schema pages under /api/v1/ (not operations): public by design.
NINJA_PAGES = {"api/v1/openapi.json": "public", "api/v1/docs": "public"}
# The Django admin is checked at its door only (its own is_staff/is_superuser checks inside).
ADMIN_DOOR = "admin/"


@dataclass(frozen=True)
class Endpoint:
    label: str  # the route as documented, e.g. "/my/cases/<case_no>/"
    rule: str | None
    methods: tuple[str, ...]  # methods to try
    api: bool
    reverse_name: str | None = None  # page: namespaced URL name to reverse
    params: tuple[str, ...] = ()  # names of the route's parameters
    path_template: str = ""  # api: "/api/v1/cases/{case_no}"; pages without a name: the path

    @property
    def view_rule(self) -> str:
        return self.rule or "—"


def _walk(resolver, prefix: str = "", namespace: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p, namespace


_FMT = r"(?:\.(?P<fmt>json|xml))?"


def readable(route: str) -> str:
    """A route as people read it: regex groups shown as ``<name>``, converters dropped."""
    route = route.replace(_FMT, ".<fmt>").replace("^", "").replace("$", "").replace("\\.", ".")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
    route = re.sub(r"<\w+:(\w+)>", r"<\1>", route)
    return "/" + route


def _params(pattern) -> tuple[str, ...]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return tuple(converters)
    regex = getattr(pattern.pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def page_endpoints() -> list[Endpoint]:
    out = []
    for route, pattern, namespace in _walk(get_resolver()):
        if route.startswith("api/v1/"):
            if route in NINJA_PAGES:
                out.append(
                    Endpoint(
                        "/" + route, NINJA_PAGES[route], ("GET",), False, None, (), "/" + route
                    )
                )
            continue
        if route.startswith("admin/"):
            if route == ADMIN_DOOR:
                out.append(Endpoint("/admin/", "admin", ("GET",), False, None, (), "/admin/"))
            continue
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
        template = "" if name else "/open311/v2/no-such-thing.json"
        admitted = allowed_methods(pattern.callback)
        methods = ("GET", "POST") if admitted is None or "POST" in admitted else ("GET",)
        out.append(
            Endpoint(
                readable(route),
                rule_of(pattern.callback),
                methods,
                False,
                name,
                _params(pattern),
                template,
            )
        )
    return out


def api_endpoints() -> list[Endpoint]:
    from tongban.config.api import api

    out = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                template = "/api/v1" + (prefix.rstrip("/") + path).replace("//", "/")
                params = tuple(re.findall(r"{(\w+)}", template))
                for method in operation.methods:
                    out.append(
                        Endpoint(
                            re.sub(r"{(\w+)}", r"<\1>", template),
                            rule_of(operation.view_func),
                            (method,),
                            True,
                            None,
                            params,
                            template,
                        )
                    )
    return out


def endpoints() -> list[Endpoint]:
    return page_endpoints() + api_endpoints()


# ---------------------------------------------------------------- the document

HEADER = """# Permission matrix

Generated by `tests/security/test_permission_matrix.py` — do not edit by hand. When a view or its
rule changes on purpose, regenerate with

    TONGBAN_UPDATE_PERMISSIONS=1 .venv/bin/pytest -p no:cacheprovider tests/security/test_permission_matrix.py

and review the difference. Without that variable the test fails whenever the real answers of the
platform differ from this table, and whenever an answer contradicts the view's declared rule.

Every view and API operation declares its rule with `tongban.core.access.rule(...)`:

| rule | who passes the door |
| --- | --- |
| `public` | anyone, signed in or not |
| `token` | anyone holding the unguessable token in the URL (a capability link) |
| `device` | a paired screen or rating device (pairing needs staff) |
| `kiosk` | a self-service terminal; personal pages need the visitor identified at it |
| `open311` | Open311 GeoReport v2 (reads public, POST with an API key) |
| `login` | any signed-in account |
| `applicant` | a signed-in person or enterprise, seeing only their own records |
| `owner` | one record of the signed-in applicant — anyone else gets 404 |
| `staff` | staff with console access; finer permissions per record or action inside |
| `perm:<p>` | staff holding permission `<p>` (src/tongban/core/permissions.py); others 403 |
| `admin` | the Django admin site (its own staff and superuser checks) |

Several terms joined by `/` mean any of them admits the request.

The suite requests every endpoint as each persona: anonymous, applicant A (owns the case, the
ticket, the licence in the URL), applicant B (another citizen), and one staff member per role in
the department that handles A's case. URLs carry A's records where the fixture has them, and a
record that does not exist elsewhere (so a permitted role sees 404 there). POSTs carry an empty
form or `{}` and are rolled back.

Cells: `ok` 2xx · `redirect` 3xx elsewhere · `login` 302 to a login page or 401 · `deny` 403 ·
`404` not found (missing or someone else's) · `invalid` 400/422 (past the door, input refused) ·
`405` method not allowed · `429` rate limited.

"""


def column_names() -> list[str]:
    return [HEADINGS.get(p, p) for p in PERSONAS]


def render(rows: dict[tuple[str, str], dict], rules: dict[tuple[str, str], str]) -> str:
    lines = [HEADER]
    heads = ["endpoint", "method", "rule", *column_names()]
    lines.append("| " + " | ".join(heads) + " |")
    lines.append("|" + " --- |" * len(heads))
    for key in sorted(rows):
        label, method = key
        cells = [rows[key][p] for p in PERSONAS]
        rule = rules[key].replace("|", " / ")
        lines.append(f"| `{label}` | {method} | {rule} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"{len(rows)} endpoint × method rows, {len(PERSONAS)} personas.")
    lines.append("")
    return "\n".join(lines)


def parse(text: str) -> dict[tuple[str, str], dict]:
    rows = {}
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        parts = [p.strip() for p in line.strip().strip("|").split(" | ")]
        label = parts[0].strip("`")
        method = parts[1]
        if len(parts) < 3 or method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            continue  # the legend
        cells = parts[3:]
        rows[(label, method)] = dict(zip(PERSONAS, cells, strict=False))
    return rows


def allowed_methods(view) -> frozenset[str] | None:
    """The methods a view admits per Django's ``require_http_methods`` (None: not declared)."""
    verbs = {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"}
    queue, seen = [view], set()
    while queue:
        fn = queue.pop(0)
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list) and value and set(value) <= verbs:
                return frozenset(value)
            if callable(value) and hasattr(value, "__code__"):
                queue.append(value)
        queue.append(getattr(fn, "__wrapped__", None))
    return None
