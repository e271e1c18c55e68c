"""三权分立 on the staff pages: the system administrator creates and disables accounts (without
roles) on /console/security/accounts/, the security administrator grants the roles; each is
refused the other's work with a clear message and nothing changed."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_staff
from tests.query_counts import page_queries
from tongban.core.errors import NotFound, PermissionDenied
from tongban.core.models import AuditEvent, SecurityEvent, User
from tongban.core.permissions import Role, clear_cache, roles_of
from tongban.core.services import staff_set_active

pytestmark = pytest.mark.django_db

ACCOUNTS = "/console/security/accounts/"
NEW = {
    "action": "create",
    "username": "zhaoxin",
    "display_name": "赵新",
    "department": "scjg",
    "password": "Yunxi-2026-staff",
}


def _state() -> dict:
    return {
        "users": list(User.objects.order_by("pk").values_list("username", "is_active")),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group__name")),
        "audit": AuditEvent.objects.count(),
    }


def test_the_system_administrator_creates_an_account_without_roles(admin_client_, administrator):
    response = admin_client_.post(ACCOUNTS, NEW)
    assert response.status_code == 302
    user = User.objects.get(username="zhaoxin")
    assert (user.display_name, user.staff.department.code, user.is_active) == ("赵新", "scjg", True)
    assert roles_of(user) == frozenset()
    assert user.check_password("Yunxi-2026-staff")
    page = admin_client_.get(ACCOUNTS)
    html = page.content.decode()
    assert "已创建账号 zhaoxin。请联系安全管理员为其授予角色。" in html
    assert "未授予" in html
    event = AuditEvent.objects.get(stream=f"user:{user.pk}")
    assert (event.action, event.actor, event.payload) == (
        "staff_created",
        administrator,
        {"department": "scjg", "roles": []},
    )
    # the new account reaches nothing in the console until the security administrator acts
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/console/").status_code == 403


def test_the_page_cannot_be_used_to_give_roles(admin_client_):
    before = _state()
    response = admin_client_.post(ACCOUNTS, {**NEW, "roles": "administrator", "role": "auditor"})
    assert response.status_code == 302
    assert roles_of(User.objects.get(username="zhaoxin")) == frozenset()
    assert _state()["groups"] == before["groups"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"username": ""}, "账号：请填写账号。"),
        ({"username": "admin"}, "账号：admin 已被使用。"),
        ({"department": "nowhere"}, "所属部门：请从列表中选择所属部门。"),
        ({"password": "short"}, "初始密码："),
    ],
)
def test_bad_input_is_a_clear_error_and_creates_nothing(admin_client_, change, message):
    before = _state()
    response = admin_client_.post(ACCOUNTS, {**NEW, **change})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>错误：" in html
    assert message in html
    assert _state() == before


def test_the_system_administrator_disables_and_enables_an_account(
    admin_client_, administrator, clerk
):
    clerk_client = Client()
    clerk_client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    assert clerk_client.get("/console/").status_code == 200

    response = admin_client_.post(ACCOUNTS, {"action": "disable", "username": "clerk"})
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.is_active is False
    assert clerk_client.get("/console/")["Location"].startswith("/console/login/")  # session ended
    assert "已停用账号 clerk，其登录会话随即失效。" in admin_client_.get(ACCOUNTS).content.decode()

    admin_client_.post(ACCOUNTS, {"action": "enable", "username": "clerk"})
    clerk.refresh_from_db()
    assert clerk.is_active is True
    clear_cache(clerk)
    assert roles_of(clerk) == {Role.WINDOW_CLERK}  # the roles were kept
    events = AuditEvent.objects.filter(stream=f"user:{clerk.pk}").order_by("seq")
    assert [(e.action, e.actor) for e in events] == [
        ("staff_disabled", administrator),
        ("staff_enabled", administrator),
    ]


def test_no_one_disables_their_own_account_or_an_unknown_one(admin_client_, administrator):
    before = _state()
    own = admin_client_.post(ACCOUNTS, {"action": "disable", "username": "admin"})
    assert own.status_code == 422
    assert "不能停用或启用自己的账号，请由另一名系统管理员办理。" in own.content.decode()
    unknown = admin_client_.post(ACCOUNTS, {"action": "disable", "username": "nobody"})
    assert unknown.status_code == 422
    assert "没有这个账号的工作人员。" in unknown.content.decode()
    assert _state() == before


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_only_the_system_administrator_manages_accounts(role, staff_factory, clerk):
    actor = staff_factory(role, username="actor")
    client = Client()
    client.force_login(actor, backend="django.contrib.auth.backends.ModelBackend")
    before = _state()
    assert client.get(ACCOUNTS).status_code == 403
    assert client.post(ACCOUNTS, NEW).status_code == 403
    assert client.post(ACCOUNTS, {"action": "disable", "username": "clerk"}).status_code == 403
    with pytest.raises(PermissionDenied):
        staff_set_active(actor=actor, user_id=clerk.pk, active=False)
    assert _state() == before


def test_staff_set_active_refuses_applicants_and_unknown_accounts(administrator, applicant_a):
    with pytest.raises(PermissionDenied):
        staff_set_active(actor=applicant_a, user_id=administrator.pk, active=False)
    with pytest.raises(NotFound):
        staff_set_active(actor=administrator, user_id=applicant_a.pk, active=False)
    applicant_a.refresh_from_db()
    assert applicant_a.is_active is True


def test_the_system_administrator_is_refused_role_work_with_a_clear_page(admin_client_, clerk):
    refused = admin_client_.post(
        "/console/security/staff/", {"username": "clerk", "role": "supervisor", "action": "grant"}
    )
    assert refused.status_code == 403
    assert "您没有查看此页面的权限" in refused.content.decode()
    clear_cache(clerk)
    assert roles_of(clerk) == {Role.WINDOW_CLERK}
    event = SecurityEvent.objects.get(kind="permission_denied")
    assert (event.actor_name, event.target) == ("admin", "/console/security/staff/")


def test_the_security_administrator_cannot_create_or_disable_accounts(security_admin_client, clerk):
    before = _state()
    assert security_admin_client.post(ACCOUNTS, NEW).status_code == 403
    assert (
        security_admin_client.post(ACCOUNTS, {"action": "disable", "username": "clerk"}).status_code
        == 403
    )
    assert _state() == before


def test_the_account_list_reads_the_same_queries_for_2_and_8_accounts(admin_client_, department):
    for k in range(2):
        make_staff(Role.REVIEWER, department=department, username=f"few{k}")
    few = page_queries(admin_client_, ACCOUNTS)
    for k in range(6):
        make_staff(Role.REVIEWER, Role.APPROVER, department=department, username=f"many{k}")
    assert page_queries(admin_client_, ACCOUNTS) == few


def test_a_new_account_gets_its_roles_from_the_security_administrator(
    admin_client_, security_admin_client
):
    admin_client_.post(ACCOUNTS, NEW)
    granted = security_admin_client.post(
        "/console/security/staff/",
        {"username": "zhaoxin", "role": "reviewer", "action": "grant"},
    )
    assert granted.status_code == 302
    user = User.objects.get(username="zhaoxin")
    assert roles_of(user) == {Role.REVIEWER}
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/console/").status_code == 200
