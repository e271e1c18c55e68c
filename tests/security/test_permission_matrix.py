"""Permission matrix: every URL pattern and API operation × every persona (docs/permissions.md).

Each view declares its rule (tongban.core.access.rule); the suite requests every endpoint as
anonymous, applicant A (the owner of the records in the URL), applicant B and one staff member
per role, checks every answer against the declared rule (login for anonymous, 403 for staff
without the permission, 404 for someone else's record, never another person's data), and
compares the whole table with docs/permissions.md. ``TONGBAN_UPDATE_PERMISSIONS=1`` rewrites it.
"""

from __future__ import annotations

import logging
import os
from http.cookies import SimpleCookie

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import PNG
from tests.catalog.specs import spec
from tests.factories import PersonFactory, UserFactory, make_kiosk, make_staff
from tests.hotline.factories import hotline_world
from tests.licences.factories import LicenceTypeFactory, issue
from tongban.cases.models import MaterialStatus
from tongban.cases.services import case_create, case_material_add, case_submit
from tongban.catalog.services import item_save_spec
from tongban.core.access import OPEN_TERMS, parse, permissions_in
from tongban.core.models import Department
from tongban.core.permissions import ROLE_PERMISSIONS, Role
from tongban.hotline import services as hotline_services

from . import matrix

UPDATE = os.environ.get("TONGBAN_UPDATE_PERMISSIONS") == "1"
# While working on a few views: TONGBAN_MATRIX_ONLY=/console/cases checks only matching routes
# (and neither compares with nor rewrites the document).
ONLY = os.environ.get("TONGBAN_MATRIX_ONLY", "")

A_NAME = "欧阳明远"
A_ID = "330106198506200017"
A_PHONE = "13957100017"
A_ADDRESS = "云溪区学府路 88 号"


def test_every_view_and_operation_declares_a_rule():
    missing = [e.label for e in matrix.endpoints() if e.rule is None]
    assert missing == [], "views without an access rule (tongban.core.access.rule):\n" + "\n".join(
        missing
    )
    for e in matrix.endpoints():
        parse(e.rule)


# ---------------------------------------------------------------- the fixture world


class World:
    """A's records (a submitted case, a web ticket, a licence) and one client per persona."""

    def __init__(self):
        world = hotline_world()
        self.mzj = Department.objects.filter(code="mzj").first() or _department("mzj")
        item = item_save_spec(spec=spec("mzj"), publish=True)
        self.item_code = item.item.implementation_code
        self.users = {}
        a = UserFactory(username="matrix_a")
        PersonFactory(name=A_NAME, user=a, id_number=A_ID, phone=A_PHONE)
        b = UserFactory(username="matrix_b")
        PersonFactory(name="李春梅", user=b)
        self.users["applicant_a"] = a
        self.users["applicant_b"] = b
        for role in Role.values:
            department = {
                Role.HOTLINE_OPERATOR: world.centre,
                Role.HANDLER: world.cgj,
            }.get(role, self.mzj)
            self.users[role] = make_staff(role, department=department, username=f"m_{role}")
        case = case_create(
            actor=a,
            item_code=self.item_code,
            applicant=a.person,
            channel="web",
            answers={"self": "yes"},
            form_data={"address": A_ADDRESS},
        )
        case_material_add(actor=a, case=case, seq=1, status=MaterialStatus.LICENCE)
        case_material_add(actor=a, case=case, seq=2, name="照片.png", data=PNG)
        self.case_no = case_submit(actor=a, case=case).case_no
        ticket = hotline_services.ticket_create(
            actor=a,
            source="web",
            ticket_type="complaint",
            subject_code="03.02.05",
            auto_dispatch=False,
            title="学府路积水严重",
            content="学府路与望湖路交叉口下雨后积水很深，请尽快处理。",
            caller_name=A_NAME,
            caller_phone=A_PHONE,
            caller_user=a,
            address="云溪区云溪街道望湖社区学府路与望湖路交叉口",
        )
        self.ticket_no = ticket.ticket_no
        self.licence = issue(LicenceTypeFactory(), holder=a.person)
        self.kiosk = make_kiosk("mk1").code
        self.clients = {"anonymous": Client(raise_request_exception=False)}
        for persona, user in self.users.items():
            client = Client(raise_request_exception=False)
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            self.clients[persona] = client

    def value(self, name: str, route: str):
        licence_route = "licences" in route
        if name in ("case_no",):
            return self.case_no
        if name in ("ticket_no", "request_id"):
            return self.ticket_no
        if name == "code":
            if route.startswith(("/items/", "/apply/<", "/api/v1/items/")):
                return self.item_code
            if "services" in route:
                return "03.02.05"
            return "no-such-code"
        if name == "item_code":
            return self.item_code
        if name == "pk":
            return self.licence.pk if licence_route and "authorisations" not in route else 999999
        if name == "licence_no":
            return self.licence.number
        if name == "kiosk":
            return self.kiosk
        if name == "mode":
            return "care"
        if name == "fmt":
            return "json"
        if name == "kind":
            if route.startswith("/notices/"):
                return "acceptance"
            if route.startswith("/console/supervision/reports/"):
                return "xlsx"
            return "case"
        if name == "ref":
            return self.case_no
        if name == "month":
            return "2026-09"
        if name == "action":
            return "sign" if "ticket" in route or "hotline" in route else "accept"
        if name == "operation":
            return "review"
        if name == "field":
            return "address"
        if name in ("seq", "number"):
            return 1
        if name == "question":
            return "self"
        if name == "user_id":
            return self.users[Role.WINDOW_CLERK].pk
        if name in ("bundle_no", "token", "slug"):
            return "no-such-" + name
        if name == "rest":
            return "nope"
        return 999999  # *_id and anything else: a record that does not exist

    def url(self, endpoint: matrix.Endpoint) -> str:
        values = {p: self.value(p, endpoint.label) for p in endpoint.params}
        if endpoint.api or not endpoint.reverse_name:
            path = endpoint.path_template
            for key, val in values.items():
                path = path.replace("{" + key + "}", str(val))
            return path
        return reverse(endpoint.reverse_name, kwargs=values)


