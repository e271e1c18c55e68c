"""Roles and permissions: the registry, the staff services, and who may open which site."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client

from tongban.core.errors import CoreErrorCode, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEvent, SecurityEvent, StaffProfile, User
from tongban.core.permissions import (
    ROLE_PERMISSIONS,
    Perm,
    Role,
    Scope,
    has_perm,
    is_staff_member,
    permissions_of,
    require_perm,
    roles_of,
    scope_of,
)
from tongban.core.security_roles import role_set
from tongban.core.services import staff_create

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


PASSWORD = "correct-horse-battery"

# Written out again on purpose: a change to the registry must be a visible change to this table.
EXPECTED = {
    Role.WINDOW_CLERK: (
        {
            Perm.CONSOLE_ACCESS,
            Perm.IDENTITY_VIEW_FULL,
            Perm.CASE_ACCEPT,
            Perm.LICENCE_VIEW,
            Perm.LOCKER_MANAGE,  # the pickup lockers (selfservice)
            Perm.HALL_CALL,  # the window's calling page (hall)
        },
        Scope.DEPARTMENT,
    ),
    Role.REVIEWER: (
        {Perm.CONSOLE_ACCESS, Perm.IDENTITY_VIEW_FULL, Perm.CASE_REVIEW, Perm.LICENCE_VIEW},
        Scope.DEPARTMENT,
    ),
    Role.APPROVER: (
        {
            Perm.CONSOLE_ACCESS,
            Perm.IDENTITY_VIEW_FULL,
            Perm.CASE_REVIEW,
            Perm.CASE_APPROVE,
            Perm.LICENCE_ISSUE,
            Perm.LICENCE_VIEW,
        },
        Scope.DEPARTMENT,
    ),
    Role.HOTLINE_OPERATOR: (
        {
            Perm.CONSOLE_ACCESS,
            Perm.TICKET_CREATE,
            Perm.TICKET_DISPATCH,
            Perm.TICKET_ARBITRATE,
            Perm.TICKET_CALLBACK,
            Perm.KNOWLEDGE_EDIT,
            Perm.KNOWLEDGE_REVIEW,
        },
        Scope.ALL,
    ),
    Role.HANDLER: (
        {Perm.CONSOLE_ACCESS, Perm.TICKET_HANDLE, Perm.KNOWLEDGE_EDIT, Perm.RECTIFICATION_HANDLE},
        Scope.DEPARTMENT,
    ),
    Role.GRID_WORKER: ({Perm.CONSOLE_ACCESS, Perm.GRID_REPORT}, Scope.REGION),
    Role.SUPERVISOR: (
        {
            Perm.CONSOLE_ACCESS,
            Perm.SUPERVISION_VIEW,
            Perm.SUPERVISION_URGE,
            Perm.RECTIFICATION_REVIEW,
            Perm.PERSONAL_DATA_AUDIT,
        },
        Scope.ALL,
    ),
    Role.DEPARTMENT_HEAD: (
        {Perm.CONSOLE_ACCESS, Perm.SUPERVISION_VIEW, Perm.RECTIFICATION_HANDLE},
        Scope.DEPARTMENT,
    ),
    Role.ADMINISTRATOR: (
        {
            Perm.CONSOLE_ACCESS,
            Perm.IDENTITY_VIEW_FULL,
            Perm.CONFIG_MANAGE,
            Perm.CALENDAR_MANAGE,
            Perm.LICENCE_MANAGE,
            Perm.HALL_MANAGE,
            Perm.GRID_MANAGE,
            Perm.RULES_EDIT,
            Perm.RULES_ACTIVATE,
            Perm.STAFF_MANAGE,
        },
        Scope.ALL,
    ),
    # 三权分立 (docs/security.md): the security and audit administrators do only their own work.
    Role.SECURITY_ADMINISTRATOR: (
        {
            Perm.CONSOLE_ACCESS,
            Perm.ROLE_ASSIGN,
            Perm.TWO_FACTOR_RESET,
            Perm.SECURITY_SETTINGS_VIEW,
        },
        Scope.DEPARTMENT,
    ),
    Role.AUDIT_ADMINISTRATOR: (
        {Perm.CONSOLE_ACCESS, Perm.AUDIT_VIEW, Perm.PERSONAL_DATA_AUDIT},
        Scope.DEPARTMENT,
    ),
}


def test_every_role_is_in_the_registry():
    assert set(ROLE_PERMISSIONS) == set(Role) == set(EXPECTED)
    assert set().union(*ROLE_PERMISSIONS.values()) <= set(Perm)


@pytest.mark.parametrize("role", list(Role))
def test_role_grants_exactly_its_permissions(role, staff_factory):
    user = staff_factory(role)
    perms, scope = EXPECTED[role]
    assert roles_of(user) == {role}
    assert permissions_of(user) == perms
    for perm in Perm:
        assert has_perm(user, perm) is (perm in perms), perm
    assert is_staff_member(user) is True
    assert scope_of(user) == scope
    for perm in set(Perm) - perms:
        with pytest.raises(PermissionDenied) as exc:
            require_perm(user, perm)
        assert exc.value.code == CoreErrorCode.PERMISSION_DENIED
        assert exc.value.message == "您没有执行此操作的权限。"
    for perm in perms:
        require_perm(user, perm)


def test_several_roles_add_up_and_the_widest_scope_wins(staff_factory):
    user = staff_factory(Role.HANDLER, Role.GRID_WORKER)
    assert permissions_of(user) == {
        Perm.CONSOLE_ACCESS,
        Perm.TICKET_HANDLE,
        Perm.KNOWLEDGE_EDIT,
        Perm.RECTIFICATION_HANDLE,
        Perm.GRID_REPORT,
    }
    assert scope_of(user) == Scope.REGION


def test_applicants_anonymous_and_deactivated_staff_hold_nothing(applicant_a, staff_factory):
    former = staff_factory(Role.ADMINISTRATOR)
    former.is_active = False
    former.save()
    unrelated_group = Group.objects.create(name="book_club")
    applicant_a.groups.add(unrelated_group)
    for user in (applicant_a, AnonymousUser(), None, User.objects.get(pk=former.pk)):
        assert roles_of(user) == frozenset()
        assert permissions_of(user) == frozenset()
        assert is_staff_member(user) is False
        assert scope_of(user) == Scope.DEPARTMENT
        with pytest.raises(PermissionDenied):
            require_perm(user, Perm.CONSOLE_ACCESS)


def _state() -> dict:
    return {
        "users": list(
            User.objects.order_by("pk").values_list("username", "is_staff", "is_superuser")
        ),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group__name")),
        "profiles": StaffProfile.objects.count(),
        "events": list(AuditEvent.objects.values_list("pk", "hash")),
    }


def test_staff_create_binds_department_and_audits(department, administrator):
    user = staff_create(
        username="reviewer",
        password=PASSWORD,
        display_name="陈审查",
        department=department,
        roles=[],
        employee_no="0007",
        phone="0571-88001234",
        actor=administrator,
    )
    # 三权分立: the system administrator's account has no role until the security
    # administrator grants one.
    assert roles_of(user) == frozenset()
    assert (user.staff.department, user.staff.employee_no, user.staff.phone) == (
        department,
        "0007",
        "0571-88001234",
    )
    assert (user.is_staff, user.is_superuser) == (False, False)
    event = AuditEvent.objects.get(stream=f"user:{user.pk}")
    assert (event.action, event.actor, event.payload) == (
        "staff_created",
        administrator,
        {"department": "scjg", "roles": []},
    )


def test_staff_create_without_an_actor_gives_the_roles_at_once(department):
    # The demo loaders and set-up commands run on the server.
    user = staff_create(
        username="reviewer",
        password=PASSWORD,
        display_name="陈审查",
        department=department,
        roles=[Role.REVIEWER, Role.APPROVER, Role.REVIEWER],
    )
    assert roles_of(user) == {Role.REVIEWER, Role.APPROVER}
    event = AuditEvent.objects.get(stream=f"user:{user.pk}")
    assert (event.actor, event.payload) == (
        None,
        {"department": "scjg", "roles": ["reviewer", "approver"]},
    )


@pytest.mark.parametrize(
    "roles", [[Role.REVIEWER], [Role.SECURITY_ADMINISTRATOR], [Role.AUDIT_ADMINISTRATOR], ["root"]]
)
def test_the_system_administrator_cannot_give_roles_when_creating_an_account(
    roles, department, administrator
):
    before = _state()
    with pytest.raises(PermissionDenied) as exc:
        staff_create(
            username="newbie",
            password=PASSWORD,
            display_name="新人",
            department=department,
            roles=roles,
            actor=administrator,
        )
    assert exc.value.message == (
        "角色由安全管理员授予（三权分立），系统管理员创建账号时不能指定角色。"
        "请先创建账号，再由安全管理员在“角色分配与双因素重置”页面授予。"
    )
    assert _state() == before
    event = SecurityEvent.objects.get(kind="role_refused")
    assert (event.actor_name, event.target, event.success, event.detail) == (
        "admin",
        "user:newbie",
        False,
        {"roles": [str(r) for r in roles], "grant": True, "code": "permission_denied"},
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"roles": ["reviewer", "janitor"], "actor": None}, "roles", "角色：未知的角色 janitor。"),
        ({"username": " "}, "username", "用户名：不能为空。"),
        ({"username": "admin"}, "username", "用户名：admin 已被使用。"),
        ({"phone": "123"}, "phone", None),
        ({"password": "password"}, "password", None),
    ],
)
def test_staff_create_refusals_change_nothing(kwargs, field, message, department, administrator):
    before = _state()
    with pytest.raises(ValidationFailed) as exc:
        staff_create(
            **{
                "username": "newbie",
                "password": PASSWORD,
                "display_name": "新人",
                "department": department,
                "roles": [],
                "actor": administrator,
                **kwargs,
            }
        )
    assert exc.value.field == field
    if message:
        assert exc.value.message == message
    assert _state() == before


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_staff_create_by_a_non_administrator_is_refused(role, staff_factory, department):
    actor = staff_factory(role)
    before = _state()
    with pytest.raises(PermissionDenied):
        staff_create(
            username="newbie",
            password=PASSWORD,
            display_name="新人",
            department=department,
            roles=[],
            actor=actor,
        )
    assert _state() == before


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SECURITY_ADMINISTRATOR])
def test_setting_roles_by_anyone_but_the_security_administrator_is_refused(
    role, staff_factory, clerk
):
    actor = staff_factory(role)
    before = _state()
    with pytest.raises(PermissionDenied):
        role_set(actor=actor, user_id=clerk.pk, roles=[Role.ADMINISTRATOR])
    with pytest.raises(PermissionDenied):
        role_set(actor=actor, user_id=actor.pk, roles=[Role.ADMINISTRATOR])
    assert _state() == before
    assert roles_of(User.objects.get(pk=clerk.pk)) == {Role.WINDOW_CLERK}


def test_setting_roles_by_an_applicant_is_refused(applicant_a, clerk):
    before = _state()
    with pytest.raises(PermissionDenied):
        role_set(actor=applicant_a, user_id=clerk.pk, roles=[Role.SUPERVISOR])
    assert _state() == before


def test_setting_roles_refuses_unknown_roles_and_changes_nothing(security_admin, clerk):
    before = _state()
    with pytest.raises(ValidationFailed) as exc:
        role_set(actor=security_admin, user_id=clerk.pk, roles=[Role.SUPERVISOR, "root"])
    assert exc.value.message == "角色：未知的角色 root。"
    assert _state() == before


def test_administrator_role_opens_and_closes_the_configuration_site(
    administrator, security_admin, clerk
):
    assert (administrator.is_staff, administrator.is_superuser) == (True, True)
    assert (clerk.is_staff, clerk.is_superuser) == (False, False)

    role_set(actor=security_admin, user_id=clerk.pk, roles=[Role.WINDOW_CLERK, Role.ADMINISTRATOR])
    clerk = User.objects.get(pk=clerk.pk)
    assert (clerk.is_staff, clerk.is_superuser) == (True, True)
    assert roles_of(clerk) == {Role.WINDOW_CLERK, Role.ADMINISTRATOR}

    role_set(actor=security_admin, user_id=clerk.pk, roles=[Role.SUPERVISOR])
    clerk = User.objects.get(pk=clerk.pk)
    assert (clerk.is_staff, clerk.is_superuser) == (False, False)
    assert roles_of(clerk) == {Role.SUPERVISOR}
    events = AuditEvent.objects.filter(stream=f"user:{clerk.pk}", action="roles_changed")
    assert [e.payload for e in events] == [
        {"from": ["window_clerk"], "to": ["administrator", "window_clerk"]},
        {"from": ["administrator", "window_clerk"], "to": ["supervisor"]},
    ]
    assert {e.actor for e in events} == {security_admin}
    changes = SecurityEvent.objects.filter(kind__in=["role_granted", "role_revoked"]).order_by("id")
    assert [(e.kind, e.detail["role"]) for e in changes] == [
        ("role_granted", "administrator"),
        ("role_granted", "supervisor"),
        ("role_revoked", "administrator"),
        ("role_revoked", "window_clerk"),
    ]


# --- the two sites ---------------------------------------------------------------------------


def _client(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("role", list(Role))
def test_console_home_opens_for_every_staff_role(role, staff_factory):
    response = _client(staff_factory(role)).get("/console/")
    assert response.status_code == 200
    assert str(Role(role).label) in response.content.decode()


def test_console_home_is_forbidden_for_an_applicant(applicant_a_client):
    response = applicant_a_client.get("/console/")
    assert response.status_code == 403


def test_console_home_sends_anonymous_visitors_to_the_staff_login(anonymous_client):
    response = anonymous_client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/"


def test_admin_site_opens_for_administrators(admin_client_):
    assert admin_client_.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_admin_site_is_closed_to_other_staff(role, staff_factory):
    response = _client(staff_factory(role)).get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_admin_site_is_closed_to_applicants_and_anonymous(applicant_a_client, anonymous_client):
    for client in (applicant_a_client, anonymous_client):
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"] == "/admin/login/?next=/admin/"


def test_unknown_group_names_are_not_roles():
    user = UserFactory()
    user.groups.add(Group.objects.create(name="administrators"))
    assert roles_of(user) == frozenset()
