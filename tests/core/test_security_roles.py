"""三权分立: the system, security and audit administrators are three people, none can do
another's work, and role changes are security events."""

from __future__ import annotations

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEvent, EventChainHead, SecurityEvent
from tongban.core.permissions import Role, clear_cache, roles_of
from tongban.core.security_2fa import two_factor_reset
from tongban.core.security_roles import role_grant, role_revoke, role_set
from tongban.core.services import staff_create

pytestmark = pytest.mark.django_db

SECURITY_PAGES = ["/console/security/staff/", "/console/security/settings/"]
AUDIT_PAGES = ["/console/security/audit/", "/console/security/audit/export.csv"]
SYSTEM_PAGES = ["/console/rules/connectors/", "/console/rules/"]


def fresh_roles(user) -> set[str]:
    clear_cache(user)
    return set(roles_of(user))


# ---------------------------------------------------------------- pages: every pair refused


def test_the_system_administrator_cannot_do_security_or_audit_work(admin_client_):
    for url in SECURITY_PAGES + AUDIT_PAGES:
        response = admin_client_.get(url)
        assert response.status_code == 403, url
        assert "您没有查看此页面的权限" in response.content.decode()
    for url in SYSTEM_PAGES:
        assert admin_client_.get(url).status_code == 200, url
    assert admin_client_.get("/admin/").status_code == 200


def test_the_security_administrator_cannot_do_system_or_audit_work(security_admin_client):
    for url in AUDIT_PAGES + SYSTEM_PAGES:
        assert security_admin_client.get(url).status_code == 403, url
    assert security_admin_client.get("/admin/")["Location"].startswith("/admin/login/")
    for url in SECURITY_PAGES:
        assert security_admin_client.get(url).status_code == 200, url


def test_the_audit_administrator_only_reads_the_audit_log(audit_admin_client, clerk):
    for url in SECURITY_PAGES + SYSTEM_PAGES:
        assert audit_admin_client.get(url).status_code == 403, url
    assert audit_admin_client.get("/admin/")["Location"].startswith("/admin/login/")
    for url in AUDIT_PAGES:
        assert audit_admin_client.get(url).status_code == 200, url
    refused = audit_admin_client.post(
        "/console/security/staff/", {"username": "clerk", "role": "supervisor", "action": "grant"}
    )
    assert refused.status_code == 403
    assert fresh_roles(clerk) == {Role.WINDOW_CLERK}


def test_other_staff_and_applicants_are_refused(clerk_client, applicant_a_client, anonymous_client):
    for url in SECURITY_PAGES + AUDIT_PAGES:
        assert clerk_client.get(url).status_code == 403
        assert applicant_a_client.get(url).status_code == 403
        assert anonymous_client.get(url)["Location"].startswith("/console/login/")
    # every staff member reaches their own account-security page
    assert clerk_client.get("/console/security/").status_code == 200


def test_refused_pages_are_security_events(audit_admin_client, audit_admin):
    audit_admin_client.get("/console/security/staff/")
    event = SecurityEvent.objects.get(kind="permission_denied")
    assert (event.actor_id, event.actor_name, event.target, event.success) == (
        audit_admin.pk,
        "auditor",
        "/console/security/staff/",
        False,
    )
    assert event.detail == {"method": "GET"}
    assert event.ip == "127.0.0.1"


# ---------------------------------------------------------------- the role service


def test_the_security_administrator_grants_and_revokes_roles(security_admin_client, clerk):
    response = security_admin_client.post(
        "/console/security/staff/", {"username": "clerk", "role": "supervisor", "action": "grant"}
    )
    assert response.status_code == 302
    assert fresh_roles(clerk) == {Role.WINDOW_CLERK, Role.SUPERVISOR}
    security_admin_client.post(
        "/console/security/staff/",
        {"username": "clerk", "role": "window_clerk", "action": "revoke"},
    )
    assert fresh_roles(clerk) == {Role.SUPERVISOR}
    events = SecurityEvent.objects.filter(kind__in=["role_granted", "role_revoked"]).order_by("id")
    assert [(e.kind, e.actor_name, e.target, e.detail["role"]) for e in events] == [
        ("role_granted", "secadmin", "user:clerk", "supervisor"),
        ("role_revoked", "secadmin", "user:clerk", "window_clerk"),
    ]
    assert events[0].detail["from"] == ["window_clerk"]
    assert events[0].detail["to"] == ["supervisor", "window_clerk"]


@pytest.mark.parametrize(
    ("held", "wanted"),
    [
        (Role.ADMINISTRATOR, Role.SECURITY_ADMINISTRATOR),
        (Role.ADMINISTRATOR, Role.AUDIT_ADMINISTRATOR),
        (Role.SECURITY_ADMINISTRATOR, Role.ADMINISTRATOR),
        (Role.SECURITY_ADMINISTRATOR, Role.AUDIT_ADMINISTRATOR),
        (Role.AUDIT_ADMINISTRATOR, Role.ADMINISTRATOR),
        (Role.AUDIT_ADMINISTRATOR, Role.SECURITY_ADMINISTRATOR),
    ],
)
def test_no_account_holds_two_of_the_three(staff_factory, security_admin, held, wanted):
    target = staff_factory(held, username="target")
    with pytest.raises(ValidationFailed) as caught:
        role_grant(actor=security_admin, user_id=target.pk, role=wanted)
    assert caught.value.code == "role_conflict"
    assert "同一账号不能兼任" in caught.value.message
    assert fresh_roles(target) == {held}
    event = SecurityEvent.objects.get(kind="role_refused")
    assert event.detail == {"role": str(wanted), "grant": True, "code": "role_conflict"}


