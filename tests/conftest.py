"""Shared fixtures: one logged-in client per persona (STYLE rule 10)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.browser import browser, browser_problems, new_page, page  # noqa: F401  (fixtures)
from tongban.catalog import search
from tongban.core import addresses, workdays
from tongban.core.permissions import Role
from tongban.hotline import clocks as hotline_clocks
from tongban.hotline import dispatch as hotline_dispatch
from tongban.licences import wallet as licence_wallet

from .factories import DepartmentFactory, PersonFactory, UserFactory, make_staff

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _default_language():
    """Messages are asserted in the default language, whatever an earlier test left active."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fresh_indexes():
    """The calendar and the search index are per process: each test starts from its own data."""
    workdays.invalidate()
    search.invalidate()
    addresses.invalidate()
    hotline_dispatch.invalidate()
    hotline_clocks.invalidate()
    licence_wallet.forget_types()
    yield
    workdays.invalidate()
    search.invalidate()
    addresses.invalidate()
    hotline_dispatch.invalidate()
    hotline_clocks.invalidate()
    licence_wallet.forget_types()


@pytest.fixture
def department(db):
    return DepartmentFactory(code="scjg", name="云溪区市场监督管理局")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(code="mzj", name="云溪区民政局")


@pytest.fixture
def applicant_a(db):
    user = UserFactory(username="applicant_a")
    PersonFactory(name="张晓明", user=user)
    return user


@pytest.fixture
def applicant_b(db):
    user = UserFactory(username="applicant_b")
    PersonFactory(name="李春梅", user=user)
    return user


@pytest.fixture
def staff_factory(db, department):
    def make(*roles: str, dept=None, username=None):
        return make_staff(*roles, department=dept or department, username=username)

    return make


@pytest.fixture
def clerk(staff_factory):
    return staff_factory(Role.WINDOW_CLERK, username="clerk")


@pytest.fixture
def administrator(staff_factory):
    return staff_factory(Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def supervisor(staff_factory):
    return staff_factory(Role.SUPERVISOR, username="supervisor")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def anonymous_client():
    return Client()


@pytest.fixture
def applicant_a_client(applicant_a):
    return _client_for(applicant_a)


@pytest.fixture
def applicant_b_client(applicant_b):
    return _client_for(applicant_b)


@pytest.fixture
def clerk_client(clerk):
    return _client_for(clerk)


@pytest.fixture
def admin_client_(administrator):
    return _client_for(administrator)


# ---------------------------------------------------------------- security (三权分立, 2FA)


@pytest.fixture
def security_admin(staff_factory):
    return staff_factory(Role.SECURITY_ADMINISTRATOR, username="secadmin")


@pytest.fixture
def audit_admin(staff_factory):
    return staff_factory(Role.AUDIT_ADMINISTRATOR, username="auditor")


@pytest.fixture
def security_admin_client(security_admin):
    return _client_for(security_admin)


@pytest.fixture
def audit_admin_client(audit_admin):
    return _client_for(audit_admin)


@pytest.fixture
def require_2fa(settings):
    """Production's rule in a test: staff must pass the second factor (TOTP)."""
    settings.TONGBAN_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's back-off is tested apart
