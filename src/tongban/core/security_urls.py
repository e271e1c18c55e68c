"""/console/security/: the staff member's second factor, the security and audit administrators'
pages (docs/security.md)."""

from django.urls import path

from .views import security, security_admin, security_audit, staff_accounts

app_name = "security-console"

urlpatterns = [
    path("", security.home, name="home"),
    path("2fa/enrol/", security.enrol, name="enrol"),
    path("2fa/verify/", security.verify, name="verify"),
    path("2fa/recovery/", security.recovery_renew, name="recovery"),
    path("staff/", security_admin.staff, name="staff"),
    path("accounts/", staff_accounts.accounts, name="accounts"),
    path("settings/", security_admin.settings_overview, name="settings"),
    path("audit/", security_audit.audit_log, name="audit"),
    path("audit/export.csv", security_audit.audit_export, name="audit-export"),
]
