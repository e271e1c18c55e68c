"""Data of the demo catalogue (loaded by ``catalog.demo``): items by department, bundles,
themes, life events, material review terms and the e-licence type codes they use."""

from . import (
    city_environment,
    civil_affairs,
    construction,
    enterprise,
    health_education,
    public_security,
    social,
    transport,
)
from .bundles import BUNDLES
from .licences import LICENCE_CODES, LICENCE_TYPES
from .taxonomy import LIFE_EVENTS, REVIEW_TERMS, THEMES

ITEMS = [
    *civil_affairs.ITEMS,
    *social.ITEMS,
    *health_education.ITEMS,
    *public_security.ITEMS,
    *transport.ITEMS,
    *enterprise.ITEMS,
    *construction.ITEMS,
    *city_environment.ITEMS,
]

__all__ = [
    "BUNDLES",
    "ITEMS",
    "LICENCE_CODES",
    "LICENCE_TYPES",
    "LIFE_EVENTS",
    "REVIEW_TERMS",
    "THEMES",
]