def _department(code: str):
    from tests.catalog.specs import department

    return department(code, 7)


# ---------------------------------------------------------------- requesting


def outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"ERROR {status}"
    if 200 <= status < 300:
        return "ok"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        return "login" if "login" in location else "redirect"
    return {
        401: "login",
        403: "deny",
        404: "404",
        405: "405",
        400: "invalid",
        422: "invalid",
        429: "429",
    }.get(status, str(status))


def request(client: Client, method: str, url: str, api: bool):
    saved = SimpleCookie()
    saved.load(client.cookies.output(header="", sep=";"))
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url)
            elif api:
                response = client.generic(method, url, "{}", content_type="application/json")
            else:
                response = client.post(url, {})
            transaction.set_rollback(True)
    finally:
        client.cookies = saved
    return response


def leaked(response) -> list[str]:
    """Applicant A's name, ID number, phone or address in a response."""
    body = getattr(response, "content", b"") or b""
    if not body or response.get("Content-Type", "").startswith("application/pdf"):
        return []
    text = body.decode("utf-8", "replace")
    return [marker for marker in (A_NAME, A_ID, A_PHONE, A_ADDRESS) if marker in text]


# ---------------------------------------------------------------- expectations from the rule


def contradictions(endpoint: matrix.Endpoint, method: str, cells: dict, leaks: list) -> list[str]:
    """Answers that break the declared rule (and server errors)."""
    problems = []
    terms = set(parse(endpoint.rule))
    key = f"{method} {endpoint.label} [{endpoint.rule}]"
    for persona, cell in cells.items():
        if cell.startswith("ERROR"):
            problems.append(f"{key}: {persona} got a server error ({cell})")
    for persona in leaks:
        problems.append(f"{key}: {persona} saw applicant A's personal data")
    if all(cell == "405" for cell in cells.values()):
        return problems
    # Anonymous: sent to log in (or 404 for someone's record) unless the door is open.
    if not terms & OPEN_TERMS and cells["anonymous"] not in ("login", "404", "405"):
        problems.append(f"{key}: anonymous got {cells['anonymous']}, expected login")
    perms = permissions_in(endpoint.rule)
    wider = terms - {t for t in terms if t.startswith("perm:")}
    # Refusals: 403, or 404 where the record is looked up first (missing and forbidden alike),
    # or a redirect to the page the role works on instead (an empty answer).
    # The API validates a body before the view runs, so an empty body may be refused as invalid
    # before the permission check: nothing is revealed or done either way.
    refused = {"deny", "404", "405", "redirect"} | (
        {"invalid"} if endpoint.api and method != "GET" else set()
    )
    # Staff roles without any of the permissions of a permission-only rule: 403.
    if perms and not wider:
        for role in Role.values:
            if not perms & ROLE_PERMISSIONS[role] and cells[role] not in refused:
                problems.append(f"{key}: {role} lacks {sorted(perms)} but got {cells[role]}")
        for persona in ("applicant_a", "applicant_b"):
            if cells[persona] not in refused:
                problems.append(f"{key}: {persona} got {cells[persona]}, expected deny")
    # Staff-only doors: applicants are refused.
    if terms <= {"staff"} | {t for t in terms if t.startswith("perm:")} and "staff" in terms:
        for persona in ("applicant_a", "applicant_b"):
            if cells[persona] not in refused:
                problems.append(f"{key}: {persona} got {cells[persona]}, expected deny")
    # Someone else's record: applicant B gets 404 (or the door refuses), never the record.
    if "owner" in terms and cells["applicant_b"] not in refused:
        problems.append(f"{key}: applicant B got {cells['applicant_b']} for A's record")
    return problems


