"""Configuration pages at /admin/ for administrators. Calendar changes go through services."""

from __future__ import annotations

from axes.models import AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .errors import DomainError
from .models import (
    ApiToken,
    CalendarOverride,
    CalendarYear,
    Department,
    Enterprise,
    EnterpriseAuthorisation,
    Person,
    Region,
    ScheduledRun,
    StaffProfile,
    User,
)
from .permissions import Role, roles_of
from .services import (
    calendar_override_delete,
    calendar_override_set,
    calendar_year_delete,
    calendar_year_import,
)
from .services.calendar import parse_year_schedule

OTHER_ADMINISTRATORS = frozenset({Role.SECURITY_ADMINISTRATOR, Role.AUDIT_ADMINISTRATOR})

admin.site.site_header = _("通办 · 系统配置")
admin.site.site_title = _("通办")
admin.site.index_title = _("配置")

SCHEDULE_HELP = _(
    "按国务院办公厅通知逐行填写，每行一个节日：名称、冒号、“放假”日期；有调休上班的再写“；上班”日期。"
    "日期范围用 ~ 连接，多个日期用顿号或逗号分隔。例如："
    "“春节：放假 2027-02-06~2027-02-13；上班 2027-02-14、2027-02-20”。"
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region", "parent", "is_active"]
    list_filter = ["kind", "region__level", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["region", "parent"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id_number", "masked_phone", "gender", "birth_date"]
    search_fields = ["name", "=id_number", "=phone"]
    readonly_fields = ["birth_date", "gender", "user", "created_at"]
    autocomplete_fields = ["household_region"]

    def get_fields(self, request, obj=None):
        # An existing person's ID number and phone show masked: a full view goes through
        # /console/personal-data/reveal/ with a reason, and is logged (docs/personal-data.md).
        fields = super().get_fields(request, obj)
        if obj is None:
            return fields
        masked = {"id_number": "masked_id_number", "phone": "masked_phone"}
        return [masked.get(f, f) for f in fields]

    def get_readonly_fields(self, request, obj=None):
        extra = ["masked_id_number", "masked_phone"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *extra]

    @admin.display(description=_("身份证号码"))
    def masked_id_number(self, obj: Person) -> str:
        return obj.masked_id_number

    @admin.display(description=_("手机号码"))
    def masked_phone(self, obj: Person) -> str:
        return obj.masked_phone


class AuthorisationInline(admin.TabularInline):
    model = EnterpriseAuthorisation
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region"]
    search_fields = ["name", "=credit_code"]
    autocomplete_fields = ["legal_representative", "region"]
    inlines = [AuthorisationInline]


class StaffInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts: the system administrator creates and disables them (三权分立). Roles are shown
    but granted and revoked only by the security administrator (/console/security/staff/);
    groups, permissions and the superuser flag cannot be edited here, and accounts are disabled,
    never deleted (the audit records name them)."""

    list_display = ["username", "display_name", "is_active", "roles", "last_login"]
    list_filter = ["is_active"]
    fieldsets = (
        (None, {"fields": ["username", "password"]}),
        (_("通办"), {"fields": ["display_name", "email"]}),
        (_("账号状态和角色"), {"fields": ["is_active", "roles", "is_staff", "is_superuser"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    )
    readonly_fields = ["roles", "is_staff", "is_superuser", "last_login", "date_joined"]
    filter_horizontal = ()
    inlines = [StaffInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("角色（由安全管理员授予）"))
    def roles(self, obj: User) -> str:
        names = [str(Role(g.name).label) for g in obj.groups.all() if g.name in Role.values]
        return "、".join(names) or "—"

    def has_delete_permission(self, request, obj=None):
        return False

    def user_change_password(self, request, id, form_url=""):
        # Setting the security or audit administrator's password would let the system
        # administrator act as them: they change it themselves (or the security administrator
        # resets their second factor, another security administrator's work).
        target = self.get_object(request, unquote(id))
        if target is not None and roles_of(target) & OTHER_ADMINISTRATORS:
            raise DjangoPermissionDenied
        return super().user_change_password(request, id, form_url)


class CalendarYearForm(forms.ModelForm):
    schedule = forms.CharField(
        label=_("放假和调休安排"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 90}),
        help_text=SCHEDULE_HELP,
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "source", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True
            self.initial["schedule"] = _schedule_text(self.instance)

    def clean(self):
        data = super().clean()
        if data.get("year") and data.get("schedule"):
            try:
                parse_year_schedule(int(data["year"]), data["schedule"])
            except DomainError as exc:
                self.add_error("schedule", exc.message)
        return data


def _schedule_text(year: CalendarYear) -> str:
    lines: dict[str, dict[str, list[str]]] = {}
    for o in year.overrides.order_by("date"):
        entry = lines.setdefault(o.name or "—", {"off": [], "on": []})
        entry["on" if o.is_workday else "off"].append(o.date.isoformat())
    out = []
    for name, entry in lines.items():
        parts = []
        if entry["off"]:
            parts.append("放假 " + "、".join(entry["off"]))
        if entry["on"]:
            parts.append("上班 " + "、".join(entry["on"]))
        out.append(f"{name}：" + "；".join(parts))
    return "\n".join(out)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """A year's schedule, as published by the State Council, entered in one step."""

    form = CalendarYearForm
    list_display = ["year", "source", "updated_at"]

    def save_model(self, request, obj, form, change):
        result = calendar_year_import(
            actor=request.user,
            year=form.cleaned_data["year"] if not change else obj.year,
            source=form.cleaned_data["source"],
            schedule_text=form.cleaned_data["schedule"],
            notes=form.cleaned_data.get("notes", ""),
        )
        obj.pk = result.pk

    def delete_model(self, request, obj):
        calendar_year_delete(actor=request.user, year=obj.year)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            calendar_year_delete(actor=request.user, year=obj.year)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name", "calendar_year", "source"]
    list_filter = ["is_workday", "calendar_year"]
    date_hierarchy = "date"
    fields = ["date", "is_workday", "name", "source"]

    def save_model(self, request, obj, form, change):
        try:
            saved = calendar_override_set(
                actor=request.user,
                date=obj.date,
                is_workday=obj.is_workday,
                name=obj.name,
                source=obj.source,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_override_delete(actor=request.user, date=obj.date)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            calendar_override_delete(actor=request.user, date=obj.date)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only through services (events, logs, ratings): listed and shown, never
    added, changed or deleted here, and no bulk actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "prefix",
        "user",
        "name",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    exclude = ["key_hash"]


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ["slot", "job", "status", "host", "started_at", "finished_at"]
    list_filter = ["job", "status"]
    search_fields = ["job", "output"]


# 三权分立 (docs/security.md): what is not the system administrator's work is not on this site.
# Roles (groups) and permissions are granted by the security administrator in the console;
# second-factor devices are reset there too; the audit logs (the hash-chained audit stream,
# security events, login records) are read by the audit administrator in the console and changed
# by nobody.
for _model in (Group, TOTPDevice, StaticDevice, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
