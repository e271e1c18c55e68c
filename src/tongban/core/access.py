"""Every view declares who may reach it: ``@rule("perm:case.accept")`` (see docs/permissions.md).

The declaration documents the door of a view; the view (and the services behind it) still
enforce it. ``tests/security/test_permission_matrix.py`` fails for any URL pattern or API
operation without a declaration, requests every endpoint as every role, and checks the answers
against the declaration and against the table in docs/permissions.md.

A rule is one or more terms joined by ``|`` (any of them admits the request):

``public``     anyone, signed in or not
``token``      anyone holding the unguessable token in the URL (a capability link)
``device``     a paired screen or rating device (pairing itself needs staff)
``kiosk``      a self-service terminal; its personal pages need the visitor identified there
``open311``    the Open311 GeoReport v2 interface (reads public, POST with an API key)
``login``      any signed-in account
``applicant``  a signed-in person or enterprise, seeing only their own records
``owner``      one record of the signed-in applicant; anyone else gets 404
``staff``      staff with console access (finer permissions checked per record or action)
``perm:<p>``   staff holding permission ``<p>`` (a ``Perm`` value); others get 403
``admin``      the Django admin site (its own staff and superuser checks)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .permissions import Perm

ATTRIBUTE = "access_rule"
TERMS = frozenset(
    {
        "public",
        "token",
        "device",
        "kiosk",
        "open311",
        "login",
        "applicant",
        "owner",
        "staff",
        "admin",
    }
)
# Terms that admit a request without a signed-in account.
OPEN_TERMS = frozenset({"public", "token", "device", "kiosk", "open311"})

# Views of third-party code that cannot carry the decorator, by dotted callback name.
THIRD_PARTY_RULES = {
    "django.views.i18n.set_language": "public",
    "django.views.generic.base.RedirectView": "public",
}

V = TypeVar("V", bound=Callable)


def parse(spec: str) -> tuple[str, ...]:
    """The terms of a rule; ``ValueError`` for an unknown term or permission."""
    terms = tuple(term.strip() for term in spec.split("|"))
    for term in terms:
        if term.startswith("perm:"):
            if term[5:] not in Perm.values:
                raise ValueError(f"unknown permission in access rule: {term!r}")
        elif term not in TERMS:
            raise ValueError(f"unknown access rule term: {term!r}")
    return terms


def rule(spec: str) -> Callable[[V], V]:
    """Declare the access rule of a view or API operation (put it outermost, above the route)."""
    parse(spec)

    def declare(view: V) -> V:
        setattr(view, ATTRIBUTE, spec)
        return view

    return declare


def rule_of(view) -> str | None:
    """The declared rule of a view (looking through ``functools.wraps`` wrappers)."""
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        spec = getattr(view, ATTRIBUTE, None)
        if spec is not None:
            return spec
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            spec = getattr(view_class, ATTRIBUTE, None)
            if spec is not None:
                return spec
            name = f"{view_class.__module__}.{view_class.__qualname__}"
            if name in THIRD_PARTY_RULES:
                return THIRD_PARTY_RULES[name]
        name = f"{getattr(view, '__module__', '')}.{getattr(view, '__qualname__', '')}"
        if name in THIRD_PARTY_RULES:
            return THIRD_PARTY_RULES[name]
        view = getattr(view, "__wrapped__", None)
    return None


def permissions_in(spec: str) -> frozenset[str]:
    return frozenset(term[5:] for term in parse(spec) if term.startswith("perm:"))