# ---------------------------------------------------------------- the matrix


@pytest.fixture
def world(db, settings):
    # Thousands of refusals: quiet Django's request loggers for this test only (the logging
    # tests of tests/core check these very loggers later in the same process).
    quiet = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    settings.TONGBAN_RATE_LIMITS = {
        scope: (1_000_000, 0, 60) for scope in settings.TONGBAN_RATE_LIMITS
    }
    yield World()
    for logger, level in zip(quiet, levels, strict=True):
        logger.setLevel(level)


def test_permission_matrix(world):
    rows: dict[tuple[str, str], dict] = {}
    rules: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    redirects: dict[tuple[str, str, str], str] = {}
    checked = 0
    urls = [(endpoint, world.url(endpoint)) for endpoint in matrix.endpoints()]
    for endpoint, url in urls:
        if ONLY and ONLY not in endpoint.label:
            continue
        for method in endpoint.methods:
            cells, leaks = {}, []
            for persona in matrix.PERSONAS:
                response = request(world.clients[persona], method, url, endpoint.api)
                cells[persona] = outcome(response)
                if response.status_code >= 500:
                    exc = getattr(response, "exc_info", None)
                    problems.append(f"{method} {url} as {persona}: {exc[1]!r}" if exc else url)
                if persona in ("anonymous", "applicant_b") and leaked(response):
                    leaks.append(f"{persona} ({', '.join(leaked(response))})")
                if cells[persona] == "redirect":
                    cells[persona] = "redirect"
                    redirects[(endpoint.label, method, persona)] = response["Location"]
                checked += 1
            if not endpoint.api and all(c == "405" for c in cells.values()):
                continue  # the view does not take this method
            key = (endpoint.label, method)
            rows[key] = cells
            rules[key] = endpoint.view_rule
            if endpoint.rule:  # a missing rule fails test_every_view_and_operation_declares_a_rule
                problems += contradictions(endpoint, method, cells, leaks)
    print(f"\npermission matrix: {len(rows)} endpoint × method rows, {checked} requests")  # noqa: T201
    problems += [
        f"(redirect) {m} {label} as {p} → {loc}" for (label, m, p), loc in redirects.items() if ONLY
    ]
    assert problems == [], "answers contradicting the declared rules:\n" + "\n".join(problems)
    if ONLY:
        return
    text = matrix.render(rows, rules)
    if UPDATE:
        matrix.DOC.write_text(text, encoding="utf-8")
        return
    documented = matrix.parse(matrix.DOC.read_text(encoding="utf-8"))
    differences = []
    for key in sorted(set(rows) | set(documented)):
        real, doc = rows.get(key), documented.get(key)
        if real is None:
            differences.append(f"{key[1]} {key[0]}: documented but no longer exists")
        elif doc is None:
            differences.append(f"{key[1]} {key[0]}: missing from docs/permissions.md")
        else:
            for persona in matrix.PERSONAS:
                if real[persona] != doc.get(persona):
                    differences.append(
                        f"{key[1]} {key[0]} as {persona}: documented {doc.get(persona)}, "
                        f"real {real[persona]}"
                    )
    assert differences == [], (
        "docs/permissions.md differs from the real answers (regenerate with "
        "TONGBAN_UPDATE_PERMISSIONS=1 after checking them):\n" + "\n".join(differences)
    )
