"""The demo district: `tongban demo load` (idempotent) and `tongban demo users`."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from stdnum.cn import ric

from tongban.core.identifiers import validate_id_number
from tongban.core.models import (
    AuditEvent,
    Department,
    Enterprise,
    EnterpriseAuthorisation,
    Person,
    Region,
    User,
)
from tongban.core.models.people import AuthorisationRole
from tongban.core.models.regions import RegionLevel
from tongban.core.permissions import Role, is_staff_member, roles_of

pytestmark = pytest.mark.django_db


def load() -> str:
    out = io.StringIO()
    call_command("demo", "load", stdout=out)
    return out.getvalue()


def demo_users() -> list[tuple[str, str]]:
    out = io.StringIO()
    call_command("demo", "users", stdout=out)
    rows = [tuple(line.split("\t")) for line in out.getvalue().splitlines()]
    assert all(len(row) == 2 for row in rows), rows
    return rows


def snapshot() -> dict[str, list[dict]]:
    """Every row of every core model (and the groups), in primary-key order."""
    models = [*apps.get_app_config("core").get_models(), Group]
    return {
        m._meta.label: list(m.objects.order_by("pk").values()) for m in models if m._meta.managed
    }


def test_load_is_idempotent():
    first = load()
    assert first.startswith("core: ")
    assert f"demo password for every account: {settings.TONGBAN_DEMO_PASSWORD}" in first
    before = snapshot()
    events = AuditEvent.objects.count()
    hashes = dict(User.objects.values_list("username", "password"))

    second = load()
    assert second.splitlines()[0] == "core: nothing to do (already loaded)"
    assert snapshot() == before
    assert AuditEvent.objects.count() == events
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert {label: len(rows) for label, rows in snapshot().items()} == {
        label: len(rows) for label, rows in before.items()
    }


def test_load_creates_a_realistic_district():
    load()
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    streets = Region.objects.filter(level=RegionLevel.STREET)
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY)
    assert streets.count() >= 6
    assert communities.count() >= 20
    assert Department.objects.count() >= 15
    assert all(s.parent == district and s.code.startswith(district.code) for s in streets)
    assert all(
        c.parent.level == RegionLevel.STREET and c.code.startswith(c.parent.code)
        for c in communities
    )
    assert {s.name[-1] for s in streets} == {"道", "镇"}  # streets (街道) and towns (镇)
    assert {c.name[-1] for c in communities} == {"区", "村"}  # communities (社区) and villages
    assert Department.objects.filter(region__level=RegionLevel.STREET).count() == streets.count()


def test_load_creates_a_staff_member_for_every_role():
    load()
    for role in Role:
        members = User.objects.filter(groups__name=role, is_active=True, staff__isnull=False)
        assert members.exists(), role
        assert all(role in roles_of(u) and is_staff_member(u) for u in members)
    admins = User.objects.filter(groups__name=Role.ADMINISTRATOR)
    assert all(u.is_staff and u.is_superuser for u in admins)
    assert not User.objects.filter(is_superuser=True).exclude(groups__name=Role.ADMINISTRATOR)


def test_load_creates_applicants_with_valid_id_numbers():
    load()
    people = list(Person.objects.all())
    assert len(people) >= 5
    for person in people:
        assert ric.is_valid(person.id_number), person.name
        assert validate_id_number(person.id_number) == person.id_number
        assert person.birth_date == ric.get_birth_date(person.id_number)
        assert person.gender == ("male" if int(person.id_number[16]) % 2 else "female")
    accounts = Person.objects.filter(user__isnull=False)
    assert accounts.count() >= 4
    assert not any(roles_of(p.user) for p in accounts)
    enterprise = Enterprise.objects.get(credit_code="91330199MA2CXY8K1J")  # the core demo's
    auth = EnterpriseAuthorisation.objects.get(enterprise=enterprise)
    assert auth.person == enterprise.legal_representative
    assert auth.role == AuthorisationRole.LEGAL_REPRESENTATIVE


def test_users_lists_every_role_and_applicants():
    rows = demo_users()
    assert {role for role, _username in rows} == {*Role.values, "applicant"}
    assert len(rows) == len(set(rows))
    load()
    for role, username in rows:
        user = User.objects.get(username=username)
        if role == "applicant":
            assert Person.objects.filter(user=user).exists(), username
        else:
            assert role in roles_of(user), (role, username)


def test_every_demo_account_can_log_in_with_the_demo_password():
    load()
    rows = demo_users()
    for role, username in rows:
        client = Client()
        url = "/login/" if role == "applicant" else "/console/login/"
        response = client.post(
            url, {"username": username, "password": settings.TONGBAN_DEMO_PASSWORD}
        )
        assert response.status_code == 302, (role, username)
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        home = "/" if role == "applicant" else "/console/"
        assert client.get(home).status_code == 200, (role, username)
    assert {username for _role, username in rows} == set(
        User.objects.values_list("username", flat=True)
    )


def test_a_demo_password_the_validators_refuse_stops_the_load_cleanly(settings):
    settings.TONGBAN_DEMO_PASSWORD = "12345"
    before = snapshot()
    with pytest.raises(CommandError) as exc:
        load()
    assert str(exc.value).startswith("demo load refused: 密码：")
    assert snapshot() == before