def test_the_page_shows_the_conflict_in_chinese(security_admin_client, audit_admin):
    response = security_admin_client.post(
        "/console/security/staff/",
        {"username": "auditor", "role": "administrator", "action": "grant"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>错误：" in html
    assert "系统管理员、审计管理员 须由不同的人担任（三权分立），同一账号不能兼任。" in html
    assert fresh_roles(audit_admin) == {Role.AUDIT_ADMINISTRATOR}


def test_creating_or_setting_two_administrator_roles_is_refused(security_admin, department, clerk):
    with pytest.raises(ValidationFailed) as caught:
        staff_create(
            username="both",
            password=PASSWORD,
            display_name="兼任",
            department=department,
            roles=[Role.ADMINISTRATOR, Role.AUDIT_ADMINISTRATOR],
        )
    assert caught.value.code == "role_conflict"
    with pytest.raises(ValidationFailed) as caught:
        role_set(
            actor=security_admin,
            user_id=clerk.pk,
            roles=[Role.SECURITY_ADMINISTRATOR, Role.AUDIT_ADMINISTRATOR],
        )
    assert caught.value.message == (
        "角色：安全管理员、审计管理员 须由不同的人担任（三权分立），同一账号不能兼任。"
    )
    assert fresh_roles(clerk) == {Role.WINDOW_CLERK}
    event = SecurityEvent.objects.get(kind="role_refused")
    assert event.detail == {
        "roles": ["security_administrator", "audit_administrator"],
        "code": "role_conflict",
    }


def test_only_the_security_administrator_assigns_roles(administrator, audit_admin, clerk):
    for actor in (administrator, audit_admin, clerk):
        with pytest.raises(PermissionDenied):
            role_grant(actor=actor, user_id=clerk.pk, role=Role.SUPERVISOR)
    assert fresh_roles(clerk) == {Role.WINDOW_CLERK}
    assert SecurityEvent.objects.filter(kind="role_refused").count() == 3


def test_no_one_assigns_roles_to_themselves(security_admin):
    with pytest.raises(PermissionDenied):
        role_grant(actor=security_admin, user_id=security_admin.pk, role=Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        role_revoke(
            actor=security_admin, user_id=security_admin.pk, role=Role.SECURITY_ADMINISTRATOR
        )
    assert fresh_roles(security_admin) == {Role.SECURITY_ADMINISTRATOR}


def test_unknown_accounts_and_roles_are_refused(security_admin, applicant_a, clerk):
    with pytest.raises(NotFound):
        role_grant(actor=security_admin, user_id=applicant_a.pk, role=Role.SUPERVISOR)
    with pytest.raises(ValidationFailed):
        role_grant(actor=security_admin, user_id=clerk.pk, role="root")


# ---------------------------------------------------------------- second-factor reset


def test_the_security_administrator_resets_a_lost_authenticator(security_admin_client, clerk):
    TOTPDevice.objects.create(user=clerk, name="authenticator", confirmed=True)
    StaticDevice.objects.create(user=clerk, name="recovery", confirmed=True)
    response = security_admin_client.post(
        "/console/security/staff/", {"username": "clerk", "action": "reset_2fa"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert not StaticDevice.objects.filter(user=clerk).exists()
    event = SecurityEvent.objects.get(kind="two_factor_reset")
    assert (event.actor_name, event.target, event.success) == ("secadmin", "user:clerk", True)


def test_others_cannot_reset_a_second_factor(administrator, audit_admin, security_admin, clerk):
    TOTPDevice.objects.create(user=clerk, name="authenticator", confirmed=True)
    for actor in (administrator, audit_admin):
        with pytest.raises(PermissionDenied):
            two_factor_reset(actor=actor, user_id=clerk.pk)
    with pytest.raises(PermissionDenied):
        two_factor_reset(actor=security_admin, user_id=security_admin.pk)
    assert TOTPDevice.objects.filter(user=clerk).count() == 1


def test_the_configuration_site_has_no_roles_second_factor_or_audit_models():
    for model in (
        Group,
        TOTPDevice,
        StaticDevice,
        SecurityEvent,
        AuditEvent,
        EventChainHead,
        AccessLog,
        AccessFailureLog,
    ):
        assert not admin.site.is_registered(model), model


def test_the_system_administrator_cannot_change_roles_or_permissions_on_the_configuration_site(
    admin_client_, clerk
):
    page = admin_client_.get(f"/admin/core/user/{clerk.pk}/change/")
    assert page.status_code == 200
    fields = set(page.context["adminform"].form.fields)
    assert fields == {"username", "password", "display_name", "email", "is_active"}
    assert "综合窗口人员" in page.content.decode()  # the roles, shown read-only
    assert admin_client_.get("/admin/auth/group/").status_code == 404
    assert admin_client_.get("/admin/core/auditevent/").status_code == 404
    assert admin_client_.get(f"/admin/core/user/{clerk.pk}/delete/").status_code == 403
    # no Group or permission was touched
    assert fresh_roles(clerk) == {Role.WINDOW_CLERK}


def test_the_system_administrator_cannot_set_the_other_administrators_passwords(
    admin_client_, security_admin, audit_admin, clerk
):
    for target in (security_admin, audit_admin):
        url = f"/admin/core/user/{target.pk}/password/"
        assert admin_client_.get(url).status_code == 403, url
        refused = admin_client_.post(
            url, {"password1": "Xy7!new-pass", "password2": "Xy7!new-pass"}
        )
        assert refused.status_code == 403
        target.refresh_from_db()
        assert target.check_password(PASSWORD)
    assert admin_client_.get(f"/admin/core/user/{clerk.pk}/password/").status_code == 200
